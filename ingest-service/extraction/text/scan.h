// Tokenizer shared by the text stages: words, digit runs and single
// punctuation/symbol code points with byte offsets. Internal to the library.
#ifndef RELMON_INGEST_EXTRACTION_TEXT_SCAN_H_
#define RELMON_INGEST_EXTRACTION_TEXT_SCAN_H_

#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"

namespace relmon::extraction::internal {

enum class TokenKind { kWord, kNumber, kPunct };

struct Token {
  size_t begin = 0;
  size_t end = 0;
  TokenKind kind = TokenKind::kPunct;
  // Whitespace separates this token from the previous one (true for the
  // first token).
  bool space_before = true;
  // Words: lower-cased (simple Unicode case mapping); others: the text.
  std::string lower;
  // Words: first letter upper-case / every letter upper-case.
  bool capitalized = false;
  bool all_caps = false;
  // Punct: the code point.
  char32_t code_point = 0;

  bool IsWord() const { return kind == TokenKind::kWord; }
  bool IsNumber() const { return kind == TokenKind::kNumber; }
  bool IsPunct(char32_t c) const { return kind == TokenKind::kPunct && code_point == c; }
  bool IsWord(absl::string_view w) const { return kind == TokenKind::kWord && lower == w; }
  size_t size() const { return end - begin; }
};

// Splits `text` into tokens. A word is a run of letters and combining marks
// (ICU properties); a number is a run of ASCII digits; every other
// non-space code point is one punct token. Invalid UTF-8 bytes are punct.
std::vector<Token> Tokenize(absl::string_view text);
// Same, into `tokens` (cleared first; its capacity is reused, so a caller
// tokenizing sentence after sentence allocates once).
void TokenizeInto(absl::string_view text, std::vector<Token>* tokens);

// Calls `fn` with the lower-cased text of every word token Tokenize(text)
// would return, in order, without building the tokens (for callers that
// only look words up, such as language detection).
void ForEachWordLower(absl::string_view text, absl::FunctionRef<void(absl::string_view)> fn);

// Lower-cases UTF-8 text with ICU's simple case mapping.
std::string ToLowerUtf8(absl::string_view text);

// True for a dash-like code point: '-', U+2010..U+2015, U+2212.
bool IsDash(char32_t c);
// True for a quote code point (", ', “ ” ‘ ’ « » „).
bool IsQuote(char32_t c);

}  // namespace relmon::extraction::internal

#endif  // RELMON_INGEST_EXTRACTION_TEXT_SCAN_H_
