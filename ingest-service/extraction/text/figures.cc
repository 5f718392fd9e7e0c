#include "ingest-service/extraction/text/figures.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "ingest-service/extraction/text/scan.h"
#include "ingest-service/extraction/text/temporal.h"
#include "ingest-service/extraction/text/tsv.h"
#include "nlohmann/json.hpp"

namespace relmon::extraction {

namespace {

struct Unit {
  std::string canonical;  // "m", "kg", "s", "%", "m3", ...
  double factor = 1;
  std::string dimension;  // "length", "mass", "time", "percent", ...
};

struct Cue {
  std::string quantity;
  absl::flat_hash_set<std::string> dimensions;  // empty = any
  bool Accepts(const std::string& dimension) const {
    return dimensions.empty() || dimensions.contains("any") || dimensions.contains(dimension);
  }
};

struct Promotion {
  std::string phrase;
  std::string from;  // quantity promoted
  std::string to;
};

// The first bytes of a set of keys, to rule out most lookups cheaply: a key
// equal to (or starting with) a string of >= 2 bytes shares its first two
// bytes; one starting with a 1-byte string shares that byte. Passes
// everything until Build() has run.
class FirstBytes {
 public:
  void Build(const std::vector<absl::string_view>& keys) {
    one_.assign(256 / 64, 0);
    two_.assign((1u << 16) / 64, 0);
    for (absl::string_view k : keys) {
      if (k.empty()) continue;
      Set(&one_, Byte(k[0]));
      if (k.size() >= 2) Set(&two_, (Byte(k[0]) << 8) | Byte(k[1]));
    }
  }
  // False only when no key can start with `prefix`.
  bool MayStartWith(absl::string_view prefix) const {
    if (one_.empty() || prefix.empty()) return true;
    if (prefix.size() == 1) return Test(one_, Byte(prefix[0]));
    return Test(two_, (Byte(prefix[0]) << 8) | Byte(prefix[1]));
  }

 private:
  static uint32_t Byte(char c) { return static_cast<unsigned char>(c); }
  static void Set(std::vector<uint64_t>* bits, uint32_t i) {
    (*bits)[i >> 6] |= uint64_t{1} << (i & 63);
  }
  static bool Test(const std::vector<uint64_t>& bits, uint32_t i) {
    return ((bits[i >> 6] >> (i & 63)) & 1) != 0;
  }
  std::vector<uint64_t> one_, two_;
};

template <typename V>
void BuildFirstBytes(const absl::flat_hash_map<std::string, V>& map, FirstBytes* out) {
  std::vector<absl::string_view> keys;
  keys.reserve(map.size());
  for (const auto& entry : map) keys.push_back(entry.first);
  out->Build(keys);
}

void BuildFirstBytes(const absl::flat_hash_set<std::string>& set, FirstBytes* out) {
  out->Build(std::vector<absl::string_view>(set.begin(), set.end()));
}

// A phrase dictionary keyed by the written form of consecutive tokens
// ("per cent", "u.s. dollars", "m3", "km²").
template <typename V>
struct PhraseMap {
  absl::flat_hash_map<std::string, V> entries;
  size_t max_tokens = 1;
  // First bytes of the entries (built once all are added): a phrase key
  // starts with its first token's text, and most tokens start none.
  FirstBytes first_bytes;
  void Add(const std::string& phrase, V value) {
    size_t tokens = internal::Tokenize(phrase).size();
    max_tokens = std::max(max_tokens, tokens);
    entries[internal::ToLowerUtf8(phrase)] = std::move(value);
  }
};

}  // namespace

struct FigureTables::Data {
  PhraseMap<Unit> units;
  PhraseMap<std::string> rates;                                    // "a year" -> "year"
  PhraseMap<std::string> currency_words;                           // "euros" -> "EUR"
  absl::flat_hash_map<std::string, std::string> currency_symbols;  // "€", "us$"
  absl::flat_hash_set<std::string> currency_codes;                 // "EUR"
  absl::flat_hash_map<std::string, double> cardinals;
  absl::flat_hash_map<std::string, double> scales;
  absl::flat_hash_map<std::string, double> currency_scales;
  PhraseMap<double> vague;
  PhraseMap<std::string> hedges;
  absl::flat_hash_set<std::string> hedge_verbs;  // hedges outside the figure's text
  absl::flat_hash_set<std::string> designators;
  absl::flat_hash_set<std::string> negations;
  PhraseMap<std::vector<Cue>> head_cues, before_cues, verb_before_cues, verb_after_cues;
  absl::flat_hash_map<std::string, std::string> defaults;  // dimension -> quantity
  std::vector<Promotion> promotions;
  absl::flat_hash_set<std::string> person_nouns;
  // First tokens (lower case) of everything a figure can start with: hedges,
  // number words, vague counts, currency symbols and codes, range openers.
  absl::flat_hash_set<std::string> start_tokens;
  FirstBytes start_tokens_first_bytes;
  // First bytes of currency_symbols' keys, lower-cased as they are looked up.
  FirstBytes currency_symbols_first_bytes;
  DateWordTables dates;
};

FigureTables::FigureTables() : data_(std::make_unique<Data>()) {}
FigureTables::~FigureTables() = default;

absl::StatusOr<std::shared_ptr<const FigureTables>> FigureTables::Load(
    const std::string& resources_dir, const std::string& iso_codes_dir) {
  std::shared_ptr<FigureTables> tables(new FigureTables());
  Data& d = *tables->data_;
  auto dates = DateWordTables::Load(resources_dir);
  if (!dates.ok()) return dates.status();
  d.dates = std::move(*dates);

  const std::string units_path = internal::JoinPath(resources_dir, "units.tsv");
  auto units = internal::ReadTsv(units_path, 4);
  if (!units.ok()) return units.status();
  for (const auto& row : *units) {
    if (row.fields[1] == "/rate") {
      d.rates.Add(row.fields[0], row.fields[2]);
      continue;
    }
    Unit unit;
    unit.canonical = row.fields[1];
    if (!absl::SimpleAtod(row.fields[2], &unit.factor) || !(unit.factor > 0)) {
      return absl::InvalidArgumentError(absl::StrCat(units_path, ":", row.line, ": bad factor"));
    }
    unit.dimension = row.fields[3];
    d.units.Add(row.fields[0], unit);
  }

  const std::string numbers_path = internal::JoinPath(resources_dir, "number_words.tsv");
  auto numbers = internal::ReadTsv(numbers_path, 2);
  if (!numbers.ok()) return numbers.status();
  for (const auto& row : *numbers) {
    const std::string& kind = row.fields[0];
    const std::string phrase = internal::ToLowerUtf8(row.fields[1]);
    const std::string value = row.fields.size() > 2 ? row.fields[2] : "";
    double v = 0;
    bool numeric = absl::SimpleAtod(value, &v);
    if (kind == "cardinal" || kind == "scale" || kind == "currency_scale" || kind == "vague") {
      if (!numeric) {
        return absl::InvalidArgumentError(
            absl::StrCat(numbers_path, ":", row.line, ": numeric value expected"));
      }
    }
    if (kind == "cardinal") {
      d.cardinals[phrase] = v;
    } else if (kind == "scale") {
      d.scales[phrase] = v;
    } else if (kind == "currency_scale") {
      d.currency_scales[phrase] = v;
    } else if (kind == "vague") {
      d.vague.Add(phrase, v);
    } else if (kind == "hedge") {
      d.hedges.Add(phrase, value.empty() ? phrase : value);
    } else if (kind == "hedge_verb") {
      d.hedges.Add(phrase, value.empty() ? phrase : value);
      d.hedge_verbs.insert(phrase);
    } else if (kind == "designator") {
      d.designators.insert(phrase);
    } else if (kind == "negation") {
      d.negations.insert(phrase);
    }
  }

  const std::string currencies_path = internal::JoinPath(resources_dir, "currencies.tsv");
  auto currencies = internal::ReadTsv(currencies_path, 3);
  if (!currencies.ok()) return currencies.status();
  // Official names first, so that the curated words below override them.
  const std::string iso_path = internal::JoinPath(iso_codes_dir, "iso_4217.json");
  std::ifstream iso(iso_path);
  if (!iso) return absl::NotFoundError(absl::StrCat("cannot open ", iso_path));
  nlohmann::json json = nlohmann::json::parse(iso, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.contains("4217") || !json["4217"].is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(iso_path, ": not an iso_4217 JSON file"));
  }
  for (const auto& entry : json["4217"]) {
    if (!entry.contains("alpha_3") || !entry["alpha_3"].is_string()) continue;
    const std::string code = entry["alpha_3"].get<std::string>();
    d.currency_codes.insert(code);
    if (entry.contains("name") && entry["name"].is_string()) {
      std::string name = entry["name"].get<std::string>();
      if (name.find('(') != std::string::npos) continue;
      d.currency_words.Add(name, code);
      d.currency_words.Add(name + "s", code);
    }
  }
  for (const auto& row : *currencies) {
    if (row.fields[0] == "symbol") {
      d.currency_symbols[internal::ToLowerUtf8(row.fields[1])] = row.fields[2];
    } else if (row.fields[0] == "word") {
      d.currency_words.Add(row.fields[1], row.fields[2]);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(currencies_path, ":", row.line, ": kind must be symbol or word"));
    }
  }

  const std::string quantities_path = internal::JoinPath(resources_dir, "quantities.tsv");
  auto quantities = internal::ReadTsv(quantities_path, 2);
  if (!quantities.ok()) return quantities.status();
  for (const auto& row : *quantities) {
    const std::string& role = row.fields[0];
    const std::string phrase = internal::ToLowerUtf8(row.fields[1]);
    if (role == "person") {
      d.person_nouns.insert(phrase);
      continue;
    }
    if (row.fields.size() < 4) {
      return absl::InvalidArgumentError(
          absl::StrCat(quantities_path, ":", row.line, ": 4 fields expected"));
    }
    Cue cue;
    cue.quantity = row.fields[2];
    for (absl::string_view dim : absl::StrSplit(row.fields[3], ',', absl::SkipEmpty())) {
      cue.dimensions.insert(std::string(dim));
    }
    PhraseMap<std::vector<Cue>>* map = nullptr;
    if (role == "head") {
      map = &d.head_cues;
    } else if (role == "before") {
      map = &d.before_cues;
    } else if (role == "verb_before") {
      map = &d.verb_before_cues;
    } else if (role == "verb_after") {
      map = &d.verb_after_cues;
    } else if (role == "default") {
      for (const auto& dim : cue.dimensions) d.defaults[dim] = cue.quantity;
      continue;
    } else if (role == "promote") {
      for (const auto& from : cue.dimensions) d.promotions.push_back({phrase, from, cue.quantity});
      continue;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(quantities_path, ":", row.line, ": unknown role '", role, "'"));
    }
    auto& list = map->entries[phrase];
    list.push_back(cue);
    map->max_tokens = std::max(map->max_tokens, internal::Tokenize(phrase).size());
  }
  auto add_first_token = [&d](const std::string& phrase) {
    auto tokens = internal::Tokenize(phrase);
    if (!tokens.empty()) d.start_tokens.insert(tokens[0].lower);
  };
  for (const auto& [phrase, unused] : d.hedges.entries) add_first_token(phrase);
  for (const auto& [phrase, unused] : d.vague.entries) add_first_token(phrase);
  for (const auto& [phrase, unused] : d.cardinals) add_first_token(phrase);
  for (const auto& [symbol, unused] : d.currency_symbols) {
    add_first_token(symbol);
    // Symbols are matched on the text as written ("US$" -> "us", "$").
    auto tokens = internal::Tokenize(symbol);
    if (!tokens.empty()) d.start_tokens.insert(internal::ToLowerUtf8(tokens[0].lower));
  }
  for (const char* opener : {"between", "from", "a", "an", "one"}) d.start_tokens.insert(opener);
  for (const auto& code : d.currency_codes) d.start_tokens.insert(absl::AsciiStrToLower(code));
  // Every table is final: build the lookup prefilters.
  BuildFirstBytes(d.units.entries, &d.units.first_bytes);
  BuildFirstBytes(d.rates.entries, &d.rates.first_bytes);
  BuildFirstBytes(d.currency_words.entries, &d.currency_words.first_bytes);
  BuildFirstBytes(d.vague.entries, &d.vague.first_bytes);
  BuildFirstBytes(d.hedges.entries, &d.hedges.first_bytes);
  BuildFirstBytes(d.head_cues.entries, &d.head_cues.first_bytes);
  BuildFirstBytes(d.before_cues.entries, &d.before_cues.first_bytes);
  BuildFirstBytes(d.verb_before_cues.entries, &d.verb_before_cues.first_bytes);
  BuildFirstBytes(d.verb_after_cues.entries, &d.verb_after_cues.first_bytes);
  BuildFirstBytes(d.start_tokens, &d.start_tokens_first_bytes);
  BuildFirstBytes(d.currency_symbols, &d.currency_symbols_first_bytes);
  return std::shared_ptr<const FigureTables>(std::move(tables));
}

namespace {

using internal::Token;
using internal::TokenKind;

constexpr double kMaxMagnitude = 1e18;
constexpr int kMaxSignificantDigits = 15;

// A parsed number before units: value, span in tokens.
struct Number {
  size_t first = 0, end = 0;  // token range
  double value = 0;
  bool from_words = false;  // "two", "Thirty-eight", "dozens"
  bool negative = false;
};

struct Candidate {
  size_t first = 0, end = 0;  // token range of the whole figure
  size_t num_first = 0;       // token where the number starts
  size_t unit_end = 0;        // token after number+scale+unit (before conversions)
  double value = 0, upper = 0;
  std::string unit;       // canonical
  std::string dimension;  // "count", "currency", "length", ...
  std::string qualifier;
  bool attributive = false;  // "132-kilometer", "44-day"
  bool from_words = false;
  std::string note;
};

class FigureScanner {
 public:
  FigureScanner(const FigureTables::Data& d, absl::string_view text,
                const std::vector<TimeExpression>& times, const std::vector<Token>& tokens)
      : d_(d), text_(text), tokens_(tokens) {
    masked_.assign(tokens_.size(), false);
    // Expressions come in order without overlaps: one pass over both.
    size_t i = 0;
    for (const auto& e : times) {
      while (i < tokens_.size() && tokens_[i].begin < e.span.begin) ++i;
      for (; i < tokens_.size() && tokens_[i].end <= e.span.end; ++i) {
        if (tokens_[i].IsNumber() || e.kind == TimeKind::kWithin) masked_[i] = true;
      }
    }
  }

  std::vector<FigureMention> Run();

 private:
  const Token* At(size_t i) const { return i < tokens_.size() ? &tokens_[i] : nullptr; }
  bool Glued(size_t i) const { return i < tokens_.size() && !tokens_[i].space_before; }
  bool StartToken(const std::string& lower) const {
    return d_.start_tokens_first_bytes.MayStartWith(lower) && d_.start_tokens.contains(lower);
  }
  bool IsDashAt(size_t i) const {
    return i < tokens_.size() && tokens_[i].kind == TokenKind::kPunct &&
           internal::IsDash(tokens_[i].code_point);
  }
  bool IsWord(size_t i, absl::string_view w) const {
    return i < tokens_.size() && tokens_[i].IsWord(w);
  }

  // Longest phrase of `map` starting at token i; returns its token count.
  template <typename V>
  size_t MatchPhrase(const PhraseMap<V>& map, size_t i, const V** value) const {
    size_t best = 0;
    // Every key tried starts with token i's text.
    if (i < tokens_.size() && !map.first_bytes.MayStartWith(tokens_[i].lower)) return 0;
    std::string key;
    for (size_t k = i; k < tokens_.size() && k - i < map.max_tokens; ++k) {
      if (k > i && tokens_[k].space_before) key.push_back(' ');
      key += tokens_[k].lower;
      auto it = map.entries.find(key);
      if (it != map.entries.end()) {
        best = k - i + 1;
        *value = &it->second;
      }
    }
    return best;
  }
  // Longest phrase of `map` ending at token `last` (inclusive).
  template <typename V>
  size_t MatchPhraseEndingAt(const PhraseMap<V>& map, size_t last, const V** value) const {
    size_t best = 0;
    for (size_t len = 1; len <= map.max_tokens && len <= last + 1; ++len) {
      size_t start = last + 1 - len;
      const V* v = nullptr;
      if (MatchPhrase(map, start, &v) == len) {
        best = len;
        *value = v;
      }
    }
    return best;
  }

  // `continues_range`: the number follows a range joiner ("10-15"), so the
  // glued dash before it is not a name ("Su-35").
  std::optional<Number> ParseDigits(size_t i, bool continues_range = false) const;
  std::optional<Number> ParseWords(size_t i) const;
  std::optional<Number> ParseNumber(size_t i, bool continues_range = false) const {
    if (At(i) == nullptr) return std::nullopt;
    if (At(i)->IsNumber()) return ParseDigits(i, continues_range);
    if (At(i)->IsWord()) return ParseWords(i);
    return std::nullopt;
  }
  // Scale words after a number: "billion", "bn" (glued or not).
  size_t ApplyScale(size_t i, double* value, bool with_currency) const;
  // `nested`: parsing the conversion inside parentheses (no further nesting).
  std::optional<Candidate> ParseFigure(size_t i, bool nested = false) const;
  // `floor`: first token the backward cue search may look at (just after
  // the previous figure and its head noun).
  void Label(const Candidate& c, size_t floor, FigureMention* m) const;
  std::string HeadPhraseAfter(size_t i) const;

  const FigureTables::Data& d_;
  absl::string_view text_;
  const std::vector<Token>& tokens_;  // outlives the scanner
  std::vector<bool> masked_;
};

std::optional<Number> FigureScanner::ParseDigits(size_t i, bool continues_range) const {
  const Token& t = tokens_[i];
  if (masked_[i]) return std::nullopt;
  if (i > 0 && Glued(i) && !continues_range) {
    const Token& p = tokens_[i - 1];
    // "G20", "1.2", "21:17", "Su-35", "COVID-19".
    if (p.IsWord() || p.IsNumber() || p.IsPunct('.') || p.IsPunct(',') || p.IsPunct(':') ||
        p.IsPunct('/') || p.IsPunct('#')) {
      return std::nullopt;
    }
    if (internal::IsDash(p.code_point) && i >= 2 && Glued(i - 1) &&
        (tokens_[i - 2].IsWord() || tokens_[i - 2].IsNumber())) {
      return std::nullopt;
    }
  }
  // Labels: "Article 5", "No. 3", "Resolution 2231".
  if (i > 0) {
    size_t k = i - 1;
    if (tokens_[k].IsPunct('.') && k > 0) --k;
    const bool dotted = k + 1 < i && tokens_[k + 1].IsPunct('.');
    // "No. 5" is a label, "no 20 soldiers" a negated count.
    if (tokens_[k].IsWord() && d_.designators.contains(tokens_[k].lower) &&
        (tokens_[k].lower == "no" ? dotted
                                  : (tokens_[k].capitalized || tokens_[k].lower == "number"))) {
      return std::nullopt;
    }
  }
  std::string digits = t.lower;
  size_t j = i + 1;
  // Thousands groups: ",ddd" glued.
  while (j + 1 < tokens_.size() && tokens_[j].IsPunct(',') && Glued(j) && Glued(j + 1) &&
         tokens_[j + 1].IsNumber() && tokens_[j + 1].size() == 3 && !masked_[j + 1]) {
    digits += tokens_[j + 1].lower;
    j += 2;
  }
  std::string fraction;
  if (j + 1 < tokens_.size() && tokens_[j].IsPunct('.') && Glued(j) && Glued(j + 1) &&
      tokens_[j + 1].IsNumber()) {
    fraction = tokens_[j + 1].lower;
    j += 2;
    // "1.2.3" is a version or a date, not a number.
    if (j + 1 < tokens_.size() && tokens_[j].IsPunct('.') && Glued(j) && Glued(j + 1) &&
        tokens_[j + 1].IsNumber()) {
      return std::nullopt;
    }
  }
  // Times "21:17", ordinals "2nd", decades "1990s", identifiers "1e309".
  if (Glued(j) && At(j) != nullptr) {
    const Token& n = tokens_[j];
    if (n.IsPunct(':') && Glued(j + 1) && At(j + 1) && At(j + 1)->IsNumber()) return std::nullopt;
    if (n.IsNumber()) return std::nullopt;
    if (n.IsWord()) {
      const std::string& w = n.lower;
      if (w == "st" || w == "nd" || w == "rd" || w == "th" || w == "s") return std::nullopt;
      // Glued letters must be a unit, scale or currency code ("50km",
      // "3bn", "$3m"); anything else is an identifier ("1e309", "5G").
      const Unit* unit = nullptr;
      bool known = MatchPhrase(d_.units, j, &unit) > 0 || d_.scales.contains(w) ||
                   d_.currency_scales.contains(w) ||
                   d_.currency_codes.contains(absl::AsciiStrToUpper(w));
      if (!known) return std::nullopt;
    }
  }
  // Significant digits (leading zeros excluded).
  std::string all = digits + fraction;
  size_t nz = all.find_first_not_of('0');
  size_t significant = nz == std::string::npos ? 0 : all.size() - nz;
  // Trailing zeros of the integer part are not significant for magnitude.
  if (significant > kMaxSignificantDigits) {
    size_t trimmed = all.find_last_not_of('0');
    if (trimmed == std::string::npos || trimmed + 1 - nz > kMaxSignificantDigits ||
        !fraction.empty()) {
      return std::nullopt;
    }
  }
  std::string literal = fraction.empty() ? digits : digits + "." + fraction;
  char* end = nullptr;
  double v = std::strtod(literal.c_str(), &end);
  if (!std::isfinite(v) || v > kMaxMagnitude) return std::nullopt;
  Number n;
  n.first = i;
  n.end = j;
  n.value = v;
  // A minus sign: "-2.5%" (kept only for percentages).
  if (i > 0 && Glued(i) && (tokens_[i - 1].IsPunct('-') || tokens_[i - 1].IsPunct(0x2212)) &&
      tokens_[i - 1].space_before) {
    n.negative = true;
    n.first = i - 1;
  }
  return n;
}

std::optional<Number> FigureScanner::ParseWords(size_t i) const {
  const Token& t = tokens_[i];
  if (masked_[i]) return std::nullopt;
  Number n;
  n.first = i;
  n.from_words = true;
  // Vague counts: "dozens", "hundreds of thousands".
  const double* vague = nullptr;
  if (size_t len = MatchPhrase(d_.vague, i, &vague); len > 0) {
    n.value = *vague;
    n.end = i + len;
    return n;
  }
  auto cardinal = [&](size_t k) -> double {
    if (k >= tokens_.size() || !tokens_[k].IsWord()) return -1;
    auto it = d_.cardinals.find(tokens_[k].lower);
    return it == d_.cardinals.end() ? -1 : it->second;
  };
  double v = cardinal(i);
  if (v < 0) {
    // "a dozen", "a million": the article stands for one.
    if ((t.IsWord("a") || t.IsWord("an")) && At(i + 1) && At(i + 1)->IsWord() &&
        (d_.scales.contains(At(i + 1)->lower) || At(i + 1)->lower == "dozen")) {
      v = At(i + 1)->lower == "dozen" ? 12 : 1;
      n.end = i + 1;
      if (At(i + 1)->lower == "dozen") n.end = i + 2;
      n.value = v;
      return n;
    }
    return std::nullopt;
  }
  size_t j = i + 1;
  // "thirty-eight", "twenty one".
  if (v >= 20 && v < 100 && static_cast<int>(v) % 10 == 0) {
    if (IsDashAt(j) && Glued(j) && Glued(j + 1)) {
      double u = cardinal(j + 1);
      if (u >= 1 && u <= 9) {
        v += u;
        j += 2;
      }
    } else {
      double u = cardinal(j);
      if (u >= 1 && u <= 9) {
        v += u;
        j += 1;
      }
    }
  }
  n.value = v;
  n.end = j;
  return n;
}

size_t FigureScanner::ApplyScale(size_t i, double* value, bool with_currency) const {
  size_t j = i;
  while (j < tokens_.size() && tokens_[j].IsWord()) {
    const std::string& w = tokens_[j].lower;
    auto it = d_.scales.find(w);
    if (it != d_.scales.end()) {
      *value *= it->second;
      ++j;
      continue;
    }
    if (with_currency && Glued(j)) {
      auto cs = d_.currency_scales.find(w);
      if (cs != d_.currency_scales.end()) {
        *value *= cs->second;
        ++j;
        continue;
      }
    }
    break;
  }
  return j;
}

std::optional<Candidate> FigureScanner::ParseFigure(size_t i, bool nested) const {
  Candidate c;
  c.first = i;
  size_t j = i;
  // Hedge: "more than", "about", "some", "exceeded".
  const std::string* hedge = nullptr;
  if (size_t len = MatchPhrase(d_.hedges, j, &hedge); len > 0) {
    c.qualifier = *hedge;
    j += len;
    if (len == 1 && d_.hedge_verbs.contains(tokens_[i].lower)) c.first = j;
  }
  // "between X and Y".
  bool between = false;
  if (IsWord(j, "between") || IsWord(j, "from")) {
    between = true;
    ++j;
  }
  // Currency before the number: "€1.6 billion", "US$ 3", "USD 3".
  std::string currency;
  // Every key tried starts with token j's text lower-cased; an ASCII first
  // byte lower-cases to itself or its ASCII lower case, so a clear filter
  // bit rules out every symbol before the loop builds a key.
  bool currency_possible = j < tokens_.size();
  if (currency_possible && static_cast<unsigned char>(text_[tokens_[j].begin]) < 0x80) {
    const char first = absl::ascii_tolower(text_[tokens_[j].begin]);
    currency_possible = d_.currency_symbols_first_bytes.MayStartWith(absl::string_view(&first, 1));
  }
  {
    std::string key;
    size_t k = j;
    for (; currency_possible && k < tokens_.size() && k < j + 2; ++k) {
      if (tokens_[k].IsNumber()) break;
      if (k > j && tokens_[k].space_before) break;
      key += internal::ToLowerUtf8(
          absl::string_view(text_).substr(tokens_[k].begin, tokens_[k].end - tokens_[k].begin));
      auto it = d_.currency_symbols.find(key);
      if (it != d_.currency_symbols.end()) {
        currency = it->second;
        j = k + 1;
        break;
      }
    }
    if (currency.empty() && At(j) && At(j)->IsWord() && At(j)->all_caps && At(j)->size() == 3 &&
        d_.currency_codes.contains(absl::AsciiStrToUpper(At(j)->lower)) && At(j + 1) &&
        At(j + 1)->IsNumber()) {
      currency = absl::AsciiStrToUpper(At(j)->lower);
      ++j;
    }
  }
  auto number = ParseNumber(j);
  if (!number) return std::nullopt;
  if (number->negative && !c.qualifier.empty()) number->negative = false;
  c.num_first = number->first;
  c.from_words = number->from_words;
  double value = number->value;
  j = number->end;
  j = ApplyScale(j, &value, !currency.empty());
  double upper = value;
  bool scaled_first = value != number->value;
  // Ranges: "between 1.5 and 2 billion", "10-15", "10 to 15".
  {
    size_t k = j;
    bool joiner = false;
    if (between && IsWord(k, "and")) {
      joiner = true;
      ++k;
    } else if (IsWord(k, "to") || (IsDashAt(k) && number->end == j && !number->from_words)) {
      joiner = true;
      ++k;
    }
    if (joiner) {
      size_t k2 = k;
      // The currency may repeat: "$1.5 to $2 billion".
      if (At(k2) && At(k2)->kind == TokenKind::kPunct && !currency.empty()) {
        auto it = d_.currency_symbols.find(At(k2)->lower);
        if (it != d_.currency_symbols.end() && it->second == currency) ++k2;
      }
      auto second = ParseNumber(k2, /*continues_range=*/true);
      if (second && !second->negative && second->from_words == number->from_words) {
        double v2 = second->value;
        size_t after = ApplyScale(second->end, &v2, !currency.empty());
        double factor = second->value != 0 ? v2 / second->value : 1;
        if (!scaled_first && factor != 1) value *= factor;
        if (v2 >= value) {
          upper = v2;
          j = after;
          if (c.qualifier.empty() && between) c.qualifier = "between";
        }
      }
    }
  }
  // Currency after: "3 billion dollars", "500 manat", "3 billion USD".
  if (currency.empty()) {
    const std::string* code = nullptr;
    if (size_t len = MatchPhrase(d_.currency_words, j, &code); len > 0) {
      currency = *code;
      j += len;
    } else if (At(j) && At(j)->IsWord() && At(j)->all_caps && At(j)->size() == 3 &&
               d_.currency_codes.contains(absl::AsciiStrToUpper(At(j)->lower))) {
      currency = absl::AsciiStrToUpper(At(j)->lower);
      ++j;
    }
  }
  if (!currency.empty()) {
    c.unit = currency;
    c.dimension = "currency";
  } else {
    // Unit: "132-kilometer", "3,488 kilometres", "50km", "47 percent", "5%".
    size_t k = j;
    bool hyphen = false;
    if (IsDashAt(k) && Glued(k) && Glued(k + 1)) {
      hyphen = true;
      ++k;
    }
    const Unit* unit = nullptr;
    size_t len = MatchPhrase(d_.units, k, &unit);
    if (len > 0) {
      c.unit = unit->canonical;
      c.dimension = unit->dimension;
      value *= unit->factor;
      upper *= unit->factor;
      j = k + len;
      c.attributive = hyphen;
    } else if (hyphen) {
      // "43-point document", "one-on-one": attributive non-units are not
      // figures.
      return std::nullopt;
    } else {
      c.unit = "count";
      c.dimension = "count";
    }
  }
  // Percent sign glued: "5%" handled by the unit table ("%").
  if (number->negative && c.unit != "%") {
    number->negative = false;
    c.num_first = number->first + 1;
    if (c.first == number->first) c.first = c.num_first;
  }
  if (number->negative) {
    value = -value;
    upper = -upper;
    std::swap(value, upper);
  }
  // Rate: "a year", "per day".
  const std::string* rate = nullptr;
  if (c.dimension != "time" && c.dimension != "count") {
    if (size_t len = MatchPhrase(d_.rates, j, &rate); len > 0) {
      c.unit = absl::StrCat(c.unit, "/", *rate);
      j += len;
    } else if (IsWord(j, "of")) {
      // "2 billion cubic metres of gas per year".
      for (size_t k = j + 1; k < tokens_.size() && k <= j + 3 && tokens_[k].IsWord(); ++k) {
        if (size_t rlen = MatchPhrase(d_.rates, k, &rate); rlen > 0) {
          c.unit = absl::StrCat(c.unit, "/", *rate);
          j = k + rlen;
          break;
        }
      }
    }
  }
  c.unit_end = j;
  // Conversion in parentheses: "132-kilometer (82-miles)".
  if (!nested && At(j) && At(j)->IsPunct('(') && c.dimension != "count") {
    auto inner = ParseFigure(j + 1, /*nested=*/true);
    if (inner && At(inner->end) && At(inner->end)->IsPunct(')') &&
        inner->dimension == c.dimension && inner->unit == c.unit && inner->value > 0) {
      double ratio = std::fabs(value - inner->value) / std::max(value, inner->value);
      c.note = absl::StrFormat(
          "conversion %s agrees within %.1f%%",
          absl::string_view(text_).substr(tokens_[j + 1].begin,
                                          tokens_[inner->end - 1].end - tokens_[j + 1].begin),
          ratio * 100);
      if (ratio > 0.05) {
        c.note = absl::StrFormat("conversion disagrees by %.0f%%", ratio * 100);
      }
      j = inner->end + 1;
    }
  }
  if (!std::isfinite(value) || !std::isfinite(upper) || std::fabs(value) > kMaxMagnitude ||
      std::fabs(upper) > kMaxMagnitude) {
    return std::nullopt;
  }
  c.value = value;
  c.upper = upper;
  c.end = j;
  return c;
}

std::string FigureScanner::HeadPhraseAfter(size_t i) const {
  static const absl::flat_hash_set<std::string> kStop = {
      "of",     "in",     "on",     "at",      "to",      "for",     "with",    "by",   "from",
      "and",    "or",     "that",   "which",   "who",     "were",    "was",     "is",   "are",
      "had",    "has",    "have",   "will",    "would",   "further", "as",      "than", "after",
      "before", "during", "since",  "into",    "over",    "under",   "between", "the",  "a",
      "an",     "this",   "these",  "those",   "its",     "their",   "his",     "her",  "left",
      "fled",   "died",   "killed", "injured", "wounded", "said"};
  size_t b = i, e = i;
  for (size_t k = i; k < tokens_.size() && k < i + 4; ++k) {
    const Token& t = tokens_[k];
    if (!t.IsWord() || kStop.contains(t.lower)) break;
    e = k + 1;
    if (d_.person_nouns.contains(t.lower)) break;
    if (t.lower.size() > 3 && t.lower.back() == 's' && !t.capitalized) break;
    if (t.lower.size() > 3 && t.lower.back() == 's' && t.capitalized && k > i) break;
    // A past-tense verb ends the noun phrase: "44-day war ended".
    if (k > i && t.lower.size() > 4 && !t.capitalized &&
        t.lower.compare(t.lower.size() - 2, 2, "ed") == 0) {
      e = k;
      break;
    }
  }
  if (e == b) return "";
  return std::string(text_.substr(tokens_[b].begin, tokens_[e - 1].end - tokens_[b].begin));
}

void FigureScanner::Label(const Candidate& c, size_t floor, FigureMention* m) const {
  // Each cue: priority (lower wins), quantity, head phrase, cue text.
  struct Choice {
    int priority = 100;
    std::string quantity, head, cue;
    bool from_head = false;
  };
  Choice best;
  auto offer = [&](int priority, const std::vector<Cue>& cues, const std::string& head,
                   const std::string& cue_text, bool from_head) {
    for (const Cue& cue : cues) {
      if (!cue.Accepts(c.dimension)) continue;
      if (priority < best.priority) {
        best = {priority, cue.quantity, head, cue_text, from_head};
      }
      return;
    }
  };
  auto text_of = [&](size_t b, size_t e) {
    return std::string(text_.substr(tokens_[b].begin, tokens_[e - 1].end - tokens_[b].begin));
  };
  std::string of_head;  // "tons of freight"
  // 1. Head noun right after the figure (skipping up to 3 modifiers).
  for (size_t k = c.end, skipped = 0; k < tokens_.size() && skipped <= 3; ++k, ++skipped) {
    // "162 km-long railway", "a 10 km long wall".
    if ((IsDashAt(k) && Glued(k)) || IsWord(k, "long") || IsWord(k, "wide")) continue;
    const std::vector<Cue>* cues = nullptr;
    size_t len = MatchPhrase(d_.head_cues, k, &cues);
    if (len > 0) {
      offer(1 + static_cast<int>(skipped), *cues, text_of(k, k + len), text_of(k, k + len), true);
      break;
    }
    if (!tokens_[k].IsWord() || tokens_[k].IsWord("of") || tokens_[k].IsWord("in") ||
        tokens_[k].IsWord("and")) {
      // "tons of freight", "$300 million in aid": one preposition, then the head.
      if (tokens_[k].IsWord("of") || (tokens_[k].IsWord("in") && c.dimension == "currency")) {
        size_t h = k + 1;
        if (IsWord(h, "the")) ++h;
        const std::vector<Cue>* of_cues = nullptr;
        size_t of_len = MatchPhrase(d_.head_cues, h, &of_cues);
        if (of_len > 0) {
          offer(5, *of_cues, text_of(h, h + of_len), text_of(h, h + of_len), true);
          for (const Cue& cue : *of_cues) {
            if (cue.Accepts(c.dimension)) of_head = text_of(h, h + of_len);
          }
        }
      }
      break;
    }
  }
  // 2. Governing verb right before a count: "killed 20", "detention of two".
  if (c.dimension == "count") {
    size_t k = c.first;
    if (k > 0) {
      const std::vector<Cue>* cues = nullptr;
      size_t len = MatchPhraseEndingAt(d_.verb_before_cues, k - 1, &cues);
      if (len > 0) offer(1, *cues, "", text_of(k - len, k), false);
    }
    // 3. Verb after the counted noun phrase: "100,000 ethnic Armenians left".
    for (size_t a = c.end, n = 0; a < tokens_.size() && n < 7; ++a, ++n) {
      const Token& t = tokens_[a];
      if (!t.IsWord()) break;
      const std::vector<Cue>* cues = nullptr;
      size_t len = MatchPhrase(d_.verb_after_cues, a, &cues);
      if (len > 0) {
        offer(2, *cues, "", text_of(a, a + len), false);
        break;
      }
      if (t.IsWord("and") || t.IsWord("in")) break;
      // "Thirty-eight of the 67 passengers were killed".
      if (t.IsWord("of")) {
        size_t skip = a + 1;
        if (IsWord(skip, "the")) ++skip;
        if (At(skip) && At(skip)->IsNumber()) {
          while (At(skip + 1) && Glued(skip + 1) && !At(skip + 1)->IsWord()) ++skip;
          a = skip;
          continue;
        }
        break;
      }
    }
  }
  // 4. Nouns and verbs before the figure in the same clause.
  std::string name_head;  // "Line of Actual Control" of "the length of the ..."
  {
    size_t stop = std::max(c.first >= 24 ? c.first - 24 : 0, std::min(floor, c.first));
    for (size_t k = c.first; k > stop; --k) {
      const Token& t = tokens_[k - 1];
      if (t.IsPunct(';') || t.IsPunct('.') || t.IsPunct('(') || t.IsPunct(')')) break;
      if (t.IsNumber() && !masked_[k - 1]) break;  // another figure's territory
      const std::vector<Cue>* cues = nullptr;
      size_t len = MatchPhraseEndingAt(d_.before_cues, k - 1, &cues);
      if (len == 0) continue;
      size_t cue_first = k - len;
      int distance = static_cast<int>(c.first - k);
      std::string head = text_of(cue_first, k);
      // "the length of the Line of Actual Control ... at": the head is
      // what follows "of".
      if (tokens_[k - 1].IsWord("of") || IsWord(k, "of")) {
        size_t h = IsWord(k, "of") ? k + 1 : k;
        if (IsWord(h, "the")) ++h;
        size_t he = h;
        while (he < c.first &&
               (tokens_[he].IsWord() && (tokens_[he].capitalized || tokens_[he].IsWord("of")))) {
          ++he;
        }
        while (he > h && tokens_[he - 1].IsWord("of")) --he;
        if (he > h) head = text_of(h, he);
      }
      if (head != text_of(cue_first, k) && name_head.empty() && !head.empty() &&
          absl::ascii_isupper(static_cast<unsigned char>(head[0]))) {
        name_head = head;
      }
      offer(distance <= 4 ? 3 : 6, *cues, head, text_of(cue_first, k), false);
    }
  }
  if (best.quantity.empty()) {
    auto it = d_.defaults.find(c.dimension);
    if (it != d_.defaults.end()) {
      // Durations only when attributive ("44-day war"); lengths always.
      if (c.dimension != "time" || c.attributive) {
        best.quantity = it->second;
        best.cue = "default";
      }
    }
  }
  // Promotions: a length in a clause about a border is a border length.
  if (!best.from_head) {
    const size_t window_begin = c.first >= 24 ? c.first - 24 : 0;
    const size_t window_end = std::min(tokens_.size(), c.end + 24);
    for (const auto& p : d_.promotions) {
      if (best.quantity != p.from) continue;
      for (size_t k = window_begin; k < window_end; ++k) {
        if (tokens_[k].lower == p.phrase ||
            (k + 1 < tokens_.size() &&
             absl::StrCat(tokens_[k].lower, " ", tokens_[k + 1].lower) == p.phrase)) {
          best.quantity = p.to;
          break;
        }
      }
    }
  }
  m->quantity = best.quantity;
  m->head_phrase = best.head.empty() ? HeadPhraseAfter(c.end) : best.head;
  if (!best.from_head && !name_head.empty()) m->head_phrase = name_head;
  if (!best.from_head && !of_head.empty()) m->head_phrase = of_head;
  m->cue = best.cue;
}

std::vector<FigureMention> FigureScanner::Run() {
  std::vector<FigureMention> out;
  size_t i = 0;
  size_t last_end = 0;
  size_t prev_floor = 0;
  while (i < tokens_.size()) {
    const Token& t = tokens_[i];
    bool may_start =
        t.IsNumber() || (t.IsWord() && StartToken(t.lower)) ||
        (t.kind == TokenKind::kPunct && (internal::IsDash(t.code_point) || StartToken(t.lower)));
    if (!may_start || masked_[i]) {
      ++i;
      continue;
    }
    std::optional<Candidate> c;
    if (t.IsNumber() || t.IsWord() || t.kind == TokenKind::kPunct) c = ParseFigure(i);
    if (!c) {
      // One person without a digit: "killing an Azerbaijani security
      // officer", "a Chinese soldier was killed".
      if (t.IsWord("a") || t.IsWord("an")) {
        size_t noun = 0;
        for (size_t k = i + 1; k < tokens_.size() && k <= i + 4; ++k) {
          if (!tokens_[k].IsWord()) break;
          if (d_.person_nouns.contains(tokens_[k].lower)) {
            noun = k;
            break;
          }
        }
        const std::vector<Cue>* cues = nullptr;
        size_t cue_begin = 0, cue_end = 0;
        if (noun != 0 && i > 0) {
          if (size_t len = MatchPhraseEndingAt(d_.verb_before_cues, i - 1, &cues); len > 0) {
            cue_begin = i - len;
            cue_end = i;
          }
        }
        if (noun != 0 && cue_end == 0) {
          // "was killed", "has been detained".
          size_t v = noun + 1;
          while (v < tokens_.size() && v <= noun + 3 &&
                 (IsWord(v, "was") || IsWord(v, "has") || IsWord(v, "had") || IsWord(v, "been") ||
                  IsWord(v, "reportedly") || IsWord(v, "also"))) {
            ++v;
          }
          if (v > noun + 1) {
            if (size_t len = MatchPhrase(d_.verb_after_cues, v, &cues); len > 0) {
              cue_begin = v;
              cue_end = v + len;
            }
          }
        }
        if (cue_end != 0) {
          for (const Cue& cue : *cues) {
            if (!cue.Accepts("count")) continue;
            FigureMention m;
            m.span = {tokens_[i].begin, tokens_[noun].end};
            m.original_text = std::string(m.span.In(text_));
            m.value = m.upper_value = 1;
            m.unit = "count";
            m.quantity = cue.quantity;
            m.head_phrase = std::string(
                text_.substr(tokens_[i + 1].begin, tokens_[noun].end - tokens_[i + 1].begin));
            m.cue = std::string(text_.substr(tokens_[cue_begin].begin,
                                             tokens_[cue_end - 1].end - tokens_[cue_begin].begin));
            for (size_t k = i >= 4 ? i - 4 : 0; k < i; ++k) {
              if (tokens_[k].IsWord() && d_.negations.contains(tokens_[k].lower)) m.negated = true;
            }
            out.push_back(m);
            last_end = m.span.end;
            break;
          }
          i = noun;
        }
      }
      ++i;
      continue;
    }
    // "Thirty-eight of the 67": the total after "of the" is not a new count.
    bool total_of_previous = false;
    if (!out.empty() && c->dimension == "count" && c->first >= 2 && IsWord(c->first - 1, "the") &&
        IsWord(c->first - 2, "of") && last_end <= tokens_[c->first - 2].begin &&
        absl::StripAsciiWhitespace(text_.substr(last_end, tokens_[c->first - 2].begin - last_end))
            .empty()) {
      total_of_previous = true;
    }
    FigureMention m;
    m.span = {tokens_[c->first].begin, tokens_[c->end - 1].end};
    m.original_text = std::string(m.span.In(text_));
    m.value = c->value;
    m.upper_value = c->upper;
    m.unit = c->unit;
    m.qualifier = c->qualifier;
    m.note = c->note;
    Label(*c, prev_floor, &m);
    // Negation: "no one was killed", "did not kill 20".
    for (size_t k = c->first >= 4 ? c->first - 4 : 0; k < c->first; ++k) {
      if (tokens_[k].IsWord() && d_.negations.contains(tokens_[k].lower)) m.negated = true;
    }
    bool keep = true;
    if (c->dimension == "count" && m.quantity.empty()) keep = false;
    // "in five years", "after four days of talks": spans of time that are
    // not attributive are time expressions, not figures.
    if (c->dimension == "time" && m.quantity.empty()) keep = false;
    if (total_of_previous) keep = false;
    if (keep) {
      out.push_back(m);
      last_end = m.span.end;
      // The next figure's cues start after this one and its head noun.
      prev_floor = c->end;
      if (!m.head_phrase.empty()) {
        size_t head_end = c->end;
        while (head_end < tokens_.size() && head_end < c->end + 5 &&
               tokens_[head_end].begin < text_.size() &&
               text_.substr(m.span.end, tokens_[head_end].end - m.span.end).find(m.head_phrase) ==
                   absl::string_view::npos) {
          ++head_end;
        }
        if (head_end < c->end + 5) prev_floor = head_end + 1;
      }
    }
    i = std::max(c->end, i + 1);
  }
  return out;
}

}  // namespace

std::vector<FigureMention> FindFigures(const FigureTables& tables, absl::string_view sentence,
                                       const std::vector<TimeExpression>& times) {
  const std::vector<Token> tokens = internal::Tokenize(sentence);
  FigureScanner scanner(tables.data(), sentence, times, tokens);
  return scanner.Run();
}

std::vector<FigureMention> FindFigures(const FigureTables& tables, absl::string_view sentence,
                                       const std::vector<TimeExpression>& times,
                                       std::vector<internal::Token> tokens) {
  FigureScanner scanner(tables.data(), sentence, times, tokens);
  return scanner.Run();
}

std::vector<FigureMention> FindFiguresInTokens(const FigureTables& tables,
                                               absl::string_view sentence,
                                               const std::vector<TimeExpression>& times,
                                               const std::vector<internal::Token>& tokens) {
  FigureScanner scanner(tables.data(), sentence, times, tokens);
  return scanner.Run();
}

std::vector<FigureMention> FindFigures(const FigureTables& tables, absl::string_view sentence) {
  return FindFigures(tables, sentence,
                     FindTimeExpressions(tables.data().dates, sentence, std::nullopt));
}

}  // namespace relmon::extraction
