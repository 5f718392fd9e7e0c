// Events of a sentence: typed by cue phrases (data/event_cues.tsv), weighted
// on a Goldstein-like scale (data/event_weights.tsv), placed on a dyad and
// dated; hedged, negated, future and conditional statements are not events
// (a cooperative one becomes a weaker statement of intent).
#ifndef RELMON_INGEST_EXTRACTION_EVENTS_H_
#define RELMON_INGEST_EXTRACTION_EVENTS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "ingest-service/extraction/context.h"
#include "relations/v1/facts.pb.h"

namespace relmon::extraction {

struct EventFact {
  relations::v1::EventType type = relations::v1::EVENT_TYPE_UNSPECIFIED;
  double weight = 0;
  std::string cue;                  // the cue as written in the sentence
  std::vector<std::string> dyad;    // two sorted codes
  FactDate date;
  std::vector<std::string> people;  // named office holders of the sentence
  int cue_first = 0;
  int cue_last = 0;
};

// Picks the two countries a cue at tokens [first, last] is between (sorted),
// or an empty vector. `allow_fallback`: with one explicit side, use the
// article's main dyad when it contains that side (bilateral cues only).
std::vector<std::string> DyadFor(const SentenceContext& s, const ArticleContext& a, int first,
                                 int last, bool bilateral, bool use_places);

class EventFinder {
 public:
  static absl::StatusOr<std::unique_ptr<EventFinder>> Create(const std::string& resources_dir);
  // Appends the events of one sentence (one per type and dyad).
  void Find(const SentenceContext& s, const ArticleContext& a, std::vector<EventFact>* out) const;

 private:
  struct Cue {
    relations::v1::EventType type;
    double weight;
    bool bilateral = false;  // implies two sides (meeting, clash, ties)
    bool visit = false;      // the place visited is the other side
  };
  EventFinder() = default;
  PatternSet patterns_;
  std::vector<Cue> cues_;
  double intent_weight_ = 3.0;
};

}  // namespace relmon::extraction

#endif  // RELMON_INGEST_EXTRACTION_EVENTS_H_
