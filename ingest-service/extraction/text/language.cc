#include "ingest-service/extraction/text/language.h"

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <map>
#include <vector>

#include "ingest-service/extraction/text/scan.h"
#include "ingest-service/extraction/text/tsv.h"

namespace relmon::extraction {

absl::StatusOr<LanguageTables> LanguageTables::Load(const std::string& resources_dir) {
  auto rows = internal::ReadTsv(internal::JoinPath(resources_dir, "stopwords.tsv"), 2);
  if (!rows.ok()) return rows.status();
  LanguageTables tables;
  for (const auto& row : *rows) {
    auto& langs = tables.stopwords_[internal::ToLowerUtf8(row.fields[1])];
    if (std::find(langs.begin(), langs.end(), row.fields[0]) == langs.end()) {
      langs.push_back(row.fields[0]);
    }
  }
  for (const auto& [word, langs] : tables.stopwords_) {
    std::vector<int>& ids = tables.stopword_ids_[word];
    for (const std::string& lang : langs) {
      auto it = std::find(tables.languages_.begin(), tables.languages_.end(), lang);
      if (it == tables.languages_.end()) it = tables.languages_.insert(it, lang);
      ids.push_back(static_cast<int>(it - tables.languages_.begin()));
    }
  }
  return tables;
}

const std::vector<std::string>* LanguageTables::LanguagesOf(absl::string_view lower_word) const {
  auto it = stopwords_.find(lower_word);
  return it == stopwords_.end() ? nullptr : &it->second;
}

namespace {

// Room for every UScriptCode (ICU 72 has about 200).
constexpr int kScriptSlots = 256;

bool IsOneOf(UChar32 c, std::initializer_list<UChar32> set) {
  for (UChar32 s : set) {
    if (c == s) return true;
  }
  return false;
}

}  // namespace

std::string DetectLanguage(const LanguageTables& tables, absl::string_view text) {
  text = text.substr(0, 1 << 16);
  std::vector<int> script_letters(kScriptSlots, 0);
  int persian = 0, urdu = 0, ukrainian = 0, kazakh = 0, schwa = 0, turkish = 0;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t n = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < n) {
    if (s[i] < 0x80) {  // ASCII, most of the text: no decoding
      const uint8_t b = s[i++];
      if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')) ++script_letters[USCRIPT_LATIN];
      continue;
    }
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0x80) {
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) ++script_letters[USCRIPT_LATIN];
      continue;
    }
    if (!u_isalpha(c)) continue;
    UErrorCode status = U_ZERO_ERROR;
    UScriptCode script = uscript_getScript(c, &status);
    if (U_FAILURE(status) || script < 0 || script >= kScriptSlots) continue;
    ++script_letters[script];
    if (IsOneOf(c, {0x067E, 0x0686, 0x0698, 0x06AF, 0x06A9, 0x06CC})) ++persian;
    if (IsOneOf(c, {0x0679, 0x0688, 0x0691, 0x06BA, 0x06D2, 0x06BE})) ++urdu;
    if (IsOneOf(c, {0x0456, 0x0457, 0x0454, 0x0491, 0x0406, 0x0407, 0x0404, 0x0490})) ++ukrainian;
    if (IsOneOf(c, {0x04D9, 0x0493, 0x049B, 0x04A3, 0x04E9, 0x04B1, 0x04AF, 0x04BB, 0x04D8, 0x0492,
                    0x049A, 0x04A2, 0x04E8, 0x04B0, 0x04AE, 0x04BA})) {
      ++kazakh;
    }
    if (c == 0x0259 || c == 0x018F) ++schwa;
    if (IsOneOf(c, {0x0131, 0x011F, 0x011E, 0x0130, 0x015F, 0x015E})) ++turkish;
  }
  UScriptCode best = USCRIPT_INVALID_CODE;
  int best_count = 0;
  for (int script = 0; script < kScriptSlots; ++script) {
    const int count = script_letters[script];
    if (count > best_count) {
      best = static_cast<UScriptCode>(script);
      best_count = count;
    }
  }
  if (best_count == 0) return "und";
  switch (best) {
    case USCRIPT_ARABIC:
      // Persian letters are a few percent of Persian text; one stray letter
      // in Arabic text is not enough.
      if (urdu * 100 >= best_count && urdu > persian / 4 && urdu > 0) return "ur";
      if (persian > 0 && persian * 200 >= best_count) return "fa";
      return "ar";
    case USCRIPT_CYRILLIC:
      if (kazakh > 0 && kazakh * 200 >= best_count) return "kk";
      if (ukrainian > 0 && ukrainian * 200 >= best_count) return "uk";
      return "ru";
    case USCRIPT_ARMENIAN:
      return "hy";
    case USCRIPT_GEORGIAN:
      return "ka";
    case USCRIPT_HEBREW:
      return "he";
    case USCRIPT_GREEK:
      return "el";
    case USCRIPT_DEVANAGARI:
      return "hi";
    case USCRIPT_HANGUL:
      return "ko";
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
      return "ja";
    case USCRIPT_HAN: {
      int kana = script_letters[USCRIPT_HIRAGANA] + script_letters[USCRIPT_KATAKANA];
      return kana > 0 ? "ja" : "zh";
    }
    case USCRIPT_LATIN:
      break;
    default:
      return "und";
  }
  // Latin script.
  if (schwa > 0 && schwa * 300 >= best_count) return "az";
  // Stop-word hits per language: counted by index, then keyed by code (the
  // map holds only languages with hits, as the rules below expect).
  std::vector<int> hits_by_id(tables.languages().size(), 0);
  internal::ForEachWordLower(text, [&](absl::string_view lower) {
    if (const auto* ids = tables.LanguageIdsOf(lower)) {
      for (int id : *ids) ++hits_by_id[id];
    }
  });
  std::map<std::string, int> hits;
  for (size_t id = 0; id < hits_by_id.size(); ++id) {
    if (hits_by_id[id] > 0) hits[tables.languages()[id]] = hits_by_id[id];
  }
  if (turkish > 0 && turkish * 200 >= best_count) {
    // Turkish letters with Turkish stop words (or nothing better).
    int tr = hits.count("tr") ? hits["tr"] : 0;
    int en = hits.count("en") ? hits["en"] : 0;
    if (tr >= en) return "tr";
  }
  std::string lang = "und";
  int best_hits = 0;
  for (const auto& [code, count] : hits) {
    if (count > best_hits || (count == best_hits && code == "en")) {
      lang = code;
      best_hits = count;
    }
  }
  if (best_hits == 0) return "und";
  // English wins a near-tie: loanwords and names inflate other languages on
  // short English headlines.
  if (lang != "en" && hits.count("en") && hits["en"] * 10 >= best_hits * 9) return "en";
  return lang;
}

}  // namespace relmon::extraction
