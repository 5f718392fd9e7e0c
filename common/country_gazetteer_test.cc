#include "common/country_gazetteer.h"

#include "gtest/gtest.h"

namespace relmon {
namespace {

class CountryGazetteerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = CountryGazetteer::Load(RELMON_DEFAULT_ISO_CODES_DIR, RELMON_DEFAULT_DATA_DIR);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    gazetteer_ = loaded->release();
  }
  static const CountryGazetteer* gazetteer_;
};
const CountryGazetteer* CountryGazetteerTest::gazetteer_ = nullptr;

TEST_F(CountryGazetteerTest, ResolvesCodesNamesDemonymsAndCapitals) {
  const CountryGazetteer& g = *gazetteer_;
  EXPECT_EQ(g.Resolve("AZ"), "AZ");
  EXPECT_EQ(g.Resolve("az"), "AZ");
  EXPECT_EQ(g.Resolve("IRN"), "IR");
  EXPECT_EQ(g.Resolve("Azerbaijan"), "AZ");
  EXPECT_EQ(g.Resolve("  iran "), "IR");
  EXPECT_EQ(g.Resolve("Islamic Republic of Iran"), "IR");
  EXPECT_EQ(g.Resolve("Iran, Islamic Republic of"), "IR");
  EXPECT_EQ(g.Resolve("Tehran"), "IR");
  EXPECT_EQ(g.Resolve("Baku"), "AZ");
  EXPECT_EQ(g.Resolve("Azerbaijani"), "AZ");
  EXPECT_EQ(g.Resolve("Russia"), "RU");
  EXPECT_EQ(g.Resolve("the Kremlin"), "RU");
  EXPECT_EQ(g.Resolve("Türkiye"), "TR");
  EXPECT_EQ(g.Resolve("Turkiye"), "TR");
  EXPECT_EQ(g.Resolve("Turkey"), "TR");
  EXPECT_EQ(g.Resolve("Côte d'Ivoire"), "CI");
  EXPECT_EQ(g.Resolve("Cote d’Ivoire"), "CI");
  EXPECT_EQ(g.Resolve("South Korea"), "KR");
  EXPECT_EQ(g.Resolve("UK"), "GB");
  EXPECT_EQ(g.Resolve("New Delhi"), "IN");
}

TEST_F(CountryGazetteerTest, UnknownNamesAreNotGuessed) {
  const CountryGazetteer& g = *gazetteer_;
  EXPECT_EQ(g.Resolve("Atlantis"), std::nullopt);
  EXPECT_EQ(g.Resolve(""), std::nullopt);
  EXPECT_EQ(g.Resolve("   "), std::nullopt);
  EXPECT_EQ(g.Resolve("ZZ"), std::nullopt);
  EXPECT_EQ(g.Resolve("Azerbaijan Iran"), std::nullopt);
}

TEST_F(CountryGazetteerTest, ShortNamesPreferNewsUsage) {
  const CountryGazetteer& g = *gazetteer_;
  EXPECT_EQ(g.ShortName("IR"), "Iran");
  EXPECT_EQ(g.ShortName("RU"), "Russia");
  EXPECT_EQ(g.ShortName("AZ"), "Azerbaijan");
  EXPECT_EQ(g.ShortName("QQ"), "");
  EXPECT_TRUE(g.IsCode("XK"));
  EXPECT_FALSE(g.IsCode("QQ"));
}

TEST_F(CountryGazetteerTest, AliasesCarryTheirKind) {
  bool saw_capital = false, saw_demonym = false;
  for (const CountryAlias& a : gazetteer_->aliases()) {
    if (a.text == "Tehran") {
      EXPECT_EQ(a.code, "IR");
      EXPECT_EQ(a.kind, CountryAliasKind::kCapital);
      saw_capital = true;
    }
    if (a.text == "Iranian") {
      EXPECT_EQ(a.kind, CountryAliasKind::kDemonym);
      saw_demonym = true;
    }
  }
  EXPECT_TRUE(saw_capital);
  EXPECT_TRUE(saw_demonym);
}

TEST(CountryGazetteerLoadTest, MissingFilesAreNamed) {
  auto loaded = CountryGazetteer::Load("/nonexistent-iso", RELMON_DEFAULT_DATA_DIR);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("/nonexistent-iso/iso_3166-1.json"), std::string::npos);
}

TEST(FoldForLookupTest, FoldsCaseAccentsDashesAndSpace) {
  EXPECT_EQ(FoldForLookup("  Rasht–Astara   Railway "), "rasht astara railway");
  EXPECT_EQ(FoldForLookup("Brasília"), "brasilia");
  EXPECT_EQ(FoldForLookup("U.S."), "us");
}

}  // namespace
}  // namespace relmon
