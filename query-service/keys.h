// Key encodings, stable digests and time conversions shared by the query
// service's views (see docs/storage-query.md for the layouts).
//
// Every id the views mint is a digest of the record's identity, never of
// arrival order, so views built in any order or rebuilt from the log hold
// the same bytes.
#ifndef RELMON_QUERY_SERVICE_KEYS_H_
#define RELMON_QUERY_SERVICE_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "relations/v1/facts.pb.h"

namespace relmon::query {

// FNV-1a 64-bit: stable across runs, machines and builds (absl::Hash is not).
uint64_t StableHash64(absl::string_view data);
// 16 lower-case hex digits of StableHash64.
std::string StableDigest(absl::string_view data);

// "agr_" + digest of the canonical key: the public id of an agreement.
std::string AgreementIdForKey(absl::string_view canonical_key);
// Figure.agreement_id may hold our id ("agr_...") or the canonical key;
// returns the id either way (empty stays empty).
std::string NormalizeAgreementRef(absl::string_view ref);

// "AZ|IR": the unordered pair, codes sorted.
std::string DyadKey(absl::string_view a, absl::string_view b);

// Sortable text of an instant: "2021-11-21T00:00:00Z". Undated: "~", which
// sorts after every date so undated records come last.
std::string TimeKey(const google::protobuf::Timestamp& ts, bool dated);
inline constexpr absl::string_view kUndatedKey = "~";

absl::Time ToAbslTime(const google::protobuf::Timestamp& ts);
google::protobuf::Timestamp ToProtoTime(absl::Time t);

// Fixed-width decimal, so numeric order is key order.
std::string PaddedNumber(uint64_t n, int width);
// 8-byte big-endian.
std::string EncodeFixed64(uint64_t n);
bool DecodeFixed64(absl::string_view data, uint64_t* n);

// The ordering key of a citation: (published_at, unset last; article_id;
// begin_offset; end_offset; quote). Used wherever citations are listed, so
// lists never depend on arrival order.
std::tuple<bool, int64_t, int32_t, std::string_view, int32_t, int32_t, std::string_view> CitationOrder(
    const relations::v1::Citation& c);
bool CitationLess(const relations::v1::Citation& a, const relations::v1::Citation& b);
bool SameCitation(const relations::v1::Citation& a, const relations::v1::Citation& b);

// The smallest key greater than every key starting with `prefix`.
std::string PrefixUpperBound(absl::string_view prefix);

}  // namespace relmon::query

#endif  // RELMON_QUERY_SERVICE_KEYS_H_
