#include "common/parsed_requests.h"

#include <string>

#include "gtest/gtest.h"
#include "relations/v1/ingest_service.pb.h"

namespace relmon {
namespace {

using relations::v1::IngestArticleRequest;
using relations::v1::StreamArticlesRequest;

std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

// A length-delimited field, as a hostile client can encode it by hand.
std::string Field(int number, const std::string& payload) {
  return Varint((static_cast<uint64_t>(number) << 3) | 2) + Varint(payload.size()) + payload;
}

TEST(ParseRequestBytesTest, ParsesAValidRequest) {
  IngestArticleRequest sent;
  sent.mutable_article()->set_text("Azerbaijan and Iran held talks.");
  sent.mutable_article()->set_title("Talks");
  IngestArticleRequest parsed;
  ASSERT_TRUE(ParseRequestBytes(sent.SerializeAsString(), &parsed).ok());
  EXPECT_EQ(parsed.article().text(), sent.article().text());
  EXPECT_EQ(parsed.article().title(), "Talks");
}

TEST(ParseRequestBytesTest, NamesTheFieldWithInvalidUtf8) {
  const struct {
    int number;
    const char* name;
  } fields[] = {{1, "article.id"}, {2, "article.source"}, {3, "article.url"},
                {4, "article.title"}, {5, "article.text"}, {7, "article.language"}};
  for (const auto& f : fields) {
    for (const std::string bad : {"\xff\xfe", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                  "\xe2\x82"}) {
      IngestArticleRequest parsed;
      absl::Status s =
          ParseRequestBytes(Field(1, Field(f.number, "ok " + bad + " end")), &parsed);
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << f.name;
      EXPECT_NE(s.message().find(std::string("field ") + f.name + " is not valid UTF-8"),
                std::string::npos)
          << s.message();
    }
  }
}

TEST(ParseRequestBytesTest, AcceptsEveryWellFormedUtf8Form) {
  IngestArticleRequest sent;
  sent.mutable_article()->set_text("a \xc2\xa0 \xe2\x82\xac \xed\x9f\xbf \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf");
  IngestArticleRequest parsed;
  EXPECT_TRUE(ParseRequestBytes(sent.SerializeAsString(), &parsed).ok());
  EXPECT_EQ(parsed.article().text(), sent.article().text());
}

TEST(ParseRequestBytesTest, SalvagesTheValidTopLevelFields) {
  // client_ref (field 2) survives an article with bad UTF-8, before or after it.
  for (const std::string& bytes :
       {Field(1, Field(5, "bad \xff")) + Field(2, "ref-7"),
        Field(2, "ref-7") + Field(1, Field(5, "bad \xff"))}) {
    StreamArticlesRequest parsed;
    absl::Status s = ParseRequestBytes(bytes, &parsed);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find("article.text"), std::string::npos) << s.message();
    EXPECT_EQ(parsed.client_ref(), "ref-7");
    EXPECT_FALSE(parsed.has_article());
  }
}

TEST(ParseRequestBytesTest, GarbageGetsAMessageWithTheOffset) {
  for (const std::string& garbage :
       {std::string(64, '\xff'), std::string("\x0a\xff\xff\xff\xff\x0f"), std::string("\x0a\x05"
                                                                                        "ab"),
        std::string("\x08"), std::string("\x00\x01", 2), std::string("\x0c"),
        std::string("\x0f\x01")}) {
    IngestArticleRequest parsed;
    absl::Status s = ParseRequestBytes(garbage, &parsed);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find("not a valid relations.v1.IngestArticleRequest protobuf"),
              std::string::npos)
        << s.message();
    EXPECT_NE(s.message().find("at byte"), std::string::npos) << s.message();
  }
}

TEST(ParseRequestBytesTest, UnknownFieldsAndGroupsAreSkippedLikeProtobufDoes) {
  // Unknown varint, fixed32, fixed64, bytes with invalid UTF-8 (unknown
  // fields are not checked) and a group.
  std::string bytes = Varint((20 << 3) | 0) + Varint(300) + Varint((21 << 3) | 5) + "abcd" +
                      Varint((22 << 3) | 1) + "abcdefgh" + Field(23, "\xff") +
                      Varint((24 << 3) | 3) + Varint((1 << 3) | 0) + Varint(1) +
                      Varint((24 << 3) | 4) + Field(1, Field(5, "text"));
  IngestArticleRequest reference;
  ASSERT_TRUE(reference.ParseFromString(bytes));
  IngestArticleRequest parsed;
  EXPECT_TRUE(ParseRequestBytes(bytes, &parsed).ok());
  EXPECT_EQ(parsed.article().text(), "text");
}

TEST(ParseRequestBytesTest, DeepNestingIsRefusedNotRecursedForever) {
  // Article.published_at is a message; nest unknown groups deeply instead.
  std::string bytes;
  for (int i = 0; i < 100000; ++i) bytes += Varint((30 << 3) | 3);
  IngestArticleRequest parsed;
  absl::Status s = ParseRequestBytes(bytes, &parsed);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("nested too deeply"), std::string::npos) << s.message();
}

TEST(ParseRequestBytesTest, ByteBufferFromSeveralSlices) {
  IngestArticleRequest sent;
  sent.mutable_article()->set_text(std::string(100000, 'a'));
  const std::string wire = sent.SerializeAsString();
  grpc::Slice slices[2] = {grpc::Slice(wire.substr(0, 10)), grpc::Slice(wire.substr(10))};
  grpc::ByteBuffer buffer(slices, 2);
  IngestArticleRequest parsed;
  ASSERT_TRUE(ParseRequestBytes(buffer, &parsed).ok());
  EXPECT_EQ(parsed.article().text().size(), 100000u);
}

TEST(MethodIndexTest, FollowsTheProtoOrder) {
  EXPECT_EQ(MethodIndex("relations.v1.IngestService", "StreamArticles"), 0);
  EXPECT_EQ(MethodIndex("relations.v1.IngestService", "IngestArticle"), 1);
  EXPECT_EQ(MethodIndex("relations.v1.IngestService", "SubscribeEvents"), 2);
  EXPECT_EQ(MethodIndex("relations.v1.IngestService", "NoSuchMethod"), -1);
  EXPECT_EQ(MethodIndex("relations.v1.NoSuchService", "IngestArticle"), -1);
}

}  // namespace
}  // namespace relmon
