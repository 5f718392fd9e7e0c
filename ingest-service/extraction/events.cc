// Event finding over one sentence.
#include "ingest-service/extraction/events.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ingest-service/extraction/data_files.h"

namespace relmon::extraction {
namespace {

using relations::v1::EventType;

int Distance(const ActorMention& m, int first, int last) {
  if (m.last < first) return first - m.last;
  if (m.first > last) return m.first - last;
  return 0;
}

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::vector<std::string> Pair(std::string a, std::string b) {
  if (b < a) std::swap(a, b);
  return {std::move(a), std::move(b)};
}

}  // namespace

std::vector<std::string> DyadFor(const SentenceContext& s, const ArticleContext& a, int first,
                                 int last, bool bilateral, bool use_places) {
  const int n = static_cast<int>(s.tokens.size());
  // "between X and Y" right after the cue.
  for (int k = last + 1; k < n && k <= last + 4; ++k) {
    if (absl::string_view(s.tokens[k].lower) != "between") continue;
    std::vector<std::string> sides;
    for (const ActorMention& m : s.actors) {
      if (m.first <= k || m.first > k + 10) continue;
      if (!Contains(sides, m.code)) sides.push_back(m.code);
      if (sides.size() == 2) return Pair(sides[0], sides[1]);
    }
  }
  // Distinct sides, nearest first.
  std::vector<std::pair<int, std::string>> sides;
  std::vector<std::pair<int, std::string>> places;
  for (const ActorMention& m : s.actors) {
    if (m.is_agent_by) continue;
    auto& list = m.is_place ? places : sides;
    int d = Distance(m, first, last);
    bool found = false;
    for (auto& [dist, code] : list) {
      if (code == m.code) {
        dist = std::min(dist, d);
        found = true;
      }
    }
    if (!found) list.emplace_back(d, m.code);
  }
  std::sort(sides.begin(), sides.end());
  std::sort(places.begin(), places.end());
  const bool has_main = a.main_dyad.size() == 2;
  if (sides.size() >= 2) {
    if (has_main) {
      bool both = false, one = false;
      for (auto& [d, code] : sides) {
        if (code == a.main_dyad[0]) one = true;
        if (code == a.main_dyad[1]) both = true;
      }
      if (one && both) return a.main_dyad;
    }
    return Pair(sides[0].second, sides[1].second);
  }
  if (sides.size() == 1) {
    const std::string& x = sides[0].second;
    if (use_places) {
      for (auto& [d, code] : places) {
        if (code != x) return Pair(x, code);
      }
    }
    if ((bilateral || s.bilateral_reference) && has_main && Contains(a.main_dyad, x)) {
      return a.main_dyad;
    }
    return {};
  }
  if (bilateral && s.bilateral_reference && has_main) return a.main_dyad;
  return {};
}

absl::StatusOr<std::unique_ptr<EventFinder>> EventFinder::Create(
    const std::string& resources_dir) {
  std::unique_ptr<EventFinder> f(new EventFinder());
  auto weights = ReadDataFile(resources_dir, "event_weights.tsv", 2);
  if (!weights.ok()) return weights.status();
  absl::flat_hash_map<std::string, double> by_type;
  for (const DataRow& row : *weights) {
    double w;
    if (!absl::SimpleAtod(row.at(1), &w) || w < -10 || w > 10) {
      return absl::InvalidArgumentError(
          absl::StrCat("event_weights.tsv:", row.line, ": bad weight ", row.at(1)));
    }
    by_type[row.at(0)] = w;
  }
  if (auto it = by_type.find("INTENT"); it != by_type.end()) f->intent_weight_ = it->second;
  auto cues = ReadDataFile(resources_dir, "event_cues.tsv", 4);
  if (!cues.ok()) return cues.status();
  for (const DataRow& row : *cues) {
    EventType type;
    if (!relations::v1::EventType_Parse(absl::StrCat("EVENT_TYPE_", row.at(0)), &type)) {
      return absl::InvalidArgumentError(
          absl::StrCat("event_cues.tsv:", row.line, ": unknown event type ", row.at(0)));
    }
    Cue cue;
    cue.type = type;
    auto it = by_type.find(row.at(0));
    if (it == by_type.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("event_cues.tsv:", row.line, ": no weight for ", row.at(0)));
    }
    cue.weight = it->second;
    if (!row.at(2).empty() && !absl::SimpleAtod(row.at(2), &cue.weight)) {
      return absl::InvalidArgumentError(
          absl::StrCat("event_cues.tsv:", row.line, ": bad weight ", row.at(2)));
    }
    for (absl::string_view flag : absl::StrSplit(row.at(3), ',', absl::SkipEmpty())) {
      if (flag == "bilateral") cue.bilateral = true;
      else if (flag == "visit" || flag == "place_side") cue.visit = true;
    }
    auto added = f->patterns_.Add(row.at(1));
    if (!added.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("event_cues.tsv:", row.line, ": ", added.status().message()));
    }
    f->cues_.push_back(cue);
  }
  return f;
}

void EventFinder::Find(const SentenceContext& s, const ArticleContext& a,
                       std::vector<EventFact>* out) const {
  std::vector<PatternMatch> matches;
  patterns_.FindAll(s.tokens, &matches);
  if (matches.empty()) return;
  // A match inside a longer match is the longer cue's part ("left behind ...
  // tension" is not a tension).
  std::vector<bool> keep(matches.size(), true);
  for (size_t i = 0; i < matches.size(); ++i) {
    for (size_t j = 0; j < matches.size(); ++j) {
      if (i == j) continue;
      const PatternMatch& x = matches[i];
      const PatternMatch& y = matches[j];
      int lx = x.last - x.first, ly = y.last - y.first;
      if (y.first <= x.first && x.last <= y.last && (ly > lx || (ly == lx && j < i))) {
        keep[i] = false;
      }
    }
  }
  std::vector<std::string> people;
  for (const ActorMention& m : s.actors) {
    if (m.kind == ActorMentionKind::kPerson && !Contains(people, m.person)) people.push_back(m.person);
  }
  const size_t start = out->size();
  for (size_t i = 0; i < matches.size(); ++i) {
    if (!keep[i]) continue;
    const PatternMatch& m = matches[i];
    const Cue& cue = cues_[m.pattern];
    EventFact fact;
    fact.type = cue.type;
    fact.weight = cue.weight;
    HedgeKind hedge = HedgeFor(s, m.first, m.last);
    if (hedge == HedgeKind::kNegation || hedge == HedgeKind::kConditional) continue;
    // "previously agreed projects": a background modifier of a noun.
    bool background_modifier = false;
    for (const RetroRef& r : s.retro) {
      if (r.last == m.first - 1) background_modifier = true;
    }
    if (background_modifier) continue;
    // A future time after the cue ("agreed on the opening ... in the near
    // future") makes it an intention, unless a nearer time dates the cue.
    bool future_time = false;
    int nearest = 1 << 20;
    for (const TimeRef& t : s.times) {
      int d = t.last < m.first ? m.first - t.last : (t.first > m.last ? t.first - m.last : 0);
      if (d >= nearest) continue;
      nearest = d;
      future_time = t.expr.future && t.first > m.last && d <= 15;
    }
    if (hedge == HedgeKind::kHedge || hedge == HedgeKind::kFuture || future_time) {
      if (cue.weight <= 0) continue;
      fact.type = relations::v1::EVENT_TYPE_STATEMENT_POSITIVE;
      fact.weight = std::min(cue.weight, intent_weight_);
    }
    fact.dyad = DyadFor(s, a, m.first, m.last, cue.bilateral, cue.visit);
    if (fact.dyad.size() != 2 || fact.dyad[0] == fact.dyad[1]) continue;
    bool duplicate = false;
    for (size_t k = start; k < out->size(); ++k) {
      if ((*out)[k].type == fact.type && (*out)[k].dyad == fact.dyad) duplicate = true;
    }
    if (duplicate) continue;
    fact.cue = std::string(s.text.substr(s.tokens[m.first].begin,
                                         s.tokens[m.last].end - s.tokens[m.first].begin));
    fact.cue_first = m.first;
    fact.cue_last = m.last;
    fact.date = DateFor(s, a, m.first, m.last);
    // A definite noun phrase ("the armed attack on the embassy", "that
    // visit") points back to an event told before; without a time of its
    // own nearby it is background, not news of the day.
    bool definite = false;
    for (int k = std::max(0, m.first - 3); k < m.first; ++k) {
      const absl::string_view w = s.tokens[k].lower;
      if (w == "the" || w == "that" || w == "this" || w == "these" || w == "those") definite = true;
      if (s.tokens[k].possessive) definite = false;  // "Mustafayev's visit"
    }
    if (definite) {
      bool near_time = false;
      for (const TimeRef& t : s.times) {
        int d = t.last < m.first ? m.first - t.last : (t.first > m.last ? t.first - m.last : 0);
        if (t.expr.resolved && d <= 8) near_time = true;
      }
      if (!near_time) {
        fact.date = FactDate();
        fact.date.retrospective = true;
      }
    }
    fact.people = people;
    out->push_back(std::move(fact));
  }
}

}  // namespace relmon::extraction
