// Unit tests of actor finding: names, demonyms, capitals as governments or
// places, office holders with dated roles, case rules.
#include "ingest-service/extraction/actors.h"

#include <gtest/gtest.h>

#include "ingest-service/extraction/test_util.h"

namespace relmon::extraction {
namespace {

using testing::MakeSentence;

struct Seen {
  std::string code;
  bool place;
};

std::vector<Seen> Actors(absl::string_view text,
                         std::optional<absl::CivilDay> day = absl::CivilDay(2023, 12, 29)) {
  SentenceContext s = MakeSentence(text, day);
  std::vector<Seen> out;
  for (const ActorMention& m : s.actors) out.push_back({m.code, m.is_place});
  return out;
}

TEST(ActorsTest, NamesDemonymsAndLongNames) {
  auto a = Actors("The Republic of Azerbaijan and Iranian officials met.");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].code, "AZ");
  EXPECT_EQ(a[1].code, "IR");
}

TEST(ActorsTest, CapitalsAreGovernmentsUnlessPlaces) {
  auto a = Actors("Tehran and Baku overcame misunderstandings.");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_FALSE(a[0].place);
  EXPECT_FALSE(a[1].place);
  a = Actors("Moscow summoned the envoy.");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].code, "RU");
  EXPECT_FALSE(a[0].place);
  a = Actors("A man attacked the embassy in Tehran.");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_TRUE(a[0].place);
  a = Actors("Speaking in the capital Tehran, he smiled.");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_TRUE(a[0].place);
}

TEST(ActorsTest, CaseRulesKeepCommonWordsOut) {
  EXPECT_TRUE(Actors("They ate turkey and chad told us so.").empty());
  auto a = Actors("Turkey and the US spoke.");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].code, "TR");
  EXPECT_EQ(a[1].code, "US");
}

TEST(ActorsTest, OfficeHoldersResolveToTheirCountry) {
  SentenceContext s = MakeSentence(
      "Foreign Minister Hossein Amir-Abdollahian, Pezeshkian, Hikmet Hajiyev, Vladimir Putin, "
      "Xi Jinping and Narendra Modi were there.",
      absl::CivilDay(2024, 10, 23));
  std::vector<std::string> codes;
  for (const ActorMention& m : s.actors) codes.push_back(m.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"IR", "IR", "AZ", "RU", "CN", "IN"}));
  EXPECT_EQ(s.actors[1].person, "Masoud Pezeshkian");
  EXPECT_EQ(s.actors[1].role, "president");
  // Roles are dated: in 2003 Pezeshkian was health minister.
  SentenceContext old = MakeSentence("Pezeshkian spoke.", absl::CivilDay(2003, 1, 1));
  ASSERT_EQ(old.actors.size(), 1u);
  EXPECT_EQ(old.actors[0].role, "minister of health");
}

TEST(ActorsTest, MediatorsAreMarked) {
  SentenceContext s = MakeSentence("a deal brokered by China", std::nullopt);
  ASSERT_EQ(s.actors.size(), 1u);
  EXPECT_TRUE(s.actors[0].is_agent_by);
}

}  // namespace
}  // namespace relmon::extraction
