// Dates on relctl's command line and in its tables: parsing DATE arguments
// ("2023", "2023-01", "2023-01-27", RFC 3339) and printing timestamps at the
// precision the services report.
#ifndef RELMON_RELCTL_DATES_H_
#define RELMON_RELCTL_DATES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "relations/v1/facts.pb.h"

namespace relctl {

// Which end of a DATE argument's period is meant. "--as-of 2023-01" means
// "at the end of January 2023" (events of that month included), while
// "--from 2023-01" means its first instant.
enum class PeriodEdge { kStart, kEnd };

// Parses a DATE argument: YYYY, YYYY-MM, YYYY-MM-DD (UTC) or an RFC 3339
// instant. For a period, kStart gives its first instant and kEnd its last
// second (23:59:59 of its last day). `argument` names the flag in errors.
absl::StatusOr<absl::Time> ParseDateArgument(absl::string_view text, PeriodEdge edge,
                                             absl::string_view argument);

absl::Time ToAbslTime(const google::protobuf::Timestamp& ts);
google::protobuf::Timestamp ToTimestamp(absl::Time t);

// True when the timestamp is set (non-zero); proto3 JSON omits unset ones.
bool IsSet(const google::protobuf::Timestamp& ts);

// "2023-01-27", "2023-01" or "2023" by precision (DAY when unspecified);
// "-" for an unset timestamp.
std::string FormatDate(const google::protobuf::Timestamp& ts,
                       relations::v1::DatePrecision precision = relations::v1::DATE_PRECISION_DAY);

}  // namespace relctl

#endif  // RELMON_RELCTL_DATES_H_
