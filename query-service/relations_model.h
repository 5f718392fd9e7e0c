// RelationsModel: the score, level, trend and evidence of a pair of
// countries at an instant, from the pair's clustered events. Plain C++ with
// no I/O; docs/relations-model.md explains every number so that an analyst
// can check a verdict by hand.
#ifndef RELMON_QUERY_SERVICE_RELATIONS_MODEL_H_
#define RELMON_QUERY_SERVICE_RELATIONS_MODEL_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "relations/v1/facts.pb.h"

namespace relmon::query {

struct RelationsModelParams {
  // An event's pull halves every `half_life` of age. 180 days: a visit or an
  // attack still shapes relations a season later, but a year-old crisis no
  // longer outweighs this month's contacts.
  absl::Duration half_life = absl::Hours(24 * 180);
  // Weight of the imaginary neutral (0) event that pulls thin evidence
  // towards NEUTRAL; in units of one fresh event.
  double prior_strength = 0.5;
  // Retrospective characterisations ("relations soured in recent months",
  // "tensions have run high for years") weigh in at this factor: they
  // describe a phase, not a new deed.
  double retrospective_statement_factor = 0.5;
  // The trend compares the score with the score this long before. 30 days:
  // the model's score is a weighted mean, so a long window mostly measures
  // how old events fade; a month shows the direction of the latest news.
  absl::Duration trend_window = absl::Hours(24 * 30);
  // |score change| below this is STABLE.
  double trend_threshold = 0.75;
  // Level boundaries: score <= hostile_max: HOSTILE; <= tense_max: TENSE;
  // < cooperative_min: NEUTRAL; < close_min: COOPERATIVE; else CLOSE.
  double hostile_max = -5.0;
  double tense_max = -1.0;
  double cooperative_min = 1.0;
  double close_min = 5.0;
  // Events listed as evidence.
  int max_evidence = 5;
};

// One event's share of a state, for evidence and for the docs' worked
// examples.
struct EventContribution {
  const relations::v1::Event* event = nullptr;
  double decay = 0;         // 0.5^(age / half_life)
  double factor = 0;        // 1, or retrospective_statement_factor
  double contribution = 0;  // weight * factor * decay
};

class RelationsModel {
 public:
  explicit RelationsModel(RelationsModelParams params = {}) : params_(params) {}

  // State of (a, b) at `as_of` from `events` (clustered events of the pair,
  // any order; undated ones are ignored). Only events whose occurred_at is
  // before as_of count. No counted event: level UNSPECIFIED, score 0, trend
  // UNSPECIFIED.
  relations::v1::RelationsState StateAt(const std::string& a, const std::string& b,
                                        const std::vector<relations::v1::Event>& events,
                                        absl::Time as_of) const;

  // The bare score at `as_of` and how many events counted.
  double ScoreAt(const std::vector<relations::v1::Event>& events, absl::Time as_of,
                 int* counted = nullptr,
                 std::vector<EventContribution>* contributions = nullptr) const;

  // StateAt / ScoreAt for events already sorted by event_id (SortById), so
  // callers scoring one pair at many instants (timelines) sort once and
  // need not copy the events.
  relations::v1::RelationsState StateAtSorted(const std::string& a, const std::string& b,
                                              const std::vector<const relations::v1::Event*>& events,
                                              absl::Time as_of) const;
  double ScoreAtSorted(const std::vector<const relations::v1::Event*>& events, absl::Time as_of,
                       int* counted = nullptr,
                       std::vector<EventContribution>* contributions = nullptr) const;
  static std::vector<const relations::v1::Event*> SortedById(
      const std::vector<relations::v1::Event>& events);
  static void SortById(std::vector<const relations::v1::Event*>* events);

  relations::v1::RelationsLevel LevelFor(double score) const;

  const RelationsModelParams& params() const { return params_; }

 private:
  RelationsModelParams params_;
};

}  // namespace relmon::query

#endif  // RELMON_QUERY_SERVICE_RELATIONS_MODEL_H_
