// Sentence segmentation with byte offsets, for citations and per-sentence
// extraction.
#ifndef RELMON_INGEST_EXTRACTION_TEXT_SENTENCES_H_
#define RELMON_INGEST_EXTRACTION_TEXT_SENTENCES_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ingest-service/extraction/text/types.h"

namespace relmon::extraction {

// Abbreviations that do not end a sentence (data/abbreviations.tsv).
class SentenceTables {
 public:
  // How an abbreviation behaves before the next word.
  enum class AbbrevKind {
    // Never ends a sentence (Mr., Dr., Gen., St., vs., U.S., U.N.).
    kNonTerminal,
    // A month (Jan., Sept.): does not end a sentence before a digit or a
    // lower-case word; ends it before a capitalised word.
    kMonth,
    // Only an abbreviation before a digit (No. 5, Art. 3).
    kBeforeDigit,
  };

  // Reads `<resources_dir>/abbreviations.tsv`.
  static absl::StatusOr<SentenceTables> Load(const std::string& resources_dir);

  // The kind of `word_with_dot` ("Sept.", "u.s."; matched case-insensitively),
  // or nullptr when it is not a listed abbreviation.
  const AbbrevKind* Find(absl::string_view word_with_dot) const;

 private:
  absl::flat_hash_map<std::string, AbbrevKind> abbreviations_;
};

// Splits `text` into sentences, returned in order as byte spans into `text`,
// trimmed of surrounding whitespace; spans with no letter or digit are
// dropped. A sentence ends at:
//  - a line break (headlines, header and dateline lines are sentences of
//    their own), except a single line break inside a hard-wrapped sentence
//    (previous line has no final punctuation and the next starts lower-case);
//  - '.', '!', '?', '…' or "..." followed by optional closing quotes or
//    brackets and then whitespace (or an opening quote “) before an
//    upper-case letter, digit or opening quote; never after a listed
//    abbreviation (see SentenceTables), a single-letter initial ("J. Smith"),
//    inside a decimal (1.6) or before a lower-case word.
// Linear in the size of the text.
std::vector<TextSpan> SplitSentences(const SentenceTables& tables, absl::string_view text);

}  // namespace relmon::extraction

#endif  // RELMON_INGEST_EXTRACTION_TEXT_SENTENCES_H_
