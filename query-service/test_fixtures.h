// Test helpers: builders of the facts a good extractor would produce, so
// tests of the views and of the model read like the articles they describe.
#ifndef RELMON_QUERY_SERVICE_TEST_FIXTURES_H_
#define RELMON_QUERY_SERVICE_TEST_FIXTURES_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "relations/v1/log.pb.h"

namespace relmon::query::testing {

// A fresh directory under the test temp dir, removed when the test program
// ends.
std::string ScratchDir(const std::string& name);

// "2021-11-21" -> that day 00:00 UTC; "2023-01" -> first of the month; "2023" -> Jan 1.
absl::Time Date(const std::string& text);
google::protobuf::Timestamp Ts(const std::string& text);
// Precision implied by the text's shape (YYYY, YYYY-MM, YYYY-MM-DD).
relations::v1::DatePrecision PrecisionOf(const std::string& text);

relations::v1::Citation Cite(const std::string& article_id, const std::string& published,
                             const std::string& quote, int offset = 0,
                             const std::string& source = "");

// An event report: type, the two countries, date text ("" = undated),
// weight, citation.
relations::v1::Event Report(relations::v1::EventType type, const std::string& a,
                            const std::string& b, const std::string& date, double weight,
                            const relations::v1::Citation& citation, bool retrospective = false);

relations::v1::AgreementMention Mention(const std::string& name, const std::string& key,
                                        std::vector<std::string> parties,
                                        relations::v1::AgreementKind kind,
                                        relations::v1::AgreementStatus status,
                                        const std::string& date,
                                        const relations::v1::Citation& citation);

relations::v1::Figure MakeFigure(const std::string& id, const std::string& quantity,
                                 const std::string& subject, const std::string& subject_key,
                                 std::vector<std::string> parties, double value,
                                 const std::string& unit, const relations::v1::Citation& citation);

// One article's facts, as the ingest service logs them.
struct ArticleFacts {
  std::string id;
  std::string source;
  std::string published;  // "" = unknown date
  std::vector<relations::v1::Event> events;
  std::vector<relations::v1::AgreementMention> mentions;
  std::vector<relations::v1::Figure> figures;
};

// An article without facts yet.
ArticleFacts NewArticle(const std::string& id, const std::string& source,
                        const std::string& published);

// ArticleRecorded + ArticleAnalyzed for each article, sequences from 1.
std::vector<relations::v1::LogEvent> LogOf(const std::vector<ArticleFacts>& articles);

}  // namespace relmon::query::testing

#endif  // RELMON_QUERY_SERVICE_TEST_FIXTURES_H_
