// Figure attribution (see figure_attribution.h).
#include "ingest-service/extraction/figure_attribution.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ingest-service/extraction/data_files.h"

namespace relmon::extraction {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string PeriodOf(const FactDate& d, const ArticleContext& a) {
  if (d.day.has_value()) {
    if (d.precision == DatePrecision::kDay || d.precision == DatePrecision::kMonth) {
      return absl::StrFormat("%04d-%02d", d.day->year(), d.day->month());
    }
    return absl::StrFormat("%04d", d.day->year());
  }
  if (a.day.has_value()) return absl::StrFormat("%04d", a.day->year());
  return "undated";
}

std::string EventTypeSlug(relations::v1::EventType type) {
  std::string name = relations::v1::EventType_Name(type);
  if (name.rfind("EVENT_TYPE_", 0) == 0) name = name.substr(11);
  return absl::AsciiStrToLower(name);
}

}  // namespace

absl::StatusOr<std::unique_ptr<FigureAttributor>> FigureAttributor::Create(
    const std::string& resources_dir, const CountryGazetteer* gazetteer) {
  std::unique_ptr<FigureAttributor> f(new FigureAttributor());
  f->gazetteer_ = gazetteer;
  auto borders = ReadDataFile(resources_dir, "named_borders.tsv", 3);
  if (!borders.ok()) return borders.status();
  for (const DataRow& row : *borders) {
    NamedBorder b;
    b.words = PhraseWords(row.at(0));
    b.acronym = absl::AsciiStrToUpper(row.at(0)) == row.at(0);
    b.a = row.at(1);
    b.b = row.at(2);
    if (b.b < b.a) std::swap(b.a, b.b);
    f->borders_.push_back(std::move(b));
  }
  auto subjects = ReadDataFile(resources_dir, "figure_subjects.tsv", 2);
  if (!subjects.ok()) return subjects.status();
  for (const DataRow& row : *subjects) {
    const std::string word = absl::AsciiStrToLower(row.at(1));
    if (row.at(0) == "border_head") f->border_heads_.insert(word);
    else if (row.at(0) == "incident") f->incident_.insert(word);
    else if (row.at(0) == "periodic") f->periodic_.insert(word);
    else if (row.at(0) == "project") f->project_.insert(word);
    else {
      return absl::InvalidArgumentError(
          absl::StrCat("figure_subjects.tsv:", row.line, ": unknown class ", row.at(0)));
    }
  }
  return f;
}

std::string FigureAttributor::PairName(const std::vector<std::string>& parties) const {
  std::vector<std::string> names;
  for (const std::string& code : parties) {
    std::string name = gazetteer_->ShortName(code);
    names.push_back(name.empty() ? code : name);
  }
  return absl::StrJoin(names, "\xE2\x80\x93");  // en dash
}

bool FigureAttributor::Attribute(const FigureMention& m, const SentenceContext& s,
                                 const ArticleContext& a, int sentence_index,
                                 const std::vector<AgreementFact>& agreements,
                                 const std::vector<EventFact>& events,
                                 relations::v1::Figure* figure, int* agreement_index) const {
  *agreement_index = -1;
  if (m.negated) return false;
  std::string quantity = m.quantity;
  if (quantity.empty()) {
    if (m.unit == "m") quantity = "length";
    else if (m.unit == "kg") quantity = "mass";
    else if (m.unit == "s") quantity = "duration";
    else if (m.unit == "%") quantity = "share";
    else if (m.unit.size() == 3 && absl::ascii_isupper(m.unit[0])) quantity = "amount";
    else return false;
  }
  // Token range of the figure.
  int fig_first = 0, fig_last = 0;
  for (size_t k = 0; k < s.tokens.size(); ++k) {
    if (s.tokens[k].begin < m.span.begin) fig_first = static_cast<int>(k) + 1;
    if (s.tokens[k].begin < m.span.end) fig_last = static_cast<int>(k);
  }
  fig_first = std::min(fig_first, fig_last);
  const std::string head = absl::AsciiStrToLower(m.head_phrase);
  // Named borders in the sentence.
  const NamedBorder* named = nullptr;
  bool named_before_figure = false;
  for (const NamedBorder& b : borders_) {
    for (size_t k = 0; k + b.words.size() <= s.tokens.size() && named == nullptr; ++k) {
      if (!s.tokens[k].capitalized || (b.acronym && !s.tokens[k].all_upper)) continue;
      bool ok = true;
      for (size_t j = 0; j < b.words.size() && ok; ++j) ok = s.tokens[k + j].lower == b.words[j];
      if (ok) {
        named = &b;
        named_before_figure = static_cast<int>(k) < fig_first;
      }
    }
  }
  bool border = quantity == "border_length";
  for (absl::string_view w : absl::StrSplit(head, ' ', absl::SkipEmpty())) {
    if (border_heads_.contains(std::string(w))) border = true;
  }
  // "the Line of Control runs for about 740 kilometres": a length given
  // after a named line is its length ("2 km from the Line of Control",
  // with the figure first, is not).
  if (named != nullptr && m.unit == "m" &&
      (border || (named_before_figure && (quantity == "length" || quantity == "distance")))) {
    border = true;
  }
  if (border && m.unit != "m") border = false;
  // Sides of the sentence, nearest to the figure first.
  std::vector<std::pair<int, std::string>> sides;
  for (const ActorMention& am : s.actors) {
    if (am.is_agent_by) continue;
    int d = am.last < fig_first ? fig_first - am.last : (am.first > fig_last ? am.first - fig_last : 0);
    if (am.is_place) d += 50;
    bool found = false;
    for (auto& [dist, code] : sides) {
      if (code == am.code) {
        dist = std::min(dist, d);
        found = true;
      }
    }
    if (!found) sides.emplace_back(d, am.code);
  }
  std::sort(sides.begin(), sides.end());
  std::vector<std::string> parties;
  for (auto& [d, code] : sides) {
    if (parties.size() < 2) parties.push_back(code);
  }
  if (parties.size() < 2 && a.main_dyad.size() == 2 &&
      (parties.empty() || Contains(a.main_dyad, parties[0]))) {
    parties = a.main_dyad;
  }
  std::sort(parties.begin(), parties.end());
  const FactDate date = DateFor(s, a, fig_first, fig_last);
  std::string subject, key;
  if (border) {
    quantity = "border_length";
    if (named != nullptr) parties = {named->a, named->b};
    if (parties.size() != 2) return false;
    subject = absl::StrCat(PairName(parties), " border");
    key = absl::StrCat("border:", absl::StrJoin(parties, "-"));
  } else {
    // An agreement or project of this sentence, or of the previous one when
    // the figure refers back ("its reserves", "the railway").
    int best = -1;
    int best_distance = 1 << 20;
    for (size_t k = 0; k < agreements.size(); ++k) {
      const AgreementFact& g = agreements[k];
      int distance;
      if (g.sentence == sentence_index) {
        distance = std::abs(g.name_last - fig_last);
      } else if (g.sentence == sentence_index - 1) {
        bool refers = head.find(g.head_key) != std::string::npos || head.empty() ||
                      absl::StrContains(s.text.substr(0, m.span.begin), "its ");
        if (!refers) continue;
        distance = 1000;
      } else {
        continue;
      }
      if (distance < best_distance) {
        best_distance = distance;
        best = static_cast<int>(k);
      }
    }
    const bool is_project_quantity = project_.contains(quantity);
    if (best >= 0 && is_project_quantity && !incident_.contains(quantity)) {
      const AgreementFact& g = agreements[best];
      *agreement_index = best;
      subject = g.name;
      key = g.canonical_key;
      parties = g.parties;
      figure->set_agreement_id(g.canonical_key);
    } else if (incident_.contains(quantity)) {
      const EventFact* incident = nullptr;
      for (const EventFact& e : events) {
        if (e.type == relations::v1::EVENT_TYPE_ATTACK ||
            e.type == relations::v1::EVENT_TYPE_DETENTION) {
          incident = &e;
          break;
        }
      }
      if (incident != nullptr) {
        parties = incident->dyad;
        std::string period = PeriodOf(incident->date, a);
        key = absl::StrCat(EventTypeSlug(incident->type), ":", absl::StrJoin(parties, "-"), ":",
                           period);
        subject = absl::StrCat(EventTypeSlug(incident->type), " (", PairName(parties), ", ",
                               period, ")");
      } else {
        std::string period = PeriodOf(date, a);
        if (!date.day.has_value()) period = absl::StrCat("s", s.offset);
        key = absl::StrCat("incident:", absl::StrJoin(parties, "-"), ":", period);
        subject = absl::StrCat("incident (", PairName(parties), ", ", period, ")");
      }
    } else {
      std::string period = PeriodOf(date, a);
      std::string what = head.empty() ? quantity : head;
      std::string slug;
      for (char c : what) slug.push_back(absl::ascii_isalnum(c) ? c : '-');
      key = absl::StrCat(quantity, ":", slug, ":", absl::StrJoin(parties, "-"), ":", period);
      subject = parties.empty() ? absl::StrCat(what, " (", period, ")")
                                : absl::StrCat(PairName(parties), " ", what, " (", period, ")");
    }
  }
  figure->set_quantity(quantity);
  figure->set_subject(subject);
  figure->set_subject_key(key);
  for (const std::string& p : parties) figure->add_parties(p);
  return true;
}

}  // namespace relmon::extraction
