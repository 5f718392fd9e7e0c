// Header of a news article read from its first lines: title, byline,
// dateline and publication date (for articles sent without metadata).
#ifndef RELMON_INGEST_EXTRACTION_TEXT_ARTICLE_HEADER_H_
#define RELMON_INGEST_EXTRACTION_TEXT_ARTICLE_HEADER_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "ingest-service/extraction/text/date_words.h"
#include "ingest-service/extraction/text/types.h"

namespace relmon::extraction {

// Where the publication date was read.
enum class HeaderDateSource {
  kNone,
  // A "Published"/"Posted"/"date" stamp: "Published: February 22, 2022",
  // " date 2025-05-18 ...".
  kPublishedStamp,
  // A byline: "By Nigar Bayramli December 29, 2023",
  // "Muhammet Kursun | 22.11.2021 - Update : 22.11.2021".
  kByline,
  // A dateline: "MOSCOW, 14 January 2022", "NEW DELHI | October 21, 2024".
  kDateline,
  // A line that starts with a date: "10.03.2023", "Jan 21, 2021 — Energy Desk".
  kDateLine,
  // Only an update stamp gave a date ("Updated 3 October 2023").
  kUpdateStamp,
};

struct ArticleHeader {
  // The headline: the first substantial line (at least 4 words) that is not
  // a section label ("Politics"), an image/logo label ("post-img",
  // "Newsroom logo"), a byline, a date or update line, or a dateline. For a
  // " date 2025-05-18 Baku Deepens ..." line, the text after the date.
  // Empty when none is found.
  std::string title;
  TextSpan title_span;
  // Author or desk: "Nigar Bayramli", "Muhammet Kursun", "Energy Desk".
  std::string byline;
  // Place of the dateline: "TEHRAN, Iran", "MOSCOW", "KAZAN, Russia",
  // "NEW DELHI". Empty when there is none.
  std::string dateline_place;
  // The whole dateline line as written ("KAZAN, Russia, Oct. 23, 2024").
  std::string dateline;
  // The publication day; nullopt when the header gives none.
  std::optional<absl::CivilDay> published;
  HeaderDateSource date_source = HeaderDateSource::kNone;
  // Where in the text the date was read (empty when none).
  TextSpan date_span;
};

// Reads the header zone of `text` (the first 8 non-empty lines within the
// first ~600 bytes, extended to the end of the line that crosses the limit)
// and returns what it finds. Dates come only from stamps, bylines,
// datelines and lines that start with a date, never from prose or photo
// captions. A long line (> 150 bytes: prose, captions) counts only when it
// opens with a wire dateline ("DUBAI, March 10 (Reuters) - ...", "BAKU,
// Azerbaijan, Dec. 26, 2023 (Trend) - ..."), and then only for a date before
// the agency/dash. Datelines without a year give a place but no date.
// When the header zone gives no publication/byline/dateline date, the last 3
// lines of the article are read for a "Published ..." stamp or a short
// "By Name, <date>" byline (before falling back to an update stamp). A publication, byline,
// dateline or date-line date always beats a "Last update:"/"Updated" stamp; the update stamp is
// used only when nothing else gives a date. Among equals the first in reading order wins.
// Impossible dates ("31.02.2023") are ignored.
ArticleHeader ParseArticleHeader(const DateWordTables& tables, absl::string_view text);

}  // namespace relmon::extraction

#endif  // RELMON_INGEST_EXTRACTION_TEXT_ARTICLE_HEADER_H_
