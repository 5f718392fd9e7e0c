// Printers of relctl: turn query-service responses into aligned tables and
// key/value blocks, or into the proto3 JSON mapping for --json.
#ifndef RELMON_RELCTL_FORMAT_H_
#define RELMON_RELCTL_FORMAT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "relations/v1/article.pb.h"
#include "relations/v1/facts.pb.h"
#include "relations/v1/ingest_service.pb.h"
#include "relations/v1/query_service.pb.h"

namespace relctl {

struct OutputStyle {
  bool color = false;  // ANSI colours (only for a terminal)
  int max_width = 0;   // terminal width to fit tables in; 0: no limit
};

// "EVENT_TYPE_VISIT" -> "VISIT" for the enums of relations.v1.
std::string EventTypeName(relations::v1::EventType type);
std::string LevelName(relations::v1::RelationsLevel level);
std::string TrendName(relations::v1::Trend trend);
std::string StatusName(relations::v1::AgreementStatus status);
std::string KindName(relations::v1::AgreementKind kind);

// Command-line spellings ("visit", "PHONE_CALL", "phone-call") to enums.
absl::StatusOr<relations::v1::EventType> ParseEventType(absl::string_view text);
absl::StatusOr<relations::v1::AgreementStatus> ParseAgreementStatus(absl::string_view text);
absl::StatusOr<relations::v1::Granularity> ParseGranularity(absl::string_view text);

// 1234567 -> "1,234,567"; 1.6 -> "1.6" (at most 3 decimals).
std::string FormatNumber(double value);
// A canonical value in readable units: (132000, "m") -> "132 km",
// (1.6e9, "EUR") -> "1.6 billion EUR", (7e8, "kg") -> "700,000 t".
std::string FormatValue(double value, absl::string_view unit);
// "+4.2", "-7.0".
std::string FormatScore(double score);

std::string RenderState(const relations::v1::RelationsState& state, const OutputStyle& style);
std::string RenderTimeline(const relations::v1::ListRelationsTimelineResponse& timeline,
                           relations::v1::Granularity granularity, const OutputStyle& style);
std::string RenderEvents(const google::protobuf::RepeatedPtrField<relations::v1::Event>& events,
                         const OutputStyle& style);
std::string RenderAgreements(
    const google::protobuf::RepeatedPtrField<relations::v1::Agreement>& agreements,
    const OutputStyle& style);
std::string RenderAgreement(const relations::v1::Agreement& agreement, const OutputStyle& style);
std::string RenderFigures(const google::protobuf::RepeatedPtrField<relations::v1::Figure>& figures,
                          const OutputStyle& style);
std::string RenderDisputes(
    const google::protobuf::RepeatedPtrField<relations::v1::DisputedFigure>& disputes,
    const OutputStyle& style);
std::string RenderArticle(const relations::v1::ArticleSummary& article, const OutputStyle& style);

// What `relctl ingest` counts while streaming.
struct IngestTally {
  int64_t total = 0;  // items planned
  int64_t accepted = 0;
  int64_t duplicate = 0;
  int64_t rejected = 0;
  uint64_t max_sequence = 0;
  double seconds = 0;
  // (client_ref, message) of every rejected article, in order.
  std::vector<std::pair<std::string, std::string>> rejections;
  // Every response, in order (for --json).
  std::vector<relations::v1::StreamArticlesResponse> responses;

  // Items rejected before sending (unreadable file, bad JSON line).
  std::vector<std::pair<std::string, std::string>> local_rejections;

  void Add(const relations::v1::StreamArticlesResponse& response);
  void AddLocalRejection(const std::string& client_ref, const std::string& message);
  int64_t done() const { return accepted + duplicate + rejected; }
};
std::string RenderIngestSummary(const IngestTally& tally, const OutputStyle& style);
// {"results": [...StreamArticlesResponse...], "accepted": n, ...}.
std::string IngestSummaryJson(const IngestTally& tally, bool pretty);

// The proto3 JSON mapping of a message (default values included so that,
// e.g., an UNSPECIFIED level is visible).
std::string ToJson(const google::protobuf::Message& message, bool pretty);

}  // namespace relctl

#endif  // RELMON_RELCTL_FORMAT_H_
