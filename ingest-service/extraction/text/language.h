// Language identification of article text: Unicode script first, then
// stop-word evidence for Latin-script languages.
#ifndef RELMON_INGEST_EXTRACTION_TEXT_LANGUAGE_H_
#define RELMON_INGEST_EXTRACTION_TEXT_LANGUAGE_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace relmon::extraction {

// Stop words per language (data/stopwords.tsv), loaded once.
class LanguageTables {
 public:
  // Reads `<resources_dir>/stopwords.tsv`.
  static absl::StatusOr<LanguageTables> Load(const std::string& resources_dir);

  // Languages (ISO 639-1) that list `lower_word` as a stop word.
  const std::vector<std::string>* LanguagesOf(absl::string_view lower_word) const;

  // Same as LanguagesOf, as indices into languages() (counting hits per
  // index spares DetectLanguage a string-keyed map update per stop word).
  const std::vector<int>* LanguageIdsOf(absl::string_view lower_word) const {
    auto it = stopword_ids_.find(lower_word);
    return it == stopword_ids_.end() ? nullptr : &it->second;
  }
  const std::vector<std::string>& languages() const { return languages_; }

 private:
  absl::flat_hash_map<std::string, std::vector<std::string>> stopwords_;
  absl::flat_hash_map<std::string, std::vector<int>> stopword_ids_;
  std::vector<std::string> languages_;
};

// Returns an ISO 639-1 code ("en", "fa", "ar", "ur", "ru", "uk", "kk", "az",
// "tr", "fr", "de", "es", "it", "hy", "ka", "he", "el", "zh", "ja", "ko",
// "hi") or "und" when undecidable (empty text, digits only, Latin text with
// no stop-word evidence). Only the first 64 KiB are inspected.
// Rules: the dominant script decides; Arabic script with Persian letters
// (پ چ ژ گ ک ی) is "fa", with Urdu letters "ur", else "ar"; Cyrillic is
// "ru" unless Ukrainian (і ї є ґ) or Kazakh (ә ғ қ ң ө ұ ү һ) letters
// appear; Latin with ə is "az", with Turkish ı/ğ/ş and no ə is "tr";
// other Latin text is the language with the most stop-word hits (English
// wins ties), requiring at least one hit.
std::string DetectLanguage(const LanguageTables& tables, absl::string_view text);

}  // namespace relmon::extraction

#endif  // RELMON_INGEST_EXTRACTION_TEXT_LANGUAGE_H_
