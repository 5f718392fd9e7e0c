#include "relctl/dates.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace relctl {
namespace {

bool ParseInt(absl::string_view text, int digits, int* value) {
  if (static_cast<int>(text.size()) != digits) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(text, value);
}

}  // namespace

absl::StatusOr<absl::Time> ParseDateArgument(absl::string_view text, PeriodEdge edge,
                                             absl::string_view argument) {
  text = absl::StripAsciiWhitespace(text);
  auto invalid = [&]() {
    return absl::InvalidArgumentError(
        absl::StrCat(argument, ": '", text,
                     "' is not a date (use YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 instant)"));
  };
  if (text.size() > 10) {
    absl::Time t;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, std::string(text), &t, &error)) return invalid();
    return t;
  }
  std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  if (parts.empty() || parts.size() > 3) return invalid();
  int year = 0, month = 1, day = 1;
  if (!ParseInt(parts[0], 4, &year)) return invalid();
  if (parts.size() >= 2 && !ParseInt(parts[1], 2, &month)) return invalid();
  if (parts.size() == 3 && !ParseInt(parts[2], 2, &day)) return invalid();
  if (month < 1 || month > 12 || day < 1 || day > 31) return invalid();
  absl::CivilDay start(year, month, day);
  // CivilDay normalises 2023-02-31 to March; refuse it instead.
  if (start.month() != month || start.day() != day) return invalid();
  if (edge == PeriodEdge::kStart) return absl::FromCivil(start, absl::UTCTimeZone());
  absl::CivilDay next;
  switch (parts.size()) {
    case 1:
      next = absl::CivilDay(absl::CivilYear(year) + 1);
      break;
    case 2:
      next = absl::CivilDay(absl::CivilMonth(year, month) + 1);
      break;
    default:
      next = start + 1;
  }
  return absl::FromCivil(next, absl::UTCTimeZone()) - absl::Seconds(1);
}

absl::Time ToAbslTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t seconds = absl::ToUnixSeconds(t);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
  return ts;
}

bool IsSet(const google::protobuf::Timestamp& ts) { return ts.seconds() != 0 || ts.nanos() != 0; }

std::string FormatDate(const google::protobuf::Timestamp& ts,
                       relations::v1::DatePrecision precision) {
  if (!IsSet(ts)) return "-";
  const char* format = "%Y-%m-%d";
  if (precision == relations::v1::DATE_PRECISION_MONTH) format = "%Y-%m";
  if (precision == relations::v1::DATE_PRECISION_YEAR) format = "%Y";
  return absl::FormatTime(format, ToAbslTime(ts), absl::UTCTimeZone());
}

}  // namespace relctl
