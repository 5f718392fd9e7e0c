#include "ingest-service/extraction/text/article_header.h"

#include "gtest/gtest.h"
#include "ingest-service/extraction/text/test_tables.h"

namespace relmon::extraction {
namespace {

using testing::Tables;

ArticleHeader Parse(absl::string_view text) { return ParseArticleHeader(Tables().dates, text); }

TEST(ArticleHeaderTest, BylineDateBeatsUpdateStampAndCaption) {
  const std::string text =
      "Politics\n\n"
      "Iran, Azerbaijan enter 'new phase' in bilateral relations: Official\n\n"
      "With determined stance of Tehran and Baku, 'unwanted, unnecessary' tension left behind, "
      "says Iran's Foreign Ministry spokesman\n\n"
      "Muhammet Kursun  | 22.11.2021 - Update : 22.11.2021\n"
      "Iran, Azerbaijan enter 'new phase' in bilateral relations: Official Iranian Foreign "
      "Ministry Spokesman Saeed Khatibzadeh speaks about the conflicts between Azerbaijan and "
      "Armenia during a press conference held at the Ministry of Foreign Affairs building in "
      "Tehran, Iran on October 5, 2020. ( Fatemeh Bahrami - Anadolu Agency )\n\n"
      "TEHRAN, Iran\n\n"
      "The recent visit of Azerbaijan's Deputy Prime Minister Shahin Mustafayev to Iran is the "
      "beginning of a \"new phase\" in bilateral relations, an Iranian government official said "
      "on Monday.\n";
  ArticleHeader h = Parse(text);
  EXPECT_EQ(h.title, "Iran, Azerbaijan enter 'new phase' in bilateral relations: Official");
  EXPECT_EQ(h.title_span.In(text), h.title);
  ASSERT_TRUE(h.published.has_value());
  EXPECT_EQ(*h.published, absl::CivilDay(2021, 11, 22));
  EXPECT_EQ(h.date_source, HeaderDateSource::kByline);
  EXPECT_EQ(h.date_span.In(text), "22.11.2021");
  EXPECT_EQ(h.byline, "Muhammet Kursun");
  EXPECT_EQ(h.dateline_place, "TEHRAN, Iran");
}

TEST(ArticleHeaderTest, ByLineWinsOverLastUpdate) {
  ArticleHeader h = Parse(
      "Last update: May 25, 2024 21:17\n\nNewsroom logo\n\n"
      "Foreign Ministers of Azerbaijan & Iran Discuss Bilateral Relations, South Caucasus\n\n"
      "By Nigar Bayramli December 29, 2023\n\n\n"
      "The Azerbaijani and Iranian foreign ministers discussed the latest developments.");
  ASSERT_TRUE(h.published.has_value());
  EXPECT_EQ(*h.published, absl::CivilDay(2023, 12, 29));
  EXPECT_EQ(h.date_source, HeaderDateSource::kByline);
  EXPECT_EQ(h.byline, "Nigar Bayramli");
  EXPECT_EQ(h.title,
            "Foreign Ministers of Azerbaijan & Iran Discuss Bilateral Relations, South Caucasus");
}

TEST(ArticleHeaderTest, DateStampLineCarriesTheTitle) {
  ArticleHeader h = Parse(
      " date 2025-05-18 Baku Deepens Ties With Tehran As Peace Push With Yerevan Gains Momentum\n"
      "Azerbaijan's Presidential Assistant Hikmet Hajiyev has stated that relations entered a new "
      "phase.\n");
  ASSERT_TRUE(h.published.has_value());
  EXPECT_EQ(*h.published, absl::CivilDay(2025, 5, 18));
  EXPECT_EQ(h.date_source, HeaderDateSource::kPublishedStamp);
  EXPECT_EQ(h.title, "Baku Deepens Ties With Tehran As Peace Push With Yerevan Gains Momentum");
}

TEST(ArticleHeaderTest, NoDateAnywhere) {
  ArticleHeader h = Parse(
      "Azerbaijan, Iran discuss current state of bilateral relations\n\npost-img\n\n"
      "As part of his visit to the Islamic Republic of Iran, representative of the President "
      "Khalaf Khalafov has met with Iranian President Seyyed Ebrahim Raisi.\n\nPolitics");
  EXPECT_FALSE(h.published.has_value());
  EXPECT_EQ(h.date_source, HeaderDateSource::kNone);
  EXPECT_EQ(h.title, "Azerbaijan, Iran discuss current state of bilateral relations");
}

TEST(ArticleHeaderTest, Datelines) {
  struct Case {
    const char* text;
    absl::CivilDay day;
    const char* place;
    HeaderDateSource source;
  };
  const Case cases[] = {
      {"Turkey and Armenia hold first normalisation talks in Moscow\nMOSCOW, 14 January 2022\n\n"
       "Special envoys met.",
       absl::CivilDay(2022, 1, 14), "MOSCOW", HeaderDateSource::kDateline},
      {"India and China reach agreement on border patrolling\nNEW DELHI | October 21, 2024\n\n"
       "India and China agreed.",
       absl::CivilDay(2024, 10, 21), "NEW DELHI", HeaderDateSource::kDateline},
      {"Modi and Xi hold first formal talks in five years\nKAZAN, Russia, Oct. 23, 2024\n\nThey "
       "met.",
       absl::CivilDay(2024, 10, 23), "KAZAN, Russia", HeaderDateSource::kDateline},
      {"Iran stages military drills near Azerbaijan border\nTEHRAN, 1 October 2021\n\nDrills "
       "began.",
       absl::CivilDay(2021, 10, 1), "TEHRAN", HeaderDateSource::kDateline},
      {"Iran and Saudi Arabia agree to restore ties in China-brokered deal\n10.03.2023\n\nThey "
       "agreed.",
       absl::CivilDay(2023, 3, 10), "", HeaderDateSource::kDateLine},
      {"Aliyev and Putin sign declaration on allied interaction\n\nPublished: February 22, 2022\n\n"
       "They signed.",
       absl::CivilDay(2022, 2, 22), "", HeaderDateSource::kPublishedStamp},
      {"Azerbaijan and Turkmenistan sign deal on disputed Caspian field\nJan 21, 2021 — Energy "
       "Desk\n\n"
       "They signed.",
       absl::CivilDay(2021, 1, 21), "", HeaderDateSource::kDateLine},
      {"Some outlet headline about relations today\nFeb 12, 2024 - Caucasus desk\n\nText.",
       absl::CivilDay(2024, 2, 12), "", HeaderDateSource::kDateLine},
      {"Some outlet headline about relations today\nMon, 05 Mar 2024 10:15 GMT\n\nText.",
       absl::CivilDay(2024, 3, 5), "", HeaderDateSource::kDateLine},
      {"Some outlet headline about relations today\nPosted: 2024-03-05T10:00:00Z\n\nText.",
       absl::CivilDay(2024, 3, 5), "", HeaderDateSource::kPublishedStamp},
      {"Some outlet headline about relations today\nPublished 19 May 2024\n\nText.",
       absl::CivilDay(2024, 5, 19), "", HeaderDateSource::kPublishedStamp},
  };
  for (const Case& c : cases) {
    ArticleHeader h = Parse(c.text);
    ASSERT_TRUE(h.published.has_value()) << c.text;
    EXPECT_EQ(*h.published, c.day) << c.text;
    EXPECT_EQ(h.dateline_place, c.place) << c.text;
    EXPECT_EQ(h.date_source, c.source) << c.text;
  }
}

TEST(ArticleHeaderTest, WireDatelinesInTheFirstParagraph) {
  ArticleHeader reuters = Parse(
      "Iran and Saudi Arabia agree to restore relations after talks in Beijing\n"
      "DUBAI, March 10 (Reuters) - Iran and Saudi Arabia agreed on Friday to re-establish "
      "relations and reopen embassies after years of hostility, state media reported today.");
  EXPECT_EQ(reuters.dateline_place, "DUBAI");
  EXPECT_EQ(reuters.dateline, "DUBAI, March 10 (Reuters)");
  EXPECT_FALSE(reuters.published.has_value());  // no year written
  ArticleHeader ap = Parse(
      "BAKU, Azerbaijan (AP) \u2014 Azerbaijan's president said Tuesday that the border with "
      "Iran was secure and that talks would continue in the coming weeks, officials said.");
  EXPECT_EQ(ap.dateline_place, "BAKU, Azerbaijan");
  ArticleHeader trend = Parse(
      "Headline words for the test here\nBAKU, Azerbaijan, Dec. 26, 2023 (Trend) - Azerbaijan "
      "and Iran discussed the projects in Baku on Monday in a line that goes on and on and on.");
  EXPECT_EQ(trend.dateline_place, "BAKU, Azerbaijan");
  ASSERT_TRUE(trend.published.has_value());
  EXPECT_EQ(*trend.published, absl::CivilDay(2023, 12, 26));
  EXPECT_EQ(trend.date_source, HeaderDateSource::kDateline);
  // An acronym opening a sentence is not a dateline.
  ArticleHeader nato = Parse(
      "Headline words for the test here\nNATO, the EU and the UN said the talks were "
      "constructive and that both sides agreed to continue with more meetings soon, in 2024.");
  EXPECT_EQ(nato.dateline_place, "");
  EXPECT_FALSE(nato.published.has_value());
}

TEST(ArticleHeaderTest, UpdateStampOnlyAsFallback) {
  ArticleHeader h = Parse(
      "Explainer: decades of conflict between Armenia and Azerbaijan\nUpdated 3 October 2023\n\n"
      "The conflict over Nagorno-Karabakh dates back to the last years of the Soviet Union.");
  ASSERT_TRUE(h.published.has_value());
  EXPECT_EQ(*h.published, absl::CivilDay(2023, 10, 3));
  EXPECT_EQ(h.date_source, HeaderDateSource::kUpdateStamp);
  EXPECT_EQ(h.title, "Explainer: decades of conflict between Armenia and Azerbaijan");
}

TEST(ArticleHeaderTest, TrailingPublicationStamp) {
  std::string body = "Leaders met to discuss the border issues again today\n\n";
  for (int i = 0; i < 10; ++i)
    body += "A body sentence about the talks that went on for hours.\n\n";
  ArticleHeader h = Parse(body + "Published 19 May 2024\n");
  ASSERT_TRUE(h.published.has_value());
  EXPECT_EQ(*h.published, absl::CivilDay(2024, 5, 19));
  EXPECT_EQ(h.date_source, HeaderDateSource::kPublishedStamp);
  // It beats an update stamp in the header.
  ArticleHeader u = Parse("Updated 3 June 2024\n" + body + "By Jane Doe, May 19, 2024\n");
  ASSERT_TRUE(u.published.has_value());
  EXPECT_EQ(*u.published, absl::CivilDay(2024, 5, 19));
  EXPECT_EQ(u.date_source, HeaderDateSource::kByline);
  // Prose at the end is not a stamp.
  EXPECT_FALSE(Parse(body + "The leaders met again on October 5, 2020.\n").published);
}

TEST(ArticleHeaderTest, HostileHeaders) {
  // Impossible date: no date at all.
  EXPECT_FALSE(Parse("Headline of a story with a bad date\n31.02.2023\n\nBody.").published);
  // Dates in body prose are never publication dates.
  EXPECT_FALSE(Parse("Leaders met to discuss the border issues again\n\nThe leaders met in Baku on "
                     "March 3, 2024 and agreed on a plan for the border.")
                   .published);
  // A date far below the header zone is ignored.
  std::string deep = "A headline that is long enough to count\n\n";
  for (int i = 0; i < 12; ++i) deep += "Body sentence number one of many here.\n\n";
  deep += "22.11.2021\n";
  EXPECT_FALSE(Parse(deep).published);
  EXPECT_FALSE(Parse("").published);
  EXPECT_EQ(Parse("").title, "");
}

}  // namespace
}  // namespace relmon::extraction
