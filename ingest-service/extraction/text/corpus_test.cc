// Checks the header dates of the shared corpus against the acceptance files
// (corpus/*.expected.json, article_dates), when the corpus is present.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "ingest-service/extraction/text/article_header.h"
#include "ingest-service/extraction/text/html.h"
#include "ingest-service/extraction/text/language.h"
#include "ingest-service/extraction/text/sentences.h"
#include "ingest-service/extraction/text/test_tables.h"
#include "nlohmann/json.hpp"

namespace relmon::extraction {
namespace {

using testing::Tables;

std::string CorpusDir() {
  const char* env = std::getenv("RELMON_CORPUS_DIR");
  return env != nullptr ? env : "/work/shared/corpus";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CorpusTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CorpusTest, HeaderDatesMatchExpected) {
  const std::string expected_path = CorpusDir() + "/" + GetParam();
  if (!std::filesystem::exists(expected_path)) GTEST_SKIP() << "no corpus at " << expected_path;
  auto expected = nlohmann::json::parse(ReadFile(expected_path));
  int checked = 0;
  for (const auto& entry : expected["article_dates"]) {
    const std::string file = entry["file"].get<std::string>();
    std::string note = entry.value("note", "");
    std::string text = NormalizePlainText(ReadFile(CorpusDir() + "/" + file));
    ASSERT_FALSE(text.empty()) << file;
    EXPECT_EQ(DetectLanguage(Tables().language, text), "en") << file;
    EXPECT_FALSE(SplitSentences(Tables().sentences, text).empty()) << file;
    ArticleHeader header = ParseArticleHeader(Tables().dates, text);
    EXPECT_FALSE(header.title.empty()) << file;
    if (note.find("metadata") != std::string::npos) continue;  // the text gives no date
    if (entry["date"].is_null()) {
      EXPECT_FALSE(header.published.has_value()) << file;
    } else {
      absl::CivilDay day;
      ASSERT_TRUE(absl::ParseCivilTime(entry["date"].get<std::string>(), &day));
      ASSERT_TRUE(header.published.has_value()) << file;
      EXPECT_EQ(*header.published, day) << file;
    }
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

INSTANTIATE_TEST_SUITE_P(Shared, CorpusTest,
                         ::testing::Values("seeds.expected.json", "dev.expected.json"));

}  // namespace
}  // namespace relmon::extraction
