#include "ingest-service/extraction/text/text_tables.h"

namespace relmon::extraction {

absl::StatusOr<std::shared_ptr<const TextTables>> TextTables::Load(
    const std::string& resources_dir, const std::string& iso_codes_dir) {
  auto tables = std::make_shared<TextTables>();
  auto language = LanguageTables::Load(resources_dir);
  if (!language.ok()) return language.status();
  tables->language = std::move(*language);
  auto sentences = SentenceTables::Load(resources_dir);
  if (!sentences.ok()) return sentences.status();
  tables->sentences = std::move(*sentences);
  auto dates = DateWordTables::Load(resources_dir);
  if (!dates.ok()) return dates.status();
  tables->dates = std::move(*dates);
  auto figures = FigureTables::Load(resources_dir, iso_codes_dir);
  if (!figures.ok()) return figures.status();
  tables->figures = std::move(*figures);
  return std::shared_ptr<const TextTables>(std::move(tables));
}

}  // namespace relmon::extraction
