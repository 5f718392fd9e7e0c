// Unit tests of agreement mentions: names, canonical keys, parties, status.
#include "ingest-service/extraction/agreements.h"

#include <gtest/gtest.h>

#include "ingest-service/extraction/test_util.h"

namespace relmon::extraction {
namespace {

using testing::GetStages;
using testing::MakeSentence;

std::vector<AgreementFact> Mentions(absl::string_view text,
                                    absl::CivilDay day = absl::CivilDay(2024, 1, 10),
                                    std::vector<std::string> main_dyad = {}) {
  SentenceContext s = MakeSentence(text, day);
  ArticleContext a;
  a.day = day;
  a.main_dyad = std::move(main_dyad);
  std::vector<AgreementFact> out;
  GetStages().agreements->Find(s, a, 0, &out);
  GetStages().agreements->Resolve(&out);
  return out;
}

TEST(AgreementsTest, SameRailwayNamedDifferentlyIsOneKey) {
  auto a = Mentions("Iran and Russia signed the Rasht-Astara Railway deal.");
  auto b = Mentions("Work on the Rasht\xE2\x80\x93" "Astara railway line began.");
  auto c = Mentions("They discussed the 164-kilometre Rasht-Astara railroad.");
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(a[0].canonical_key, "railway:rasht-astara");
  EXPECT_EQ(b[0].canonical_key, "railway:rasht-astara");
  EXPECT_EQ(c[0].canonical_key, "railway:rasht-astara");
}

TEST(AgreementsTest, CapitalsChainedIntoAPlaceNameStayInTheName) {
  // "Baku-Tbilisi-Ceyhan": the capitals are part of the project's name,
  // not a party phrase that ends it ("Iran-Pakistan gas pipeline" is).
  auto a = Mentions("The Baku-Tbilisi-Ceyhan pipeline carried more oil, Georgian officials said.");
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a[0].name, "Baku-Tbilisi-Ceyhan pipeline");
  EXPECT_EQ(a[0].canonical_key, "pipeline:ceyhan");
  auto b = Mentions("Iran and Pakistan discussed the Iran-Pakistan gas pipeline.");
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(b[0].name, "gas pipeline");
}

TEST(AgreementsTest, DifferentThingsStayApart) {
  auto a = Mentions("The Astarachay border bridge opened.");
  auto b = Mentions("The Aghband road bridge opened.");
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  EXPECT_NE(a[0].canonical_key, b[0].canonical_key);
}

TEST(AgreementsTest, GenericNamesAreKeyedWithTheirParties) {
  auto a = Mentions("He hoped for the signing of the final peace agreement between Azerbaijan "
                    "and Armenia.");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].canonical_key, "agreement:peace:AM-AZ");
  EXPECT_EQ(a[0].status, relations::v1::AGREEMENT_STATUS_NEGOTIATING);
  auto b = Mentions("In March Azerbaijan and Armenia announced an agreement on the text of a "
                    "peace treaty.",
                    absl::CivilDay(2025, 4, 29));
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].canonical_key, "agreement:peace:AM-AZ");
  EXPECT_EQ(b[0].status, relations::v1::AGREEMENT_STATUS_AGREED);
  ASSERT_TRUE(b[0].date.day.has_value());
  EXPECT_EQ(*b[0].date.day, absl::CivilDay(2025, 3, 1));
}

TEST(AgreementsTest, NegatedOrConditionalSigningSetsNoStatus) {
  auto a = Mentions("Signing of the peace agreement between Azerbaijan and Armenia would play "
                    "an important role.");
  for (const AgreementFact& f : a) {
    EXPECT_NE(f.status, relations::v1::AGREEMENT_STATUS_SIGNED) << f.name;
  }
  auto b = Mentions("Georgia and Armenia did not sign the transit treaty.");
  for (const AgreementFact& f : b) {
    EXPECT_NE(f.status, relations::v1::AGREEMENT_STATUS_SIGNED) << f.name;
  }
}

TEST(AgreementsTest, ContractGoverningAProjectGivesItsStatusAndParties) {
  auto a = Mentions("According to a contract between Iran and Russia for the construction "
                    "operation of the Rasht-Astara Railway, the railway will be built by 2028.");
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a[0].canonical_key, "railway:rasht-astara");
  EXPECT_EQ(a[0].status, relations::v1::AGREEMENT_STATUS_SIGNED);
  EXPECT_EQ(a[0].parties, (std::vector<std::string>{"IR", "RU"}));
}

TEST(AgreementsTest, AgreedOnTheOpeningIsAgreedNotOperational) {
  auto a = Mentions("Iran and Azerbaijan agreed on the opening of a new transit passage.");
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a[0].status, relations::v1::AGREEMENT_STATUS_AGREED);
}

TEST(AgreementsTest, MediatorIsNotAParty) {
  auto a = Mentions("Iran and Saudi Arabia agreed on Friday to restore diplomatic relations, "
                    "in a deal brokered by China.",
                    absl::CivilDay(2023, 3, 10));
  bool found = false;
  for (const AgreementFact& f : a) {
    if (f.name.find("restore") == std::string::npos) continue;
    found = true;
    EXPECT_EQ(f.parties, (std::vector<std::string>{"IR", "SA"}));
    EXPECT_EQ(f.status, relations::v1::AGREEMENT_STATUS_AGREED);
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace relmon::extraction
