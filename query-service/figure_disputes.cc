#include "query-service/figure_disputes.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "query-service/keys.h"

namespace relmon::query {
namespace {

using relations::v1::Figure;

double Upper(const Figure& f) { return std::max(f.value(), f.upper_value()); }

bool Near(double x, double y) {
  return std::fabs(x - y) <= kSameValueTolerance * std::max(std::fabs(x), std::fabs(y));
}

// Ranges [lo, hi] that overlap, or whose facing ends are within tolerance.
bool RangesMeet(double lo1, double hi1, double lo2, double hi2) {
  if (lo1 <= hi2 && lo2 <= hi1) return true;
  return Near(hi1, lo2) || Near(hi2, lo1);
}

std::string SourceOf(const Figure& f) {
  if (!f.citation().source().empty()) return f.citation().source();
  return absl::StrCat("article:", f.citation().article_id());
}

}  // namespace

bool SameValue(const Figure& a, const Figure& b) {
  return RangesMeet(a.value(), Upper(a), b.value(), Upper(b));
}

std::optional<relations::v1::DisputedFigure> BuildDispute(std::vector<Figure> figures) {
  if (figures.size() < 2) return std::nullopt;
  std::sort(figures.begin(), figures.end(), [](const Figure& a, const Figure& b) {
    return std::make_tuple(a.value(), Upper(a), CitationOrder(a.citation()), std::string_view(a.figure_id())) <
           std::make_tuple(b.value(), Upper(b), CitationOrder(b.citation()), std::string_view(b.figure_id()));
  });
  // Groups around the smallest value of each group.
  std::vector<std::vector<const Figure*>> groups;
  for (const Figure& f : figures) {
    if (groups.empty() || !SameValue(*groups.back()[0], f)) groups.emplace_back();
    groups.back().push_back(&f);
  }
  if (groups.size() < 2) return std::nullopt;

  relations::v1::DisputedFigure out;
  const Figure& first = figures.front();
  out.set_quantity(first.quantity());
  out.set_unit(first.unit());
  out.set_subject_key(first.subject_key());
  std::set<std::string> parties;
  std::map<std::string, int> subject_votes;
  double min_value = first.value(), max_value = Upper(first);
  for (const auto& group : groups) {
    // One claim per source within the group: the earliest report.
    std::map<std::string, const Figure*> by_source;
    for (const Figure* f : group) {
      auto [it, inserted] = by_source.emplace(SourceOf(*f), f);
      if (!inserted && CitationLess(f->citation(), it->second->citation())) it->second = f;
    }
    std::vector<const Figure*> claims;
    for (const auto& [source, f] : by_source) claims.push_back(f);
    std::sort(claims.begin(), claims.end(), [](const Figure* a, const Figure* b) {
      return std::make_tuple(a->value(), CitationOrder(a->citation()), std::string_view(a->figure_id())) <
             std::make_tuple(b->value(), CitationOrder(b->citation()), std::string_view(b->figure_id()));
    });
    for (const Figure* f : claims) *out.add_claims() = *f;
  }
  for (const Figure& f : figures) {
    for (const auto& p : f.parties()) parties.insert(p);
    ++subject_votes[f.subject()];
    min_value = std::min(min_value, f.value());
    max_value = std::max(max_value, Upper(f));
  }
  std::string subject;
  int best = -1;
  for (const auto& [s, votes] : subject_votes) {
    if (!s.empty() && votes > best) {
      subject = s;
      best = votes;
    }
  }
  out.set_subject(subject);
  for (const auto& p : parties) out.add_parties(p);
  out.set_min_value(min_value);
  out.set_max_value(max_value);
  return out;
}

}  // namespace relmon::query
