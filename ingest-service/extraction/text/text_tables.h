// All vocabularies of the text stages, loaded once from the resources
// directory; shared read-only by every extraction thread.
#ifndef RELMON_INGEST_EXTRACTION_TEXT_TEXT_TABLES_H_
#define RELMON_INGEST_EXTRACTION_TEXT_TEXT_TABLES_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "ingest-service/extraction/text/date_words.h"
#include "ingest-service/extraction/text/figures.h"
#include "ingest-service/extraction/text/language.h"
#include "ingest-service/extraction/text/sentences.h"

namespace relmon::extraction {

struct TextTables {
  // Loads every table; the error names the file that failed.
  static absl::StatusOr<std::shared_ptr<const TextTables>> Load(
      const std::string& resources_dir,
      const std::string& iso_codes_dir = "/usr/share/iso-codes/json");

  LanguageTables language;
  SentenceTables sentences;
  DateWordTables dates;
  std::shared_ptr<const FigureTables> figures;
};

}  // namespace relmon::extraction

#endif  // RELMON_INGEST_EXTRACTION_TEXT_TEXT_TABLES_H_
