#include "query-service/event_clustering.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "query-service/keys.h"

namespace relmon::query {
namespace {

using relations::v1::Citation;
using relations::v1::DatePrecision;
using relations::v1::Event;

int PrecisionRank(DatePrecision p) {
  switch (p) {
    case relations::v1::DATE_PRECISION_DAY:
      return 0;
    case relations::v1::DATE_PRECISION_MONTH:
      return 1;
    case relations::v1::DATE_PRECISION_YEAR:
      return 2;
    default:
      return 0;  // A date without a stated precision is taken as a day.
  }
}

const Citation& FirstCitation(const Event& e) {
  static const Citation* const kEmpty = new Citation();
  if (e.citations().empty()) return *kEmpty;
  return *std::min_element(e.citations().begin(), e.citations().end(), CitationLess);
}

// Total order of reports used for clustering: precision, date, then the
// report's first citation, then its bytes as a last resort.
bool ReportLess(const Event& a, const Event& b) {
  auto ka = std::make_tuple(PrecisionRank(a.date_precision()), a.occurred_at().seconds());
  auto kb = std::make_tuple(PrecisionRank(b.date_precision()), b.occurred_at().seconds());
  if (ka != kb) return ka < kb;
  const Citation& ca = FirstCitation(a);
  const Citation& cb = FirstCitation(b);
  if (CitationOrder(ca) != CitationOrder(cb)) return CitationLess(ca, cb);
  return a.SerializeAsString() < b.SerializeAsString();
}

absl::CivilDay DayOf(const Event& e) {
  return absl::ToCivilDay(ToAbslTime(e.occurred_at()), absl::UTCTimeZone());
}

struct Cluster {
  std::vector<const Event*> reports;  // reports[0] is the anchor
};

Event Merge(absl::string_view dyad_key, const Cluster& cluster, bool dated) {
  const Event& anchor = *cluster.reports[0];
  Event out;
  out.set_type(anchor.type());
  std::set<std::string> actors;
  std::set<std::string> people;
  std::set<std::string> articles;
  std::vector<Citation> citations;
  double weight_sum = 0;
  bool all_retrospective = true;
  for (const Event* r : cluster.reports) {
    for (const auto& a : r->actors()) actors.insert(a);
    for (const auto& p : r->people()) people.insert(p);
    for (const auto& c : r->citations()) {
      citations.push_back(c);
      articles.insert(c.article_id());
    }
    weight_sum += r->weight();
    all_retrospective = all_retrospective && r->retrospective();
  }
  // The dyad's own codes are always actors.
  std::string dyad(dyad_key);
  auto bar = dyad.find('|');
  if (bar != std::string::npos) {
    actors.insert(dyad.substr(0, bar));
    actors.insert(dyad.substr(bar + 1));
  }
  for (const auto& a : actors) out.add_actors(a);
  for (const auto& p : people) out.add_people(p);
  std::sort(citations.begin(), citations.end(), CitationLess);
  citations.erase(std::unique(citations.begin(), citations.end(), SameCitation), citations.end());
  // The summary and cue of the earliest report by publication.
  const Event* first_published = cluster.reports[0];
  for (const Event* r : cluster.reports) {
    if (CitationLess(FirstCitation(*r), FirstCitation(*first_published))) first_published = r;
  }
  out.set_summary(first_published->summary());
  out.set_cue(first_published->cue());
  for (auto& c : citations) *out.add_citations() = std::move(c);
  out.set_weight(weight_sum / static_cast<double>(cluster.reports.size()));
  out.set_retrospective(all_retrospective);
  out.set_report_count(static_cast<int32_t>(std::max<size_t>(1, articles.size())));
  if (dated) {
    *out.mutable_occurred_at() = anchor.occurred_at();
    out.set_date_precision(anchor.date_precision() == relations::v1::DATE_PRECISION_UNSPECIFIED
                               ? relations::v1::DATE_PRECISION_DAY
                               : anchor.date_precision());
    out.set_event_id(DatedEventId(dyad_key, anchor.type(), out));
  } else {
    const Citation& c = FirstCitation(anchor);
    out.set_date_precision(relations::v1::DATE_PRECISION_UNSPECIFIED);
    out.set_event_id(absl::StrCat(
        "ev_", StableDigest(absl::StrCat(dyad_key, "|", anchor.type(), "|undated|", c.article_id(),
                                         "|", c.begin_offset(), "|", anchor.summary()))));
  }
  return out;
}

}  // namespace

std::string DatedEventId(absl::string_view dyad_key, relations::v1::EventType type,
                         const Event& anchor) {
  return absl::StrCat("ev_", StableDigest(absl::StrCat(dyad_key, "|", type, "|",
                                                       TimeKey(anchor.occurred_at(), true), "|",
                                                       anchor.date_precision())));
}

std::string ReportYearKey(const Event& report) {
  if (!report.has_occurred_at()) return std::string(kUndatedKey);
  return absl::StrCat(
      absl::ToCivilYear(ToAbslTime(report.occurred_at()), absl::UTCTimeZone()).year());
}

std::vector<Event> ClusterReports(absl::string_view dyad_key, std::vector<Event> reports) {
  std::vector<const Event*> dated;
  std::vector<const Event*> undated;
  for (const Event& r : reports) (r.has_occurred_at() ? dated : undated).push_back(&r);
  std::sort(dated.begin(), dated.end(),
            [](const Event* a, const Event* b) { return ReportLess(*a, *b); });
  std::sort(undated.begin(), undated.end(),
            [](const Event* a, const Event* b) { return ReportLess(*a, *b); });

  // Clusters in creation order: DAY ones by date, then MONTH, then YEAR
  // (the order of `dated`). Each report joins the first cluster, in that
  // order, that its rule accepts; the maps find it without a scan.
  std::vector<Cluster> clusters;
  std::map<absl::CivilDay, size_t> day_anchor;        // DAY cluster by its first day
  std::map<absl::CivilMonth, size_t> first_in_month;  // first DAY or MONTH cluster
  std::map<absl::CivilYear, size_t> first_in_year;    // first cluster of any kind
  for (const Event* r : dated) {
    absl::CivilDay day = DayOf(*r);
    int rank = PrecisionRank(r->date_precision());
    std::optional<size_t> home;
    if (rank == 0) {
      // Within one day after the anchor, never across a new year.
      auto previous = day_anchor.find(day - 1);
      if (previous != day_anchor.end() && absl::CivilYear(day - 1) == absl::CivilYear(day)) {
        home = previous->second;
      } else if (auto same = day_anchor.find(day); same != day_anchor.end()) {
        home = same->second;
      }
    } else if (rank == 1) {
      if (auto it = first_in_month.find(absl::CivilMonth(day)); it != first_in_month.end()) {
        home = it->second;
      }
    } else if (auto it = first_in_year.find(absl::CivilYear(day)); it != first_in_year.end()) {
      home = it->second;
    }
    if (!home.has_value()) {
      home = clusters.size();
      clusters.emplace_back();
      if (rank == 0) day_anchor.emplace(day, *home);
      if (rank <= 1) first_in_month.emplace(absl::CivilMonth(day), *home);
      first_in_year.emplace(absl::CivilYear(day), *home);
    }
    clusters[*home].reports.push_back(r);
  }

  std::vector<Event> out;
  out.reserve(clusters.size() + undated.size());
  for (const Cluster& c : clusters) out.push_back(Merge(dyad_key, c, /*dated=*/true));
  for (const Event* r : undated) {
    Cluster c;
    c.reports.push_back(r);
    out.push_back(Merge(dyad_key, c, /*dated=*/false));
  }
  std::sort(out.begin(), out.end(), [](const Event& a, const Event& b) {
    return std::make_tuple(TimeKey(a.occurred_at(), a.has_occurred_at()), a.event_id()) <
           std::make_tuple(TimeKey(b.occurred_at(), b.has_occurred_at()), b.event_id());
  });
  return out;
}

}  // namespace relmon::query
