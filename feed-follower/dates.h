// Parsers of the dates feeds carry: RFC 822 (RSS pubDate) and RFC 3339
// (Atom published/updated, JSON metadata).
#ifndef RELMON_FEED_FOLLOWER_DATES_H_
#define RELMON_FEED_FOLLOWER_DATES_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace relmon::feeds {

// "Mon, 22 Nov 2021 12:00:00 GMT", "22 Nov 21 12:00 +0300", "... EST".
// Lenient about the day name, seconds, two-digit years and zone names, since
// real feeds are; nullopt when it is not a date.
std::optional<absl::Time> ParseRfc822Date(absl::string_view text);

// "2021-11-22T12:00:00Z", "2021-11-22T12:00:00.5+03:00", "2021-11-22 12:00:00Z";
// a bare "2021-11-22" is midnight UTC. nullopt when it is not a date.
std::optional<absl::Time> ParseRfc3339Date(absl::string_view text);

// Either of the above (feeds mix them up).
std::optional<absl::Time> ParseFeedDate(absl::string_view text);

}  // namespace relmon::feeds

#endif  // RELMON_FEED_FOLLOWER_DATES_H_
