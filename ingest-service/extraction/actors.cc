// Actor finding: alias lookup by first word, longest match, then context
// rules that tell a capital used as a government from a place.
#include "ingest-service/extraction/actors.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace relmon::extraction {
namespace {

std::optional<absl::CivilDay> ParseDay(const std::string& s) {
  int y, m, d;
  if (s.size() == 10 && absl::SimpleAtoi(s.substr(0, 4), &y) &&
      absl::SimpleAtoi(s.substr(5, 2), &m) && absl::SimpleAtoi(s.substr(8, 2), &d)) {
    return absl::CivilDay(y, m, d);
  }
  return std::nullopt;
}

bool IsAcronym(absl::string_view text) {
  int letters = 0;
  for (char c : text) {
    if (absl::ascii_islower(c)) return false;
    if (absl::ascii_isupper(c)) ++letters;
  }
  return letters >= 2 && letters <= 4;
}

}  // namespace

void ActorFinder::AddEntry(absl::string_view text, const std::string& code,
                           ActorMentionKind kind, int holder) {
  std::vector<std::string> words = PhraseWords(text);
  if (!words.empty() && words[0] == "the") words.erase(words.begin());
  if (words.empty()) return;
  // Two-letter codes and lower-case-only aliases are too ambiguous in prose.
  Entry e{std::move(words), code, kind, IsAcronym(text), holder};
  auto& list = by_first_[e.words[0]];
  for (const Entry& other : list) {
    if (other.words == e.words && other.code == e.code) return;
  }
  list.push_back(std::move(e));
  std::stable_sort(list.begin(), list.end(), [](const Entry& a, const Entry& b) {
    return a.words.size() > b.words.size();
  });
}

absl::StatusOr<std::unique_ptr<ActorFinder>> ActorFinder::Create(
    const CountryGazetteer& gazetteer, const std::string& resources_dir) {
  std::unique_ptr<ActorFinder> finder(new ActorFinder());
  for (const CountryAlias& alias : gazetteer.aliases()) {
    ActorMentionKind kind;
    switch (alias.kind) {
      case CountryAliasKind::kCode:
        continue;
      case CountryAliasKind::kName:
        kind = ActorMentionKind::kName;
        break;
      case CountryAliasKind::kDemonym:
        kind = ActorMentionKind::kDemonym;
        break;
      case CountryAliasKind::kCapital:
        kind = ActorMentionKind::kCapital;
        break;
      default:
        kind = ActorMentionKind::kOther;
    }
    finder->AddEntry(alias.text, alias.code, kind, -1);
  }
  auto holders = ReadDataFile(resources_dir, "office_holders.tsv", 6);
  if (!holders.ok()) return holders.status();
  for (const DataRow& row : *holders) {
    OfficeHolder h;
    h.name = row.at(0);
    h.code = row.at(1);
    h.role = row.at(2);
    h.from = ParseDay(row.at(3));
    h.to = ParseDay(row.at(4));
    if (!gazetteer.IsCode(h.code)) {
      return absl::InvalidArgumentError(absl::StrCat("office_holders.tsv:", row.line,
                                                     ": unknown country code ", h.code));
    }
    const int index = static_cast<int>(finder->holders_.size());
    finder->holders_.push_back(h);
    auto& same = finder->holders_by_name_[h.name];
    same.push_back(index);
    if (same.size() > 1) continue;  // aliases registered once per person
    finder->AddEntry(h.name, h.code, ActorMentionKind::kPerson, index);
    for (const std::string& alias : SplitAlternatives(row.at(5))) {
      finder->AddEntry(alias, h.code, ActorMentionKind::kPerson, index);
    }
  }
  auto rules = ReadDataFile(resources_dir, "actor_rules.tsv", 2);
  if (!rules.ok()) return rules.status();
  for (const DataRow& row : *rules) {
    if (row.at(0) == "bilateral_ref") {
      auto added = finder->bilateral_refs_.Add(row.at(1));
      if (!added.ok()) return added.status();
    } else {
      finder->words_[row.at(0)].insert(absl::AsciiStrToLower(row.at(1)));
    }
  }
  return finder;
}

bool ActorFinder::IsWord(absl::string_view cls, absl::string_view lower) const {
  auto it = words_.find(cls);
  return it != words_.end() && it->second.contains(lower);
}

bool ActorFinder::HasBilateralReference(const std::vector<Token>& tokens) const {
  // Whether there is any match: the scan may stop at the first.
  std::vector<PatternMatch> matches;
  bilateral_refs_.FindAll(tokens, &matches, /*limit=*/1);
  return !matches.empty();
}

void ActorFinder::Find(const std::vector<Token>& tokens, std::optional<absl::CivilDay> day,
                       std::vector<ActorMention>* out) const {
  out->clear();
  const int n = static_cast<int>(tokens.size());
  for (int i = 0; i < n; ++i) {
    const Token& t = tokens[i];
    if (!t.is_word || !t.capitalized || t.is_number) continue;
    auto it = by_first_.find(t.lower);
    if (it == by_first_.end()) continue;
    const Entry* best = nullptr;
    for (const Entry& e : it->second) {
      if (i + static_cast<int>(e.words.size()) > n) continue;
      if (e.acronym && !t.all_upper) continue;
      bool ok = true;
      for (size_t k = 1; k < e.words.size() && ok; ++k) {
        ok = tokens[i + k].lower == e.words[k];
      }
      if (!ok) continue;
      // A multi-word name must not continue into a longer capitalised name
      // we do not know ("Azerbaijan Airlines" is still Azerbaijan, fine).
      best = &e;
      break;
    }
    if (best == nullptr) continue;
    if (out->size() >= PatternSet::kMaxMatchesPerSentence) break;
    ActorMention m;
    m.code = best->code;
    m.kind = best->kind;
    m.first = i;
    m.last = i + static_cast<int>(best->words.size()) - 1;
    if (best->holder >= 0) {
      const OfficeHolder& h = holders_[best->holder];
      m.person = h.name;
      m.role = h.role;
      auto same = holders_by_name_.find(h.name);
      if (day.has_value() && same != holders_by_name_.end()) {
        for (int idx : same->second) {
          const OfficeHolder& r = holders_[idx];
          if ((!r.from || *r.from <= *day) && (!r.to || *day <= *r.to)) {
            m.role = r.role;
            m.code = r.code;
            break;
          }
        }
      }
    }
    // Context: place or government.
    int prev = m.first - 1;
    if (prev >= 0 && absl::string_view(tokens[prev].lower) == "the") --prev;
    if (m.kind == ActorMentionKind::kCapital || m.kind == ActorMentionKind::kName) {
      if (prev >= 0 && (IsWord("locative", tokens[prev].lower) ||
                        (m.kind == ActorMentionKind::kCapital &&
                         IsWord("place_noun", tokens[prev].lower)))) {
        m.is_place = true;
      }
    }
    if (prev >= 0 && IsWord("agent_by", tokens[prev].lower)) m.is_agent_by = true;
    // "a Russian-brokered ceasefire", "China-mediated talks".
    if (m.last + 2 < n && tokens[m.last + 1].lower == "-" &&
        IsWord("agent_suffix", tokens[m.last + 2].lower)) {
      m.is_agent_by = true;
    }
    out->push_back(std::move(m));
    i = out->back().last;
  }
  // "Tehran, Iran": a city followed by its country is a place, and so is the
  // country named after it.
  for (size_t k = 0; k + 1 < out->size(); ++k) {
    ActorMention& a = (*out)[k];
    ActorMention& b = (*out)[k + 1];
    if (a.kind == ActorMentionKind::kCapital && b.kind == ActorMentionKind::kName &&
        b.first == a.last + 2 && tokens[a.last + 1].lower == "," && a.code == b.code) {
      a.is_place = true;
      b.is_place = true;
    }
  }
}

}  // namespace relmon::extraction
