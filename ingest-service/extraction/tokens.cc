// Tokenizer and cue pattern matching.
#include "ingest-service/extraction/tokens.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace relmon::extraction {
namespace {

constexpr int kMaxGap = 12;

bool IsAsciiWordChar(unsigned char c) { return absl::ascii_isalnum(c); }

// Length of a UTF-8 punctuation/space sequence at `s[i]` that must not be
// part of a word (general punctuation U+2000..U+206F, NBSP, guillemets,
// euro/currency signs stay words? no: they are symbols, separate tokens).
int NonWordUtf8(absl::string_view s, size_t i, char* as) {
  unsigned char c = s[i];
  if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80) {
    unsigned char d = s[i + 2];
    if (d >= 0x90 && d <= 0x95) *as = '-';                       // dashes
    else if (d == 0x98 || d == 0x99 || d == 0x9B) *as = '\'';   // single quotes
    else if (d >= 0x9C && d <= 0x9F) *as = '"';                  // double quotes
    else if (d == 0xA6) *as = '.';                                // ellipsis
    else *as = ' ';
    return 3;
  }
  if (c == 0xC2 && i + 1 < s.size()) {
    unsigned char d = s[i + 1];
    if (d == 0xA0) { *as = ' '; return 2; }
    if (d == 0xAB || d == 0xBB) { *as = '"'; return 2; }
  }
  if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x82) {
    *as = '$';  // currency symbols (euro sign ...)
    return 3;
  }
  return 0;
}

bool IsUpperLead(unsigned char c) { return c >= 'A' && c <= 'Z'; }

// The first two bytes of a lower-cased word (the second is 0 for a one-byte
// word): equal words, and words sharing a prefix of >= 2 bytes, share it.
uint32_t Signature(absl::string_view w) {
  if (w.empty()) return 0;
  return (static_cast<uint32_t>(static_cast<unsigned char>(w[0])) << 8) |
         (w.size() > 1 ? static_cast<unsigned char>(w[1]) : 0u);
}

void AddSignature(absl::string_view w, std::vector<uint64_t>* bits) {
  if (bits->empty()) bits->assign((1u << 16) / 64, 0);
  const uint32_t sig = Signature(w);
  (*bits)[sig >> 6] |= uint64_t{1} << (sig & 63);
}

bool HasSignature(const std::vector<uint64_t>& bits, uint32_t sig) {
  return !bits.empty() && ((bits[sig >> 6] >> (sig & 63)) & 1) != 0;
}

}  // namespace

void TokenizeInto(absl::string_view s, std::vector<Token>* out) {
  out->clear();
  // About one token per 4 bytes of prose: one allocation instead of a
  // growth sequence of moves.
  out->reserve(s.size() / 4 + 4);
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    unsigned char c = s[i];
    char as = 0;
    int skip = c >= 0x80 ? NonWordUtf8(s, i, &as) : 0;
    if (skip > 0) {
      if (as == '\'' && !out->empty() && out->back().is_word && out->back().end == i &&
          i + skip < n && (s[i + skip] == 's' || s[i + skip] == 'S') &&
          (i + skip + 1 >= n || !IsAsciiWordChar(s[i + skip + 1]))) {
        Token t;
        t.begin = i;
        t.end = i + skip + 1;
        t.lower = "'s";
        t.possessive = true;
        out->push_back(std::move(t));
        i += skip + 1;
        continue;
      }
      if (as != ' ') {
        Token t;
        t.begin = i;
        t.end = i + skip;
        t.lower = std::string(1, as);
        out->push_back(std::move(t));
      }
      i += skip;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '\'' ) {
      if (!out->empty() && out->back().is_word && out->back().end == i && i + 1 < n &&
          (s[i + 1] == 's' || s[i + 1] == 'S') && (i + 2 >= n || !IsAsciiWordChar(s[i + 2]))) {
        Token t;
        t.begin = i;
        t.end = i + 2;
        t.lower = "'s";
        t.possessive = true;
        out->push_back(std::move(t));
        i += 2;
        continue;
      }
    }
    if (IsAsciiWordChar(c) || c >= 0x80) {
      // Built in place: moving a finished token costs a string move.
      Token& t = out->emplace_back();
      t.begin = i;
      size_t j = i;
      int letters = 0, upper = 0;
      while (j < n) {
        unsigned char d = s[j];
        char dummy;
        if (d >= 0x80) {
          if (NonWordUtf8(s, j, &dummy) > 0) break;
          ++j;
          continue;
        }
        if (IsAsciiWordChar(d)) {
          if (absl::ascii_isalpha(d)) {
            ++letters;
            if (IsUpperLead(d)) ++upper;
          }
          ++j;
          continue;
        }
        // Inner separators: digits "3,488" "1.6"; acronyms "U.S.".
        if ((d == ',' || d == '.') && j + 1 < n && absl::ascii_isdigit(s[j + 1]) &&
            absl::ascii_isdigit(s[j - 1])) {
          ++j;
          continue;
        }
        if (d == '.' && j >= 1 && absl::ascii_isupper(s[j - 1]) &&
            (j - 1 == i || s[j - 2] == '.') && j + 1 < n && absl::ascii_isupper(s[j + 1])) {
          ++j;
          continue;
        }
        if (d == '.' && j >= 2 && absl::ascii_isupper(s[j - 1]) && s[j - 2] == '.') {
          ++j;  // final dot of an acronym "U.S."
          break;
        }
        break;
      }
      t.end = j;
      t.lower.assign(s.data() + i, j - i);
      for (char& ch : t.lower) ch = absl::ascii_tolower(ch);
      t.is_word = true;
      t.is_number = absl::ascii_isdigit(c);
      t.capitalized = IsUpperLead(c) || (c >= 0xC3 && c <= 0xC3 && j > i + 1 &&
                                          static_cast<unsigned char>(s[i + 1]) < 0x9F);
      t.all_upper = letters >= 2 && upper == letters;
      i = j;
      continue;
    }
    Token& t = out->emplace_back();
    t.begin = i;
    t.end = i + 1;
    t.lower.assign(1, static_cast<char>(c == '`' ? '\'' : c));
    ++i;
  }
}

std::vector<Token> Tokenize(absl::string_view sentence) {
  std::vector<Token> tokens;
  TokenizeInto(sentence, &tokens);
  return tokens;
}

std::vector<std::string> PhraseWords(absl::string_view phrase) {
  std::vector<std::string> words;
  for (Token& t : Tokenize(phrase)) words.push_back(std::move(t.lower));
  return words;
}

absl::StatusOr<int> PatternSet::Add(absl::string_view pattern) {
  Pattern p;
  for (absl::string_view word : absl::StrSplit(pattern, ' ', absl::SkipEmpty())) {
    Element e;
    if (word == "...") {
      if (p.elements.empty()) {
        return absl::InvalidArgumentError(absl::StrCat("pattern starts with a gap: ", pattern));
      }
      e.gap = true;
      p.elements.push_back(std::move(e));
      continue;
    }
    for (absl::string_view alt : absl::StrSplit(word, '|', absl::SkipEmpty())) {
      std::string lower = absl::AsciiStrToLower(alt);
      if (!lower.empty() && lower.back() == '*') {
        lower.pop_back();
        if (lower.size() < 3) {
          return absl::InvalidArgumentError(absl::StrCat("prefix too short in: ", pattern));
        }
        e.prefixes.push_back(lower);
      } else {
        // A written word may itself hold several tokens ("long-awaited").
        std::vector<std::string> parts = PhraseWords(lower);
        if (parts.size() == 1) {
          e.exact.push_back(parts[0]);
        } else {
          return absl::InvalidArgumentError(
              absl::StrCat("write multi-token words with spaces (\"long - awaited\"): ", pattern));
        }
      }
    }
    p.elements.push_back(std::move(e));
  }
  if (p.elements.empty() || p.elements.back().gap) {
    return absl::InvalidArgumentError(absl::StrCat("bad pattern: ", pattern));
  }
  const int index = static_cast<int>(patterns_.size());
  // Lists stay sorted and free of duplicates ("a|a" lists the pattern
  // once): FindAll walks a single list as it is.
  for (const std::string& w : p.elements[0].exact) {
    std::vector<int>& list = by_first_exact_[w];
    if (list.empty() || list.back() != index) list.push_back(index);
    AddSignature(w, &first_exact_sig_);
  }
  for (const std::string& w : p.elements[0].prefixes) {
    std::vector<int>& list = by_first_prefix_[w];
    if (list.empty() || list.back() != index) list.push_back(index);
    AddSignature(w, &first_prefix_sig_);
    if (std::find(prefix_lengths_.begin(), prefix_lengths_.end(), w.size()) ==
        prefix_lengths_.end()) {
      prefix_lengths_.push_back(w.size());
    }
  }
  patterns_.push_back(std::move(p));
  return index;
}

bool PatternSet::ElementMatches(const Element& e, const Token& t) const {
  for (const std::string& w : e.exact) {
    if (t.lower == w) return true;
  }
  for (const std::string& w : e.prefixes) {
    if (t.is_word && t.lower.size() >= w.size() && t.lower.compare(0, w.size(), w) == 0) {
      return true;
    }
  }
  return false;
}

// Returns the last token index of the longest match of elements[element..]
// starting at pos, or -1.
int PatternSet::MatchFrom(const Pattern& p, size_t element, const std::vector<Token>& tokens,
                          size_t pos) const {
  if (element == p.elements.size()) return static_cast<int>(pos) - 1;
  const Element& e = p.elements[element];
  if (e.gap) {
    // Try the nearest continuation first.
    for (size_t skip = 0; skip <= kMaxGap && pos + skip < tokens.size(); ++skip) {
      const Token& t = tokens[pos + skip];
      const absl::string_view w = t.lower;
      if (w == ";" || w == ":" || w == ".") break;
      int end = MatchFrom(p, element + 1, tokens, pos + skip);
      if (end >= 0) return end;
    }
    return -1;
  }
  if (pos >= tokens.size() || !ElementMatches(e, tokens[pos])) return -1;
  return MatchFrom(p, element + 1, tokens, pos + 1);
}

void PatternSet::FindAll(const std::vector<Token>& tokens, std::vector<PatternMatch>* out,
                         size_t limit) const {
  out->clear();
  std::vector<int> candidates;
  for (size_t i = 0; i < tokens.size() && out->size() < limit; ++i) {
    const Token& t = tokens[i];
    // The sorted, duplicate-free pattern lists this token may start; one
    // list (the usual case) is walked in place, several are merged.
    const std::vector<int>* single = nullptr;
    int lists = 0;
    candidates.clear();
    auto take = [&](const std::vector<int>& list) {
      if (++lists == 1) {
        single = &list;
        return;
      }
      if (lists == 2) candidates.assign(single->begin(), single->end());
      candidates.insert(candidates.end(), list.begin(), list.end());
    };
    const uint32_t sig = Signature(t.lower);
    if (HasSignature(first_exact_sig_, sig)) {
      if (auto it = by_first_exact_.find(t.lower); it != by_first_exact_.end()) take(it->second);
    }
    if (t.is_word && !by_first_prefix_.empty() && HasSignature(first_prefix_sig_, sig)) {
      for (size_t len : prefix_lengths_) {
        if (len > t.lower.size()) continue;
        auto it = by_first_prefix_.find(absl::string_view(t.lower.data(), len));
        if (it != by_first_prefix_.end()) take(it->second);
      }
    }
    if (lists == 0) continue;
    if (lists > 1) {
      std::sort(candidates.begin(), candidates.end());
      candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    }
    for (int c : lists == 1 ? *single : candidates) {
      // Token i matches the first element (the lists hold exactly the
      // patterns whose first element accepts it): go on from the second.
      int last = MatchFrom(patterns_[c], 1, tokens, i + 1);
      if (last >= 0) out->push_back(PatternMatch{c, static_cast<int>(i), last});
    }
  }
}

}  // namespace relmon::extraction
