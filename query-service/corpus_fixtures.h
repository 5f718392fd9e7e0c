// The facts a good extractor would take from the seed and dev corpus
// articles (/work/shared/corpus), written by hand in our own words. They
// test the views and the relations model, not the extractor; the weights
// follow the Goldstein-derived table documented in docs/relations-model.md.
#ifndef RELMON_QUERY_SERVICE_CORPUS_FIXTURES_H_
#define RELMON_QUERY_SERVICE_CORPUS_FIXTURES_H_

#include <vector>

#include "query-service/test_fixtures.h"

namespace relmon::query::testing {

// Weights assumed for each event type (a good extractor's table).
inline constexpr double kVisit = 1.9;
inline constexpr double kMeeting = 2.5;
inline constexpr double kPhoneCall = 1.0;
inline constexpr double kPraise = 3.4;
inline constexpr double kCriticise = -3.0;
inline constexpr double kAgreement = 8.0;
inline constexpr double kMilestone = 5.0;
inline constexpr double kAccuse = -2.0;
inline constexpr double kDetain = -5.0;
inline constexpr double kAttack = -9.5;
inline constexpr double kDowngrade = -7.0;
inline constexpr double kHostileDrill = -6.0;
inline constexpr double kJointDrill = 5.0;
inline constexpr double kAgreedNotSigned = 6.0;
inline constexpr double kIntent = 3.0;

std::vector<ArticleFacts> SeedArticles();
std::vector<ArticleFacts> DevArticles();

}  // namespace relmon::query::testing

#endif  // RELMON_QUERY_SERVICE_CORPUS_FIXTURES_H_
