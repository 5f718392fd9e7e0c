// Word tokens of one sentence with byte offsets, and phrase patterns (cue
// phrases of the data files) matched over them in linear time.
#ifndef RELMON_INGEST_EXTRACTION_TOKENS_H_
#define RELMON_INGEST_EXTRACTION_TOKENS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace relmon::extraction {

// One token: a word (letters/digits, with inner dots for "U.S." and inner
// digits separators for "3,488"), a possessive "'s", or one punctuation mark
// (dashes of any kind become "-", quotes become "\"").
struct Token {
  uint32_t begin = 0;  // byte offsets in the sentence
  uint32_t end = 0;
  std::string lower;   // lower-cased ASCII letters; other bytes as written
  bool is_word = false;
  bool is_number = false;    // starts with a digit
  bool capitalized = false;  // first letter upper case (or non-ASCII letter)
  bool all_upper = false;    // every ASCII letter upper case (>= 2 letters)
  bool possessive = false;   // the "'s" token
};

// Tokenizes `sentence`. Never fails; linear in its size.
std::vector<Token> Tokenize(absl::string_view sentence);
// Appends the tokens of `sentence` to `out` (reuses its capacity).
void TokenizeInto(absl::string_view sentence, std::vector<Token>* out);

// Lower-cased words of a phrase as Tokenize would produce them ("Amir-Abdollahian"
// -> {"amir", "-", "abdollahian"}).
std::vector<std::string> PhraseWords(absl::string_view phrase);

// A match of a pattern: tokens [first, last] inclusive.
struct PatternMatch {
  int pattern = 0;
  int first = 0;
  int last = 0;
};

// A set of cue patterns. Pattern syntax (data files): words separated by
// spaces; "a|b" alternatives of one word; "word*" a prefix (at least 3
// letters before the star); "..." a gap of up to 12 tokens that does not cross
// ';' or ':'. Case-insensitive. Matches are found at every start token; at
// each start only the longest match of each pattern is kept.
class PatternSet {
 public:
  // Adds a pattern; returns its index or InvalidArgument.
  absl::StatusOr<int> Add(absl::string_view pattern);
  // All matches in `tokens`, ordered by first token then pattern index; at
  // most `limit` (later stages compare matches pairwise, so a pathological
  // sentence must not make them quadratic).
  void FindAll(const std::vector<Token>& tokens, std::vector<PatternMatch>* out,
               size_t limit = kMaxMatchesPerSentence) const;
  static constexpr size_t kMaxMatchesPerSentence = 64;
  size_t size() const { return patterns_.size(); }

 private:
  struct Element {
    std::vector<std::string> exact;
    std::vector<std::string> prefixes;
    bool gap = false;
  };
  struct Pattern {
    std::vector<Element> elements;
  };
  bool ElementMatches(const Element& e, const Token& t) const;
  int MatchFrom(const Pattern& p, size_t element, const std::vector<Token>& tokens,
                size_t pos) const;

  std::vector<Pattern> patterns_;
  absl::flat_hash_map<std::string, std::vector<int>> by_first_exact_;
  absl::flat_hash_map<std::string, std::vector<int>> by_first_prefix_;
  std::vector<size_t> prefix_lengths_;  // distinct lengths of first-word prefixes
  // Bit sets over the first two bytes of the patterns' first words (exact
  // words / prefixes): most tokens start no pattern, and a clear bit spares
  // them the hash lookups. Empty until a word is added.
  std::vector<uint64_t> first_exact_sig_;
  std::vector<uint64_t> first_prefix_sig_;
};

}  // namespace relmon::extraction

#endif  // RELMON_INGEST_EXTRACTION_TOKENS_H_
