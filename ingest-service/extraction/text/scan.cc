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

void ForEachWordLower(absl::string_view text, absl::FunctionRef<void(absl::string_view)> fn) {
  // Same code point walk as Tokenize: a word is a maximal run of word
  // characters; numbers (ASCII digits), spaces and punct code points (also
  // invalid bytes) end it, and no other token can contain a word character.
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t n = static_cast<int32_t>(text.size());
  int32_t i = 0;
  std::string lower;
  while (i < n) {
    if (s[i] < 0x80) {
      if (!IsAsciiLetter(s[i])) {
        ++i;
        continue;
      }
      // ASCII fast path: a run of ASCII letters that ends the word (at the
      // end or before an ASCII non-letter) is passed as is when already
      // lower case, else lower-cased in one pass.
      int32_t j = i;
      bool upper = false;
      while (j < n && IsAsciiLetter(s[j])) {
        upper |= s[j] <= 'Z';
        ++j;
      }
      if (j >= n || s[j] < 0x80) {
        if (!upper) {
          fn(text.substr(i, j - i));
        } else {
          lower.assign(text.data() + i, j - i);
          for (char& ch : lower) {
            if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
          }
          fn(lower);
        }
        i = j;
        continue;
      }
    }
    int32_t next = i;
    UChar32 c;
    U8_NEXT(s, next, n, c);
    if (!IsWordChar(c)) {
      i = next;
      continue;
    }
    lower.clear();
    while (true) {
      if (c < 0x80) {
        lower.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
      } else {
        AppendUtf8(lower, u_tolower(c));
      }
      i = next;
      if (i >= n) break;
      if (s[i] < 0x80) {
        if (!IsAsciiLetter(s[i])) break;
        next = i + 1;
        c = s[i];
        continue;
      }
      U8_NEXT(s, next, n, c);
      if (!IsWordChar(c)) break;
    }
    fn(lower);
  }
}

std::vector<Token> Tokenize(absl::string_view text) {
  std::vector<Token> tokens;
  TokenizeInto(text, &tokens);
  return tokens;
}

void TokenizeInto(absl::string_view text, std::vector<Token>* out) {
  std::vector<Token>& tokens = *out;
  tokens.clear();
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
    // Built in place: moving a finished token costs a string move.
    Token& t = tokens.emplace_back();
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
      bool more = true;  // the general loop below has `cur` to take
      if (c < 0x80) {
        // ASCII fast path for the common word: the whole leading run of
        // ASCII letters (c included) in one assignment, with the state the
        // general loop would have after it; the loop goes on only when a
        // non-ASCII word character follows.
        int32_t j = i;
        while (j < n && IsAsciiLetter(s[j])) ++j;
        t.lower.assign(text.data() + start, j - start);
        for (char& ch : t.lower) {
          if (ch >= 'A' && ch <= 'Z') {
            ch = static_cast<char>(ch + 32);
          } else {
            all_upper = false;
          }
        }
        t.capitalized = c >= 'A' && c <= 'Z';
        letters = j - start;
        first = false;
        i = j;
        more = false;
        if (i < n && s[i] >= 0x80) {
          int32_t next = i;
          UChar32 d;
          U8_NEXT(s, next, n, d);
          if (IsWordChar(d)) {
            i = next;
            cur = d;
            more = true;
          }
        }
      }
      while (more) {
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
  }
}

}  // namespace relmon::extraction::internal
