#include "ingest-service/extraction/text/scan.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

namespace relmon::extraction::internal {
namespace {

bool IsWordChar(UChar32 c) {
  if (c < 0) return false;
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return u_isalpha(c) || (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0;
}

bool IsAsciiLetter(uint8_t b) { return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'); }

bool IsSpaceChar(UChar32 c) {
  if (c < 0) return false;
  if (c < 0x80) return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  return u_isUWhiteSpace(c) || c == 0xA0 || c == 0x200B || c == 0xFEFF;
}

void AppendUtf8(std::string& out, UChar32 c) {
  char buf[U8_MAX_LENGTH];
  int32_t n = 0;
  UBool error = false;
  U8_APPEND(reinterpret_cast<uint8_t*>(buf), n, U8_MAX_LENGTH, c, error);
  if (!error) out.append(buf, n);
}

}  // namespace

bool IsDash(char32_t c) { return c == '-' || (c >= 0x2010 && c <= 0x2015) || c == 0x2212; }

bool IsQuote(char32_t c) {
  return c == '"' || c == '\'' || c == 0x201C || c == 0x201D || c == 0x2018 || c == 0x2019 ||
         c == 0xAB || c == 0xBB || c == 0x201E;
}

std::string ToLowerUtf8(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(text.size());
  while (i < n) {
    int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0) {
      out.append(text.data() + start, i - start);
    } else if (c < 0x80) {
      out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    } else {
      AppendUtf8(out, u_tolower(c));
    }
  }
  return out;
}

std::vector<Token> Tokenize(absl::string_view text) {
  std::vector<Token> tokens;
  tokens.reserve(text.size() / 5 + 4);
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t n = static_cast<int32_t>(text.size());
  int32_t i = 0;
  bool space = true;
  while (i < n) {
    int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (IsSpaceChar(c)) {
      space = true;
      continue;
    }
    Token t;
    t.begin = start;
    t.space_before = space;
    space = false;
    if (c >= '0' && c <= '9') {
      while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
      t.kind = TokenKind::kNumber;
      t.end = i;
      t.lower.assign(text.data() + start, i - start);
    } else if (IsWordChar(c)) {
      t.kind = TokenKind::kWord;
      bool first = true;
      bool all_upper = true;
      int letters = 0;
      UChar32 cur = c;
      while (true) {
        const bool ascii = cur < 0x80;
        if (ascii || u_isalpha(cur)) {
          ++letters;
          bool upper = ascii ? (cur >= 'A' && cur <= 'Z') : u_isupper(cur);
          if (first) t.capitalized = upper;
          if (!upper) all_upper = false;
          first = false;
        }
        if (cur < 0x80) {
          t.lower.push_back(static_cast<char>(cur >= 'A' && cur <= 'Z' ? cur + 32 : cur));
        } else {
          AppendUtf8(t.lower, u_tolower(cur));
        }
        if (i >= n) break;
        if (s[i] < 0x80) {
          // ASCII fast path: take the whole run of ASCII letters at once.
          int32_t j = i;
          while (j < n && IsAsciiLetter(s[j])) ++j;
          if (j == i) break;
          if (first) {
            t.capitalized = s[i] >= 'A' && s[i] <= 'Z';
            first = false;
          }
          letters += j - i;
          const size_t old_size = t.lower.size();
          t.lower.append(text.data() + i, j - i);
          for (size_t k = old_size; k < t.lower.size(); ++k) {
            char& ch = t.lower[k];
            if (ch >= 'A' && ch <= 'Z') {
              ch = static_cast<char>(ch + 32);
            } else {
              all_upper = false;
            }
          }
          i = j;
          if (i >= n || s[i] < 0x80) break;
        }
        int32_t next = i;
        UChar32 d;
        U8_NEXT(s, next, n, d);
        if (!IsWordChar(d)) break;
        i = next;
        cur = d;
      }
      t.all_caps = all_upper && letters > 0;
      t.end = i;
    } else {
      t.kind = TokenKind::kPunct;
      t.end = i;
      t.code_point = c < 0 ? 0xFFFD : static_cast<char32_t>(c);
      t.lower.assign(text.data() + start, i - start);
    }
    tokens.push_back(std::move(t));
  }
  return tokens;
}

}  // namespace relmon::extraction::internal
