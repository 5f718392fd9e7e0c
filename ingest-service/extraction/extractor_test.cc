// Tests of the whole extractor: orchestration rules (metadata wins,
// languages, versions) and the acceptance facts of the shared corpus
// (seeds, dev) and of this folder's own test articles (testdata/), checked
// with one reader of the *.expected.json format.
#include "ingest-service/extraction/extractor.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ingest-service/extraction/data_files.h"

namespace relmon::extraction {
namespace {

using nlohmann::json;

const Extractor& GetExtractor() {
  static const Extractor* extractor = [] {
    ExtractorOptions options;
    options.resources_dir = RELMON_TEST_DATA_DIR;
    options.iso_codes_dir = RELMON_TEST_ISO_CODES_DIR;
    auto e = Extractor::Create(options);
    if (!e.ok()) {
      ADD_FAILURE() << e.status();
      return static_cast<Extractor*>(nullptr);
    }
    return e->release();
  }();
  return *extractor;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string DayOf(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(ts.seconds()), absl::UTCTimeZone());
}

std::vector<std::string> Strings(const json& j) {
  std::vector<std::string> out;
  if (j.is_string()) out.push_back(j.get<std::string>());
  if (j.is_array()) {
    for (const json& x : j) out.push_back(x.get<std::string>());
  }
  return out;
}

struct Analysed {
  std::string file;
  ExtractionResult result;
};

// Runs the extractor over every file of a corpus index (.jsonl).
std::vector<Analysed> RunCorpus(const std::string& dir, const std::string& index) {
  std::vector<Analysed> out;
  std::ifstream in(dir + "/" + index);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    json row = json::parse(line);
    relations::v1::Article article;
    const std::string file = row["file"].get<std::string>();
    article.set_text(GetExtractor().CleanText(ReadAll(dir + "/" + file)));
    article.set_id(StableDigest({article.text()}));
    article.set_source(row.value("source", ""));
    const std::string published = row.value("published_at", "");
    if (!published.empty()) {
      absl::Time t;
      std::string err;
      EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, published, &t, &err)) << err;
      article.mutable_published_at()->set_seconds(absl::ToUnixSeconds(t));
    }
    out.push_back({file, GetExtractor().Extract(article)});
  }
  return out;
}

bool NameMatches(const std::string& name, const json& names) {
  for (const std::string& n : Strings(names)) {
    if (absl::StrContains(absl::AsciiStrToLower(name), absl::AsciiStrToLower(n))) return true;
  }
  return false;
}

std::string Short(const std::string& enum_name, absl::string_view prefix) {
  return absl::StartsWith(enum_name, prefix) ? enum_name.substr(prefix.size()) : enum_name;
}

// Checks the "must" items (and, with check_should, every item) of an
// expected.json against the analyses.
void CheckExpected(const std::vector<Analysed>& corpus, const json& expected, bool check_should) {
  auto wanted = [&](const json& item) { return check_should || item.value("must", false); };
  for (const json& item : expected["article_dates"]) {
    if (!wanted(item)) continue;
    for (const Analysed& a : corpus) {
      if (a.file != item["file"]) continue;
      if (item["date"].is_null()) {
        EXPECT_FALSE(a.result.article.has_published_at()) << a.file;
      } else {
        ASSERT_TRUE(a.result.article.has_published_at()) << a.file;
        EXPECT_EQ(DayOf(a.result.article.published_at()), item["date"].get<std::string>()) << a.file;
      }
    }
  }
  for (const json& item : expected["events"]) {
    if (!wanted(item)) continue;
    std::vector<std::string> dyad = Strings(item["dyad"]);
    std::sort(dyad.begin(), dyad.end());
    const std::vector<std::string> types = Strings(item["type"]);
    const std::string date = item.value("date", "");
    bool found = false;
    for (const Analysed& a : corpus) {
      for (const relations::v1::Event& e : a.result.analysis.events()) {
        std::vector<std::string> actors(e.actors().begin(), e.actors().end());
        if (actors != dyad) continue;
        const std::string type = Short(relations::v1::EventType_Name(e.type()), "EVENT_TYPE_");
        if (std::find(types.begin(), types.end(), type) == types.end()) continue;
        if (!e.has_occurred_at() || !absl::StartsWith(DayOf(e.occurred_at()), date)) continue;
        if (item.contains("precision") &&
            Short(relations::v1::DatePrecision_Name(e.date_precision()), "DATE_PRECISION_") !=
                item["precision"].get<std::string>()) {
          continue;
        }
        found = true;
      }
    }
    EXPECT_TRUE(found) << "event not found: " << item.dump();
  }
  for (const json& item : expected["agreements"]) {
    if (!wanted(item)) continue;
    std::vector<std::string> parties = Strings(item["parties"]);
    std::sort(parties.begin(), parties.end());
    const std::vector<std::string> statuses = Strings(item["status"]);
    std::set<std::string> keys, seen_statuses;
    bool status_ok = statuses.empty();
    for (const Analysed& a : corpus) {
      for (const relations::v1::AgreementMention& m : a.result.analysis.agreement_mentions()) {
        if (!NameMatches(m.name(), item["names"])) continue;
        std::vector<std::string> ps(m.parties().begin(), m.parties().end());
        if (!parties.empty() && ps != parties) continue;
        keys.insert(m.canonical_key());
        const std::string st = Short(relations::v1::AgreementStatus_Name(m.status()), "AGREEMENT_STATUS_");
        if (m.has_occurred_at()) seen_statuses.insert(st);
        if (std::find(statuses.begin(), statuses.end(), st) != statuses.end()) status_ok = true;
      }
    }
    EXPECT_FALSE(keys.empty()) << "agreement not found: " << item.dump();
    EXPECT_TRUE(status_ok) << "agreement status not found: " << item.dump();
    if (item.value("exactly_one", false)) {
      EXPECT_EQ(keys.size(), 1u) << "several keys for: " << item.dump();
    }
    for (const std::string& h : Strings(item.value("history", json::array()))) {
      EXPECT_TRUE(seen_statuses.count(h)) << "no dated " << h << " for " << item.dump();
    }
  }
  for (const json& item : expected["figures"]) {
    if (!wanted(item)) continue;
    const std::vector<std::string> quantities = Strings(item["quantity"]);
    std::vector<std::string> parties = Strings(item.value("parties", json::array()));
    std::sort(parties.begin(), parties.end());
    const double value = item["value"].get<double>();
    bool found = false;
    for (const Analysed& a : corpus) {
      if (item.contains("file") && a.file != item["file"]) continue;
      for (const relations::v1::Figure& f : a.result.analysis.figures()) {
        if (std::find(quantities.begin(), quantities.end(), f.quantity()) == quantities.end()) continue;
        if (std::abs(f.value() - value) > 0.02 * value || f.unit() != item["unit"]) continue;
        std::vector<std::string> ps(f.parties().begin(), f.parties().end());
        if (!parties.empty() && ps != parties) continue;
        if (item.contains("subject") && !NameMatches(f.subject(), item["subject"])) continue;
        found = true;
      }
    }
    EXPECT_TRUE(found) << "figure not found: " << item.dump();
  }
  if (expected.contains("disputed_figures")) {
    // Group by (quantity, subject_key); a group is disputed when values
    // differ by more than 2 %.
    std::map<std::pair<std::string, std::string>, std::vector<double>> groups;
    for (const Analysed& a : corpus) {
      for (const relations::v1::Figure& f : a.result.analysis.figures()) {
        groups[{f.quantity(), f.subject_key()}].push_back(f.value());
      }
    }
    std::vector<std::string> disputed;
    for (auto& [key, values] : groups) {
      auto [lo, hi] = std::minmax_element(values.begin(), values.end());
      if (*hi > *lo * 1.02) disputed.push_back(key.second);
    }
    const json& exactly = expected["disputed_figures"]["exactly"];
    EXPECT_EQ(disputed.size(), exactly.size()) << "disputed keys: " << ::testing::PrintToString(disputed);
  }
}

json ReadJson(const std::string& path) { return json::parse(ReadAll(path)); }

TEST(ExtractorTest, SeedsMeetTheAcceptanceFacts) {
  auto corpus = RunCorpus(RELMON_CORPUS_DIR, "seeds.jsonl");
  ASSERT_EQ(corpus.size(), 5u);
  CheckExpected(corpus, ReadJson(std::string(RELMON_CORPUS_DIR) + "/seeds.expected.json"), false);
}

TEST(ExtractorTest, DevMeetsTheAcceptanceFacts) {
  auto corpus = RunCorpus(RELMON_CORPUS_DIR, "dev.jsonl");
  ASSERT_EQ(corpus.size(), 8u);
  CheckExpected(corpus, ReadJson(std::string(RELMON_CORPUS_DIR) + "/dev.expected.json"), false);
}

TEST(ExtractorTest, OwnTestArticles) {
  auto corpus = RunCorpus(RELMON_EXTRACTION_TESTDATA_DIR, "index.jsonl");
  ASSERT_GE(corpus.size(), 6u);
  CheckExpected(corpus, ReadJson(std::string(RELMON_EXTRACTION_TESTDATA_DIR) + "/expected.json"),
                true);
}

TEST(ExtractorTest, MetadataWinsAndVersionNamesTheData) {
  relations::v1::Article article;
  article.set_id("a1");
  article.set_title("Client title");
  article.set_text(GetExtractor().CleanText(
      "Header line here for the story\r\nPublished: February 22, 2022\r\n\r\nIran and Azerbaijan "
      "signed a transit agreement on Tuesday.  \r\n"));
  article.mutable_published_at()->set_seconds(1700000000);
  ExtractionResult r = GetExtractor().Extract(article);
  EXPECT_EQ(r.article.title(), "Client title");
  EXPECT_EQ(r.article.published_at().seconds(), 1700000000);
  EXPECT_EQ(r.date_source, relations::v1::DATE_SOURCE_METADATA);
  EXPECT_EQ(r.analysis.article_id(), "a1");
  EXPECT_TRUE(absl::StartsWith(r.analysis.extractor_version(), "relmon-extractor/1."));
  EXPECT_TRUE(absl::StrContains(r.analysis.extractor_version(), "+data."));
  EXPECT_EQ(r.analysis.countries_size(), 2);
  for (const auto& e : r.analysis.events()) {
    ASSERT_EQ(e.citations_size(), 1);
    const auto& c = e.citations(0);
    EXPECT_EQ(c.article_id(), "a1");
    EXPECT_EQ(r.article.text().substr(c.begin_offset(), c.end_offset() - c.begin_offset()),
              c.quote());
  }
}

TEST(ExtractorTest, ChangedDataChangesTheVersion) {
  // A copy of the data directory with one more office holder.
  const std::string dir = ::testing::TempDir() + "/relmon_data_copy";
  ASSERT_EQ(std::system(("rm -rf '" + dir + "' && cp -r '" RELMON_TEST_DATA_DIR "' '" + dir + "'").c_str()), 0);
  ExtractorOptions options;
  options.resources_dir = dir;
  options.iso_codes_dir = RELMON_TEST_ISO_CODES_DIR;
  auto same = Extractor::Create(options);
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ((*same)->version(), GetExtractor().version());
  std::ofstream(dir + "/office_holders.tsv", std::ios::app) << "Test Person\tAZ\tminister\t2020-01-01\t\t\n";
  auto changed = Extractor::Create(options);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_NE((*changed)->version(), GetExtractor().version());
  // A broken data file is an error naming the file, not a crash.
  std::ofstream(dir + "/event_cues.tsv", std::ios::app) << "NO_SUCH_TYPE\tfoo\t\t\n";
  auto broken = Extractor::Create(options);
  ASSERT_FALSE(broken.ok());
  EXPECT_TRUE(absl::StrContains(broken.status().message(), "event_cues.tsv"));
}

TEST(ExtractorTest, DateFromTextWhenMetadataIsMissing) {
  relations::v1::Article article;
  article.set_id("a2");
  article.set_text("Leaders meet again\nPublished: February 22, 2022\n\nTurkey and Armenia met on "
                   "Monday in Vienna.");
  ExtractionResult r = GetExtractor().Extract(article);
  EXPECT_EQ(r.date_source, relations::v1::DATE_SOURCE_TEXT);
  ASSERT_TRUE(r.article.has_published_at());
  EXPECT_EQ(DayOf(r.article.published_at()), "2022-02-22");
  bool meeting = false;
  for (const auto& e : r.analysis.events()) {
    if (e.type() == relations::v1::EVENT_TYPE_MEETING) {
      meeting = true;
      EXPECT_EQ(DayOf(e.occurred_at()), "2022-02-21");
    }
  }
  EXPECT_TRUE(meeting);
}

TEST(ExtractorTest, LedeAfterAWireDatelineIsAnalysed) {
  // Wire copy runs the lede on after the dateline's dash; the dateline is
  // read for the date, and the sentence after the dash is analysed and cited
  // without it.
  for (const std::string& lede :
       {std::string("BAKU, March 3, 2024 - Azerbaijan and Georgia signed the agreement on Monday."),
        std::string("BAKU, March 3 (Reuters) - Azerbaijan and Georgia signed the agreement on Monday."),
        std::string("BAKU, March 3, 2024 \xE2\x80\x94 Azerbaijan and Georgia signed the agreement on Monday."),
        std::string("BAKU -- Azerbaijan and Georgia signed the agreement on Monday.")}) {
    relations::v1::Article article;
    article.set_id("w");
    article.set_text("Rail link deal\n\n" + lede + "\n");
    article.mutable_published_at()->set_seconds(1709459200);  // 2024-03-03
    ExtractionResult r = GetExtractor().Extract(article);
    bool agreement = false;
    for (const auto& e : r.analysis.events()) {
      if (e.type() != relations::v1::EVENT_TYPE_AGREEMENT) continue;
      agreement = true;
      EXPECT_EQ(DayOf(e.occurred_at()), "2024-02-26") << lede;  // the Monday before Sunday 3 March
      ASSERT_GT(e.citations_size(), 0);
      EXPECT_TRUE(absl::StartsWith(e.citations(0).quote(), "Azerbaijan and Georgia")) << e.citations(0).quote();
      EXPECT_EQ(r.article.text().substr(e.citations(0).begin_offset(), 6), "Azerba");
    }
    EXPECT_TRUE(agreement) << lede;
  }
  // A dateline alone, or a byline with a date, is still not analysed.
  relations::v1::Article article;
  article.set_id("w2");
  article.set_text("Rail link deal\n\nBAKU, March 3, 2024\nBy Nigar Bayramli March 3, 2024\n\nIran - Azerbaijan.\n");
  ExtractionResult r = GetExtractor().Extract(article);
  EXPECT_EQ(r.analysis.events_size(), 0);
}

TEST(ExtractorTest, NonEnglishIsStoredButNotAnalysed) {
  relations::v1::Article article;
  article.set_id("fa1");
  article.set_text("ایران و آذربایجان روابط دوجانبه را گسترش می‌دهند و وزیران امروز دیدار کردند.");
  ExtractionResult r = GetExtractor().Extract(article);
  EXPECT_FALSE(r.analysis.analyzed());
  EXPECT_TRUE(absl::StrContains(r.analysis.not_analyzed_reason(), "fa"));
  EXPECT_EQ(r.analysis.events_size(), 0);
  EXPECT_EQ(r.article.language(), "fa");
  // The client's declared language wins.
  article.set_text("Iran and Azerbaijan met on Monday.");
  article.set_language("de");
  r = GetExtractor().Extract(article);
  EXPECT_FALSE(r.analysis.analyzed());
}

TEST(ExtractorTest, HtmlIsReducedToText) {
  std::string clean = GetExtractor().CleanText(
      "<html><head><script>var x=1;</script></head><body><p>Iran &amp; Azerbaijan</p>"
      "<p>met.</p></body></html>");
  EXPECT_FALSE(absl::StrContains(clean, "<"));
  EXPECT_FALSE(absl::StrContains(clean, "var x"));
  EXPECT_TRUE(absl::StrContains(clean, "Iran & Azerbaijan"));
}

TEST(ExtractorTest, HostileInputsDoNotBreakIt) {
  relations::v1::Article article;
  article.set_id("h");
  for (const std::string& text :
       {std::string(), std::string("\x01\xff\xfe((( ))) ... ,,,"), std::string(5000, '-')}) {
    article.set_text(text);
    ExtractionResult r = GetExtractor().Extract(article);
    EXPECT_EQ(r.analysis.events_size(), 0);
  }
  // One endless sentence full of cues: bounded work, still cited facts.
  std::string endless;
  for (int i = 0; i < 20000; ++i) endless += "Iran and Azerbaijan signed the agreement on Monday and ";
  article.set_text(endless + "met.");
  article.mutable_published_at()->set_seconds(1700000000);
  ExtractionResult r = GetExtractor().Extract(article);
  EXPECT_LE(r.analysis.events_size(), 64);
}

TEST(ExtractorTest, PhotoCaptionsAreNotAnalysed) {
  relations::v1::Article article;
  article.set_id("c");
  article.set_text(
      "Title of the story about Iran and Azerbaijan today\n"
      "Iranian Foreign Minister meets Azerbaijani envoy in Tehran on October 5, 2020. ( Photo "
      "Person - Agency )\n\nIran and Azerbaijan met on Monday.");
  article.mutable_published_at()->set_seconds(1637582400);  // 2021-11-22
  ExtractionResult r = GetExtractor().Extract(article);
  for (const auto& e : r.analysis.events()) {
    EXPECT_NE(DayOf(e.occurred_at()), "2020-10-05") << e.summary();
  }
}

TEST(ExtractorTest, Deterministic) {
  relations::v1::Article article;
  article.set_id("d");
  article.set_text(ReadAll(std::string(RELMON_CORPUS_DIR) + "/seeds/001_849ad0b7f9eceb43.txt"));
  std::string a, b;
  GetExtractor().Extract(article).analysis.SerializeToString(&a);
  GetExtractor().Extract(article).analysis.SerializeToString(&b);
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace relmon::extraction
