#include "query-service/agreement_registry.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/ascii.h"
#include "query-service/keys.h"

namespace relmon::query {
namespace {

using relations::v1::AgreementKind;
using relations::v1::AgreementMention;
using relations::v1::AgreementStatus;
using relations::v1::Figure;

// How specific a kind is: a mention calling it a contract or a railway says
// more than one calling it "an agreement".
int KindSpecificity(AgreementKind k) {
  switch (k) {
    case relations::v1::AGREEMENT_KIND_INFRASTRUCTURE_PROJECT:
      return 5;
    case relations::v1::AGREEMENT_KIND_CONTRACT:
      return 4;
    case relations::v1::AGREEMENT_KIND_MEMORANDUM:
    case relations::v1::AGREEMENT_KIND_ROADMAP:
      return 3;
    case relations::v1::AGREEMENT_KIND_TREATY:
      return 2;
    case relations::v1::AGREEMENT_KIND_OTHER:
      return 1;
    default:
      return 0;
  }
}

int PrecisionRank(relations::v1::DatePrecision p) {
  switch (p) {
    case relations::v1::DATE_PRECISION_MONTH:
      return 1;
    case relations::v1::DATE_PRECISION_YEAR:
      return 2;
    default:
      return 0;
  }
}

auto MentionOrder(const AgreementMention& m) {
  return std::make_tuple(!m.has_occurred_at(), m.occurred_at().seconds(),
                         PrecisionRank(m.date_precision()), static_cast<int>(m.status()),
                         CitationOrder(m.citation()), std::string_view(m.name()));
}

// Folds a name for alias de-duplication: case, dashes and spaces.
std::string FoldName(const std::string& name) {
  std::string out;
  bool space = false;
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = name[i];
    bool sep = c == ' ' || c == '-' || c == '\t';
    // U+2010..U+2015 (hyphens and dashes) are E2 80 90..95 in UTF-8.
    if (c == 0xE2 && i + 2 < name.size() && static_cast<unsigned char>(name[i + 1]) == 0x80 &&
        static_cast<unsigned char>(name[i + 2]) >= 0x90 &&
        static_cast<unsigned char>(name[i + 2]) <= 0x95) {
      sep = true;
      i += 2;
    }
    if (sep) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(absl::ascii_tolower(c));
  }
  return out;
}

// Applies one mention to the running status; true when it changed.
bool Advance(AgreementStatus* current, AgreementStatus next) {
  if (next == relations::v1::AGREEMENT_STATUS_UNSPECIFIED) return false;
  if (IsReversal(next)) {
    if (*current == next) return false;
    *current = next;
    return true;
  }
  // After a reversal, an explicit stage means the process resumed.
  if (IsReversal(*current) || next > *current) {
    *current = next;
    return true;
  }
  return false;
}

}  // namespace

bool IsReversal(AgreementStatus s) {
  return s == relations::v1::AGREEMENT_STATUS_SUSPENDED ||
         s == relations::v1::AGREEMENT_STATUS_CANCELLED;
}

relations::v1::Agreement BuildAgreement(const std::string& canonical_key,
                                        std::vector<AgreementMention> mentions,
                                        std::vector<Figure> figures) {
  std::sort(mentions.begin(), mentions.end(),
            [](const AgreementMention& a, const AgreementMention& b) {
              return MentionOrder(a) < MentionOrder(b);
            });
  relations::v1::Agreement out;
  out.set_agreement_id(AgreementIdForKey(canonical_key));

  // Names: one spelling per folded form (the first in mention order), the
  // longest as the name.
  std::map<std::string, std::string> spelling;  // folded -> first spelling
  std::vector<std::string> names_in_order;
  std::set<std::string> parties;
  std::map<AgreementKind, int> kind_votes;
  for (const auto& m : mentions) {
    if (!m.name().empty()) {
      std::string folded = FoldName(m.name());
      if (spelling.emplace(folded, m.name()).second) names_in_order.push_back(m.name());
    }
    for (const auto& p : m.parties()) parties.insert(p);
    ++kind_votes[m.kind()];
  }
  std::string name;
  for (const auto& n : names_in_order) {
    if (name.empty() || n.size() > name.size() || (n.size() == name.size() && n < name)) name = n;
  }
  out.set_name(name.empty() ? canonical_key : name);
  for (const auto& n : names_in_order) out.add_aliases(n);
  for (const auto& p : parties) out.add_parties(p);

  AgreementKind kind = relations::v1::AGREEMENT_KIND_UNSPECIFIED;
  for (const auto& [k, votes] : kind_votes) {
    int s = KindSpecificity(k), best = KindSpecificity(kind);
    if (s > best || (s == best && votes > kind_votes[kind])) kind = k;
  }
  out.set_kind(kind);

  AgreementStatus status = relations::v1::AGREEMENT_STATUS_UNSPECIFIED;
  bool dated_status = false;
  for (const auto& m : mentions) {
    if (!m.has_occurred_at()) continue;
    if (Advance(&status, m.status())) {
      dated_status = true;
      auto* change = out.add_history();
      change->set_status(m.status());
      *change->mutable_changed_at() = m.occurred_at();
      change->set_date_precision(m.date_precision() == relations::v1::DATE_PRECISION_UNSPECIFIED
                                     ? relations::v1::DATE_PRECISION_DAY
                                     : m.date_precision());
      *change->mutable_citation() = m.citation();
    }
  }
  if (!dated_status) {
    // Undated mentions, in publication order, decide only when no dated one does.
    for (const auto& m : mentions) {
      if (!m.has_occurred_at()) Advance(&status, m.status());
    }
  }
  out.set_status(status);

  std::sort(figures.begin(), figures.end(), [](const Figure& a, const Figure& b) {
    return std::make_tuple(std::string_view(a.quantity()), CitationOrder(a.citation()),
                           std::string_view(a.figure_id())) <
           std::make_tuple(std::string_view(b.quantity()), CitationOrder(b.citation()),
                           std::string_view(b.figure_id()));
  });
  std::set<std::string> seen_figures;
  for (auto& f : figures) {
    if (seen_figures.insert(f.figure_id()).second) *out.add_figures() = std::move(f);
  }

  std::vector<relations::v1::Citation> citations;
  for (const auto& m : mentions) citations.push_back(m.citation());
  std::sort(citations.begin(), citations.end(), CitationLess);
  citations.erase(std::unique(citations.begin(), citations.end(), SameCitation), citations.end());
  for (auto& c : citations) *out.add_citations() = std::move(c);
  return out;
}

namespace {

// Drops the first size - keep entries of a repeated field (keeps the tail).
template <typename Repeated>
void KeepLast(Repeated* r, int keep) {
  int drop = r->size() - std::max(0, keep);
  if (drop > 0) r->DeleteSubrange(0, drop);
}

}  // namespace

void TrimAgreementForList(relations::v1::Agreement* agreement, const AgreementListLimits& limits) {
  agreement->set_citation_count(agreement->citations_size());
  agreement->set_history_count(agreement->history_size());
  agreement->set_figure_count(agreement->figures_size());
  KeepLast(agreement->mutable_citations(), limits.max_citations);
  KeepLast(agreement->mutable_history(), limits.max_history);
  auto* figures = agreement->mutable_figures();
  if (figures->size() > limits.max_figures) {
    figures->DeleteSubrange(std::max(0, limits.max_figures),
                            figures->size() - std::max(0, limits.max_figures));
  }
}

}  // namespace relmon::query
