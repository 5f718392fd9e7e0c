// Agreements and joint projects mentioned in a sentence: treaties,
// contracts, road maps, memoranda, declarations and projects (bridge,
// railway, road, corridor, pipeline, dam, reservoir, field ...), with
// parties, kind, the status the mention implies and a canonical key so that
// the same thing named differently is one agreement.
#ifndef RELMON_INGEST_EXTRACTION_AGREEMENTS_H_
#define RELMON_INGEST_EXTRACTION_AGREEMENTS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "common/country_gazetteer.h"
#include "ingest-service/extraction/context.h"
#include "relations/v1/facts.pb.h"

namespace relmon::extraction {

struct AgreementFact {
  std::string name;           // as written (or resolved, "Dostluk field")
  std::string canonical_key;  // "railway:rasht-astara", "agreement:peace:AM-AZ"
  std::string head_key;       // "railway", "agreement", ...
  std::vector<std::string> parties;
  relations::v1::AgreementKind kind = relations::v1::AGREEMENT_KIND_UNSPECIFIED;
  relations::v1::AgreementStatus status = relations::v1::AGREEMENT_STATUS_UNSPECIFIED;
  FactDate date;
  bool proper = false;        // named by a proper noun
  int sentence = 0;           // index into the article's sentences
  int name_first = 0;         // token range of the name in that sentence
  int name_last = 0;
  std::vector<std::string> proper_words;  // for article-level resolution
  std::vector<std::string> aliases;       // "known as Kapaz" (naming sentences)
};

class AgreementFinder {
 public:
  static absl::StatusOr<std::unique_ptr<AgreementFinder>> Create(
      const std::string& resources_dir, const CountryGazetteer& gazetteer);

  // Appends the agreement mentions of one sentence.
  void Find(const SentenceContext& s, const ArticleContext& a, int sentence_index,
            std::vector<AgreementFact>* out) const;

  // Article-level pass: a generic project ("the 162-km railway", "the
  // field") takes the name and key of the one proper-named project of the
  // same type in the article; then mentions without status, figures or a
  // proper name are dropped by the caller.
  void Resolve(std::vector<AgreementFact>* facts) const;


 private:
  struct Head {
    std::string key;  // "railway"
    relations::v1::AgreementKind kind;
    bool project = false;
    bool takes_complement = false;  // "declaration on ...", "road map for ..."
    bool standalone = false;        // kept without modifiers ("normalisation")
  };
  struct StatusCue {
    relations::v1::AgreementStatus status;
    bool governs = false;  // "agreed on", "hope for", "contract between"
    bool nominal = false;  // "signing", "opening": any hedge nearby cancels
    bool has_gap = false;  // pattern with "..."
  };
  AgreementFinder() = default;
  std::string Fold(const std::string& word) const;  // synonyms; "" when dropped

  PatternSet heads_;
  std::vector<Head> head_info_;
  PatternSet statuses_;
  std::vector<StatusCue> status_info_;
  PatternSet naming_;  // "renamed", "known as", "called"
  std::vector<bool> naming_primary_;
  absl::flat_hash_set<std::string> stop_;
  absl::flat_hash_set<std::string> drop_;
  absl::flat_hash_map<std::string, std::string> synonyms_;
};

}  // namespace relmon::extraction

#endif  // RELMON_INGEST_EXTRACTION_AGREEMENTS_H_
