// QueryEngine: answers the QueryService requests from the views. Plain C++
// (absl::Status in, protos out) so tests call it without a network; the
// gRPC layer (query_service_impl.h) only translates.
//
// Country arguments are resolved by the gazetteer (codes, names, demonyms,
// capitals). Page tokens are opaque, carry where the previous page ended and
// a fingerprint of the request's filters, and are refused with other
// filters.
#ifndef RELMON_QUERY_SERVICE_QUERY_ENGINE_H_
#define RELMON_QUERY_SERVICE_QUERY_ENGINE_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/arena.h"
#include "common/country_gazetteer.h"
#include "query-service/relations_model.h"
#include "query-service/view_store.h"
#include "relations/v1/query_service.pb.h"

namespace relmon::query {

// Payload key of an INVALID_ARGUMENT status naming the offending request
// field (the transport turns it into google.rpc.BadRequest).
inline constexpr absl::string_view kFieldPayload = "relmon.field";

// The field an error names, or empty.
std::string ErrorField(const absl::Status& status);

struct QueryEngineOptions {
  RelationsModelParams model;
  int default_page_size = 50;
  int max_page_size = 1000;
  // Most points a timeline returns (more is RESOURCE_EXHAUSTED).
  int max_timeline_points = 10000;
};

class QueryEngine {
 public:
  // `store` and `gazetteer` must outlive the engine. `clock` gives "now".
  QueryEngine(
      const ViewStore* store, const CountryGazetteer* gazetteer, QueryEngineOptions options = {},
      std::function<absl::Time()> clock = [] { return absl::Now(); });

  absl::StatusOr<relations::v1::RelationsState> GetRelationsState(
      const relations::v1::GetRelationsStateRequest& request) const;
  absl::StatusOr<relations::v1::ListRelationsTimelineResponse> ListRelationsTimeline(
      const relations::v1::ListRelationsTimelineRequest& request) const;
  absl::StatusOr<relations::v1::ListEventsResponse> ListEvents(
      const relations::v1::ListEventsRequest& request) const;
  absl::StatusOr<relations::v1::ListAgreementsResponse> ListAgreements(
      const relations::v1::ListAgreementsRequest& request) const;
  absl::StatusOr<relations::v1::Agreement> GetAgreement(
      const relations::v1::GetAgreementRequest& request) const;
  absl::StatusOr<relations::v1::ListFiguresResponse> ListFigures(
      const relations::v1::ListFiguresRequest& request) const;
  absl::StatusOr<relations::v1::ListDisputedFiguresResponse> ListDisputedFigures(
      const relations::v1::ListDisputedFiguresRequest& request) const;
  absl::StatusOr<relations::v1::ArticleSummary> GetArticle(
      const relations::v1::GetArticleRequest& request) const;

  // Every clustered event of a pair (dated first, oldest first).
  absl::StatusOr<std::vector<relations::v1::Event>> PairEvents(const std::string& a,
                                                               const std::string& b) const;

  // known_as_of ("what did we know then", docs/history.md): the pair's
  // events clustered again from only the reports of articles published at or
  // before `known_as_of`, each with its dyad_events key, in key order.
  absl::StatusOr<std::vector<std::pair<std::string, relations::v1::Event>>> PairEventsKnownAsOf(
      const std::string& a, const std::string& b, absl::Time known_as_of) const;

 private:
  absl::StatusOr<std::string> ResolveCountry(absl::string_view field, absl::string_view value,
                                             bool required) const;
  absl::StatusOr<int> PageSize(int requested) const;
  // The pair's dated events as skeletons (event_groups: what the model
  // reads, no citations), allocated on `arena`, sorted by event_id.
  absl::Status PairSkeletons(const std::string& a, const std::string& b,
                             google::protobuf::Arena* arena,
                             std::vector<const relations::v1::Event*>* events) const;
  // Replaces a state's evidence skeletons by the stored events (`cache`
  // keeps those already read, for timelines).
  absl::Status FillEvidence(const std::string& dyad, relations::v1::RelationsState* state,
                            std::map<std::string, relations::v1::Event>* cache) const;
  // PairEvents, or PairEventsKnownAsOf's events when known_as_of is set.
  absl::StatusOr<std::vector<relations::v1::Event>> KnownPairEvents(
      const std::string& a, const std::string& b, std::optional<absl::Time> known_as_of) const;
  // An agreement rebuilt whole from its mentions and figures (only those
  // known at `known_as_of` when set), with its counts; nullopt when none.
  absl::StatusOr<std::optional<relations::v1::Agreement>> AgreementFromInputs(
      absl::string_view agreement_id, std::optional<absl::Time> known_as_of) const;
  // A dispute rebuilt from only what was known at `known_as_of`; nullopt
  // when nothing of it was known yet.
  absl::StatusOr<std::optional<relations::v1::DisputedFigure>> DisputeKnownAsOf(
      absl::string_view dispute_key, absl::Time known_as_of) const;

  const ViewStore* store_;
  const CountryGazetteer* gazetteer_;
  QueryEngineOptions options_;
  RelationsModel model_;
  std::function<absl::Time()> clock_;
};

}  // namespace relmon::query

#endif  // RELMON_QUERY_SERVICE_QUERY_ENGINE_H_
