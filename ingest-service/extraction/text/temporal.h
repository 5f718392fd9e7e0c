// Time expressions in a sentence ("on December 26", "this January", "last
// week", "1960-1961", "since 1993") resolved to calendar dates against the
// article's publication day.
#ifndef RELMON_INGEST_EXTRACTION_TEXT_TEMPORAL_H_
#define RELMON_INGEST_EXTRACTION_TEXT_TEMPORAL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "ingest-service/extraction/text/date_words.h"
#include "ingest-service/extraction/text/scan.h"
#include "ingest-service/extraction/text/types.h"

namespace relmon::extraction {

// What shape of time expression was read.
enum class TimeKind {
  // A full date with its year written: "December 26, 2023", "22.11.2021",
  // "2025-05-18", "26 December 2023".
  kDate,
  // Day and month, year taken from the publication day: "on December 26",
  // "Sept. 28".
  kDayMonth,
  // A month with its year written: "January 2023", "a January 2023 attack".
  kMonthYear,
  // A month whose year comes from the publication day: "in March",
  // "this January", "earlier in November", "last October".
  kMonth,
  // A year: "in 2023", "by 2030", "mid-2020".
  kYear,
  // A year range "1960-1961", "2020-21" (is_range).
  kYearRange,
  // A decade "the 1990s", "the early 1990s" (is_range, YEAR precision).
  kDecade,
  // "since 1993", "since March": start of an open period up to publication.
  kSince,
  // A weekday: "on Monday", "Monday afternoon", "Sunday visit".
  kWeekday,
  // Relative to publication: "last week", "last month", "last year",
  // "yesterday", "today", "two weeks ago", "next month",
  // "in the last days of the year".
  kRelative,
  // A span from publication into the future: "within two months".
  kWithin,
  // A vague pointer with no date: "in the near future", "in the coming days",
  // "in recent months" (resolved == false; future tells the direction).
  kVague,
};

// "DATE", "DAY_MONTH", ... (for logs and tests).
const char* TimeKindName(TimeKind kind);

// One time expression found in a sentence.
struct TimeExpression {
  // Byte span in the sentence passed to FindTimeExpressions, covering the
  // cue words too ("on Monday", "in the early 1990s").
  TextSpan span;
  TimeKind kind = TimeKind::kDate;
  // False when the expression needs a publication day that was not given, or
  // is vague; `start`/`last` are then meaningless.
  bool resolved = false;
  // First day of the period (for MONTH/YEAR precision the 1st of the
  // month/year, matching facts.proto's convention).
  absl::CivilDay start;
  // Last day of the period, inclusive (the day itself for DAY precision; the
  // end of the month/year/range otherwise; the publication day for kSince).
  absl::CivilDay last;
  DatePrecision precision = DatePrecision::kUnspecified;
  // A range of several periods: year ranges, decades, "since", "within".
  bool is_range = false;
  // Points after the publication day ("next month", "within two months",
  // "will ... on Monday", "in the coming days").
  bool future = false;
  // Only approximately placed: "last week"/"this week" (start is the Monday
  // of that week, DAY precision), "N weeks ago", "early 1990s".
  bool approximate = false;
};

// Finds the time expressions of `sentence` in reading order, without
// overlaps (the longest expression wins). `publication_day` anchors relative
// expressions; without it only expressions with a written year resolve.
//
// Resolution rules (documented choices):
//  - Day-month without a year ("on December 26", "Sept. 28") and bare
//    months ("in March") prefer the past: the latest such date on or before
//    the publication day (the same month counts for months). When the
//    sentence has a future cue ("will", "is due to", "next", "plans to",
//    from date_words.tsv future_cue) they prefer the future: the earliest
//    on or after it.
//  - "this <Month>" is that month of the publication year; "last <Month>"
//    the latest strictly before the publication month; "next <Month>" the
//    earliest strictly after.
//  - Weekdays ("on Monday", "Sunday visit") are the latest such day on or
//    before the publication day: a Monday story's "said on Monday" is that
//    Monday; with a future cue the earliest on or after; "last Monday" is
//    strictly before, "next Monday" strictly after.
//  - "in the last days/weeks of the year", "at the end of the year": December
//    of the publication year, or of the previous year when the story is
//    published in January (MONTH precision).
//  - A bare 4-digit number 1000..2100 is a year only after a temporal cue
//    (in, since, by, of, until, before, after, during, from, between, mid-,
//    a month name, "year"); "Pay ABC 2000" and "about 650" are not times.
//  - "within two months" runs from the nearest dated expression before it in
//    the sentence ("In September 2023, ... left within a week"), else from
//    the publication day; `future` when it ends after publication.
//  - "last week"/"this week": the Monday of that week (approximate, DAY).
//  - Impossible dates ("31.02.2023", "February 30") are not times.
std::vector<TimeExpression> FindTimeExpressions(const DateWordTables& tables,
                                                absl::string_view sentence,
                                                std::optional<absl::CivilDay> publication_day);

// Same, and also stores in `unanchored` what FindTimeExpressions(tables,
// sentence, std::nullopt) returns, from one scan of the sentence (the
// extractor needs both: anchored times for facts, unanchored ones to mask
// dates out of figures). When `tokens` is set it receives the sentence's
// internal::Tokenize tokens (its capacity reused), for FindFigures to reuse.
std::vector<TimeExpression> FindTimeExpressions(const DateWordTables& tables,
                                                absl::string_view sentence,
                                                std::optional<absl::CivilDay> publication_day,
                                                std::vector<TimeExpression>* unanchored,
                                                std::vector<internal::Token>* tokens = nullptr);

// Same as the first form, on the sentence's tokens already computed
// (`tokens` must be internal::Tokenize(sentence)): callers that need the
// tokens themselves spare a second tokenization.
std::vector<TimeExpression> FindTimeExpressionsInTokens(
    const DateWordTables& tables, absl::string_view sentence,
    const std::vector<internal::Token>& tokens, std::optional<absl::CivilDay> publication_day);

}  // namespace relmon::extraction

#endif  // RELMON_INGEST_EXTRACTION_TEXT_TEMPORAL_H_
