// CountryGazetteer: resolves country names, demonyms and capitals to ISO
// 3166-1 alpha-2 codes.
//
// Codes and official names come from Debian's iso-codes package
// (iso_3166-1.json); the aliases news uses ("Iran", "Russia", "Iranian",
// "Tehran", "the Kremlin") come from data/countries.tsv. Used by the
// extractor to find actors and by the query service to resolve the country
// names of requests.
#ifndef RELMON_COMMON_COUNTRY_GAZETTEER_H_
#define RELMON_COMMON_COUNTRY_GAZETTEER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace relmon {

// How an alias names a country; the extractor treats them differently (a
// capital is the government only as the subject of a diplomatic verb).
enum class CountryAliasKind {
  kCode,     // "AZ"
  kName,     // "Azerbaijan", "Republic of Azerbaijan"
  kDemonym,  // "Azerbaijani", "Iranian"
  kCapital,  // "Baku", "Tehran"
  kOther,    // "the Kremlin", "Persia"
};

struct CountryAlias {
  std::string text;  // as written in the data, e.g. "Tehran"
  std::string code;  // "IR"
  CountryAliasKind kind;
};

class CountryGazetteer {
 public:
  // Loads iso_3166-1.json from `iso_codes_dir` and countries.tsv from
  // `resources_dir`. Fails with a message naming the file on bad input.
  static absl::StatusOr<std::unique_ptr<CountryGazetteer>> Load(
      const std::string& iso_codes_dir, const std::string& resources_dir);

  // Resolves a request argument: an alpha-2 or alpha-3 code (any case), an
  // English name, demonym or capital, case- and accent-insensitively, with
  // surrounding space ignored. nullopt when unknown.
  std::optional<std::string> Resolve(absl::string_view name) const;

  // Short English name for a code ("Iran" for IR, "Russia" for RU);
  // empty when the code is unknown.
  std::string ShortName(absl::string_view code) const;

  // True when `code` is a known alpha-2 code.
  bool IsCode(absl::string_view code) const;

  // Every alias (names, demonyms, capitals, other), for building matchers.
  const std::vector<CountryAlias>& aliases() const { return aliases_; }

 private:
  CountryGazetteer() = default;
  std::vector<CountryAlias> aliases_;
  absl::flat_hash_map<std::string, std::string> by_key_;      // folded alias -> code
  absl::flat_hash_map<std::string, std::string> short_name_;  // code -> name
  absl::flat_hash_map<std::string, std::string> alpha3_;      // "IRN" -> "IR"
  absl::flat_hash_set<std::string> codes_;                    // alpha-2 codes
};

// Lower-cases ASCII, folds common Latin accents (ü -> u), turns dashes and
// runs of space into one space and trims. Used for alias lookups.
std::string FoldForLookup(absl::string_view text);

}  // namespace relmon

#endif  // RELMON_COMMON_COUNTRY_GAZETTEER_H_
