#include "query-service/agreement_registry.h"

#include <algorithm>

#include "gtest/gtest.h"
#include "query-service/keys.h"
#include "query-service/test_fixtures.h"

namespace relmon::query {
namespace {

using namespace ::relmon::query::testing;  // NOLINT
namespace v1 = relations::v1;

v1::AgreementMention Peace(v1::AgreementStatus status, const std::string& date,
                           const std::string& article, const std::string& published) {
  return Mention("peace treaty", "am az peace", {"AM", "AZ"}, v1::AGREEMENT_KIND_TREATY, status,
                 date, Cite(article, published, "peace " + article));
}

TEST(AgreementRegistryTest, TalksContinuingAfterAgreedDoNotMoveStatusBack) {
  auto a =
      BuildAgreement("am az peace",
                     {Peace(v1::AGREEMENT_STATUS_NEGOTIATING, "2023-12-26", "x", "2023-12-29"),
                      Peace(v1::AGREEMENT_STATUS_AGREED, "2025-03", "y", "2025-04-29"),
                      Peace(v1::AGREEMENT_STATUS_NEGOTIATING, "2025-05-18", "z", "2025-05-18")},
                     {});
  EXPECT_EQ(a.status(), v1::AGREEMENT_STATUS_AGREED);
  ASSERT_EQ(a.history_size(), 2);
  EXPECT_EQ(a.history(0).status(), v1::AGREEMENT_STATUS_NEGOTIATING);
  EXPECT_EQ(a.history(1).status(), v1::AGREEMENT_STATUS_AGREED);
  EXPECT_EQ(a.history(1).date_precision(), v1::DATE_PRECISION_MONTH);
  EXPECT_EQ(a.history(1).citation().article_id(), "y");
  EXPECT_EQ(a.citations_size(), 3);
  EXPECT_EQ(a.agreement_id(), AgreementIdForKey("am az peace"));
}

TEST(AgreementRegistryTest, OldStoryIngestedLateDoesNotMoveStatusBack) {
  std::vector<v1::AgreementMention> mentions = {
      Peace(v1::AGREEMENT_STATUS_SIGNED, "2024-05-01", "new", "2024-05-02"),
      Peace(v1::AGREEMENT_STATUS_PROPOSED, "2020-01-01", "old", "2020-01-02"),
  };
  auto a = BuildAgreement("am az peace", mentions, {});
  std::reverse(mentions.begin(), mentions.end());
  auto b = BuildAgreement("am az peace", mentions, {});
  EXPECT_EQ(a.status(), v1::AGREEMENT_STATUS_SIGNED);
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
  ASSERT_EQ(a.history_size(), 2);
  EXPECT_EQ(a.history(0).status(), v1::AGREEMENT_STATUS_PROPOSED);
}

TEST(AgreementRegistryTest, ExplicitSuspensionMovesStatusAndResumptionMovesOn) {
  auto a = BuildAgreement("k",
                          {Peace(v1::AGREEMENT_STATUS_SIGNED, "2022-01-01", "a", "2022-01-01"),
                           Peace(v1::AGREEMENT_STATUS_SUSPENDED, "2022-06-01", "b", "2022-06-01")},
                          {});
  EXPECT_EQ(a.status(), v1::AGREEMENT_STATUS_SUSPENDED);
  auto b =
      BuildAgreement("k",
                     {Peace(v1::AGREEMENT_STATUS_SIGNED, "2022-01-01", "a", "2022-01-01"),
                      Peace(v1::AGREEMENT_STATUS_SUSPENDED, "2022-06-01", "b", "2022-06-01"),
                      Peace(v1::AGREEMENT_STATUS_NEGOTIATING, "2023-01-01", "c", "2023-01-01")},
                     {});
  EXPECT_EQ(b.status(), v1::AGREEMENT_STATUS_NEGOTIATING);
  EXPECT_EQ(b.history_size(), 3);
}

TEST(AgreementRegistryTest, UndatedMentionsAreCitedNotPlacedInHistory) {
  auto only_undated = BuildAgreement(
      "rasht",
      {Mention("Rasht-Astara Railway", "rasht", {"IR", "RU"}, v1::AGREEMENT_KIND_CONTRACT,
               v1::AGREEMENT_STATUS_SIGNED, "", Cite("a", "2023-12-29", "contract"))},
      {});
  EXPECT_EQ(only_undated.status(), v1::AGREEMENT_STATUS_SIGNED);
  EXPECT_EQ(only_undated.history_size(), 0);
  EXPECT_EQ(only_undated.citations_size(), 1);

  auto mixed = BuildAgreement(
      "rasht",
      {Mention("Rasht-Astara Railway", "rasht", {"IR", "RU"}, v1::AGREEMENT_KIND_CONTRACT,
               v1::AGREEMENT_STATUS_OPERATIONAL, "", Cite("a", "", "operating")),
       Mention("Rasht–Astara railway line", "rasht", {"IR", "RU"},
               v1::AGREEMENT_KIND_INFRASTRUCTURE_PROJECT, v1::AGREEMENT_STATUS_SIGNED, "2023-05-17",
               Cite("b", "2023-05-17", "signed"))},
      {});
  EXPECT_EQ(mixed.status(), v1::AGREEMENT_STATUS_SIGNED);
  EXPECT_EQ(mixed.history_size(), 1);
  EXPECT_EQ(mixed.kind(), v1::AGREEMENT_KIND_INFRASTRUCTURE_PROJECT);
  EXPECT_EQ(mixed.aliases_size(), 2);
  EXPECT_EQ(mixed.name(), "Rasht–Astara railway line");
}

TEST(AgreementRegistryTest, SpellingVariantsAreOneAlias) {
  auto a =
      BuildAgreement("rasht",
                     {Mention("Rasht-Astara railway", "rasht", {"IR"}, v1::AGREEMENT_KIND_OTHER,
                              v1::AGREEMENT_STATUS_UNSPECIFIED, "", Cite("a", "", "x")),
                      Mention("Rasht–Astara Railway", "rasht", {"RU"}, v1::AGREEMENT_KIND_OTHER,
                              v1::AGREEMENT_STATUS_UNSPECIFIED, "", Cite("b", "", "y"))},
                     {});
  EXPECT_EQ(a.aliases_size(), 1);
  ASSERT_EQ(a.parties_size(), 2);
  EXPECT_EQ(a.parties(0), "IR");
  EXPECT_EQ(a.parties(1), "RU");
  EXPECT_EQ(a.status(), v1::AGREEMENT_STATUS_UNSPECIFIED);
}

}  // namespace
}  // namespace relmon::query
