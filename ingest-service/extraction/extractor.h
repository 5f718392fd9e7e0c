// Extractor: turns one article into typed, dated, cited facts.
//
// Deterministic (same article, same rules and data: same output), thread-safe
// after Create(), rule- and data-driven: gazetteers, cue phrases and weights
// are read from the resources directory at Create().
#ifndef RELMON_INGEST_EXTRACTION_EXTRACTOR_H_
#define RELMON_INGEST_EXTRACTION_EXTRACTOR_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "relations/v1/article.pb.h"
#include "relations/v1/log.pb.h"

namespace relmon::extraction {

struct ExtractorOptions {
  // Directory holding the data files (data/ of the source tree).
  std::string resources_dir;
  // Directory of Debian's iso-codes JSON files.
  std::string iso_codes_dir = "/usr/share/iso-codes/json";
};

// What Extract() derives from an article.
struct ExtractionResult {
  // The article as it should be stored: text cleaned (HTML reduced to text),
  // title, published_at and language filled in where the client left them
  // empty (client metadata always wins).
  relations::v1::Article article;
  // How article.published_at was established.
  relations::v1::DateSource date_source = relations::v1::DATE_SOURCE_UNKNOWN;
  // The facts, with article_id and extractor_version set. Every citation
  // carries the article id, source, published_at, url and sentence offsets
  // into article.text.
  relations::v1::ArticleAnalyzed analysis;
};

class Extractor {
 public:
  static absl::StatusOr<std::unique_ptr<Extractor>> Create(const ExtractorOptions& options);
  virtual ~Extractor() = default;

  // Reduces raw client text to the text that is stored and analysed: HTML
  // (when the text looks like HTML) to plain text with scripts and styles
  // dropped, entities decoded, line endings normalised. Plain text passes
  // through with only line endings and trailing space normalised.
  virtual std::string CleanText(absl::string_view raw) const = 0;

  // Analyses an article whose `id` is set and whose `text` is already
  // CleanText()'d.
  virtual ExtractionResult Extract(const relations::v1::Article& article) const = 0;

  // Version of the rules and data: code version plus a digest of the data
  // files, so a changed gazetteer gives a new version.
  virtual const std::string& version() const = 0;
};

}  // namespace relmon::extraction

#endif  // RELMON_INGEST_EXTRACTION_EXTRACTOR_H_
