#include "feed-follower/feed_parser.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "feed-follower/dates.h"

namespace relmon::feeds {
namespace {

constexpr char kAtomNs[] = "http://www.w3.org/2005/Atom";
constexpr char kContentNs[] = "http://purl.org/rss/1.0/modules/content/";
constexpr char kDcNs[] = "http://purl.org/dc/elements/1.1/";

struct DocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};

// Keeps the first parse error of the document being parsed (libxml2 calls
// this per error; a thread-local keeps parallel parses apart).
thread_local std::string* t_first_error = nullptr;
void CaptureError(void*, xmlError* error) {
  if (t_first_error == nullptr || !t_first_error->empty() || error == nullptr) return;
  std::string message = error->message != nullptr ? error->message : "unknown XML error";
  *t_first_error = absl::StrCat("line ", error->line, ": ", absl::StripAsciiWhitespace(message));
}

std::string LocalName(const xmlNode* node) { return reinterpret_cast<const char*>(node->name); }

std::string NsHref(const xmlNode* node) {
  return node->ns != nullptr && node->ns->href != nullptr ? reinterpret_cast<const char*>(node->ns->href) : "";
}

// Text of an element: text and CDATA children only. Entity references that
// libxml2 left unexpanded (we never ask for substitution) are skipped, so a
// hostile DOCTYPE cannot blow the text up.
void AppendText(const xmlNode* node, std::string* out) {
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) {
      if (child->content != nullptr) out->append(reinterpret_cast<const char*>(child->content));
    } else if (child->type == XML_ELEMENT_NODE) {
      AppendText(child, out);
    }
  }
}

// Atom content of type xhtml is markup, not text: serialise the children.
std::string InnerXml(xmlNode* node) {
  std::string out;
  xmlBuffer* buffer = xmlBufferCreate();
  for (xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (child->type == XML_ENTITY_REF_NODE) continue;
    xmlNodeDump(buffer, node->doc, child, 0, 0);
  }
  out.assign(reinterpret_cast<const char*>(xmlBufferContent(buffer)), xmlBufferLength(buffer));
  xmlBufferFree(buffer);
  return out;
}

std::string Text(const xmlNode* node) {
  std::string out;
  AppendText(node, &out);
  return std::string(absl::StripAsciiWhitespace(out));
}

std::string Attr(const xmlNode* node, const char* name) {
  xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return "";
  std::string out(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return std::string(absl::StripAsciiWhitespace(out));
}

std::string Lang(const xmlNode* node) {
  xmlChar* value = xmlNodeGetLang(node);
  if (value == nullptr) return "";
  std::string out(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return out;
}

std::string Resolve(const std::string& link, absl::string_view base) {
  if (link.empty() || base.empty()) return link;
  std::string base_str(base);
  xmlChar* resolved = xmlBuildURI(reinterpret_cast<const xmlChar*>(link.c_str()),
                                  reinterpret_cast<const xmlChar*>(base_str.c_str()));
  if (resolved == nullptr) return link;
  std::string out(reinterpret_cast<const char*>(resolved));
  xmlFree(resolved);
  return out;
}

FeedItem ParseRssItem(xmlNode* item, absl::string_view base) {
  FeedItem out;
  std::string description, encoded, updated;
  for (xmlNode* c = item->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    const std::string name = LocalName(c);
    const std::string ns = NsHref(c);
    if (ns == kContentNs && name == "encoded") {
      encoded = Text(c);
    } else if (ns == kDcNs && name == "date") {
      updated = Text(c);
    } else if (ns == kDcNs && name == "language") {
      out.language = Text(c);
    } else if (!ns.empty() && ns != "http://purl.org/rss/1.0/") {
      continue;  // other extensions (media:, atom:link, ...)
    } else if (name == "guid") {
      out.guid = Text(c);
    } else if (name == "link") {
      out.link = Resolve(Text(c), base);
    } else if (name == "title") {
      out.title = Text(c);
    } else if (name == "description") {
      description = Text(c);
    } else if (name == "pubDate") {
      out.published_at = ParseFeedDate(Text(c));
    }
  }
  if (!out.published_at.has_value() && !updated.empty()) out.published_at = ParseFeedDate(updated);
  if (out.guid.empty()) out.guid = Attr(item, "about");  // RSS 1.0 rdf:about
  out.content_html = !encoded.empty() ? encoded : description;
  return out;
}

FeedItem ParseAtomEntry(xmlNode* entry, absl::string_view base) {
  FeedItem out;
  std::string content, summary, published, updated;
  out.language = Lang(entry);
  for (xmlNode* c = entry->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || NsHref(c) != kAtomNs) continue;
    const std::string name = LocalName(c);
    if (name == "id") {
      out.guid = Text(c);
    } else if (name == "link") {
      const std::string rel = Attr(c, "rel");
      if ((rel.empty() || rel == "alternate") && out.link.empty()) out.link = Resolve(Attr(c, "href"), base);
    } else if (name == "title") {
      out.title = Attr(c, "type") == "xhtml" ? InnerXml(c) : Text(c);
    } else if (name == "content" || name == "summary") {
      std::string value = Attr(c, "type") == "xhtml" ? InnerXml(c) : Text(c);
      (name == "content" ? content : summary) = value;
    } else if (name == "published") {
      published = Text(c);
    } else if (name == "updated") {
      updated = Text(c);
    }
  }
  out.content_html = !content.empty() ? content : summary;
  if (!published.empty()) out.published_at = ParseFeedDate(published);
  if (!out.published_at.has_value() && !updated.empty()) out.published_at = ParseFeedDate(updated);
  return out;
}

}  // namespace

absl::StatusOr<ParsedFeed> ParseFeed(absl::string_view xml, absl::string_view base_url) {
  if (xml.size() > static_cast<size_t>(INT32_MAX)) return absl::InvalidArgumentError("feed too large");
  std::string first_error;
  t_first_error = &first_error;
  xmlSetStructuredErrorFunc(nullptr, CaptureError);
  // NONET: never fetch a DTD or entity; no NOENT/DTDLOAD: entities are not
  // substituted; RECOVER: keep what is readable of a damaged document.
  const int options = XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                      XML_PARSE_NOCDATA | XML_PARSE_COMPACT;
  std::string base(base_url);
  std::unique_ptr<xmlDoc, DocDeleter> doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), base.empty() ? nullptr : base.c_str(), nullptr,
                    options));
  xmlSetStructuredErrorFunc(nullptr, nullptr);
  t_first_error = nullptr;
  xmlNode* root = doc == nullptr ? nullptr : xmlDocGetRootElement(doc.get());
  if (root == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("not an XML document", first_error.empty() ? "" : ": ", first_error));
  }

  ParsedFeed feed;
  feed.recovered_error = first_error;
  const std::string root_name = LocalName(root);
  if (root_name == "feed" && NsHref(root) == kAtomNs) {
    feed.format = ParsedFeed::Format::kAtom;
    feed.language = Lang(root);
    for (xmlNode* c = root->children; c != nullptr; c = c->next) {
      if (c->type != XML_ELEMENT_NODE || NsHref(c) != kAtomNs) continue;
      if (LocalName(c) == "title") feed.title = Text(c);
      if (LocalName(c) == "entry") feed.items.push_back(ParseAtomEntry(c, base_url));
    }
    for (FeedItem& item : feed.items) {
      if (item.language.empty()) item.language = feed.language;
    }
    return feed;
  }
  if (root_name == "rss" || root_name == "RDF") {
    feed.format = root_name == "rss" ? ParsedFeed::Format::kRss : ParsedFeed::Format::kRdf;
    // RSS 2.0: items inside <channel>; RSS 1.0: items beside it.
    auto scan = [&](xmlNode* parent, auto& self) -> void {
      for (xmlNode* c = parent->children; c != nullptr; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        const std::string name = LocalName(c);
        if (name == "channel") {
          for (xmlNode* m = c->children; m != nullptr; m = m->next) {
            if (m->type != XML_ELEMENT_NODE) continue;
            if (LocalName(m) == "title" && feed.title.empty()) feed.title = Text(m);
            if (LocalName(m) == "language" && feed.language.empty()) feed.language = Text(m);
          }
          self(c, self);
        } else if (name == "item") {
          feed.items.push_back(ParseRssItem(c, base_url));
        }
      }
    };
    scan(root, scan);
    return feed;
  }
  return absl::InvalidArgumentError(absl::StrCat("neither RSS nor Atom (root element <", root_name, ">)"));
}

std::string ItemKey(const FeedItem& item) {
  if (!item.guid.empty()) return item.guid;
  if (!item.link.empty()) return item.link;
  // FNV-1a of title and content: stable across polls of an unchanged item.
  uint64_t hash = 1469598103934665603ULL;
  for (const std::string* part : {&item.title, &item.content_html}) {
    for (unsigned char c : *part) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
    hash ^= 0xff;
    hash *= 1099511628211ULL;
  }
  return absl::StrFormat("fnv1a:%016x", hash);
}

}  // namespace relmon::feeds
