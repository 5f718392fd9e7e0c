#include "query-service/keys.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace relmon::query {

uint64_t StableHash64(absl::string_view data) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string StableDigest(absl::string_view data) {
  return absl::StrFormat("%016x", StableHash64(data));
}

std::string AgreementIdForKey(absl::string_view canonical_key) {
  return absl::StrCat("agr_", StableDigest(canonical_key));
}

std::string NormalizeAgreementRef(absl::string_view ref) {
  if (ref.empty()) return "";
  if (absl::StartsWith(ref, "agr_") && ref.size() == 20) return std::string(ref);
  return AgreementIdForKey(ref);
}

std::string DyadKey(absl::string_view a, absl::string_view b) {
  if (b < a) std::swap(a, b);
  return absl::StrCat(a, "|", b);
}

absl::Time ToAbslTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  google::protobuf::Timestamp ts;
  int64_t secs = absl::ToUnixSeconds(t);
  absl::Duration rest = t - absl::FromUnixSeconds(secs);
  if (rest < absl::ZeroDuration()) {
    --secs;
    rest += absl::Seconds(1);
  }
  ts.set_seconds(secs);
  ts.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(rest)));
  return ts;
}

std::string TimeKey(const google::protobuf::Timestamp& ts, bool dated) {
  if (!dated) return std::string(kUndatedKey);
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", ToAbslTime(ts), absl::UTCTimeZone());
}

std::string PaddedNumber(uint64_t n, int width) { return absl::StrFormat("%0*d", width, n); }

std::string EncodeFixed64(uint64_t n) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(n & 0xff);
    n >>= 8;
  }
  return out;
}

bool DecodeFixed64(absl::string_view data, uint64_t* n) {
  if (data.size() != 8) return false;
  uint64_t v = 0;
  for (unsigned char c : data) v = (v << 8) | c;
  *n = v;
  return true;
}

std::tuple<bool, int64_t, int32_t, std::string_view, int32_t, int32_t, std::string_view> CitationOrder(
    const relations::v1::Citation& c) {
  return {!c.has_published_at(),
          c.published_at().seconds(),
          c.published_at().nanos(),
          c.article_id(),
          c.begin_offset(),
          c.end_offset(),
          c.quote()};
}

bool CitationLess(const relations::v1::Citation& a, const relations::v1::Citation& b) {
  return CitationOrder(a) < CitationOrder(b);
}

bool SameCitation(const relations::v1::Citation& a, const relations::v1::Citation& b) {
  return a.article_id() == b.article_id() && a.begin_offset() == b.begin_offset() &&
         a.end_offset() == b.end_offset() && a.quote() == b.quote();
}

std::string PrefixUpperBound(absl::string_view prefix) {
  std::string s(prefix);
  while (!s.empty()) {
    unsigned char last = static_cast<unsigned char>(s.back());
    if (last != 0xff) {
      s.back() = static_cast<char>(last + 1);
      return s;
    }
    s.pop_back();
  }
  return std::string(1, '\xff') + std::string(8, '\xff');
}

}  // namespace relmon::query
