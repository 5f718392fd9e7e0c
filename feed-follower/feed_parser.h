// Parses RSS 2.0 (and RSS 1.0/RDF) and Atom documents into feed items,
// safely: no network access, no entity expansion, bad XML recovered or
// reported.
#ifndef RELMON_FEED_FOLLOWER_FEED_PARSER_H_
#define RELMON_FEED_FOLLOWER_FEED_PARSER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace relmon::feeds {

// One entry of a feed, as written (content still HTML).
struct FeedItem {
  // guid (RSS) or id (Atom); empty when the feed gives none.
  std::string guid;
  std::string link;
  std::string title;
  // content:encoded / Atom content, else description / summary (HTML or text).
  std::string content_html;
  // pubDate / published, else updated / dc:date.
  std::optional<absl::Time> published_at;
  // xml:lang or dc:language of the entry.
  std::string language;
};

struct ParsedFeed {
  enum class Format { kRss, kAtom, kRdf };
  Format format = Format::kRss;
  std::string title;
  // <language> (RSS) or xml:lang of the root (Atom); may be empty.
  std::string language;
  std::vector<FeedItem> items;
  // Set when the XML was malformed and libxml2 recovered what it could.
  std::string recovered_error;
};

// `base_url` resolves relative links. An error when the document is not
// XML at all or is neither RSS nor Atom.
absl::StatusOr<ParsedFeed> ParseFeed(absl::string_view xml, absl::string_view base_url = "");

// The stable key of an item within its feed: guid, else link, else a hash
// of title and content.
std::string ItemKey(const FeedItem& item);

}  // namespace relmon::feeds

#endif  // RELMON_FEED_FOLLOWER_FEED_PARSER_H_
