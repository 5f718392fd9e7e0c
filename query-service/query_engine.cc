#include "query-service/query_engine.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "query-service/agreement_registry.h"
#include "query-service/event_clustering.h"
#include "query-service/figure_disputes.h"
#include "query-service/keys.h"

namespace relmon::query {
namespace {

using relations::v1::Event;

constexpr char kSep = '\0';
constexpr absl::string_view kTokenVersion = "p1";

absl::Status FieldError(absl::string_view field, absl::string_view message) {
  absl::Status s = absl::InvalidArgumentError(absl::StrCat(field, ": ", message));
  s.SetPayload(kFieldPayload, absl::Cord(field));
  return s;
}

// Fingerprint of what a list request asks for (not page_size/page_token).
std::string Fingerprint(absl::string_view method,
                        std::initializer_list<absl::string_view> filters) {
  std::string text(method);
  for (absl::string_view f : filters) absl::StrAppend(&text, std::string(1, kSep), f);
  return StableDigest(text);
}

std::string MakeToken(absl::string_view fingerprint, absl::string_view resume_after) {
  return absl::WebSafeBase64Escape(absl::StrCat(kTokenVersion, std::string(1, kSep), fingerprint,
                                                std::string(1, kSep), resume_after));
}

// The key to resume after; empty for the first page.
absl::StatusOr<std::string> ParseToken(absl::string_view token, absl::string_view fingerprint) {
  if (token.empty()) return std::string();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return FieldError("page_token", "malformed token");
  std::vector<std::string> parts = absl::StrSplit(raw, absl::MaxSplits(kSep, 2));
  if (parts.size() != 3 || parts[0] != kTokenVersion || parts[2].empty()) {
    return FieldError("page_token", "malformed token");
  }
  if (parts[1] != fingerprint) {
    return FieldError("page_token",
                      "token was issued for a request with other filters; repeat the same request");
  }
  return parts[2];
}

// Smallest key strictly after `key`.
std::string After(absl::string_view key) { return absl::StrCat(key, std::string(1, '\0')); }

std::string TimestampText(const google::protobuf::Timestamp& ts, bool set) {
  return set ? absl::StrCat(ts.seconds(), ".", ts.nanos()) : "-";
}

absl::Time PeriodStart(absl::Time t, relations::v1::Granularity g) {
  absl::TimeZone utc = absl::UTCTimeZone();
  absl::CivilDay day = absl::ToCivilDay(t, utc);
  switch (g) {
    case relations::v1::GRANULARITY_DAY:
      return absl::FromCivil(day, utc);
    case relations::v1::GRANULARITY_WEEK: {
      int back =
          (static_cast<int>(absl::GetWeekday(day)) - static_cast<int>(absl::Weekday::monday) + 7) %
          7;
      return absl::FromCivil(day - back, utc);
    }
    case relations::v1::GRANULARITY_QUARTER: {
      absl::CivilMonth m(day);
      return absl::FromCivil(absl::CivilMonth(m.year(), ((m.month() - 1) / 3) * 3 + 1), utc);
    }
    case relations::v1::GRANULARITY_YEAR:
      return absl::FromCivil(absl::CivilYear(day), utc);
    default:
      return absl::FromCivil(absl::CivilMonth(day), utc);
  }
}

absl::Time NextPeriod(absl::Time start, relations::v1::Granularity g) {
  absl::TimeZone utc = absl::UTCTimeZone();
  absl::CivilDay day = absl::ToCivilDay(start, utc);
  switch (g) {
    case relations::v1::GRANULARITY_DAY:
      return absl::FromCivil(day + 1, utc);
    case relations::v1::GRANULARITY_WEEK:
      return absl::FromCivil(day + 7, utc);
    case relations::v1::GRANULARITY_QUARTER:
      return absl::FromCivil(absl::CivilMonth(day) + 3, utc);
    case relations::v1::GRANULARITY_YEAR:
      return absl::FromCivil(absl::CivilYear(day) + 1, utc);
    default:
      return absl::FromCivil(absl::CivilMonth(day) + 1, utc);
  }
}

template <typename T>
absl::StatusOr<T> ParseValue(absl::string_view bytes, absl::string_view what) {
  T msg;
  if (!msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(absl::StrCat("corrupt ", what, " record"));
  }
  return msg;
}

// known_as_of: a fact counts when its article was published at or before
// the instant; an article of unknown date never counts then.
bool KnownBy(const relations::v1::Citation& c, absl::Time known_as_of) {
  return c.has_published_at() && ToAbslTime(c.published_at()) <= known_as_of;
}

bool EventKnownBy(const Event& e, absl::Time known_as_of) {
  for (const auto& c : e.citations()) {
    if (KnownBy(c, known_as_of)) return true;
  }
  return false;
}

std::optional<absl::Time> KnownAsOf(bool has, const google::protobuf::Timestamp& ts) {
  if (!has) return std::nullopt;
  return ToAbslTime(ts);
}

// Fingerprint part of known_as_of: empty when unset, so tokens of requests
// without it are unchanged.
std::string KnownText(bool has, const google::protobuf::Timestamp& ts) {
  return has ? absl::StrCat("known:", ts.seconds(), ".", ts.nanos()) : std::string();
}

}  // namespace

std::string ErrorField(const absl::Status& status) {
  auto payload = status.GetPayload(kFieldPayload);
  return payload.has_value() ? std::string(*payload) : std::string();
}

QueryEngine::QueryEngine(const ViewStore* store, const CountryGazetteer* gazetteer,
                         QueryEngineOptions options, std::function<absl::Time()> clock)
    : store_(store),
      gazetteer_(gazetteer),
      options_(options),
      model_(options.model),
      clock_(std::move(clock)) {}

absl::StatusOr<std::string> QueryEngine::ResolveCountry(absl::string_view field,
                                                        absl::string_view value,
                                                        bool required) const {
  if (value.empty() || absl::StripAsciiWhitespace(value).empty()) {
    if (required) return FieldError(field, "a country is required (code, name or capital)");
    return std::string();
  }
  std::optional<std::string> code = gazetteer_->Resolve(value);
  if (!code.has_value()) {
    return FieldError(field, absl::StrCat("unknown country \"", value, "\""));
  }
  return *code;
}

absl::StatusOr<int> QueryEngine::PageSize(int requested) const {
  if (requested < 0) return FieldError("page_size", "must not be negative");
  if (requested == 0) return options_.default_page_size;
  return std::min(requested, options_.max_page_size);
}

absl::StatusOr<std::vector<Event>> QueryEngine::PairEvents(const std::string& a,
                                                           const std::string& b) const {
  std::string prefix = absl::StrCat(DyadKey(a, b), "|");
  std::vector<Event> events;
  absl::Status parse_error;
  auto s = store_->Scan(View::kDyadEvents, prefix, PrefixUpperBound(prefix),
                        [&](absl::string_view, absl::string_view value) {
                          auto e = ParseValue<Event>(value, "event");
                          if (!e.ok()) {
                            parse_error = e.status();
                            return false;
                          }
                          events.push_back(*std::move(e));
                          return true;
                        });
  if (!s.ok()) return s;
  if (!parse_error.ok()) return parse_error;
  return events;
}

absl::StatusOr<std::vector<std::pair<std::string, Event>>> QueryEngine::PairEventsKnownAsOf(
    const std::string& a, const std::string& b, absl::Time known_as_of) const {
  // Reports are keyed "AZ|IR|TT|YEAR|article|index": one clustering group
  // per (type, year), as the views themselves recompute them.
  const std::string dyad = DyadKey(a, b);
  const std::string prefix = absl::StrCat(dyad, "|");
  std::map<std::string, std::vector<Event>> groups;
  absl::Status parse_error;
  auto s = store_->Scan(View::kEventReports, prefix, PrefixUpperBound(prefix),
                        [&](absl::string_view key, absl::string_view value) {
                          absl::string_view rest = key.substr(prefix.size());
                          size_t type_end = rest.find('|');
                          size_t year_end = type_end == absl::string_view::npos
                                                ? absl::string_view::npos
                                                : rest.find('|', type_end + 1);
                          absl::string_view group = rest.substr(0, year_end);
                          auto e = ParseValue<Event>(value, "event report");
                          if (!e.ok()) {
                            parse_error = e.status();
                            return false;
                          }
                          if (EventKnownBy(*e, known_as_of)) {
                            groups[std::string(group)].push_back(*std::move(e));
                          }
                          return true;
                        });
  if (!s.ok()) return s;
  if (!parse_error.ok()) return parse_error;
  std::vector<std::pair<std::string, Event>> out;
  for (auto& [group, reports] : groups) {
    for (Event& e : ClusterReports(dyad, std::move(reports))) {
      std::string key = absl::StrCat(dyad, "|", TimeKey(e.occurred_at(), e.has_occurred_at()), "|",
                                     e.event_id());
      out.emplace_back(std::move(key), std::move(e));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  return out;
}

absl::Status QueryEngine::PairSkeletons(const std::string& a, const std::string& b,
                                        google::protobuf::Arena* arena,
                                        std::vector<const Event*>* events) const {
  // One small record per (type, year) of the pair: no citation is parsed,
  // and the skeletons live on `arena` (no allocation per event).
  std::string prefix = absl::StrCat(DyadKey(a, b), "|");
  absl::Status parse_error;
  auto s = store_->Scan(View::kEventGroups, prefix, PrefixUpperBound(prefix),
                        [&](absl::string_view, absl::string_view value) {
                          auto* group =
                              google::protobuf::Arena::CreateMessage<relations::v1::ListEventsResponse>(
                                  arena);
                          if (!group->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                            parse_error = absl::DataLossError("corrupt event group record");
                            return false;
                          }
                          for (const Event& e : group->events()) {
                            if (e.has_occurred_at()) events->push_back(&e);
                          }
                          return true;
                        });
  if (!s.ok()) return s;
  if (!parse_error.ok()) return parse_error;
  RelationsModel::SortById(events);
  return absl::OkStatus();
}

absl::Status QueryEngine::FillEvidence(const std::string& dyad, relations::v1::RelationsState* state,
                                       std::map<std::string, Event>* cache) const {
  for (Event& e : *state->mutable_evidence()) {
    std::string key = DyadEventKey(dyad, e);
    auto it = cache->find(key);
    if (it == cache->end()) {
      auto value = store_->Get(View::kDyadEvents, key);
      if (!value.ok()) return value.status();
      if (!value->has_value()) {
        return absl::DataLossError(absl::StrCat("event group names a missing event ", key));
      }
      auto full = ParseValue<Event>(**value, "event");
      if (!full.ok()) return full.status();
      it = cache->emplace(key, *std::move(full)).first;
    }
    e = it->second;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Event>> QueryEngine::KnownPairEvents(
    const std::string& a, const std::string& b, std::optional<absl::Time> known_as_of) const {
  if (!known_as_of.has_value()) return PairEvents(a, b);
  auto keyed = PairEventsKnownAsOf(a, b, *known_as_of);
  if (!keyed.ok()) return keyed.status();
  std::vector<Event> events;
  events.reserve(keyed->size());
  for (auto& [key, e] : *keyed) events.push_back(std::move(e));
  return events;
}

absl::StatusOr<std::optional<relations::v1::Agreement>> QueryEngine::AgreementFromInputs(
    absl::string_view agreement_id, std::optional<absl::Time> known_as_of) const {
  // Everything counts when known_as_of is unset.
  auto known = [&](const relations::v1::Citation& c) {
    return !known_as_of.has_value() || KnownBy(c, *known_as_of);
  };
  auto ckey = store_->Get(View::kAgreementKeys, agreement_id);
  if (!ckey.ok()) return ckey.status();
  if (!ckey->has_value()) return std::optional<relations::v1::Agreement>();
  const std::string mention_prefix = absl::StrCat(**ckey, std::string(1, kSep));
  std::vector<relations::v1::AgreementMention> mentions;
  absl::Status error;
  auto s = store_->Scan(View::kAgreementMentions, mention_prefix, PrefixUpperBound(mention_prefix),
                        [&](absl::string_view, absl::string_view value) {
                          auto m = ParseValue<relations::v1::AgreementMention>(value, "mention");
                          if (!m.ok()) {
                            error = m.status();
                            return false;
                          }
                          if (known(m->citation())) mentions.push_back(*std::move(m));
                          return true;
                        });
  if (!s.ok()) return s;
  if (!error.ok()) return error;
  if (mentions.empty()) return std::optional<relations::v1::Agreement>();
  std::set<std::string> figure_keys;
  for (const auto& m : mentions) {
    for (const auto& fid : m.figure_ids()) {
      figure_keys.insert(ViewStore::FigureKey(m.citation().article_id(), fid));
    }
  }
  const std::string index_prefix =
      absl::StrCat("a", std::string(1, kSep), agreement_id, std::string(1, kSep));
  s = store_->Scan(View::kFigureIndex, index_prefix, PrefixUpperBound(index_prefix),
                   [&](absl::string_view key, absl::string_view) {
                     figure_keys.emplace(key.substr(index_prefix.size()));
                     return true;
                   });
  if (!s.ok()) return s;
  std::vector<relations::v1::Figure> figures;
  for (const auto& fk : figure_keys) {
    auto v = store_->Get(View::kFigures, fk);
    if (!v.ok()) return v.status();
    if (!v->has_value()) continue;
    auto f = ParseValue<relations::v1::Figure>(**v, "figure");
    if (!f.ok()) return f.status();
    if (known(f->citation())) figures.push_back(*std::move(f));
  }
  relations::v1::Agreement agreement = BuildAgreement(**ckey, std::move(mentions), std::move(figures));
  agreement.set_citation_count(agreement.citations_size());
  agreement.set_history_count(agreement.history_size());
  agreement.set_figure_count(agreement.figures_size());
  return std::optional<relations::v1::Agreement>(std::move(agreement));
}

absl::StatusOr<std::optional<relations::v1::DisputedFigure>> QueryEngine::DisputeKnownAsOf(
    absl::string_view dispute_key, absl::Time known_as_of) const {
  // Disputes are keyed subject\0quantity\0unit; their figures are indexed
  // under "s\0subject\0quantity\0unit\0<figure key>".
  const std::string prefix =
      absl::StrCat("s", std::string(1, kSep), dispute_key, std::string(1, kSep));
  std::vector<std::string> keys;
  auto s = store_->Scan(View::kFigureIndex, prefix, PrefixUpperBound(prefix),
                        [&](absl::string_view key, absl::string_view) {
                          keys.emplace_back(key.substr(prefix.size()));
                          return true;
                        });
  if (!s.ok()) return s;
  std::vector<relations::v1::Figure> figures;
  for (const auto& fk : keys) {
    auto v = store_->Get(View::kFigures, fk);
    if (!v.ok()) return v.status();
    if (!v->has_value()) continue;
    auto f = ParseValue<relations::v1::Figure>(**v, "figure");
    if (!f.ok()) return f.status();
    if (KnownBy(f->citation(), known_as_of)) figures.push_back(*std::move(f));
  }
  return BuildDispute(std::move(figures));
}

absl::StatusOr<relations::v1::RelationsState> QueryEngine::GetRelationsState(
    const relations::v1::GetRelationsStateRequest& request) const {
  auto a = ResolveCountry("country_a", request.country_a(), true);
  if (!a.ok()) return a.status();
  auto b = ResolveCountry("country_b", request.country_b(), true);
  if (!b.ok()) return b.status();
  if (*a == *b)
    return FieldError("country_b", absl::StrCat("must differ from country_a (both are ", *a, ")"));
  absl::Time as_of = request.has_as_of() ? ToAbslTime(request.as_of()) : clock_();
  if (request.has_known_as_of()) {
    auto events = KnownPairEvents(*a, *b, ToAbslTime(request.known_as_of()));
    if (!events.ok()) return events.status();
    return model_.StateAt(*a, *b, *events, as_of);
  }
  // Scored from the skeletons; only the evidence is read whole.
  google::protobuf::Arena arena;
  std::vector<const Event*> skeletons;
  if (auto s = PairSkeletons(*a, *b, &arena, &skeletons); !s.ok()) return s;
  relations::v1::RelationsState state = model_.StateAtSorted(*a, *b, skeletons, as_of);
  std::map<std::string, Event> cache;
  if (auto s = FillEvidence(DyadKey(*a, *b), &state, &cache); !s.ok()) return s;
  return state;
}

absl::StatusOr<relations::v1::ListRelationsTimelineResponse> QueryEngine::ListRelationsTimeline(
    const relations::v1::ListRelationsTimelineRequest& request) const {
  auto a = ResolveCountry("country_a", request.country_a(), true);
  if (!a.ok()) return a.status();
  auto b = ResolveCountry("country_b", request.country_b(), true);
  if (!b.ok()) return b.status();
  if (*a == *b)
    return FieldError("country_b", absl::StrCat("must differ from country_a (both are ", *a, ")"));
  auto granularity = request.granularity();
  if (!relations::v1::Granularity_IsValid(granularity)) {
    return FieldError("granularity", "unknown granularity");
  }
  const bool skeletons = !request.has_known_as_of();
  google::protobuf::Arena arena;
  std::vector<const Event*> sorted;
  std::vector<Event> known_events;
  if (skeletons) {
    if (auto s = PairSkeletons(*a, *b, &arena, &sorted); !s.ok()) return s;
  } else {
    auto known = KnownPairEvents(*a, *b, ToAbslTime(request.known_as_of()));
    if (!known.ok()) return known.status();
    known_events = *std::move(known);
    sorted = RelationsModel::SortedById(known_events);
  }
  const std::vector<const Event*>* events = &sorted;
  std::map<std::string, Event> evidence_cache;
  relations::v1::ListRelationsTimelineResponse response;
  absl::Time end = request.has_end_time() ? ToAbslTime(request.end_time()) : clock_();
  absl::Time start;
  if (request.has_start_time()) {
    start = ToAbslTime(request.start_time());
  } else {
    std::optional<absl::Time> first;
    for (const Event* e : *events) {
      if (!e->has_occurred_at()) continue;
      absl::Time t = ToAbslTime(e->occurred_at());
      if (!first.has_value() || t < *first) first = t;
    }
    if (!first.has_value()) return response;  // nothing dated: no points
    start = *first;
  }
  if (start > end) return FieldError("start_time", "must not be after end_time");
  int points = 0;
  for (absl::Time p = PeriodStart(start, granularity); p < end || points == 0;
       p = NextPeriod(p, granularity)) {
    if (++points > options_.max_timeline_points) {
      return absl::ResourceExhaustedError(
          absl::StrCat("timeline would have more than ", options_.max_timeline_points,
                       " points; narrow start_time/end_time or use a coarser granularity"));
    }
    absl::Time as_of = std::min(NextPeriod(p, granularity), end);
    auto* point = response.add_points();
    *point = model_.StateAtSorted(*a, *b, *events, as_of);
    if (skeletons) {
      if (auto s = FillEvidence(DyadKey(*a, *b), point, &evidence_cache); !s.ok()) return s;
    }
    if (as_of >= end) break;
  }
  return response;
}

absl::StatusOr<relations::v1::ListEventsResponse> QueryEngine::ListEvents(
    const relations::v1::ListEventsRequest& request) const {
  auto a = ResolveCountry("country_a", request.country_a(), true);
  if (!a.ok()) return a.status();
  auto b = ResolveCountry("country_b", request.country_b(), true);
  if (!b.ok()) return b.status();
  if (*a == *b)
    return FieldError("country_b", absl::StrCat("must differ from country_a (both are ", *a, ")"));
  auto page_size = PageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  std::set<int> types;
  for (int t : request.types()) {
    if (!relations::v1::EventType_IsValid(t))
      return FieldError("types", absl::StrCat("unknown event type ", t));
    if (t != relations::v1::EVENT_TYPE_UNSPECIFIED) types.insert(t);
  }
  if (request.has_start_time() && request.has_end_time() &&
      ToAbslTime(request.start_time()) > ToAbslTime(request.end_time())) {
    return FieldError("start_time", "must not be after end_time");
  }
  std::string type_text;
  for (int t : types) absl::StrAppend(&type_text, t, ",");
  std::string fingerprint = Fingerprint(
      "ListEvents", {DyadKey(*a, *b), TimestampText(request.start_time(), request.has_start_time()),
                     TimestampText(request.end_time(), request.has_end_time()), type_text,
                     KnownText(request.has_known_as_of(), request.known_as_of())});
  auto resume = ParseToken(request.page_token(), fingerprint);
  if (!resume.ok()) return resume.status();

  std::string prefix = absl::StrCat(DyadKey(*a, *b), "|");
  std::string start =
      request.has_start_time() ? absl::StrCat(prefix, TimeKey(request.start_time(), true)) : prefix;
  std::string limit;
  if (request.has_end_time()) {
    limit = absl::StrCat(prefix, TimeKey(request.end_time(), true));
  } else if (request.has_start_time()) {
    limit = absl::StrCat(prefix, kUndatedKey);  // undated events have no instant to filter on
  } else {
    limit = PrefixUpperBound(prefix);
  }
  if (!resume->empty()) start = std::max(start, After(*resume));

  relations::v1::ListEventsResponse response;
  std::string last_key;
  bool more = false;
  auto take = [&](absl::string_view key, Event e) {
    if (!types.empty() && types.count(e.type()) == 0) return true;
    if (response.events_size() >= *page_size) {
      more = true;
      return false;
    }
    *response.add_events() = std::move(e);
    last_key.assign(key.data(), key.size());
    return true;
  };
  if (request.has_known_as_of()) {
    // Events clustered again from what was known then, in the same key order.
    auto keyed = PairEventsKnownAsOf(*a, *b, ToAbslTime(request.known_as_of()));
    if (!keyed.ok()) return keyed.status();
    for (auto& [key, e] : *keyed) {
      if (key < start || key >= limit) continue;
      if (!take(key, std::move(e))) break;
    }
  } else {
    absl::Status parse_error;
    auto s = store_->Scan(View::kDyadEvents, start, limit,
                          [&](absl::string_view key, absl::string_view value) {
                            auto e = ParseValue<Event>(value, "event");
                            if (!e.ok()) {
                              parse_error = e.status();
                              return false;
                            }
                            return take(key, *std::move(e));
                          });
    if (!s.ok()) return s;
    if (!parse_error.ok()) return parse_error;
  }
  if (more) response.set_next_page_token(MakeToken(fingerprint, last_key));
  return response;
}

absl::StatusOr<relations::v1::ListAgreementsResponse> QueryEngine::ListAgreements(
    const relations::v1::ListAgreementsRequest& request) const {
  auto country = ResolveCountry("country", request.country(), false);
  if (!country.ok()) return country.status();
  if (!relations::v1::AgreementStatus_IsValid(request.status())) {
    return FieldError("status", "unknown agreement status");
  }
  auto page_size = PageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  std::string fingerprint =
      Fingerprint("ListAgreements", {*country, absl::StrCat(static_cast<int>(request.status())),
                                     KnownText(request.has_known_as_of(), request.known_as_of())});
  auto resume = ParseToken(request.page_token(), fingerprint);
  if (!resume.ok()) return resume.status();

  relations::v1::ListAgreementsResponse response;
  std::string last_key;
  bool more = false;
  absl::Status parse_error;
  const bool by_status = request.status() != relations::v1::AGREEMENT_STATUS_UNSPECIFIED;
  if (!request.has_known_as_of() && (by_status || !country->empty())) {
    // Index-backed: list_index holds exactly the agreements that pass the
    // filters, so the page reads only what it returns.
    std::string status_text = StatusKey(request.status());
    std::string prefix;
    if (by_status && !country->empty()) {
      prefix = absl::StrCat("b", std::string(1, kSep), *country, std::string(1, kSep), status_text,
                            std::string(1, kSep));
    } else if (by_status) {
      prefix = absl::StrCat("A", std::string(1, kSep), status_text, std::string(1, kSep));
    } else {
      prefix = absl::StrCat("a", std::string(1, kSep), *country, std::string(1, kSep));
    }
    std::string start = resume->empty() ? prefix : std::max(prefix, After(*resume));
    auto s = store_->Scan(View::kListIndex, start, PrefixUpperBound(prefix),
                          [&](absl::string_view key, absl::string_view) {
                            if (response.agreements_size() >= *page_size) {
                              more = true;
                              return false;
                            }
                            auto value = store_->Get(View::kAgreements, key.substr(prefix.size()));
                            if (!value.ok()) {
                              parse_error = value.status();
                              return false;
                            }
                            if (!value->has_value()) return true;
                            auto agreement =
                                ParseValue<relations::v1::Agreement>(**value, "agreement");
                            if (!agreement.ok()) {
                              parse_error = agreement.status();
                              return false;
                            }
                            *response.add_agreements() = *std::move(agreement);
                            last_key.assign(key.data(), key.size());
                            return true;
                          });
    if (!s.ok()) return s;
    if (!parse_error.ok()) return parse_error;
    if (more) response.set_next_page_token(MakeToken(fingerprint, last_key));
    return response;
  }
  auto s = store_->Scan(
      View::kAgreements, resume->empty() ? std::string() : After(*resume), "",
      [&](absl::string_view key, absl::string_view value) {
        auto agreement = ParseValue<relations::v1::Agreement>(value, "agreement");
        if (!agreement.ok()) {
          parse_error = agreement.status();
          return false;
        }
        if (request.has_known_as_of()) {
          // Rebuilt from the mentions and figures known then (status,
          // dates and figures may differ; unknown then: left out).
          auto known = AgreementFromInputs(key, ToAbslTime(request.known_as_of()));
          if (!known.ok()) {
            parse_error = known.status();
            return false;
          }
          if (!known->has_value()) return true;
          agreement = **std::move(known);
          TrimAgreementForList(&*agreement);
        }
        if (request.status() != relations::v1::AGREEMENT_STATUS_UNSPECIFIED &&
            agreement->status() != request.status()) {
          return true;
        }
        if (!country->empty() && std::find(agreement->parties().begin(), agreement->parties().end(),
                                           *country) == agreement->parties().end()) {
          return true;
        }
        if (response.agreements_size() >= *page_size) {
          more = true;
          return false;
        }
        *response.add_agreements() = *std::move(agreement);
        last_key.assign(key.data(), key.size());
        return true;
      });
  if (!s.ok()) return s;
  if (!parse_error.ok()) return parse_error;
  if (more) response.set_next_page_token(MakeToken(fingerprint, last_key));
  return response;
}

absl::StatusOr<relations::v1::Agreement> QueryEngine::GetAgreement(
    const relations::v1::GetAgreementRequest& request) const {
  if (request.agreement_id().empty()) return FieldError("agreement_id", "required");
  // The stored record is the list form (bounded citations, history and
  // figures); the full record is rebuilt from the agreement's mentions.
  auto full = AgreementFromInputs(request.agreement_id(), std::nullopt);
  if (!full.ok()) return full.status();
  if (!full->has_value()) {
    return absl::NotFoundError(absl::StrCat("no agreement \"", request.agreement_id(), "\""));
  }
  return **std::move(full);
}

absl::StatusOr<relations::v1::ListFiguresResponse> QueryEngine::ListFigures(
    const relations::v1::ListFiguresRequest& request) const {
  auto country = ResolveCountry("country", request.country(), false);
  if (!country.ok()) return country.status();
  auto page_size = PageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  std::string fingerprint =
      Fingerprint("ListFigures", {*country, request.quantity(),
                                  KnownText(request.has_known_as_of(), request.known_as_of())});
  auto resume = ParseToken(request.page_token(), fingerprint);
  if (!resume.ok()) return resume.status();

  // Without filters the figures themselves are listed; with filters, the
  // index (key ends with the figure's storage key) in the same order.
  View view = View::kFigureIndex;
  std::string prefix;
  if (!country->empty()) {
    prefix = absl::StrCat("c", std::string(1, kSep), *country, std::string(1, kSep));
    if (!request.quantity().empty())
      absl::StrAppend(&prefix, request.quantity(), std::string(1, kSep));
  } else if (!request.quantity().empty()) {
    prefix = absl::StrCat("q", std::string(1, kSep), request.quantity(), std::string(1, kSep));
  } else {
    view = View::kFigures;
  }
  std::string start = resume->empty() ? prefix : After(*resume);
  std::string limit = prefix.empty() ? std::string() : PrefixUpperBound(prefix);

  relations::v1::ListFiguresResponse response;
  std::string last_key;
  bool more = false;
  absl::Status error;
  auto s = store_->Scan(view, start, limit, [&](absl::string_view key, absl::string_view value) {
    if (response.figures_size() >= *page_size) {
      more = true;
      return false;
    }
    std::string bytes;
    if (view == View::kFigureIndex) {
      absl::string_view figure_key = key.substr(key.rfind(kSep) + 1);
      auto stored = store_->Get(View::kFigures, figure_key);
      if (!stored.ok()) {
        error = stored.status();
        return false;
      }
      if (!stored->has_value()) return true;
      bytes = **stored;
    } else {
      bytes.assign(value.data(), value.size());
    }
    auto figure = ParseValue<relations::v1::Figure>(bytes, "figure");
    if (!figure.ok()) {
      error = figure.status();
      return false;
    }
    if (request.has_known_as_of() &&
        !KnownBy(figure->citation(), ToAbslTime(request.known_as_of()))) {
      return true;
    }
    *response.add_figures() = *std::move(figure);
    last_key.assign(key.data(), key.size());
    return true;
  });
  if (!s.ok()) return s;
  if (!error.ok()) return error;
  if (more) response.set_next_page_token(MakeToken(fingerprint, last_key));
  return response;
}

absl::StatusOr<relations::v1::ListDisputedFiguresResponse> QueryEngine::ListDisputedFigures(
    const relations::v1::ListDisputedFiguresRequest& request) const {
  auto country = ResolveCountry("country", request.country(), false);
  if (!country.ok()) return country.status();
  auto page_size = PageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  std::string fingerprint = Fingerprint(
      "ListDisputedFigures", {*country, KnownText(request.has_known_as_of(), request.known_as_of())});
  auto resume = ParseToken(request.page_token(), fingerprint);
  if (!resume.ok()) return resume.status();

  relations::v1::ListDisputedFiguresResponse response;
  std::string last_key;
  bool more = false;
  absl::Status parse_error;
  if (!request.has_known_as_of() && !country->empty()) {
    // Index-backed: d\0party\0dispute_key lists exactly this party's disputes.
    std::string prefix = absl::StrCat("d", std::string(1, kSep), *country, std::string(1, kSep));
    std::string start = resume->empty() ? prefix : std::max(prefix, After(*resume));
    auto s = store_->Scan(View::kListIndex, start, PrefixUpperBound(prefix),
                          [&](absl::string_view key, absl::string_view) {
                            if (response.disputed_figures_size() >= *page_size) {
                              more = true;
                              return false;
                            }
                            auto value = store_->Get(View::kDisputes, key.substr(prefix.size()));
                            if (!value.ok()) {
                              parse_error = value.status();
                              return false;
                            }
                            if (!value->has_value()) return true;
                            auto dispute =
                                ParseValue<relations::v1::DisputedFigure>(**value, "dispute");
                            if (!dispute.ok()) {
                              parse_error = dispute.status();
                              return false;
                            }
                            *response.add_disputed_figures() = *std::move(dispute);
                            last_key.assign(key.data(), key.size());
                            return true;
                          });
    if (!s.ok()) return s;
    if (!parse_error.ok()) return parse_error;
    if (more) response.set_next_page_token(MakeToken(fingerprint, last_key));
    return response;
  }
  auto s = store_->Scan(
      View::kDisputes, resume->empty() ? std::string() : After(*resume), "",
      [&](absl::string_view key, absl::string_view value) {
        auto dispute = ParseValue<relations::v1::DisputedFigure>(value, "dispute");
        if (!dispute.ok()) {
          parse_error = dispute.status();
          return false;
        }
        if (request.has_known_as_of()) {
          // Rebuilt from the figures known then: no dispute yet is left out.
          auto known = DisputeKnownAsOf(key, ToAbslTime(request.known_as_of()));
          if (!known.ok()) {
            parse_error = known.status();
            return false;
          }
          if (!known->has_value()) return true;
          dispute = **std::move(known);
        }
        if (!country->empty() && std::find(dispute->parties().begin(), dispute->parties().end(),
                                           *country) == dispute->parties().end()) {
          return true;
        }
        if (response.disputed_figures_size() >= *page_size) {
          more = true;
          return false;
        }
        *response.add_disputed_figures() = *std::move(dispute);
        last_key.assign(key.data(), key.size());
        return true;
      });
  if (!s.ok()) return s;
  if (!parse_error.ok()) return parse_error;
  if (more) response.set_next_page_token(MakeToken(fingerprint, last_key));
  return response;
}

absl::StatusOr<relations::v1::ArticleSummary> QueryEngine::GetArticle(
    const relations::v1::GetArticleRequest& request) const {
  if (request.article_id().empty()) return FieldError("article_id", "required");
  auto value = store_->Get(View::kArticles, request.article_id());
  if (!value.ok()) return value.status();
  if (!value->has_value()) {
    return absl::NotFoundError(absl::StrCat("no article \"", request.article_id(), "\""));
  }
  return ParseValue<relations::v1::ArticleSummary>(**value, "article");
}

}  // namespace relmon::query
