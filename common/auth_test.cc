// Tests of the bearer-token checker: file parsing, constant-time comparison,
// method classification and the access rules (common/auth.h).
#include "common/auth.h"

#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace relmon {
namespace {

TokenSet Tokens(const std::string& text) {
  absl::StatusOr<TokenSet> set = TokenSet::Parse(text);
  EXPECT_TRUE(set.ok()) << set.status();
  return *set;
}

TEST(ConstantTimeEqualsTest, ComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secret2"));
  EXPECT_FALSE(ConstantTimeEquals("secret", ""));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  // A shorter string padded with NULs must not equal the longer one.
  EXPECT_FALSE(ConstantTimeEquals(std::string("ab\0", 3), "ab"));
}

TEST(TokenSetTest, SkipsCommentsBlankLinesAndWhitespace) {
  TokenSet set = Tokens("# writers\n\n  alpha-1  \r\nbeta_2\n# gamma\n");
  EXPECT_EQ(set.size(), 2u);
  EXPECT_TRUE(set.Contains("alpha-1"));
  EXPECT_TRUE(set.Contains("beta_2"));
  EXPECT_FALSE(set.Contains("gamma"));
  EXPECT_FALSE(set.Contains("# gamma"));
  EXPECT_FALSE(set.Contains("alpha"));
  EXPECT_FALSE(set.Contains(""));
  EXPECT_EQ(set.first(), "alpha-1");
}

TEST(TokenSetTest, RejectsEmptyFilesAndInnerSpacesWithoutEchoingTheToken) {
  EXPECT_EQ(TokenSet::Parse("# only a comment\n\n").status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::Status spaced = TokenSet::Parse("ok\nsecret part\n").status();
  EXPECT_EQ(spaced.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(spaced.message().find("line 2"), absl::string_view::npos);
  EXPECT_EQ(spaced.message().find("secret"), absl::string_view::npos);
}

TEST(TokenSetTest, LoadsFilesAndNamesMissingOnes) {
  std::string path = testing::TempDir() + "/auth_test_tokens.txt";
  {
    std::ofstream out(path);
    out << "# one token\nfile-token\n";
  }
  absl::StatusOr<TokenSet> set = TokenSet::LoadFile(path);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_TRUE(set->Contains("file-token"));
  absl::Status missing = TokenSet::LoadFile(path + ".absent").status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
}

TEST(BearerTokenOfTest, AcceptsOnlyTheBearerScheme) {
  EXPECT_EQ(BearerTokenOf("Bearer abc"), "abc");
  EXPECT_EQ(BearerTokenOf("bearer   abc "), "abc");
  EXPECT_EQ(BearerTokenOf("Basic abc"), std::nullopt);
  EXPECT_EQ(BearerTokenOf("Bearer "), std::nullopt);
  EXPECT_EQ(BearerTokenOf("abc"), std::nullopt);
}

TEST(AccessPolicyTest, ClassifiesIngestMethods) {
  AccessPolicy policy = AccessPolicy::Ingest();
  EXPECT_EQ(policy.Classify("/relations.v1.IngestService/StreamArticles"), Access::kWrite);
  EXPECT_EQ(policy.Classify("/relations.v1.IngestService/IngestArticle"), Access::kWrite);
  EXPECT_EQ(policy.Classify("/relations.v1.IngestService/SubscribeEvents"), Access::kRead);
  EXPECT_EQ(policy.Classify("/relations.v1.AdminService/StartReanalysis"), Access::kWrite);
  EXPECT_EQ(policy.Classify("/relations.v1.AdminService/AnyFutureMethod"), Access::kWrite);
  EXPECT_EQ(policy.Classify("/grpc.health.v1.Health/Check"), Access::kOpen);
  EXPECT_EQ(policy.Classify("/grpc.health.v1.Health/Watch"), Access::kOpen);
  EXPECT_EQ(policy.Classify("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"),
            Access::kOpen);
  // Unknown methods are never open; on the ingest port they are writes.
  EXPECT_EQ(policy.Classify("/relations.v1.IngestService/NewMethod"), Access::kWrite);
  EXPECT_EQ(policy.Classify(""), Access::kWrite);
  // A prefix of a service name is not that service.
  EXPECT_EQ(policy.Classify("/grpc.health.v1.HealthX/Check"), Access::kWrite);
}

TEST(AccessPolicyTest, ClassifiesQueryMethods) {
  AccessPolicy policy = AccessPolicy::Query();
  EXPECT_EQ(policy.Classify("/relations.v1.QueryService/GetRelationsState"), Access::kRead);
  EXPECT_EQ(policy.Classify("/grpc.health.v1.Health/Check"), Access::kOpen);
  EXPECT_EQ(policy.Classify("/other.Service/Method"), Access::kRead);
}

constexpr char kWrite[] = "/relations.v1.IngestService/IngestArticle";
constexpr char kAdmin[] = "/relations.v1.AdminService/CreateCheckpoint";
constexpr char kRead[] = "/relations.v1.IngestService/SubscribeEvents";
constexpr char kHealth[] = "/grpc.health.v1.Health/Check";

TEST(TokenAuthorizerTest, WriteTokensGuardWritesOnly) {
  auto authorizer =
      TokenAuthorizer::FromTokens(AccessPolicy::Ingest(), std::nullopt, Tokens("w1\nw2\n"));
  EXPECT_TRUE(authorizer->Check(kWrite, "Bearer w1").ok());
  EXPECT_TRUE(authorizer->Check(kAdmin, "Bearer w2").ok());
  absl::Status missing = authorizer->Check(kWrite, std::nullopt);
  EXPECT_EQ(missing.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(missing.message().find("write token"), absl::string_view::npos);
  absl::Status wrong = authorizer->Check(kAdmin, "Bearer nope");
  EXPECT_EQ(wrong.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(wrong.message().find("nope"), absl::string_view::npos);  // never echoed
  EXPECT_EQ(authorizer->Check(kWrite, "Basic w1").code(), absl::StatusCode::kUnauthenticated);
  // No read file: reads and probes are open.
  EXPECT_TRUE(authorizer->Check(kRead, std::nullopt).ok());
  EXPECT_TRUE(authorizer->Check(kHealth, std::nullopt).ok());
}

TEST(TokenAuthorizerTest, ReadTokensGuardReadsAndWriteTokensAlsoRead) {
  auto authorizer =
      TokenAuthorizer::FromTokens(AccessPolicy::Ingest(), Tokens("r1\n"), Tokens("w1\n"));
  EXPECT_EQ(authorizer->Check(kRead, std::nullopt).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(authorizer->Check(kRead, "Bearer r1").ok());
  EXPECT_TRUE(authorizer->Check(kRead, "Bearer w1").ok());
  EXPECT_EQ(authorizer->Check(kRead, "Bearer x").code(), absl::StatusCode::kUnauthenticated);
  // A read token does not grant writes.
  EXPECT_EQ(authorizer->Check(kWrite, "Bearer r1").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(authorizer->Check(kWrite, "Bearer w1").ok());
  EXPECT_TRUE(authorizer->Check(kHealth, std::nullopt).ok());
}

TEST(TokenAuthorizerTest, WithOnlyReadTokensWritesNeedAReadToken) {
  auto authorizer =
      TokenAuthorizer::FromTokens(AccessPolicy::Ingest(), Tokens("r1\n"), std::nullopt);
  EXPECT_EQ(authorizer->Check(kWrite, std::nullopt).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(authorizer->Check(kWrite, "Bearer r1").ok());
}

TEST(TokenAuthorizerTest, ReloadPicksUpANewFileAndKeepsTheOldOnErrors) {
  std::string path = testing::TempDir() + "/auth_test_reload.txt";
  {
    std::ofstream out(path);
    out << "old\n";
  }
  TokenFiles files;
  files.write_file = path;
  auto authorizer = TokenAuthorizer::Create(AccessPolicy::Ingest(), files);
  ASSERT_TRUE(authorizer.ok()) << authorizer.status();
  EXPECT_TRUE((*authorizer)->Check(kWrite, "Bearer old").ok());
  {
    std::ofstream out(path);
    out << "new\n";
  }
  ASSERT_TRUE((*authorizer)->Reload().ok());
  EXPECT_TRUE((*authorizer)->Check(kWrite, "Bearer new").ok());
  EXPECT_FALSE((*authorizer)->Check(kWrite, "Bearer old").ok());
  {
    std::ofstream out(path);
    out << "# emptied by mistake\n";
  }
  EXPECT_FALSE((*authorizer)->Reload().ok());
  EXPECT_TRUE((*authorizer)->Check(kWrite, "Bearer new").ok());
}

}  // namespace
}  // namespace relmon
