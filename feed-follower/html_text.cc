#include "feed-follower/html_text.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace relmon::feeds {
namespace {

struct DocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocDeleter>;

std::string Name(const xmlNode* node) {
  return node->name == nullptr ? std::string() : absl::AsciiStrToLower(reinterpret_cast<const char*>(node->name));
}

// Never text of an article, in a fragment or a page.
bool IsNeverText(const std::string& name) {
  static const auto* kNames = new absl::flat_hash_set<std::string>{
      "script", "style", "noscript", "template", "iframe", "svg", "canvas", "object", "embed", "head", "select"};
  return kNames->contains(name);
}

// Page furniture: dropped from whole pages (boilerplate).
bool IsBoilerplate(const xmlNode* node, const std::string& name) {
  static const auto* kNames = new absl::flat_hash_set<std::string>{
      "nav", "header", "footer", "aside", "form", "button", "menu", "dialog", "figure", "figcaption"};
  if (kNames->contains(name)) return true;
  // ARIA roles say the same for <div>-built layouts.
  xmlChar* role = xmlGetProp(node, reinterpret_cast<const xmlChar*>("role"));
  bool furniture = false;
  if (role != nullptr) {
    std::string r = absl::AsciiStrToLower(reinterpret_cast<const char*>(role));
    furniture = r == "navigation" || r == "banner" || r == "contentinfo" || r == "complementary" ||
                r == "search" || r == "menu";
    xmlFree(role);
  }
  return furniture;
}

bool IsBlock(const std::string& name) {
  static const auto* kNames = new absl::flat_hash_set<std::string>{
      "p",  "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "article", "section", "main",
      "blockquote", "pre", "table", "tr", "td", "th", "dd", "dt", "dl", "hr", "body", "address", "summary"};
  return kNames->contains(name);
}

// Collects text with paragraph breaks; whitespace runs become one space.
class TextWriter {
 public:
  void Text(absl::string_view text) {
    for (char c : text) {
      if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
        pending_space_ = true;
      } else {
        if (pending_break_ && !out_.empty()) {
          out_ += "\n\n";
        } else if (pending_space_ && !out_.empty()) {
          out_ += ' ';
        }
        pending_break_ = pending_space_ = false;
        out_ += c;
      }
    }
  }
  void Break() { pending_break_ = true; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
  bool pending_space_ = false;
  bool pending_break_ = false;
};

void Collect(const xmlNode* node, bool drop_boilerplate, TextWriter* out) {
  for (const xmlNode* child = node; child != nullptr; child = child->next) {
    if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) {
      if (child->content != nullptr) out->Text(reinterpret_cast<const char*>(child->content));
      continue;
    }
    if (child->type != XML_ELEMENT_NODE) continue;
    const std::string name = Name(child);
    if (IsNeverText(name)) continue;
    if (drop_boilerplate && IsBoilerplate(child, name)) continue;
    const bool block = IsBlock(name);
    if (block) out->Break();
    Collect(child->children, drop_boilerplate, out);
    if (block) out->Break();
  }
}

std::string TextOf(const xmlNode* node, bool drop_boilerplate) {
  TextWriter writer;
  // Collect walks siblings; start from this node alone.
  if (node->type == XML_ELEMENT_NODE) {
    Collect(node->children, drop_boilerplate, &writer);
  }
  return writer.Take();
}

DocPtr ParseHtml(absl::string_view html, const char* encoding) {
  const int options = HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                      HTML_PARSE_COMPACT;
  return DocPtr(htmlReadMemory(html.data(), static_cast<int>(html.size()), nullptr, encoding, options));
}

void FindAll(xmlNode* node, const std::string& name, std::vector<xmlNode*>* found) {
  for (xmlNode* child = node; child != nullptr; child = child->next) {
    if (child->type != XML_ELEMENT_NODE) continue;
    if (Name(child) == name) found->push_back(child);
    FindAll(child->children, name, found);
  }
}

// Length of the text of <p> children directly under each element; the
// element with the most is the article body in a page without <article>.
void DensestParagraphParent(xmlNode* node, xmlNode** best, size_t* best_len) {
  for (xmlNode* child = node; child != nullptr; child = child->next) {
    if (child->type != XML_ELEMENT_NODE) continue;
    const std::string name = Name(child);
    if (IsNeverText(name) || IsBoilerplate(child, name)) continue;
    size_t len = 0;
    for (xmlNode* p = child->children; p != nullptr; p = p->next) {
      if (p->type == XML_ELEMENT_NODE && Name(p) == "p") len += TextOf(p, true).size();
    }
    if (len > *best_len) {
      *best_len = len;
      *best = child;
    }
    DensestParagraphParent(child->children, best, best_len);
  }
}

bool LooksLikeHtml(absl::string_view text) {
  size_t lt = text.find('<');
  if (lt != absl::string_view::npos && lt + 1 < text.size()) {
    char next = text[lt + 1];
    if (absl::ascii_isalpha(static_cast<unsigned char>(next)) || next == '/' || next == '!') return true;
  }
  return text.find('&') != absl::string_view::npos;
}

}  // namespace

std::string HtmlFragmentToText(absl::string_view html) {
  if (!LooksLikeHtml(html)) {
    TextWriter writer;
    // Keep the author's paragraph breaks (blank lines).
    size_t start = 0;
    while (start <= html.size()) {
      size_t end = html.find("\n\n", start);
      if (end == absl::string_view::npos) end = html.size();
      writer.Text(html.substr(start, end - start));
      writer.Break();
      start = end + 2;
    }
    return writer.Take();
  }
  std::string wrapped = absl::StrCat("<html><body>", html, "</body></html>");
  DocPtr doc = ParseHtml(wrapped, "UTF-8");
  if (doc == nullptr) return std::string();
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr) return std::string();
  TextWriter writer;
  Collect(root->children, /*drop_boilerplate=*/false, &writer);
  return writer.Take();
}

std::string HtmlPageToText(absl::string_view html, absl::string_view charset, std::string* title) {
  std::string encoding(charset);
  DocPtr doc = ParseHtml(html, encoding.empty() ? nullptr : encoding.c_str());
  if (doc == nullptr) return std::string();
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr) return std::string();

  if (title != nullptr) {
    std::vector<xmlNode*> titles;
    FindAll(root, "title", &titles);
    if (titles.empty()) FindAll(root, "h1", &titles);
    if (!titles.empty()) *title = TextOf(titles.front(), false);
  }

  xmlNode* best = nullptr;
  for (const char* container : {"article", "main"}) {
    std::vector<xmlNode*> found;
    FindAll(root, container, &found);
    size_t best_len = 0;
    for (xmlNode* node : found) {
      size_t len = TextOf(node, true).size();
      if (len > best_len) {
        best_len = len;
        best = node;
      }
    }
    if (best != nullptr) break;
  }
  if (best == nullptr) {
    size_t best_len = 0;
    DensestParagraphParent(root, &best, &best_len);
  }
  if (best == nullptr) {
    std::vector<xmlNode*> bodies;
    FindAll(root, "body", &bodies);
    best = bodies.empty() ? root : bodies.front();
  }
  return TextOf(best, /*drop_boilerplate=*/true);
}

}  // namespace relmon::feeds
