#include "common/country_gazetteer.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "unicode/normalizer2.h"
#include "unicode/uchar.h"
#include "unicode/unistr.h"

namespace relmon {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Aliases that would be read as codes only in upper case ("US", "UK") are
// still names; codes themselves are registered separately.
void AddAlias(std::vector<CountryAlias>& aliases,
              absl::flat_hash_map<std::string, std::string>& by_key, absl::string_view text,
              absl::string_view code, CountryAliasKind kind) {
  std::string trimmed(absl::StripAsciiWhitespace(text));
  if (trimmed.empty()) return;
  aliases.push_back({trimmed, std::string(code), kind});
  // First registration wins: iso-codes names are loaded before aliases, so an
  // alias can never steal an official name.
  by_key.emplace(FoldForLookup(trimmed), std::string(code));
}

}  // namespace

std::string FoldForLookup(absl::string_view text) {
  // NFKD then drop combining marks: "Türkiye" -> "turkiye", "Brasília" ->
  // "brasilia". Dashes and punctuation that vary between outlets fold to a
  // space; apostrophes are dropped ("Côte d'Ivoire" == "Cote dIvoire").
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkd = icu::Normalizer2::getNFKDInstance(status);
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  icu::UnicodeString decomposed = U_SUCCESS(status) ? nfkd->normalize(u, status) : u;
  if (U_FAILURE(status)) decomposed = u;
  icu::UnicodeString kept;
  for (int32_t i = 0; i < decomposed.length();) {
    UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    int8_t type = u_charType(c);
    if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK) continue;
    if (c == '\'' || c == 0x2019 || c == '.') continue;
    if (type == U_DASH_PUNCTUATION || u_isUWhiteSpace(c) || c == ',') {
      kept.append(static_cast<UChar32>(' '));
      continue;
    }
    kept.append(static_cast<UChar32>(u_tolower(c)));
  }
  std::string utf8;
  kept.toUTF8String(utf8);
  // Collapse runs of space and trim.
  std::string out;
  out.reserve(utf8.size());
  for (char c : utf8) {
    if (c == ' ') {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

absl::StatusOr<std::unique_ptr<CountryGazetteer>> CountryGazetteer::Load(
    const std::string& iso_codes_dir, const std::string& resources_dir) {
  std::unique_ptr<CountryGazetteer> g(new CountryGazetteer());

  const std::string iso_path = absl::StrCat(iso_codes_dir, "/iso_3166-1.json");
  auto iso_text = ReadFile(iso_path);
  if (!iso_text.ok()) return iso_text.status();
  nlohmann::json iso = nlohmann::json::parse(*iso_text, nullptr, /*allow_exceptions=*/false);
  if (iso.is_discarded() || !iso.contains("3166-1") || !iso["3166-1"].is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(iso_path, ": not an iso-codes 3166-1 file"));
  }
  std::vector<std::pair<std::string, std::string>> iso_names;  // code, name
  for (const auto& entry : iso["3166-1"]) {
    if (!entry.is_object() || !entry.contains("alpha_2") || !entry["alpha_2"].is_string()) continue;
    const std::string code = entry["alpha_2"].get<std::string>();
    g->codes_.insert(code);
    if (entry.contains("alpha_3") && entry["alpha_3"].is_string()) {
      g->alpha3_.emplace(absl::AsciiStrToUpper(entry["alpha_3"].get<std::string>()), code);
    }
    for (const char* field : {"common_name", "name", "official_name"}) {
      if (entry.contains(field) && entry[field].is_string()) {
        const std::string name = entry[field].get<std::string>();
        AddAlias(g->aliases_, g->by_key_, name, code, CountryAliasKind::kName);
        if (g->short_name_.find(code) == g->short_name_.end()) g->short_name_[code] = name;
      }
    }
  }
  if (g->codes_.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(iso_path, ": no countries"));
  }

  const std::string tsv_path = absl::StrCat(resources_dir, "/countries.tsv");
  auto tsv = ReadFile(tsv_path);
  if (!tsv.ok()) return tsv.status();
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(*tsv, '\n')) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> cols = absl::StrSplit(line, '\t');
    if (cols.size() != 6) {
      return absl::InvalidArgumentError(absl::StrCat(tsv_path, ":", line_no, ": expected 6 tab-separated columns, got ", cols.size()));
    }
    const std::string code(absl::StripAsciiWhitespace(cols[0]));
    if (code.size() != 2 || !absl::ascii_isupper(code[0]) || !absl::ascii_isupper(code[1])) {
      return absl::InvalidArgumentError(absl::StrCat(tsv_path, ":", line_no, ": bad code \"", code, "\""));
    }
    // Codes outside iso-codes (the user-assigned XK for Kosovo) are accepted
    // from this file; everything else must name an ISO country.
    g->codes_.insert(code);
    const std::string short_name(absl::StripAsciiWhitespace(cols[1]));
    if (!short_name.empty()) {
      g->short_name_[code] = short_name;
      // The short name outranks an official name that might fold the same.
      g->by_key_[FoldForLookup(short_name)] = code;
      g->aliases_.push_back({short_name, code, CountryAliasKind::kName});
    }
    const std::pair<int, CountryAliasKind> columns[] = {{2, CountryAliasKind::kName},
                                                        {3, CountryAliasKind::kDemonym},
                                                        {4, CountryAliasKind::kCapital},
                                                        {5, CountryAliasKind::kOther}};
    for (const auto& [col, kind] : columns) {
      for (absl::string_view alias : absl::StrSplit(cols[col], '|', absl::SkipWhitespace())) {
        AddAlias(g->aliases_, g->by_key_, alias, code, kind);
      }
    }
  }
  return g;
}

std::optional<std::string> CountryGazetteer::Resolve(absl::string_view name) const {
  absl::string_view trimmed = absl::StripAsciiWhitespace(name);
  if (trimmed.empty()) return std::nullopt;
  if (trimmed.size() == 2 || trimmed.size() == 3) {
    std::string upper = absl::AsciiStrToUpper(trimmed);
    if (upper.size() == 2 && codes_.contains(upper)) return upper;
    if (upper.size() == 3) {
      auto it = alpha3_.find(upper);
      if (it != alpha3_.end()) return it->second;
    }
  }
  std::string key = FoldForLookup(trimmed);
  auto it = by_key_.find(key);
  if (it != by_key_.end()) return it->second;
  // "the Republic of Azerbaijan", "the Kremlin".
  if (absl::StartsWith(key, "the ")) {
    it = by_key_.find(key.substr(4));
    if (it != by_key_.end()) return it->second;
  }
  return std::nullopt;
}

std::string CountryGazetteer::ShortName(absl::string_view code) const {
  auto it = short_name_.find(std::string(code));
  return it == short_name_.end() ? std::string() : it->second;
}

bool CountryGazetteer::IsCode(absl::string_view code) const {
  return codes_.contains(std::string(code));
}

}  // namespace relmon
