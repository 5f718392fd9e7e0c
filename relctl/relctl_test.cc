// Unit tests of relctl's argument parsing, dates, inputs and printers.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "relctl/args.h"
#include "relctl/article_inputs.h"
#include "relctl/dates.h"
#include "relctl/format.h"
#include "relctl/progress.h"
#include "relctl/table.h"

namespace relctl {
namespace {

namespace rv1 = relations::v1;

absl::StatusOr<Invocation> Parse(std::vector<std::string> argv) {
  return ParseCommandLine(argv, InvocationDefaults());
}

TEST(ArgsTest, ParsesGlobalFlagsBeforeAndAfterTheCommand) {
  auto inv = Parse({"--query_target=h:1", "state", "AZ", "Iran", "--json", "--as-of", "2023-01"});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->command, "state");
  EXPECT_EQ(inv->query_target, "h:1");
  EXPECT_EQ(inv->ingest_target, "localhost:50051");
  EXPECT_TRUE(inv->json);
  EXPECT_EQ(inv->args, (std::vector<std::string>{"AZ", "Iran"}));
  EXPECT_EQ(inv->Flag("as_of"), "2023-01");
}

TEST(ArgsTest, RejectsUnknownCommandsFlagsAndWrongArity) {
  EXPECT_FALSE(Parse({"stat", "AZ", "IR"}).ok());
  EXPECT_FALSE(Parse({"state", "AZ"}).ok());
  EXPECT_FALSE(Parse({"state", "AZ", "IR", "US"}).ok());
  EXPECT_FALSE(Parse({"state", "AZ", "IR", "--from=2020"}).ok());  // timeline's flag
  EXPECT_FALSE(Parse({"agreements", "extra"}).ok());
  EXPECT_FALSE(Parse({"ingest"}).ok());
  EXPECT_FALSE(Parse({}).ok());
  EXPECT_FALSE(Parse({"state", "AZ", "IR", "--as_of"}).ok());  // missing value
  EXPECT_FALSE(Parse({"--timeout_ms=soon", "agreements"}).ok());
  auto error = Parse({"figures", "--colour"});
  ASSERT_FALSE(error.ok());
  EXPECT_TRUE(absl::StrContains(error.status().message(), "--colour"));
}

TEST(ArgsTest, HelpForEveryCommand) {
  for (const auto& command : Commands()) {
    auto inv = Parse({command.name, "--help"});
    ASSERT_TRUE(inv.ok()) << command.name;
    EXPECT_TRUE(inv->help);
    std::string help = CommandHelp(command);
    EXPECT_TRUE(absl::StrContains(help, "usage: relctl")) << help;
    for (const auto& flag : command.flags) EXPECT_TRUE(absl::StrContains(help, "--" + flag.name));
  }
  auto inv = Parse({"help", "timeline"});
  ASSERT_TRUE(inv.ok());
  EXPECT_TRUE(inv->help);
  EXPECT_EQ(inv->command, "timeline");
  EXPECT_TRUE(Parse({"--help"})->help);
  std::string help = GlobalHelp();
  for (const char* text : {"Exit codes", "ingest", "disputes", "--json", "RPC failure"}) {
    EXPECT_TRUE(absl::StrContains(help, text)) << text;
  }
}

TEST(ArgsTest, DoubleDashEndsFlagsAndDashIsStdin) {
  auto inv = Parse({"ingest", "-", "--", "--odd-name.txt"});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->args, (std::vector<std::string>{"-", "--odd-name.txt"}));
}

TEST(DatesTest, ParsesPeriodsAtEitherEdge) {
  auto utc = absl::UTCTimeZone();
  EXPECT_EQ(*ParseDateArgument("2023-01", PeriodEdge::kStart, "--from"),
            absl::FromCivil(absl::CivilSecond(2023, 1, 1, 0, 0, 0), utc));
  EXPECT_EQ(*ParseDateArgument("2023-01", PeriodEdge::kEnd, "--as_of"),
            absl::FromCivil(absl::CivilSecond(2023, 1, 31, 23, 59, 59), utc));
  EXPECT_EQ(*ParseDateArgument("2024-02-29", PeriodEdge::kEnd, "--as_of"),
            absl::FromCivil(absl::CivilSecond(2024, 2, 29, 23, 59, 59), utc));
  EXPECT_EQ(*ParseDateArgument("2023", PeriodEdge::kEnd, "--to"),
            absl::FromCivil(absl::CivilSecond(2023, 12, 31, 23, 59, 59), utc));
  EXPECT_EQ(*ParseDateArgument("2021-11-22T12:00:00Z", PeriodEdge::kEnd, "--to"),
            absl::FromCivil(absl::CivilSecond(2021, 11, 22, 12, 0, 0), utc));
  for (const char* bad : {"2023-02-30", "23-01", "2023/01/01", "2023-13", "yesterday", ""}) {
    auto parsed = ParseDateArgument(bad, PeriodEdge::kStart, "--from");
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_TRUE(absl::StrContains(parsed.status().message(), "--from")) << bad;
  }
}

TEST(DatesTest, FormatsAtPrecision) {
  auto ts =
      ToTimestamp(absl::FromCivil(absl::CivilSecond(2023, 1, 27, 10, 0, 0), absl::UTCTimeZone()));
  EXPECT_EQ(FormatDate(ts), "2023-01-27");
  EXPECT_EQ(FormatDate(ts, rv1::DATE_PRECISION_MONTH), "2023-01");
  EXPECT_EQ(FormatDate(ts, rv1::DATE_PRECISION_YEAR), "2023");
  EXPECT_EQ(FormatDate(google::protobuf::Timestamp()), "-");
}

TEST(TableTest, AlignsColumnsByDisplayWidth) {
  Table table({"A", "NAME"});
  table.AddRow({"Rasht–Astara", "x"});
  table.AddRow({"b", "yy"});
  EXPECT_EQ(table.Render(false),
            "A             NAME\n"
            "Rasht–Astara  x\n"
            "b             yy\n");
}

TEST(TableTest, ColoursOnlyWhenAskedAndTruncatesToWidth) {
  Table table({"LEVEL", "SUMMARY"});
  table.AddRow({Cell("TENSE", Color::kYellow), std::string(100, 'x')});
  std::string plain = table.Render(false, 40);
  EXPECT_EQ(plain.find('\033'), std::string::npos);
  for (absl::string_view line : absl::StrSplit(plain, '\n')) EXPECT_LE(DisplayWidth(line), 40);
  EXPECT_TRUE(absl::StrContains(plain, "…"));
  EXPECT_TRUE(absl::StrContains(table.Render(true), "\033[33mTENSE\033[0m"));
}

TEST(FormatTest, ValuesInReadableUnits) {
  EXPECT_EQ(FormatValue(132000, "m"), "132 km");
  EXPECT_EQ(FormatValue(162000, "m"), "162 km");
  EXPECT_EQ(FormatValue(450, "m"), "450 m");
  EXPECT_EQ(FormatValue(1.6e9, "EUR"), "1.6 billion EUR");
  EXPECT_EQ(FormatValue(7e8, "kg"), "700,000 t");
  EXPECT_EQ(FormatValue(47, "%"), "47%");
  EXPECT_EQ(FormatValue(30000, "count"), "30,000");
  EXPECT_EQ(FormatValue(44 * 86400.0, "s"), "44 days");
  EXPECT_EQ(FormatValue(5e5, "m3/year"), "500,000 m3/year");
  EXPECT_EQ(FormatValue(1e10, "USD/year"), "10 billion USD/year");
  EXPECT_EQ(FormatValue(8e9, "m3/year"), "8 billion m3/year");
  EXPECT_EQ(FormatNumber(-1234567), "-1,234,567");
  EXPECT_EQ(FormatNumber(3.14159), "3.142");
  EXPECT_EQ(FormatScore(-7), "-7.0");
  EXPECT_EQ(FormatScore(4.25), "+4.2");
}

TEST(FormatTest, ParsesEnumSpellings) {
  EXPECT_EQ(*ParseEventType("phone-call"), rv1::EVENT_TYPE_PHONE_CALL);
  EXPECT_EQ(*ParseEventType("EVENT_TYPE_VISIT"), rv1::EVENT_TYPE_VISIT);
  EXPECT_FALSE(ParseEventType("picnic").ok());
  EXPECT_FALSE(ParseEventType("unspecified").ok());
  EXPECT_EQ(*ParseAgreementStatus("under construction"), rv1::AGREEMENT_STATUS_UNDER_CONSTRUCTION);
  EXPECT_EQ(*ParseGranularity("Quarter"), rv1::GRANULARITY_QUARTER);
  EXPECT_FALSE(ParseGranularity("fortnight").ok());
}

TEST(FormatTest, RendersStateWithEvidence) {
  rv1::RelationsState state;
  state.set_country_a("AZ");
  state.set_country_b("IR");
  state.set_score(-4.5);
  state.set_level(rv1::RELATIONS_LEVEL_TENSE);
  state.set_trend(rv1::TREND_DETERIORATING);
  state.set_event_count(3);
  auto* event = state.add_evidence();
  event->set_type(rv1::EVENT_TYPE_ATTACK);
  event->set_date_precision(rv1::DATE_PRECISION_MONTH);
  *event->mutable_occurred_at() =
      ToTimestamp(absl::FromCivil(absl::CivilSecond(2023, 1, 1, 0, 0, 0), absl::UTCTimeZone()));
  event->set_weight(-9);
  event->add_actors("AZ");
  event->add_actors("IR");
  event->set_summary("Attack on the embassy");
  std::string text = RenderState(state, OutputStyle());
  for (const char* part :
       {"AZ-IR", "-4.5", "TENSE", "DETERIORATING", "2023-01", "ATTACK", "Attack on the embassy"}) {
    EXPECT_TRUE(absl::StrContains(text, part)) << part << "\n" << text;
  }
  rv1::RelationsState unknown;
  unknown.set_country_a("BR");
  unknown.set_country_b("JP");
  EXPECT_TRUE(absl::StrContains(RenderState(unknown, OutputStyle()), "nothing known"));
}

TEST(FormatTest, RendersDisputesOneRowPerClaim) {
  rv1::ListDisputedFiguresResponse response;
  auto* dispute = response.add_disputed_figures();
  dispute->set_quantity("border_length");
  dispute->set_subject("Azerbaijan–Iran border");
  dispute->add_parties("AZ");
  dispute->add_parties("IR");
  dispute->set_unit("m");
  dispute->set_min_value(44000);
  dispute->set_max_value(132000);
  for (double value : {132000.0, 44000.0}) {
    auto* claim = dispute->add_claims();
    claim->set_value(value);
    claim->set_unit("m");
    claim->mutable_citation()->set_source("Outlet");
  }
  std::string text = RenderDisputes(response.disputed_figures(), OutputStyle());
  EXPECT_TRUE(absl::StrContains(text, "44 km .. 132 km")) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << text;
}

TEST(FormatTest, JsonIsTheProto3MappingWithDefaults) {
  rv1::RelationsState state;
  state.set_country_a("BR");
  auto json = nlohmann::json::parse(ToJson(state, true));
  EXPECT_EQ(json["countryA"], "BR");
  EXPECT_EQ(json["level"], "RELATIONS_LEVEL_UNSPECIFIED");
}

TEST(FormatTest, IngestSummaryListsRejections) {
  IngestTally tally;
  tally.total = 3;
  rv1::StreamArticlesResponse accepted;
  accepted.set_outcome(rv1::INGEST_OUTCOME_ACCEPTED);
  accepted.set_sequence(2);
  tally.Add(accepted);
  rv1::StreamArticlesResponse rejected;
  rejected.set_client_ref("empty.txt");
  rejected.set_outcome(rv1::INGEST_OUTCOME_REJECTED);
  rejected.set_message("text is empty");
  tally.Add(rejected);
  tally.AddLocalRejection("bad.jsonl:3", "not a JSON object");
  tally.seconds = 1;
  std::string text = RenderIngestSummary(tally, OutputStyle());
  EXPECT_TRUE(absl::StrContains(text, "1 accepted, 0 duplicate, 2 rejected")) << text;
  EXPECT_TRUE(absl::StrContains(text, "empty.txt: text is empty")) << text;
  EXPECT_TRUE(absl::StrContains(text, "bad.jsonl:3: not a JSON object")) << text;
  auto json = nlohmann::json::parse(IngestSummaryJson(tally, false));
  EXPECT_EQ(json["results"].size(), 2u);
  EXPECT_EQ(json["rejectedLocally"].size(), 1u);
  EXPECT_EQ(json["maxSequence"], "2");
}

TEST(ProgressTest, LineShowsCountRateAndEta) {
  std::string line = RenderProgressLine(25, 100, absl::Seconds(5), 80);
  EXPECT_TRUE(absl::StrContains(line, "25/100")) << line;
  EXPECT_TRUE(absl::StrContains(line, "25%")) << line;
  EXPECT_TRUE(absl::StrContains(line, "5.0/s")) << line;
  EXPECT_TRUE(absl::StrContains(line, "ETA 0:15")) << line;
  EXPECT_LE(static_cast<int>(line.size()), 80);
  EXPECT_TRUE(absl::StrContains(RenderProgressLine(100, 100, absl::Seconds(5), 80), "ETA 0:00"));
}

class InputsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/relctl_inputs_" +
           std::to_string(reinterpret_cast<uintptr_t>(this));
    std::string command = "mkdir -p " + dir_ + "/texts";
    ASSERT_EQ(std::system(command.c_str()), 0);
  }
  void Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ + "/" + name) << content;
  }
  std::string dir_;
};

TEST_F(InputsTest, MetadataLinesResolveFilesRelativeToTheJsonl) {
  Write("texts/a.txt", "Baku and Tehran signed a deal.");
  Write("list.jsonl",
        "{\"file\": \"texts/a.txt\", \"source\": \"Wire\", \"published_at\": "
        "\"2021-11-22T12:00:00Z\"}\n"
        "\n"
        "{\"file\": \"texts/a.txt\", \"source\": \"\", \"published_at\": \"\"}\n"
        "{\"id\": \"x1\", \"text\": \"Inline text\", \"publishedAt\": \"2020-01-02T00:00:00Z\"}\n"
        "not json\n");
  auto items = PlanInputs({dir_ + "/list.jsonl"}, "");
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 4u);
  EXPECT_EQ((*items)[1].client_ref, dir_ + "/list.jsonl:3");

  auto first = MaterializeArticle((*items)[0]);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->text(), "Baku and Tehran signed a deal.");
  EXPECT_EQ(first->source(), "Wire");
  EXPECT_EQ(first->published_at().seconds(), 1637582400);

  auto second = MaterializeArticle((*items)[1]);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->source().empty());
  EXPECT_FALSE(second->has_published_at());

  auto third = MaterializeArticle((*items)[2]);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->id(), "x1");
  EXPECT_EQ(third->text(), "Inline text");

  EXPECT_FALSE(MaterializeArticle((*items)[3]).ok());
}

TEST_F(InputsTest, BadLinesAndMissingFilesAreErrors) {
  EXPECT_FALSE(ArticleFromJsonLine("{\"file\": \"nope.txt\"}", dir_).ok());
  EXPECT_FALSE(ArticleFromJsonLine("{\"text\": \"a\", \"colour\": \"red\"}", dir_).ok());
  EXPECT_FALSE(ArticleFromJsonLine("[1, 2]", dir_).ok());
  EXPECT_FALSE(PlanInputs({dir_ + "/missing.txt"}, "").ok());
  EXPECT_FALSE(PlanInputs({dir_ + "/missing.jsonl"}, "").ok());
}

TEST_F(InputsTest, TextFilesAndStdin) {
  Write("one.txt", "Some article.");
  auto items = PlanInputs({dir_ + "/one.txt", "-"}, "From stdin.");
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ(MaterializeArticle((*items)[0])->text(), "Some article.");
  EXPECT_EQ(MaterializeArticle((*items)[1])->text(), "From stdin.");
  EXPECT_EQ((*items)[1].client_ref, "-");
}

}  // namespace
}  // namespace relctl
