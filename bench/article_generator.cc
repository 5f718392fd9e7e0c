#include "bench/article_generator.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/country_gazetteer.h"

namespace relmon::bench {
namespace {

constexpr const char* kWeekdays[] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                     "Friday", "Saturday", "Sunday"};
constexpr const char* kMonths[] = {"January", "February", "March",     "April",
                                   "May",     "June",     "July",      "August",
                                   "September", "October", "November", "December"};
// Synthetic names: the generator must not put real officials in made-up news.
constexpr const char* kGiven[] = {"Arman", "Leyla", "Daniel", "Mira", "Tomas", "Samir",
                                  "Irena", "Karim", "Ofelia", "Ruslan", "Nadia", "Viktor"};
constexpr const char* kFamily[] = {"Halvorsen", "Qadiri", "Mendel", "Orlova", "Sadiqov",
                                   "Bertan", "Lindqvist", "Farsad", "Kovac", "Rahimli"};
constexpr const char* kRoles[] = {"Foreign Minister", "Deputy Prime Minister",
                                  "Energy Minister", "Trade Minister", "Special Envoy"};
constexpr const char* kProjectHeads[] = {"Northern", "Coastal", "Highland", "Valley",
                                         "Riverside", "Eastern", "Western", "Border"};
constexpr const char* kProjectKinds[] = {"Railway", "Bridge", "Gas Pipeline", "Highway",
                                         "Power Line", "Transport Corridor"};
// Synthetic place names for projects: real projects are named for the
// places they join ("Rasht-Astara railway"), so most belong to one pair of
// countries; a few corridor-style names are shared by many (kProjectHeads).
constexpr const char* kPlaces[] = {"Karovan", "Telmar", "Ostrel", "Vadun", "Sarnik", "Belora",
                                   "Dunmar", "Kestrin", "Lorvik", "Maredo", "Norvale", "Peshtal",
                                   "Quorin", "Rastova", "Selvan", "Tarvish", "Ulmara", "Vestro",
                                   "Zarnet", "Amvik", "Brenlo", "Corvash", "Dravik", "Elmont"};
constexpr const char* kSources[] = {"Wire East", "Continental Press", "Regional Desk",
                                    "Daily Ledger", "Morning Courier"};

}  // namespace

absl::StatusOr<std::unique_ptr<ArticleGenerator>> ArticleGenerator::Create(
    const GeneratorOptions& options) {
  std::unique_ptr<ArticleGenerator> g(new ArticleGenerator());
  g->options_ = options;
  g->rng_.seed(options.seed);

  auto gazetteer = CountryGazetteer::Load(options.iso_codes_dir, options.resources_dir);
  if (!gazetteer.ok()) return gazetteer.status();
  // First demonym and capital per country, in file order (deterministic).
  std::vector<std::string> order;
  absl::flat_hash_map<std::string, Country> by_code;
  for (const CountryAlias& a : (*gazetteer)->aliases()) {
    if (a.kind != CountryAliasKind::kDemonym && a.kind != CountryAliasKind::kCapital) continue;
    auto [it, inserted] = by_code.try_emplace(a.code);
    if (inserted) order.push_back(a.code);
    Country& c = it->second;
    if (a.kind == CountryAliasKind::kDemonym && c.demonym.empty()) c.demonym = a.text;
    if (a.kind == CountryAliasKind::kCapital && c.capital.empty()) c.capital = a.text;
  }
  for (const std::string& code : order) {
    Country c = by_code[code];
    c.code = code;
    c.name = (*gazetteer)->ShortName(code);
    if (!c.name.empty() && !c.demonym.empty() && !c.capital.empty()) {
      g->countries_.push_back(std::move(c));
    }
  }
  if (g->countries_.size() < 2) {
    return absl::FailedPreconditionError("article generator: too few countries in the gazetteer");
  }

  const std::string path = absl::StrCat(options.templates_dir, "/sentence_templates.txt");
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("T:", 0) == 0) {
      g->headlines_.push_back(line.substr(2));
    } else {
      g->sentences_.push_back(line);
    }
  }
  if (g->headlines_.empty() || g->sentences_.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": needs headline and body templates"));
  }
  return g;
}

std::string ArticleGenerator::Fill(const std::string& pattern, const Country& a,
                                   const Country& b, int64_t day) {
  auto pick = [&](size_t n) { return static_cast<size_t>(rng_() % n); };
  absl::CivilDay event_day = absl::CivilDay(2015, 1, 1) + (day - static_cast<int64_t>(pick(40)));
  std::string date = absl::StrFormat("%s %d, %d", kMonths[event_day.month() - 1],
                                     event_day.day(), event_day.year());
  const std::string& project = project_;
  std::string person = absl::StrCat(kGiven[pick(std::size(kGiven))], " ",
                                    kFamily[pick(std::size(kFamily))]);
  return absl::StrReplaceAll(
      pattern, {{"{A}", a.name},
                {"{B}", b.name},
                {"{DA}", a.demonym},
                {"{DB}", b.demonym},
                {"{CA}", a.capital},
                {"{CB}", b.capital},
                {"{DATE}", date},
                {"{WEEKDAY}", kWeekdays[pick(7)]},
                {"{MONTH}", kMonths[pick(12)]},
                {"{NUM}", absl::StrCat(2 + pick(899))},
                {"{BIG}", absl::StrFormat("%.1f", 1.1 + static_cast<double>(pick(89)) / 10)},
                {"{KM}", absl::StrCat(10 + pick(2991))},
                {"{PCT}", absl::StrCat(1 + pick(80))},
                {"{PROJECT}", project},
                {"{PERSON}", person},
                {"{ROLE}", kRoles[pick(std::size(kRoles))]}});
}

std::string ArticleGenerator::ProjectFor(const Country& a, const Country& b) {
  auto pick = [&](size_t n) { return static_cast<size_t>(rng_() % n); };
  if (pick(10) == 0) {  // a shared corridor-style name
    return absl::StrCat(kProjectHeads[pick(std::size(kProjectHeads))], " ",
                        kProjectKinds[pick(std::size(kProjectKinds))]);
  }
  // One of three projects of this pair, named for two places (FNV-1a of
  // the sorted codes, so both orders of the pair name the same projects).
  const std::string pair = a.code < b.code ? absl::StrCat(a.code, b.code) : absl::StrCat(b.code, a.code);
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : pair) h = (h ^ c) * 1099511628211ull;
  constexpr size_t kN = std::size(kPlaces);
  size_t first = h % kN, second = (h / kN) % kN;
  if (second == first) second = (second + 1) % kN;
  return absl::StrCat(kPlaces[first], "–", kPlaces[second], " ",
                      kProjectKinds[(h / (kN * kN) + pick(3)) % std::size(kProjectKinds)]);
}

std::vector<std::string> ArticleGenerator::country_codes() const {
  std::vector<std::string> codes;
  codes.reserve(countries_.size());
  for (const Country& c : countries_) codes.push_back(c.code);
  return codes;
}

relations::v1::Article ArticleGenerator::Next() {
  ++counter_;
  auto pick = [&](size_t n) { return static_cast<size_t>(rng_() % n); };
  // A skewed choice of pairs: a few dyads get most of the news, as in reality.
  size_t span = std::min<size_t>(countries_.size(), 8 + pick(countries_.size()));
  const Country& a = countries_[pick(span)];
  const Country* b = &countries_[pick(span)];
  if (b == &a) b = &countries_[(pick(span) + 1) % countries_.size()];
  if (b == &a) b = &countries_[(&a - &countries_[0] + 1) % countries_.size()];

  int64_t day = static_cast<int64_t>(pick(365 * 10));
  absl::CivilDay published = absl::CivilDay(2015, 1, 1) + day;
  size_t target = options_.min_bytes +
                  pick(options_.max_bytes > options_.min_bytes
                           ? options_.max_bytes - options_.min_bytes + 1
                           : 1);

  project_ = ProjectFor(a, *b);
  std::string text = Fill(headlines_[pick(headlines_.size())], a, *b, day);
  absl::StrAppend(&text, "\n", absl::AsciiStrToUpper(a.capital), ", ",
                  absl::StrFormat("%s %d, %d", kMonths[published.month() - 1], published.day(),
                                  published.year()),
                  "\n\n");
  while (text.size() < target) {
    int sentences = 2 + static_cast<int>(pick(3));
    for (int i = 0; i < sentences; ++i) {
      absl::StrAppend(&text, Fill(sentences_[pick(sentences_.size())], a, *b, day), " ");
    }
    text.back() = '\n';
    text += '\n';
  }
  // Counter keeps every text distinct even when templates repeat.
  absl::StrAppend(&text, "(Report ", counter_, ", seed ", options_.seed, ")\n");

  relations::v1::Article article;
  article.set_text(std::move(text));
  article.set_source(kSources[pick(std::size(kSources))]);
  article.set_url(absl::StrCat("https://news.example/", options_.seed, "/", counter_));
  absl::Time t = absl::FromCivil(published, absl::UTCTimeZone()) + absl::Hours(9);
  article.mutable_published_at()->set_seconds(absl::ToUnixSeconds(t));
  return article;
}

}  // namespace relmon::bench
