// Figure disputes: decides whether the claims of one quantity of one
// subject (one subject_key, one unit) disagree, and lists the claims.
//
// Two claims are the same value when their ranges [value, upper_value] come
// within 2 % of each other; values are grouped around the smallest one of
// each group. More than one group is a dispute. Claims keep one figure per
// value group and source (the earliest report). Figures without a
// subject_key are never compared.
#ifndef RELMON_QUERY_SERVICE_FIGURE_DISPUTES_H_
#define RELMON_QUERY_SERVICE_FIGURE_DISPUTES_H_

#include <optional>
#include <vector>

#include "relations/v1/facts.pb.h"

namespace relmon::query {

inline constexpr double kSameValueTolerance = 0.02;

// True when the two figures report the same value within the tolerance.
bool SameValue(const relations::v1::Figure& a, const relations::v1::Figure& b);

// `figures`: every claim of one (subject_key, quantity, unit), any order.
// nullopt when they agree (or there are fewer than two).
std::optional<relations::v1::DisputedFigure> BuildDispute(
    std::vector<relations::v1::Figure> figures);

}  // namespace relmon::query

#endif  // RELMON_QUERY_SERVICE_FIGURE_DISPUTES_H_
