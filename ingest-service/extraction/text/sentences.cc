#include "ingest-service/extraction/text/sentences.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ingest-service/extraction/text/scan.h"
#include "ingest-service/extraction/text/tsv.h"

namespace relmon::extraction {

absl::StatusOr<SentenceTables> SentenceTables::Load(const std::string& resources_dir) {
  const std::string path = internal::JoinPath(resources_dir, "abbreviations.tsv");
  auto rows = internal::ReadTsv(path, 2);
  if (!rows.ok()) return rows.status();
  SentenceTables tables;
  for (const auto& row : *rows) {
    AbbrevKind kind;
    if (row.fields[1] == "nonterminal") {
      kind = AbbrevKind::kNonTerminal;
    } else if (row.fields[1] == "month") {
      kind = AbbrevKind::kMonth;
    } else if (row.fields[1] == "before_digit") {
      kind = AbbrevKind::kBeforeDigit;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", row.line, ": unknown kind '", row.fields[1], "'"));
    }
    tables.abbreviations_[internal::ToLowerUtf8(row.fields[0])] = kind;
  }
  return tables;
}

const SentenceTables::AbbrevKind* SentenceTables::Find(absl::string_view word_with_dot) const {
  auto it = abbreviations_.find(internal::ToLowerUtf8(word_with_dot));
  return it == abbreviations_.end() ? nullptr : &it->second;
}

namespace {

UChar32 CodePointAt(absl::string_view text, size_t pos, size_t* next = nullptr) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  int32_t i = static_cast<int32_t>(pos);
  UChar32 c;
  U8_NEXT(s, i, static_cast<int32_t>(text.size()), c);
  if (next != nullptr) *next = static_cast<size_t>(i);
  return c;
}

UChar32 CodePointBefore(absl::string_view text, size_t pos) {
  if (pos == 0) return -1;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  int32_t i = static_cast<int32_t>(pos);
  UChar32 c;
  U8_PREV(s, 0, i, c);
  return c;
}

bool IsClosing(UChar32 c) {
  return c == '"' || c == '\'' || c == ')' || c == ']' || c == 0x201D || c == 0x2019 || c == 0xBB;
}

bool IsOpeningQuote(UChar32 c) { return c == 0x201C || c == 0x2018 || c == 0xAB || c == '"'; }

bool IsHSpace(char c) { return c == ' ' || c == '\t'; }

bool IsSpaceAt(absl::string_view text, size_t pos, size_t* next) {
  if (pos >= text.size()) return false;
  if (IsHSpace(text[pos])) {
    *next = pos + 1;
    return true;
  }
  if (static_cast<unsigned char>(text[pos]) == 0xC2 && pos + 1 < text.size() &&
      static_cast<unsigned char>(text[pos + 1]) == 0xA0) {
    *next = pos + 2;
    return true;
  }
  return false;
}

bool HasAlnum(absl::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(s.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c >= 0 && (u_isalnum(c))) return true;
  }
  return false;
}

void Emit(absl::string_view text, size_t begin, size_t end, std::vector<TextSpan>& out) {
  size_t next = 0;
  while (begin < end && (text[begin] == '\n' || IsSpaceAt(text, begin, &next))) {
    begin = text[begin] == '\n' ? begin + 1 : next;
  }
  while (end > begin) {
    char c = text[end - 1];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      --end;
    } else if (end - begin >= 2 && static_cast<unsigned char>(text[end - 1]) == 0xA0 &&
               static_cast<unsigned char>(text[end - 2]) == 0xC2) {
      end -= 2;
    } else {
      break;
    }
  }
  if (end > begin && HasAlnum(text.substr(begin, end - begin))) out.push_back({begin, end});
}

// The word ending at the dot at `dot` (letters and inner dots), with the dot.
absl::string_view WordBeforeDot(absl::string_view text, size_t dot) {
  size_t b = dot;
  while (b > 0) {
    UChar32 c = CodePointBefore(text, b);
    if (c < 0 || !(u_isalpha(c) || c == '.' || c == '\'')) break;
    b -= U8_LENGTH(c);
  }
  return text.substr(b, dot + 1 - b);
}

// True when the line break at `nl` only wraps a running sentence.
bool IsSoftWrap(absl::string_view text, size_t line_begin, size_t nl) {
  if (nl + 1 >= text.size() || text[nl + 1] == '\n') return false;
  size_t e = nl;
  while (e > line_begin && IsHSpace(text[e - 1])) --e;
  if (e == line_begin) return false;
  UChar32 last = CodePointBefore(text, e);
  if (!(u_isalnum(last) || last == ',')) return false;
  size_t b = nl + 1;
  while (b < text.size() && IsHSpace(text[b])) ++b;
  if (b >= text.size()) return false;
  UChar32 first = CodePointAt(text, b);
  return first >= 0 && u_islower(first);
}

}  // namespace

std::vector<TextSpan> SplitSentences(const SentenceTables& tables, absl::string_view text) {
  std::vector<TextSpan> out;
  size_t start = 0;
  size_t line_begin = 0;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    char ch = text[i];
    if (ch == '\n') {
      if (!IsSoftWrap(text, line_begin, i)) {
        Emit(text, start, i, out);
        start = i + 1;
      }
      line_begin = i + 1;
      ++i;
      continue;
    }
    if (static_cast<unsigned char>(ch) < 0x80 && ch != '.' && ch != '!' && ch != '?') {
      // ASCII other than a terminator or newline: nothing to decode; skip
      // the whole run in a tight loop.
      size_t j = i + 1;
      while (j < n) {
        const unsigned char b = static_cast<unsigned char>(text[j]);
        if (b >= 0x80 || b == '\n' || b == '.' || b == '!' || b == '?') break;
        ++j;
      }
      i = j;
      continue;
    }
    size_t after = 0;
    UChar32 c = CodePointAt(text, i, &after);
    const bool is_terminator = c == '.' || c == '!' || c == '?' || c == 0x2026;
    if (!is_terminator) {
      i = after;
      continue;
    }
    // The run of terminators: "...", "?!", "…".
    bool ellipsis = c == 0x2026;
    size_t j = after;
    int dots = c == '.' ? 1 : 0;
    while (j < n) {
      size_t k = 0;
      UChar32 d = CodePointAt(text, j, &k);
      if (d == '.' || d == '!' || d == '?' || d == 0x2026) {
        if (d == '.') ++dots;
        if (d == 0x2026) ellipsis = true;
        j = k;
      } else {
        break;
      }
    }
    if (dots >= 3) ellipsis = true;
    // Closing quotes and brackets stay with the sentence.
    while (j < n) {
      size_t k = 0;
      UChar32 d = CodePointAt(text, j, &k);
      if (!IsClosing(d)) break;
      j = k;
    }
    if (j >= n) {
      i = j;
      break;
    }
    size_t k = j;
    bool spaced = false;
    size_t next_pos = 0;
    while (IsSpaceAt(text, k, &next_pos)) {
      k = next_pos;
      spaced = true;
    }
    if (k >= n || text[k] == '\n') {
      Emit(text, start, j, out);
      start = j;
      i = k;
      continue;
    }
    size_t after_next = 0;
    UChar32 next = CodePointAt(text, k, &after_next);
    if (!spaced) {
      // "said.“A new ..." : a sentence glued to an opening quote.
      UChar32 following = after_next < n ? CodePointAt(text, after_next) : -1;
      if (c == '.' && (next == 0x201C || next == 0xAB) && following >= 0 && u_isupper(following)) {
        Emit(text, start, j, out);
        start = k;
      }
      i = j;
      continue;
    }
    bool lower = next >= 0 && u_islower(next);
    bool upper = next >= 0 && u_isupper(next);
    bool digit = next >= '0' && next <= '9';
    bool split = !lower;
    if (split && ellipsis) split = upper || IsOpeningQuote(next);
    if (split && c == '.' && dots == 1) {
      absl::string_view word = WordBeforeDot(text, i);
      if (const auto* kind = tables.Find(word)) {
        switch (*kind) {
          case SentenceTables::AbbrevKind::kNonTerminal:
            split = false;
            break;
          case SentenceTables::AbbrevKind::kMonth:
            split = !digit;
            break;
          case SentenceTables::AbbrevKind::kBeforeDigit:
            split = !digit;
            break;
        }
      } else if (word.size() == 2 && u_isupper(CodePointAt(word, 0))) {
        split = false;  // an initial: "J. Smith"
      } else if (word.size() >= 4 && word.find('.') < word.size() - 1) {
        split = false;  // an unlisted initialism: "A.B.C."
      }
    }
    if (split) {
      Emit(text, start, j, out);
      start = k;
    }
    i = k;
  }
  Emit(text, start, n, out);
  return out;
}

}  // namespace relmon::extraction
