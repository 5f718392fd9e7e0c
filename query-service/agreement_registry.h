// Agreement registry: builds one Agreement from every mention of one
// canonical key and the figures that describe it.
//
// The record is a function of the set of mentions (sorted by date, then
// citation), never of arrival order: status is the latest by event date,
// a later mention of an earlier stage never moves it back (only an explicit
// SUSPENDED or CANCELLED does), undated mentions are cited but kept out of
// the history and set the status only when no dated mention does.
#ifndef RELMON_QUERY_SERVICE_AGREEMENT_REGISTRY_H_
#define RELMON_QUERY_SERVICE_AGREEMENT_REGISTRY_H_

#include <string>
#include <vector>

#include "relations/v1/facts.pb.h"
#include "relations/v1/log.pb.h"

namespace relmon::query {

// `mentions`: every mention with this canonical key (any order, at least
// one). `figures`: the figures linked to it (via figure_ids or agreement_id).
relations::v1::Agreement BuildAgreement(const std::string& canonical_key,
                                        std::vector<relations::v1::AgreementMention> mentions,
                                        std::vector<relations::v1::Figure> figures);

// How much of an agreement a list answer (and the stored list record)
// inlines; GetAgreement rebuilds the whole record from the mentions.
struct AgreementListLimits {
  int max_citations = 5;   // the newest by publication
  int max_history = 10;    // the newest changes (still oldest first)
  int max_figures = 5;     // the first in figure order
};

// Sets citation_count / history_count / figure_count to the full sizes and
// keeps at most the limits' numbers of each (a function of the record, so
// the stored list record stays a function of the set of articles).
void TrimAgreementForList(relations::v1::Agreement* agreement,
                          const AgreementListLimits& limits = {});

// Stage order of statuses; reversals (SUSPENDED, CANCELLED) are not stages.
bool IsReversal(relations::v1::AgreementStatus s);

}  // namespace relmon::query

#endif  // RELMON_QUERY_SERVICE_AGREEMENT_REGISTRY_H_
