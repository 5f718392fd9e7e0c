#include "query-service/relations_model.h"

#include <algorithm>
#include <cmath>

#include "query-service/keys.h"

namespace relmon::query {
namespace {

using relations::v1::Event;

bool IsCharacterisation(relations::v1::EventType t) {
  return t == relations::v1::EVENT_TYPE_STATEMENT_POSITIVE ||
         t == relations::v1::EVENT_TYPE_STATEMENT_NEGATIVE || t == relations::v1::EVENT_TYPE_OTHER;
}

double Round2(double v) { return std::round(v * 100.0) / 100.0; }

}  // namespace

double RelationsModel::ScoreAt(const std::vector<Event>& events, absl::Time as_of, int* counted,
                               std::vector<EventContribution>* contributions) const {
  return ScoreAtSorted(SortedById(events), as_of, counted, contributions);
}

std::vector<const Event*> RelationsModel::SortedById(const std::vector<Event>& events) {
  std::vector<const Event*> sorted;
  sorted.reserve(events.size());
  for (const Event& e : events) sorted.push_back(&e);
  SortById(&sorted);
  return sorted;
}

void RelationsModel::SortById(std::vector<const Event*>* events) {
  std::sort(events->begin(), events->end(),
            [](const Event* x, const Event* y) { return x->event_id() < y->event_id(); });
}

double RelationsModel::ScoreAtSorted(const std::vector<const Event*>& sorted, absl::Time as_of,
                                     int* counted,
                                     std::vector<EventContribution>* contributions) const {
  // Sum in a fixed order (by event_id) so the score is bit-identical
  // whatever order the events were stored in.
  double numerator = 0;
  double mass = 0;
  int n = 0;
  const double half_life_days = absl::ToDoubleHours(params_.half_life) / 24.0;
  for (const Event* e : sorted) {
    if (!e->has_occurred_at()) continue;
    absl::Time at = ToAbslTime(e->occurred_at());
    if (at >= as_of) continue;
    double age_days = absl::ToDoubleHours(as_of - at) / 24.0;
    double decay = std::exp2(-age_days / half_life_days);
    double factor = (e->retrospective() && IsCharacterisation(e->type()))
                        ? params_.retrospective_statement_factor
                        : 1.0;
    double w = std::clamp(e->weight(), -10.0, 10.0);
    numerator += w * factor * decay;
    mass += factor * decay;
    ++n;
    if (contributions != nullptr) {
      contributions->push_back({e, decay, factor, w * factor * decay});
    }
  }
  if (counted != nullptr) *counted = n;
  if (n == 0) return 0;
  return std::clamp(numerator / (mass + params_.prior_strength), -10.0, 10.0);
}

relations::v1::RelationsLevel RelationsModel::LevelFor(double score) const {
  if (score <= params_.hostile_max) return relations::v1::RELATIONS_LEVEL_HOSTILE;
  if (score <= params_.tense_max) return relations::v1::RELATIONS_LEVEL_TENSE;
  if (score < params_.cooperative_min) return relations::v1::RELATIONS_LEVEL_NEUTRAL;
  if (score < params_.close_min) return relations::v1::RELATIONS_LEVEL_COOPERATIVE;
  return relations::v1::RELATIONS_LEVEL_CLOSE;
}

relations::v1::RelationsState RelationsModel::StateAt(const std::string& a, const std::string& b,
                                                      const std::vector<Event>& events,
                                                      absl::Time as_of) const {
  return StateAtSorted(a, b, SortedById(events), as_of);
}

relations::v1::RelationsState RelationsModel::StateAtSorted(
    const std::string& a, const std::string& b, const std::vector<const Event*>& events,
    absl::Time as_of) const {
  relations::v1::RelationsState state;
  state.set_country_a(std::min(a, b));
  state.set_country_b(std::max(a, b));
  *state.mutable_as_of() = ToProtoTime(as_of);
  int counted = 0;
  std::vector<EventContribution> contributions;
  double score = ScoreAtSorted(events, as_of, &counted, &contributions);
  state.set_event_count(counted);
  if (counted == 0) {
    state.set_level(relations::v1::RELATIONS_LEVEL_UNSPECIFIED);
    state.set_trend(relations::v1::TREND_UNSPECIFIED);
    state.set_score(0);
    return state;
  }
  score = Round2(score);
  state.set_score(score);
  state.set_level(LevelFor(score));
  double before = Round2(ScoreAtSorted(events, as_of - params_.trend_window));
  double change = score - before;
  if (change >= params_.trend_threshold) {
    state.set_trend(relations::v1::TREND_IMPROVING);
  } else if (change <= -params_.trend_threshold) {
    state.set_trend(relations::v1::TREND_DETERIORATING);
  } else {
    state.set_trend(relations::v1::TREND_STABLE);
  }
  std::sort(contributions.begin(), contributions.end(),
            [](const EventContribution& x, const EventContribution& y) {
              double ax = std::fabs(x.contribution), ay = std::fabs(y.contribution);
              if (ax != ay) return ax > ay;
              if (x.event->occurred_at().seconds() != y.event->occurred_at().seconds()) {
                return x.event->occurred_at().seconds() > y.event->occurred_at().seconds();
              }
              return x.event->event_id() < y.event->event_id();
            });
  for (int i = 0; i < static_cast<int>(contributions.size()) && i < params_.max_evidence; ++i) {
    *state.add_evidence() = *contributions[i].event;
  }
  return state;
}

}  // namespace relmon::query
