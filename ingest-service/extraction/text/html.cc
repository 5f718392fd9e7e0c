#include "ingest-service/extraction/text/html.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <mutex>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "re2/re2.h"

namespace relmon::extraction {
namespace {

// Elements whose content is never visible article text. A structural
// property of HTML, not a vocabulary, hence kept in code.
bool IsDroppedElement(absl::string_view name) {
  static const char* const kDropped[] = {
      "script", "style", "noscript", "template", "nav",    "header", "footer", "aside", "form",
      "iframe", "svg",   "button",   "select",   "object", "embed",  "canvas", "head"};
  for (const char* d : kDropped) {
    if (absl::EqualsIgnoreCase(name, d)) return true;
  }
  return false;
}

// 2 = paragraph-level block (blank line around it), 1 = line-level block,
// 0 = inline.
int BlockLevel(absl::string_view name) {
  static const char* const kParagraph[] = {"p",  "h1",         "h2",      "h3",      "h4",    "h5",
                                           "h6", "blockquote", "article", "section", "table", "ul",
                                           "ol", "pre",        "figure",  "main",    "dl"};
  static const char* const kLine[] = {"div",     "li", "tr", "br", "dt",      "dd",   "figcaption",
                                      "address", "hr", "td", "th", "caption", "title"};
  for (const char* p : kParagraph) {
    if (absl::EqualsIgnoreCase(name, p)) return 2;
  }
  for (const char* l : kLine) {
    if (absl::EqualsIgnoreCase(name, l)) return 1;
  }
  return 0;
}

void InitLibxml() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

// Appends `text` with whitespace runs collapsed to one space.
void AppendCollapsed(std::string& out, const char* text) {
  for (const char* p = text; *p != '\0'; ++p) {
    char c = *p;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      if (!out.empty() && out.back() != ' ' && out.back() != '\n') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
}

void AppendBreak(std::string& out, int level) {
  // Trim a trailing space before the break.
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.empty()) return;
  int have = 0;
  for (auto it = out.rbegin(); it != out.rend() && *it == '\n'; ++it) ++have;
  int want = level >= 2 ? 2 : 1;
  for (int i = have; i < want; ++i) out.push_back('\n');
}

}  // namespace

bool LooksLikeHtml(absl::string_view text) {
  static const RE2 kStart(
      R"((?i)^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|p|div|article|section|span|h[1-6]|br|table|ul|ol|a)[\s/>])");
  static const RE2 kTag(
      R"((?i)</?(?:p|div|br|article|section|span|h[1-6]|li|ul|ol|table|tr|td|a\s+href|img|script|style|body|html|b|i|em|strong|figure|blockquote)(?:\s[^<>]*)?/?>)");
  absl::string_view head = text.substr(0, 4096);
  if (RE2::PartialMatch(re2::StringPiece(head.data(), head.size()), kStart)) return true;
  absl::string_view body = text.substr(0, 1 << 16);
  re2::StringPiece input(body.data(), body.size());
  int tags = 0;
  while (RE2::FindAndConsume(&input, kTag)) {
    if (++tags >= 2) return true;
  }
  return false;
}

std::string HtmlToText(absl::string_view html) {
  InitLibxml();
  if (html.empty()) return "";
  const int options = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                      HTML_PARSE_NONET | HTML_PARSE_NOIMPLIED;
  htmlDocPtr doc =
      htmlReadMemory(html.data(), static_cast<int>(html.size()), nullptr, "UTF-8", options);
  if (doc == nullptr) return "";
  std::string out;
  // Iterative walk: hostile nesting depth cannot overflow the stack.
  struct Frame {
    xmlNodePtr node;
    bool leaving;
  };
  std::vector<Frame> stack;
  for (xmlNodePtr child = xmlDocGetRootElement(doc); child != nullptr; child = child->next) {
    // Roots are pushed in reverse below; collect first.
    stack.push_back({child, false});
  }
  std::reverse(stack.begin(), stack.end());
  while (!stack.empty()) {
    Frame frame = stack.back();
    stack.pop_back();
    xmlNodePtr node = frame.node;
    if (node->type == XML_ELEMENT_NODE) {
      absl::string_view name = node->name ? reinterpret_cast<const char*>(node->name) : "";
      int level = BlockLevel(name);
      if (frame.leaving) {
        if (level > 0) AppendBreak(out, level);
        continue;
      }
      if (IsDroppedElement(name)) continue;
      if (level > 0) AppendBreak(out, level);
      stack.push_back({node, true});
      std::vector<xmlNodePtr> children;
      for (xmlNodePtr c = node->children; c != nullptr; c = c->next) children.push_back(c);
      for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back({*it, false});
    } else if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
      if (node->content != nullptr)
        AppendCollapsed(out, reinterpret_cast<const char*>(node->content));
    } else if (node->type == XML_ENTITY_REF_NODE) {
      // Unknown entities are kept as written.
      if (node->name != nullptr) {
        out.push_back('&');
        out.append(reinterpret_cast<const char*>(node->name));
        out.push_back(';');
      }
    }
  }
  xmlFreeDoc(doc);
  return NormalizePlainText(out);
}

std::string NormalizePlainText(absl::string_view text) {
  // Pass 1: code points.
  std::string flat;
  flat.reserve(text.size());
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t n = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < n) {
    int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0) {
      flat.append("\xEF\xBF\xBD");  // U+FFFD
      continue;
    }
    if (c == '\r') {
      flat.push_back('\n');
      if (i < n && s[i] == '\n') ++i;
      continue;
    }
    if (c == '\n' || c == '\t') {
      flat.push_back(static_cast<char>(c));
      continue;
    }
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) continue;
    if (c == 0x200B || c == 0xFEFF || c == 0x2028 || c == 0x2029) {
      if (c == 0x2028 || c == 0x2029) flat.push_back('\n');
      continue;
    }
    if (c == 0xA0 || (c >= 0x80 && u_isUWhiteSpace(c))) {
      flat.push_back(' ');
      continue;
    }
    flat.append(text.data() + start, i - start);
  }
  // Pass 2: lines.
  std::string out;
  out.reserve(flat.size());
  int blank_run = 0;
  size_t pos = 0;
  bool any_line = false;
  while (pos <= flat.size()) {
    size_t nl = flat.find('\n', pos);
    if (nl == std::string::npos) nl = flat.size();
    absl::string_view line(flat.data() + pos, nl - pos);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    bool blank = absl::StripAsciiWhitespace(line).empty();
    if (blank) {
      if (any_line) ++blank_run;
    } else {
      if (any_line) {
        out.push_back('\n');
        if (blank_run > 0) out.push_back('\n');
      }
      out.append(line.data(), line.size());
      any_line = true;
      blank_run = 0;
    }
    if (nl == flat.size()) break;
    pos = nl + 1;
  }
  return out;
}

}  // namespace relmon::extraction
