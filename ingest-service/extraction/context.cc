// Hedges, retrospective markers and dating of facts.
#include "ingest-service/extraction/context.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ingest-service/extraction/data_files.h"

namespace relmon::extraction {

absl::StatusOr<std::unique_ptr<ModalityTables>> ModalityTables::Create(
    const std::string& resources_dir) {
  std::unique_ptr<ModalityTables> t(new ModalityTables());
  auto rows = ReadDataFile(resources_dir, "hedges.tsv", 3);
  if (!rows.ok()) return rows.status();
  for (const DataRow& row : *rows) {
    const std::string& kind = row.at(0);
    if (kind == "present") {
      auto added = t->present_.Add(row.at(1));
      if (!added.ok()) return added.status();
      continue;
    }
    HedgeKind hk = HedgeKind::kNone;
    int months = -2;
    if (kind == "negation") hk = HedgeKind::kNegation;
    else if (kind == "hedge") hk = HedgeKind::kHedge;
    else if (kind == "future") hk = HedgeKind::kFuture;
    else if (kind == "conditional") hk = HedgeKind::kConditional;
    else if (kind == "retro") {
      months = -1;
      if (!row.at(2).empty() && !absl::SimpleAtoi(row.at(2), &months)) {
        return absl::InvalidArgumentError(
            absl::StrCat("hedges.tsv:", row.line, ": bad months_back ", row.at(2)));
      }
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("hedges.tsv:", row.line, ": unknown kind ", kind));
    }
    auto added = t->patterns_.Add(row.at(1));
    if (!added.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("hedges.tsv:", row.line, ": ", added.status().message()));
    }
    t->kinds_.push_back(hk);
    t->months_back_.push_back(months);
  }
  return t;
}

void ModalityTables::Annotate(SentenceContext* s) const {
  std::vector<PatternMatch> matches;
  patterns_.FindAll(s->tokens, &matches);
  s->hedges.clear();
  s->retro.clear();
  for (const PatternMatch& m : matches) {
    if (months_back_[m.pattern] != -2) {
      s->retro.push_back(RetroRef{m.first, m.last, months_back_[m.pattern]});
    } else {
      s->hedges.push_back(HedgeRef{kinds_[m.pattern], m.first, m.last});
    }
  }
  // Whether there is any match: the scan may stop at the first.
  present_.FindAll(s->tokens, &matches, /*limit=*/1);
  s->present_tense = !matches.empty();
}

HedgeKind HedgeFor(const SentenceContext& s, int first, int last) {
  HedgeKind best = HedgeKind::kNone;
  int best_distance = 1 << 20;
  for (const HedgeRef& h : s.hedges) {
    int distance;
    if (h.last < first) {
      distance = first - h.last;
      if (distance > 7) continue;
      bool broken = false;
      for (int k = h.last + 1; k < first; ++k) {
        // string_view compares inline (std::string == literal calls compare()).
        const absl::string_view w = s.tokens[k].lower;
        if (w == ";" || w == ":" || (h.kind == HedgeKind::kNegation && w == ",")) broken = true;
      }
      if (broken) continue;
    } else if (h.first <= last) {
      distance = 0;  // overlaps the cue ("did not sign" matched as a whole)
    } else {
      continue;
    }
    if (distance < best_distance) {
      best_distance = distance;
      best = h.kind;
    }
  }
  return best;
}

FactDate DateFor(const SentenceContext& s, const ArticleContext& a, int first, int last) {
  FactDate out;
  const TimeRef* best = nullptr;
  int best_score = 1 << 20;
  for (const TimeRef& t : s.times) {
    if (!t.expr.resolved || t.expr.future) continue;
    if (t.expr.kind == TimeKind::kVague || t.expr.kind == TimeKind::kWithin) continue;
    int distance = t.last < first ? first - t.last : (t.first > last ? t.first - last : 0);
    // Prefer the time of the cue's own clause: a time after a reporting
    // verb dates the report (used only when nothing else dates the fact);
    // a later time inside a relative clause ("a standoff that began in
    // 2020") or right after another participle ("a pact signed in 2001")
    // dates something else and is skipped; commas between weigh a little.
    int score = distance + (t.after_reporting ? 300 : 0);
    bool other_clause = false;
    if (t.first > last + 1) {
      for (int k = std::max(last + 1, t.first - 2); k < t.first && !t.after_reporting; ++k) {
        const absl::string_view before = s.tokens[k].lower;
        if (before.size() > 3 && before.substr(before.size() - 2) == "ed") other_clause = true;
      }
      for (int k = last + 1; k < t.first; ++k) {
        const absl::string_view w = s.tokens[k].lower;
        if (w == "that" || w == "which" || w == "who" || w == "whom" || w == "whose" ||
            w == "where") {
          other_clause = true;
        }
      }
    }
    if (other_clause) continue;
    const int from = std::min(t.last, last), to = std::max(t.first, first);
    for (int k = from + 1; k < to; ++k) {
      if (absl::string_view(s.tokens[k].lower) == ",") score += 20;
    }
    if (score < best_score) {
      best_score = score;
      best = &t;
    }
  }
  if (best != nullptr) {
    out.day = best->expr.start;
    out.precision = best->expr.precision;
    if (best->expr.kind == TimeKind::kSince) out.retrospective = true;
    if (a.day.has_value() && *a.day - best->expr.last > 45) out.retrospective = true;
    return out;
  }
  for (const RetroRef& r : s.retro) {
    out.retrospective = true;
    if (r.months_back >= 0 && a.day.has_value()) {
      absl::CivilMonth month(*a.day);
      month -= r.months_back;
      out.day = absl::CivilDay(month);
      out.precision = DatePrecision::kMonth;
    }
    return out;
  }
  if (a.day.has_value() && (s.is_title || s.body_index < 3 || s.present_tense)) {
    out.day = *a.day;
    out.precision = DatePrecision::kDay;
    return out;
  }
  out.retrospective = true;
  return out;
}

}  // namespace relmon::extraction
