// Agreement and project mentions: heads from data/agreement_cues.tsv, names
// grown left over modifiers (and right over "on ..." complements), status
// from data/agreement_status_cues.tsv, parties from the sentence.
#include "ingest-service/extraction/agreements.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "ingest-service/extraction/data_files.h"
#include "ingest-service/extraction/events.h"

namespace relmon::extraction {
namespace {

using relations::v1::AgreementKind;
using relations::v1::AgreementStatus;

bool Inside(int k, int first, int last) { return first <= k && k <= last; }

bool IsBreak(const Token& t) {
  const absl::string_view w = t.lower;
  return w == ";" || w == ":" || w == ".";
}

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string Span(const SentenceContext& s, int first, int last) {
  return std::string(
      s.text.substr(s.tokens[first].begin, s.tokens[last].end - s.tokens[first].begin));
}

}  // namespace

absl::StatusOr<std::unique_ptr<AgreementFinder>> AgreementFinder::Create(
    const std::string& resources_dir, const CountryGazetteer& gazetteer) {
  std::unique_ptr<AgreementFinder> f(new AgreementFinder());
  auto rows = ReadDataFile(resources_dir, "agreement_cues.tsv", 5);
  if (!rows.ok()) return rows.status();
  for (const DataRow& row : *rows) {
    const std::string& cls = row.at(0);
    auto where = [&](const absl::Status& st) {
      return absl::InvalidArgumentError(
          absl::StrCat("agreement_cues.tsv:", row.line, ": ", st.message()));
    };
    if (cls == "head") {
      Head h;
      AgreementKind kind;
      if (!relations::v1::AgreementKind_Parse(absl::StrCat("AGREEMENT_KIND_", row.at(2)), &kind)) {
        return where(absl::InvalidArgumentError(absl::StrCat("unknown kind ", row.at(2))));
      }
      h.kind = kind;
      h.key = row.at(3);
      h.project = kind == relations::v1::AGREEMENT_KIND_INFRASTRUCTURE_PROJECT;
      for (absl::string_view flag : absl::StrSplit(row.at(4), ',', absl::SkipEmpty())) {
        if (flag == "complement") h.takes_complement = true;
        if (flag == "standalone") h.standalone = true;
      }
      auto added = f->heads_.Add(row.at(1));
      if (!added.ok()) return where(added.status());
      f->head_info_.push_back(h);
    } else if (cls == "stop") {
      for (const std::string& w : SplitAlternatives(row.at(1))) f->stop_.insert(absl::AsciiStrToLower(w));
    } else if (cls == "drop") {
      for (const std::string& w : SplitAlternatives(row.at(1))) f->drop_.insert(absl::AsciiStrToLower(w));
    } else if (cls == "synonym") {
      f->synonyms_[absl::AsciiStrToLower(row.at(1))] = row.at(2);
    } else if (cls == "naming" || cls == "naming_alias") {
      auto added = f->naming_.Add(row.at(1));
      if (!added.ok()) return where(added.status());
      f->naming_primary_.push_back(cls == "naming");
    } else {
      return where(absl::InvalidArgumentError(absl::StrCat("unknown class ", cls)));
    }
  }
  auto statuses = ReadDataFile(resources_dir, "agreement_status_cues.tsv", 3);
  if (!statuses.ok()) return statuses.status();
  for (const DataRow& row : *statuses) {
    StatusCue cue;
    if (!relations::v1::AgreementStatus_Parse(absl::StrCat("AGREEMENT_STATUS_", row.at(0)),
                                              &cue.status)) {
      return absl::InvalidArgumentError(absl::StrCat("agreement_status_cues.tsv:", row.line,
                                                     ": unknown status ", row.at(0)));
    }
    for (absl::string_view flag : absl::StrSplit(row.at(2), ',', absl::SkipEmpty())) {
      if (flag == "governs") cue.governs = true;
      if (flag == "nominal") cue.nominal = true;
    }
    cue.has_gap = row.at(1).find("...") != std::string::npos;
    auto added = f->statuses_.Add(row.at(1));
    if (!added.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("agreement_status_cues.tsv:", row.line, ": ",
                                                     added.status().message()));
    }
    f->status_info_.push_back(cue);
  }
  return f;
}

std::string AgreementFinder::Fold(const std::string& word) const {
  if (drop_.contains(word) || stop_.contains(word)) return "";
  auto it = synonyms_.find(word);
  return it == synonyms_.end() ? word : it->second;
}

void AgreementFinder::Find(const SentenceContext& s, const ArticleContext& a, int sentence_index,
                           std::vector<AgreementFact>* out) const {
  const std::vector<Token>& tk = s.tokens;
  const int n = static_cast<int>(tk.size());
  std::vector<PatternMatch> heads, statuses, naming;
  heads_.FindAll(tk, &heads);
  statuses_.FindAll(tk, &statuses);
  // Keep the longest status cue where cues overlap.
  {
    std::vector<PatternMatch> kept;
    for (const PatternMatch& m : statuses) {
      bool inside_longer = false;
      for (const PatternMatch& o : statuses) {
        if (&o == &m) continue;
        if (o.first <= m.first && m.last <= o.last && (o.last - o.first) > (m.last - m.first)) {
          inside_longer = true;
        }
      }
      if (!inside_longer) kept.push_back(m);
    }
    statuses.swap(kept);
  }
  // Tokens that are a status cue's own words (a gap cue "construction ...
  // kicked off" owns only its ends, not the name inside it).
  auto in_status = [&](int k) {
    for (const PatternMatch& m : statuses) {
      if (status_info_[m.pattern].has_gap ? (k == m.first || k == m.last)
                                          : Inside(k, m.first, m.last)) {
        return true;
      }
    }
    return false;
  };
  auto in_time = [&](int k) {
    for (const TimeRef& t : s.times) {
      if (Inside(k, t.first, t.last)) return true;
    }
    return false;
  };
  auto country_at = [&](int k) {
    for (const ActorMention& m : s.actors) {
      if (Inside(k, m.first, m.last)) return true;
    }
    return false;
  };
  // Heads: drop those inside a longer head, those that modify the next head
  // ("road bridge"), and those consumed by a status cue ("agreement on the
  // text of").
  // "the Rasht-Astara Railway deal": an agreement noun right after a
  // project names the project's deal; the project is the mention.
  std::vector<PatternMatch> hs;
  for (const PatternMatch& m : heads) {
    bool drop = in_status(m.first);
    const bool m_project = head_info_[m.pattern].project;
    for (const PatternMatch& o : heads) {
      if (&o == &m) continue;
      const bool o_project = head_info_[o.pattern].project;
      if (o.first <= m.first && m.last <= o.last && (o.last - o.first) > (m.last - m.first)) drop = true;
      if (o.first == m.last + 1 && (m_project == o_project || !m_project)) drop = true;
      if (m.first == o.last + 1 && o_project && !m_project) drop = true;
    }
    if (!drop) hs.push_back(m);
  }
  // An agreement head governing a project ("contract ... for the
  // construction of the Rasht-Astara Railway") is that project's mention.
  std::vector<int> governor_start(hs.size(), -1);
  std::vector<bool> absorbed(hs.size(), false);
  for (size_t i = 0; i < hs.size(); ++i) {
    const Head& hi = head_info_[hs[i].pattern];
    if (hi.project) continue;
    for (size_t j = 0; j < hs.size(); ++j) {
      const Head& hj = head_info_[hs[j].pattern];
      if (!hj.project || hs[j].first <= hs[i].last || hs[j].first > hs[i].last + 14) continue;
      bool linked = false, broken = false;
      for (int k = hs[i].last + 1; k < hs[j].first; ++k) {
        if (IsBreak(tk[k])) broken = true;
        if (absl::string_view(tk[k].lower) == "on" || absl::string_view(tk[k].lower) == "for" || absl::string_view(tk[k].lower) == "of") linked = true;
      }
      if (linked && !broken) {
        absorbed[i] = true;
        governor_start[j] = governor_start[j] < 0 ? hs[i].first : std::min(governor_start[j], hs[i].first);
        break;
      }
    }
  }
  const size_t first_out = out->size();
  for (size_t i = 0; i < hs.size(); ++i) {
    if (absorbed[i]) continue;
    const PatternMatch& h = hs[i];
    const Head& info = head_info_[h.pattern];
    AgreementFact f;
    f.head_key = info.key;
    f.kind = info.kind;
    f.sentence = sentence_index;
    // Grow the name to the left over modifiers.
    int first = h.first;
    for (int k = h.first - 1; k >= 0 && h.first - k <= 6; --k) {
      const Token& t = tk[k];
      // A capital hyphenated into a place-name chain that already reaches
      // the name ("Baku-Tbilisi-Ceyhan pipeline") is part of the name; one
      // directly before it ("Iran-Pakistan gas pipeline") names a party.
      const bool chained_place = country_at(k) && k + 1 < n &&
                                 absl::string_view(tk[k + 1].lower) == "-" && first <= k + 1;
      if (t.possessive || stop_.contains(t.lower) || in_status(k) || in_time(k) ||
          (country_at(k) && !chained_place)) {
        break;
      }
      if (!t.is_word && absl::string_view(t.lower) != "-") break;
      first = k;
    }
    while (first < h.first && !tk[first].is_word) ++first;
    int last = h.last;
    if (info.takes_complement && governor_start[i] < 0 && h.last + 1 < n &&
        (absl::string_view(tk[h.last + 1].lower) == "on" || absl::string_view(tk[h.last + 1].lower) == "for" ||
         absl::string_view(tk[h.last + 1].lower) == "of")) {
      int k = h.last + 1;
      for (; k < n && k <= h.last + 9; ++k) {
        const Token& t = tk[k];
        if (in_time(k)) {
          if (k == h.last + 1 || (absl::string_view(t.lower) == "on" && k <= h.last + 2)) continue;
          break;
        }
        if (!t.is_word && !t.possessive && absl::string_view(t.lower) != "-") break;
        if (in_status(k) && k > h.last + 1) break;
        static const char* const kEnd[] = {"in", "at", "between", "with", "has", "have",
                                           "had", "was", "were", "is", "are", "will", "which",
                                           "that", "and", "by", "would", "could", "within"};
        bool end = false;
        for (const char* e : kEnd) end = end || t.lower == e;
        if (end && k > h.last + 1) break;
        last = k;
      }
      while (last > h.last && (!tk[last].is_word || stop_.contains(tk[last].lower))) --last;
    }
    f.name_first = first;
    f.name_last = last;
    f.name = Span(s, first, last);
    // Key words.
    std::vector<std::string> words;
    bool after_number = false;
    for (int k = first; k <= last; ++k) {
      if (Inside(k, h.first, h.last)) continue;
      const Token& t = tk[k];
      if (t.is_number) {
        after_number = true;
        continue;
      }
      if (!t.is_word) continue;
      if (after_number) {  // "162-km", "44-day": part of a figure
        after_number = false;
        continue;
      }
      if (country_at(k)) continue;
      const bool capital_word = t.capitalized && !(k == 0 && !s.is_title);
      if (capital_word && k < h.first && !drop_.contains(t.lower)) {
        f.proper_words.push_back(t.lower);
      }
      std::string folded = Fold(t.lower);
      if (!folded.empty() && !Contains(words, folded)) words.push_back(folded);
    }
    f.proper = !f.proper_words.empty();
    // Quoted names directly before the head ("the "Khudafarin" reservoir").
    std::vector<std::pair<std::vector<std::string>, std::string>> more_quoted;
    if (!f.proper && h.first >= 2 && absl::string_view(tk[h.first - 1].lower) == "\"") {
      int k = h.first - 2;
      std::vector<std::string> quoted;
      while (k >= 0 && absl::string_view(tk[k].lower) != "\"") {
        if (tk[k].is_word) quoted.insert(quoted.begin(), tk[k].lower);
        --k;
      }
      if (k >= 0 && !quoted.empty() && quoted.size() <= 4) {
        f.proper_words = quoted;
        f.proper = true;
        f.name = absl::StrCat(Span(s, k + 1, h.first - 2), " ", Span(s, h.first, h.last));
        // "the "Khudafarin" and "Giz Galasi" reservoirs": one mention each.
        int q = k - 1;
        while (q >= 2 && absl::string_view(tk[q].lower) == "and" && absl::string_view(tk[q - 1].lower) == "\"") {
          int open = q - 2;
          std::vector<std::string> words;
          while (open >= 0 && absl::string_view(tk[open].lower) != "\"") {
            if (tk[open].is_word) words.insert(words.begin(), tk[open].lower);
            --open;
          }
          if (open < 0 || words.empty() || words.size() > 4) break;
          more_quoted.push_back(
              {words, absl::StrCat(Span(s, open + 1, q - 2), " ", Span(s, h.first, h.last))});
          q = open - 1;
        }
      }
    }
    // Status: a cue right after or around the name, a governing cue before
    // it, or the nearest cue before, then after, in the clause.
    int gov_from = governor_start[i] >= 0 ? governor_start[i] : first;
    const PatternMatch* chosen = nullptr;
    for (const PatternMatch& m : statuses) {
      if ((m.first > last && m.first <= last + 4) || (m.first < first && m.last > last)) {
        bool broken = false;
        for (int k = last + 1; k < m.first; ++k) broken = broken || IsBreak(tk[k]) || absl::string_view(tk[k].lower) == ",";
        if (!broken) {
          chosen = &m;
          break;
        }
      }
    }
    if (chosen == nullptr) {
      const PatternMatch* governor = nullptr;
      const PatternMatch* nearest = nullptr;
      for (const PatternMatch& m : statuses) {
        if (m.last >= gov_from || gov_from - m.last > 14) continue;
        bool broken = false;
        for (int k = m.last + 1; k < gov_from; ++k) broken = broken || IsBreak(tk[k]);
        if (broken) continue;
        if (status_info_[m.pattern].governs && governor == nullptr) governor = &m;
        if (gov_from - m.last <= 8) nearest = &m;
      }
      chosen = governor != nullptr ? governor : nearest;
    }
    if (chosen == nullptr) {
      for (const PatternMatch& m : statuses) {
        if (m.first <= last || m.first > last + 10) continue;
        bool broken = false;
        for (int k = last + 1; k < m.first; ++k) broken = broken || IsBreak(tk[k]);
        if (!broken) {
          chosen = &m;
          break;
        }
      }
    }
    int date_first = first, date_last = last;
    if (chosen != nullptr) {
      const StatusCue& cue = status_info_[chosen->pattern];
      HedgeKind hedge = HedgeFor(s, chosen->first, chosen->last);
      if (cue.nominal && hedge == HedgeKind::kNone) {
        for (const HedgeRef& r : s.hedges) {
          if (r.kind != HedgeKind::kNegation && std::abs(r.first - chosen->last) <= 15) {
            hedge = r.kind;
          }
        }
      }
      f.status = cue.status;
      if (hedge == HedgeKind::kNegation || hedge == HedgeKind::kConditional) {
        f.status = relations::v1::AGREEMENT_STATUS_UNSPECIFIED;
      } else if ((hedge == HedgeKind::kHedge || hedge == HedgeKind::kFuture) && !cue.governs &&
                 f.status >= relations::v1::AGREEMENT_STATUS_AGREED &&
                 f.status <= relations::v1::AGREEMENT_STATUS_OPERATIONAL) {
        f.status = relations::v1::AGREEMENT_STATUS_NEGOTIATING;
      }
      date_first = chosen->first;
      date_last = chosen->last;
    }
    if (f.status != relations::v1::AGREEMENT_STATUS_UNSPECIFIED) {
      f.date = DateFor(s, a, date_first, date_last);
      // A stage reported without a date holds as of the report ("expressing
      // hope for the signing" in a December 2023 story: negotiating then),
      // unless the sentence is background.
      if (!f.date.day.has_value() && s.retro.empty() && a.day.has_value()) {
        f.date.day = a.day;
        f.date.precision = DatePrecision::kDay;
        f.date.retrospective = false;
      }
    }
    // Parties: "between X and Y" near the name or its governor, else the
    // sentence's sides, else (for one or no side) the article's main dyad.
    std::vector<std::string> parties;
    for (int k = std::max(0, gov_from - 2); k < n && k <= last + 6 && parties.size() < 2; ++k) {
      if (absl::string_view(tk[k].lower) != "between") continue;
      for (const ActorMention& m : s.actors) {
        if (m.first > k && m.first <= k + 10 && !Contains(parties, m.code)) parties.push_back(m.code);
        if (parties.size() == 2) break;
      }
      if (parties.size() < 2) parties.clear();
    }
    if (parties.empty()) {
      for (const ActorMention& m : s.actors) {
        if (!m.is_place && !m.is_agent_by && !Contains(parties, m.code)) parties.push_back(m.code);
      }
      if (parties.size() < 2) {
        for (const ActorMention& m : s.actors) {
          if (m.is_place && !m.is_agent_by && !Contains(parties, m.code)) parties.push_back(m.code);
        }
      }
      if (parties.size() > 2 && a.main_dyad.size() == 2 && Contains(parties, a.main_dyad[0]) &&
          Contains(parties, a.main_dyad[1])) {
        parties = a.main_dyad;
      }
      if (parties.size() < 2 && a.main_dyad.size() == 2 &&
          (parties.empty() || Contains(a.main_dyad, parties[0]))) {
        parties = a.main_dyad;
      }
    }
    std::sort(parties.begin(), parties.end());
    f.parties = parties;
    if (f.proper) {
      f.canonical_key = absl::StrCat(info.key, ":", absl::StrJoin(f.proper_words, "-"));
    } else {
      std::vector<std::string> key_words(words.begin(), words.begin() + std::min<size_t>(2, words.size()));
      std::sort(key_words.begin(), key_words.end());
      if (key_words.empty() && !info.project && !info.standalone && governor_start[i] < 0) {
        continue;  // "the agreement"
      }
      f.canonical_key = absl::StrCat(info.key, ":", absl::StrJoin(key_words, "-"), ":",
                                     absl::StrJoin(parties, "-"));
    }
    for (auto& [words, name] : more_quoted) {
      AgreementFact g = f;
      g.proper_words = words;
      g.name = name;
      g.canonical_key = absl::StrCat(info.key, ":", absl::StrJoin(words, "-"));
      out->push_back(std::move(g));
    }
    out->push_back(std::move(f));
  }
  // Naming statements: "The field, known in Azerbaijan as Kapaz ..., has been
  // renamed Dostluk".
  naming_.FindAll(tk, &naming);
  for (const PatternMatch& m : naming) {
    AgreementFact* target = nullptr;
    for (size_t k = first_out; k < out->size(); ++k) {
      AgreementFact& f = (*out)[k];
      if (f.name_last < m.first && !f.proper) target = &f;
    }
    if (target == nullptr) continue;
    auto capitalized_after = [&](int k) {
      std::vector<std::string> words;
      std::string text;
      int j = k;
      while (j < n && tk[j].is_word && tk[j].capitalized && !country_at(j)) {
        words.push_back(tk[j].lower);
        ++j;
      }
      if (!words.empty()) text = Span(s, k, j - 1);
      return std::make_pair(words, text);
    };
    if (naming_primary_[m.pattern]) {
      auto [words, text] = capitalized_after(m.last + 1);
      if (words.empty()) continue;
      target->proper_words = words;
      target->proper = true;
      target->aliases.insert(target->aliases.begin(), "=" + text);  // marks the primary name
    } else {
      for (int k = m.last; k < n; ++k) {
        if (absl::string_view(tk[k].lower) != "as") continue;
        auto [words, text] = capitalized_after(k + 1);
        if (!words.empty()) target->aliases.push_back(text);
      }
    }
  }
  // Verb-phrase agreements: "X and Y agreed (on Friday) to restore ties".
  for (int k = 0; k < n; ++k) {
    const absl::string_view w = tk[k].lower;
    if (w != "agreed" && w != "agree" && w != "agrees") continue;
    int j = k + 1;
    while (j < n && in_time(j)) ++j;
    if (j + 1 >= n || absl::string_view(tk[j].lower) != "to" || !tk[j + 1].is_word) continue;
    int vp_first = j + 1, vp_last = vp_first;
    bool has_head = false;
    for (int q = vp_first; q < n && q < vp_first + 18; ++q) {
      if (!tk[q].is_word && !tk[q].possessive && absl::string_view(tk[q].lower) != "-") break;
      if (in_time(q)) break;
      for (const PatternMatch& h : heads) has_head = has_head || Inside(q, h.first, h.last);
      vp_last = q;
    }
    if (has_head) continue;
    while (vp_last > vp_first && stop_.contains(tk[vp_last].lower)) --vp_last;
    AgreementFact f;
    f.kind = relations::v1::AGREEMENT_KIND_OTHER;
    f.head_key = "accord";
    f.sentence = sentence_index;
    f.name_first = vp_first;
    f.name_last = vp_last;
    f.name = Span(s, vp_first, vp_last);
    f.status = relations::v1::AGREEMENT_STATUS_AGREED;
    HedgeKind hedge = HedgeFor(s, k, k);
    if (hedge == HedgeKind::kNegation || hedge == HedgeKind::kConditional) continue;
    if (hedge != HedgeKind::kNone) f.status = relations::v1::AGREEMENT_STATUS_NEGOTIATING;
    f.date = DateFor(s, a, k, j);
    std::vector<std::string> parties;
    for (const ActorMention& m : s.actors) {
      if (m.last < k && !m.is_place && !m.is_agent_by && !Contains(parties, m.code)) parties.push_back(m.code);
    }
    // The agreeing sides must be named before the verb (at least one).
    if (parties.size() == 1 && a.main_dyad.size() == 2 && Contains(a.main_dyad, parties[0])) {
      parties = a.main_dyad;
    }
    if (parties.size() < 2) continue;
    std::sort(parties.begin(), parties.end());
    f.parties = parties;
    std::vector<std::string> words;
    for (int q = vp_first; q <= vp_last && words.size() < 3; ++q) {
      if (!tk[q].is_word || tk[q].is_number || country_at(q)) continue;
      std::string folded = Fold(tk[q].lower);
      if (!folded.empty() && !Contains(words, folded)) words.push_back(folded);
    }
    std::sort(words.begin(), words.end());
    f.canonical_key = absl::StrCat("accord:", absl::StrJoin(words, "-"), ":",
                                   absl::StrJoin(parties, "-"));
    out->push_back(std::move(f));
  }
}

void AgreementFinder::Resolve(std::vector<AgreementFact>* facts) const {
  // Primary names given by naming statements, then proper names, per head.
  absl::flat_hash_map<std::string, std::vector<const AgreementFact*>> named;
  for (const AgreementFact& f : *facts) {
    if (!f.aliases.empty() && f.aliases[0].size() > 1 && f.aliases[0][0] == '=') {
      named[f.head_key].push_back(&f);
    }
  }
  absl::flat_hash_map<std::string, std::vector<std::string>> proper_keys;
  for (const AgreementFact& f : *facts) {
    if (f.proper && !Contains(proper_keys[f.head_key], f.canonical_key)) {
      proper_keys[f.head_key].push_back(f.canonical_key);
    }
  }
  std::vector<AgreementFact> extra;
  struct Adopted {
    std::string key, name;
    std::vector<std::string> parties;
  };
  absl::flat_hash_map<std::string, Adopted> adopt;  // head -> what generic mentions take
  for (auto& [head, list] : named) {
    const AgreementFact* src = list[0];
    std::string display = src->aliases[0].substr(1);
    adopt[head] = {absl::StrCat(head, ":", absl::StrJoin(src->proper_words, "-")),
                   absl::StrCat(display, " ", head), src->parties};
    for (size_t k = 1; k < src->aliases.size(); ++k) {
      AgreementFact alias = *src;
      alias.aliases.clear();
      alias.status = relations::v1::AGREEMENT_STATUS_UNSPECIFIED;
      alias.date = FactDate();
      alias.name = absl::StrCat(src->aliases[k], " ", head);
      extra.push_back(std::move(alias));
    }
  }
  for (auto& [head, keys] : proper_keys) {
    if (adopt.contains(head) || keys.size() != 1) continue;
    for (const AgreementFact& f : *facts) {
      if (f.canonical_key == keys[0]) {
        adopt[head] = {keys[0], f.name, f.parties};
        break;
      }
    }
  }
  for (AgreementFact& f : extra) facts->push_back(std::move(f));
  for (AgreementFact& f : *facts) {
    auto it = adopt.find(f.head_key);
    if (it == adopt.end()) continue;
    bool named_here = !f.aliases.empty() && f.aliases[0][0] == '=';
    if (f.proper && !named_here && named.find(f.head_key) == named.end()) continue;
    const Adopted& to = it->second;
    if (f.proper && f.canonical_key == to.key) continue;
    f.canonical_key = to.key;
    f.name = named_here ? to.name : absl::StrCat(f.name, " (", to.name, ")");
    // A generic reference ("the 180-kilometre pipeline") is between the
    // parties of the thing it refers to, not the countries of its sentence.
    if (!named_here && !to.parties.empty()) f.parties = to.parties;
    f.proper = true;
  }
}

}  // namespace relmon::extraction
