// Figure attribution: gives each figure found by the text stage its parties,
// subject and subject key (the key decides which figures are compared, so
// different incidents, periods and things never collide), and links figures
// to the agreement or project they describe.
#ifndef RELMON_INGEST_EXTRACTION_FIGURE_ATTRIBUTION_H_
#define RELMON_INGEST_EXTRACTION_FIGURE_ATTRIBUTION_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "common/country_gazetteer.h"
#include "ingest-service/extraction/agreements.h"
#include "ingest-service/extraction/context.h"
#include "ingest-service/extraction/events.h"
#include "ingest-service/extraction/text/figures.h"
#include "relations/v1/facts.pb.h"

namespace relmon::extraction {

class FigureAttributor {
 public:
  // Reads named_borders.tsv and figure_subjects.tsv.
  static absl::StatusOr<std::unique_ptr<FigureAttributor>> Create(
      const std::string& resources_dir, const CountryGazetteer* gazetteer);

  // Fills quantity, subject, subject_key, parties and agreement_id of
  // `figure` (value, unit, original_text and citation are set by the caller).
  // `agreements` are the article's mentions so far (this and earlier
  // sentences); `events` those of this sentence. Returns the index of the
  // agreement the figure describes, or -1. False when the figure is dropped.
  bool Attribute(const FigureMention& mention, const SentenceContext& s, const ArticleContext& a,
                 int sentence_index, const std::vector<AgreementFact>& agreements,
                 const std::vector<EventFact>& events, relations::v1::Figure* figure,
                 int* agreement_index) const;

 private:
  FigureAttributor() = default;
  std::string PairName(const std::vector<std::string>& parties) const;

  const CountryGazetteer* gazetteer_ = nullptr;
  struct NamedBorder {
    std::vector<std::string> words;
    bool acronym;
    std::string a, b;
  };
  std::vector<NamedBorder> borders_;
  absl::flat_hash_set<std::string> border_heads_;   // border, frontier, boundary
  absl::flat_hash_set<std::string> incident_;       // killed, injured, ...
  absl::flat_hash_set<std::string> periodic_;       // trade, growth, freight, ...
  absl::flat_hash_set<std::string> project_;        // length, cost, capacity, reserves
};

}  // namespace relmon::extraction

#endif  // RELMON_INGEST_EXTRACTION_FIGURE_ATTRIBUTION_H_
