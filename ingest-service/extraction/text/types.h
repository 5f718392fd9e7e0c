// Small value types shared by the text stages (html, language, sentences,
// article_header, temporal, figures): byte spans and date precision.
#ifndef RELMON_INGEST_EXTRACTION_TEXT_TYPES_H_
#define RELMON_INGEST_EXTRACTION_TEXT_TYPES_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace relmon::extraction {

// A half-open byte range [begin, end) of a UTF-8 text. Offsets are always
// relative to the string_view that was passed to the function that returned
// the span (a whole article for SplitSentences, one sentence for
// FindTimeExpressions / FindFigures).
struct TextSpan {
  size_t begin = 0;
  size_t end = 0;

  size_t size() const { return end - begin; }
  bool empty() const { return end <= begin; }
  // The spanned bytes of `text` (the text the span was computed on).
  absl::string_view In(absl::string_view text) const { return text.substr(begin, end - begin); }
  friend bool operator==(const TextSpan& a, const TextSpan& b) {
    return a.begin == b.begin && a.end == b.end;
  }
  friend bool operator!=(const TextSpan& a, const TextSpan& b) { return !(a == b); }
};

// How precisely a date is known. The numeric values are those of
// relations::v1::DatePrecision (facts.proto), so a static_cast converts;
// this library does not depend on the generated protos.
enum class DatePrecision : int {
  kUnspecified = 0,
  kDay = 1,
  kMonth = 2,
  kYear = 3,
};

// "DAY", "MONTH", "YEAR" or "UNSPECIFIED" (for logs and test messages).
const char* DatePrecisionName(DatePrecision precision);

}  // namespace relmon::extraction

#endif  // RELMON_INGEST_EXTRACTION_TEXT_TYPES_H_
