// Actors of a sentence: countries named, their demonyms, capitals used as
// metonyms for governments (or as places), and office holders resolved to
// their country through data/office_holders.tsv.
#ifndef RELMON_INGEST_EXTRACTION_ACTORS_H_
#define RELMON_INGEST_EXTRACTION_ACTORS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/country_gazetteer.h"
#include "ingest-service/extraction/data_files.h"
#include "ingest-service/extraction/tokens.h"

namespace relmon::extraction {

// How a country is named in a sentence.
enum class ActorMentionKind {
  kName,     // "Azerbaijan", "the Republic of Azerbaijan"
  kDemonym,  // "Iranian", "Azerbaijani"
  kCapital,  // "Tehran", "Baku"
  kOther,    // "the Kremlin"
  kPerson,   // "Pezeshkian", "Foreign Minister Hossein Amir-Abdollahian"
};

struct ActorMention {
  std::string code;  // ISO alpha-2
  ActorMentionKind kind = ActorMentionKind::kName;
  int first = 0;  // token range, inclusive
  int last = 0;
  // A place rather than a government or people ("the embassy in Tehran",
  // "met in Moscow", "a visit to Iran"): a location, not a side.
  bool is_place = false;
  // After "by" ("brokered by China"): a mediator, not a party.
  bool is_agent_by = false;
  // For persons: the name as listed and the role held at the article date.
  std::string person;
  std::string role;
};

// One office holder row of data/office_holders.tsv.
struct OfficeHolder {
  std::string name;
  std::string code;
  std::string role;
  std::optional<absl::CivilDay> from;
  std::optional<absl::CivilDay> to;
};

class ActorFinder {
 public:
  // Reads office_holders.tsv and actor_rules.tsv from `resources_dir`.
  static absl::StatusOr<std::unique_ptr<ActorFinder>> Create(
      const CountryGazetteer& gazetteer, const std::string& resources_dir);

  // Finds actor mentions in `tokens` (non-overlapping, longest first),
  // in token order. `day` (the article date, when known) picks the role a
  // person held.
  void Find(const std::vector<Token>& tokens, std::optional<absl::CivilDay> day,
            std::vector<ActorMention>* out) const;

  // Words of a class of actor_rules.tsv ("locative", "bilateral", ...).
  bool IsWord(absl::string_view cls, absl::string_view lower) const;
  // Matches of the "bilateral_ref" phrases ("the two countries", "both sides").
  bool HasBilateralReference(const std::vector<Token>& tokens) const;

 private:
  struct Entry {
    std::vector<std::string> words;
    std::string code;
    ActorMentionKind kind;
    bool acronym = false;
    int holder = -1;  // index into holders_ for persons (first listed row)
  };
  ActorFinder() = default;
  void AddEntry(absl::string_view text, const std::string& code, ActorMentionKind kind,
                int holder);

  absl::flat_hash_map<std::string, std::vector<Entry>> by_first_;
  std::vector<OfficeHolder> holders_;
  absl::flat_hash_map<std::string, std::vector<int>> holders_by_name_;
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> words_;  // class -> words
  PatternSet bilateral_refs_;
};

}  // namespace relmon::extraction

#endif  // RELMON_INGEST_EXTRACTION_ACTORS_H_
