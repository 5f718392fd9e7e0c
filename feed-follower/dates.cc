#include "feed-follower/dates.h"

#include <cctype>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace relmon::feeds {
namespace {

// Reads 1..max_digits digits at *pos.
bool ReadNumber(absl::string_view s, size_t* pos, int max_digits, int* value, int* digits = nullptr) {
  int n = 0, v = 0;
  while (*pos < s.size() && n < max_digits && absl::ascii_isdigit(static_cast<unsigned char>(s[*pos]))) {
    v = v * 10 + (s[*pos] - '0');
    ++*pos;
    ++n;
  }
  if (digits != nullptr) *digits = n;
  *value = v;
  return n > 0;
}

int MonthFromName(absl::string_view name) {
  static const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};
  if (name.size() < 3) return 0;
  std::string lower = absl::AsciiStrToLower(name.substr(0, 3));
  for (int i = 0; i < 12; ++i) {
    if (lower == kMonths[i]) return i + 1;
  }
  return 0;
}

// Offset in minutes east of UTC for an RFC 822 zone (or a numeric one).
std::optional<int> ZoneOffsetMinutes(absl::string_view zone) {
  if (zone.empty()) return 0;  // No zone: UTC is the least surprising guess.
  if (zone[0] == '+' || zone[0] == '-') {
    std::string digits;
    for (char c : zone.substr(1)) {
      if (absl::ascii_isdigit(static_cast<unsigned char>(c))) digits.push_back(c);
    }
    if (digits.size() != 4 && digits.size() != 2) return std::nullopt;
    int hours = std::stoi(digits.substr(0, 2));
    int minutes = digits.size() == 4 ? std::stoi(digits.substr(2, 2)) : 0;
    if (hours > 23 || minutes > 59) return std::nullopt;
    int total = hours * 60 + minutes;
    return zone[0] == '-' ? -total : total;
  }
  std::string z = absl::AsciiStrToUpper(zone);
  struct Named {
    const char* name;
    int hours;
  };
  static const Named kZones[] = {{"GMT", 0},  {"UT", 0},   {"UTC", 0},  {"Z", 0},   {"EST", -5}, {"EDT", -4},
                                 {"CST", -6}, {"CDT", -5}, {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}};
  for (const Named& named : kZones) {
    if (z == named.name) return named.hours * 60;
  }
  // Military single letters are ambiguous in practice (RFC 1123 says so):
  // treat them as UTC rather than reject the date.
  if (z.size() == 1 && absl::ascii_isalpha(static_cast<unsigned char>(z[0]))) return 0;
  return std::nullopt;
}

std::optional<absl::Time> Build(int year, int month, int day, int hour, int minute, int second,
                                int offset_minutes) {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  absl::CivilSecond civil(year, month, day, hour, minute, second > 59 ? 59 : second);
  if (civil.day() != day) return std::nullopt;  // 31 February
  return absl::FromCivil(civil, absl::UTCTimeZone()) - absl::Minutes(offset_minutes);
}

}  // namespace

std::optional<absl::Time> ParseRfc822Date(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  // Drop the optional day name ("Mon," or "Monday,").
  if (size_t comma = text.find(','); comma != absl::string_view::npos && comma < 12) {
    text = absl::StripLeadingAsciiWhitespace(text.substr(comma + 1));
  }
  std::vector<absl::string_view> parts = absl::StrSplit(text, ' ', absl::SkipEmpty());
  if (parts.size() < 4) return std::nullopt;
  size_t pos = 0;
  int day = 0, year = 0, digits = 0;
  if (!ReadNumber(parts[0], &pos, 2, &day) || pos != parts[0].size()) return std::nullopt;
  int month = MonthFromName(parts[1]);
  if (month == 0) return std::nullopt;
  pos = 0;
  if (!ReadNumber(parts[2], &pos, 4, &year, &digits) || pos != parts[2].size()) return std::nullopt;
  if (digits == 2) year += year < 50 ? 2000 : 1900;
  else if (digits != 4) return std::nullopt;
  int hour = 0, minute = 0, second = 0;
  pos = 0;
  absl::string_view clock = parts[3];
  if (!ReadNumber(clock, &pos, 2, &hour) || pos >= clock.size() || clock[pos] != ':') return std::nullopt;
  ++pos;
  if (!ReadNumber(clock, &pos, 2, &minute)) return std::nullopt;
  if (pos < clock.size()) {
    if (clock[pos] != ':') return std::nullopt;
    ++pos;
    if (!ReadNumber(clock, &pos, 2, &second) || pos != clock.size()) return std::nullopt;
  }
  std::optional<int> offset = ZoneOffsetMinutes(parts.size() > 4 ? parts[4] : "");
  if (!offset.has_value()) return std::nullopt;
  return Build(year, month, day, hour, minute, second, *offset);
}

std::optional<absl::Time> ParseRfc3339Date(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  size_t pos = 0;
  int year = 0, month = 0, day = 0, digits = 0;
  if (!ReadNumber(text, &pos, 4, &year, &digits) || digits != 4) return std::nullopt;
  if (pos >= text.size() || text[pos] != '-') return std::nullopt;
  ++pos;
  if (!ReadNumber(text, &pos, 2, &month, &digits) || digits != 2) return std::nullopt;
  if (pos >= text.size() || text[pos] != '-') return std::nullopt;
  ++pos;
  if (!ReadNumber(text, &pos, 2, &day, &digits) || digits != 2) return std::nullopt;
  if (pos == text.size()) return Build(year, month, day, 0, 0, 0, 0);
  if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return std::nullopt;
  ++pos;
  int hour = 0, minute = 0, second = 0;
  if (!ReadNumber(text, &pos, 2, &hour, &digits) || digits != 2) return std::nullopt;
  if (pos >= text.size() || text[pos] != ':') return std::nullopt;
  ++pos;
  if (!ReadNumber(text, &pos, 2, &minute, &digits) || digits != 2) return std::nullopt;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    if (!ReadNumber(text, &pos, 2, &second, &digits) || digits != 2) return std::nullopt;
  }
  absl::Duration fraction;
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    int64_t nanos = 0;
    int n = 0;
    while (pos < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[pos]))) {
      if (n < 9) {
        nanos = nanos * 10 + (text[pos] - '0');
        ++n;
      }
      ++pos;
    }
    if (n == 0) return std::nullopt;
    while (n++ < 9) nanos *= 10;
    fraction = absl::Nanoseconds(nanos);
  }
  std::optional<int> offset = ZoneOffsetMinutes(text.substr(pos));
  if (!offset.has_value()) return std::nullopt;
  std::optional<absl::Time> t = Build(year, month, day, hour, minute, second, *offset);
  if (!t.has_value()) return std::nullopt;
  return *t + fraction;
}

std::optional<absl::Time> ParseFeedDate(absl::string_view text) {
  if (std::optional<absl::Time> t = ParseRfc3339Date(text)) return t;
  return ParseRfc822Date(text);
}

}  // namespace relmon::feeds
