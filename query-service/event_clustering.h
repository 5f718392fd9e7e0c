// Event clustering: turns the reports of one dyad and event type (one Event
// per article, as extracted) into real-world events, each counted once with
// every report kept as a citation.
//
// Two reports are the same event when they share dyad and type and their
// dates agree within their precision: DAY reports within one day of the
// cluster's first day (in the same year); a MONTH report joins the first DAY cluster of that
// month (else the other MONTH reports of the month); a YEAR report joins the
// first DAY or MONTH cluster of that year (else the year's YEAR cluster).
// Undated reports stay separate events (nothing says two are the same).
// Clusters never span a calendar year, so the views recompute one year of
// one pair and type at a time.
// The result is a function of the set of reports: any arrival order gives
// the same events, ids and bytes.
#ifndef RELMON_QUERY_SERVICE_EVENT_CLUSTERING_H_
#define RELMON_QUERY_SERVICE_EVENT_CLUSTERING_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "relations/v1/facts.pb.h"

namespace relmon::query {

// `reports`: every report of one dyad and one type (any order). Returns the
// merged events ordered by (date, undated last; event_id). Each carries the
// dyad's two codes plus any further actors, the mean report weight, every
// citation (sorted), report_count = distinct articles, retrospective only
// when every report is, and event_id = digest(dyad, type, date, precision).
std::vector<relations::v1::Event> ClusterReports(absl::string_view dyad_key,
                                                 std::vector<relations::v1::Event> reports);

// The clustering partition of a report: "2023" for a dated one, "~" undated.
std::string ReportYearKey(const relations::v1::Event& report);

// The id of a clustered dated event.
std::string DatedEventId(absl::string_view dyad_key, relations::v1::EventType type,
                         const relations::v1::Event& anchor);

}  // namespace relmon::query

#endif  // RELMON_QUERY_SERVICE_EVENT_CLUSTERING_H_
