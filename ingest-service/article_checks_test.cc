#include "ingest-service/article_checks.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace relmon::ingest {
namespace {

using ::testing::HasSubstr;

relations::v1::Article WithText(std::string text) {
  relations::v1::Article a;
  a.set_text(std::move(text));
  return a;
}

void ExpectRejected(const relations::v1::Article& article, const std::string& why,
                    const ArticleLimits& limits = ArticleLimits()) {
  absl::Status s = ValidateArticle(article, limits);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr(why));
}

TEST(Utf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(
      IsValidUtf8("Rasht\xE2\x80\x93"
                  "Astara"));                                            // en dash
  EXPECT_TRUE(IsValidUtf8("\xD8\xAA\xD9\x87\xD8\xB1\xD8\xA7\xD9\x86"));  // Tehran in Persian
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x8C\x8D"));                          // U+1F30D
}

TEST(Utf8Test, RejectsMalformedText) {
  size_t bad = 99;
  EXPECT_FALSE(IsValidUtf8("ab\xFF", &bad));
  EXPECT_EQ(bad, 2u);
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x80"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation
}

TEST(ValidateArticleTest, AcceptsAPlainArticle) {
  relations::v1::Article a = WithText("Baku and Tehran signed a memorandum.");
  a.set_id("anadolu-2023-12-29");
  a.set_source("Anadolu Agency");
  a.set_url("https://example.org/a");
  a.set_title("Memorandum signed");
  a.set_language("en");
  EXPECT_TRUE(ValidateArticle(a, ArticleLimits()).ok());
}

TEST(ValidateArticleTest, RejectsEmptyAndWhitespaceOnlyText) {
  ExpectRejected(WithText(""), "article.text is required");
  ExpectRejected(WithText(" \n\t  "), "only whitespace");
  ExpectRejected(WithText("\xC2\xA0\xE2\x80\x83"), "only whitespace");  // NBSP, EM SPACE
}

TEST(ValidateArticleTest, RejectsInvalidUtf8AndNul) {
  ExpectRejected(WithText("caf\xE9"), "not valid UTF-8");
  ExpectRejected(WithText(std::string("a\0b", 3)), "NUL byte at offset 1");
}

TEST(ValidateArticleTest, RejectsOversizedText) {
  ArticleLimits limits;
  limits.max_text_bytes = 10;
  ExpectRejected(WithText("eleven byte"), "the limit is 10", limits);
  EXPECT_TRUE(ValidateArticle(WithText("ten bytes!"), limits).ok());
}

TEST(ValidateArticleTest, RejectsBadMetadata) {
  relations::v1::Article a = WithText("text");
  a.set_id(std::string(257, 'x'));
  ExpectRejected(a, "article.id is 257 bytes");
  a.set_id("tab\there");
  ExpectRejected(a, "article.id contains a control character");
  a.set_id(" padded");
  ExpectRejected(a, "must not begin or end with whitespace");
  a.set_id("ok");
  a.set_url(std::string(4097, 'u'));
  ExpectRejected(a, "article.url");
  a.clear_url();
  a.set_title(std::string(2049, 't'));
  ExpectRejected(a, "article.title");
  a.clear_title();
  a.set_source(std::string(513, 's'));
  ExpectRejected(a, "article.source");
  a.clear_source();
  a.set_language("en_US");
  ExpectRejected(a, "not a BCP-47 tag");
  a.set_language(std::string(36, 'a'));
  ExpectRejected(a, "article.language");
  a.clear_language();
  a.mutable_published_at()->set_seconds(-62135596801);
  ExpectRejected(a, "published_at is out of range");
}

TEST(ContentHashTest, IgnoresWhitespaceDifferencesAndComposition) {
  EXPECT_EQ(NormalizeForContentHash("  a \n\n b\t c  "), "a b c");
  EXPECT_EQ(NormalizeForContentHash("x\xC2\xA0y"), "x y");  // NBSP folds too
  // "é" precomposed vs e + combining acute.
  EXPECT_EQ(ContentHash("caf\xC3\xA9"), ContentHash("cafe\xCC\x81"));
  EXPECT_EQ(ContentHash("one  two"), ContentHash("one two\n"));
  EXPECT_NE(ContentHash("one two"), ContentHash("one three"));
}

TEST(ContentHashTest, IsSha256Hex) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string hash = ContentHash("abc");
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_EQ(DerivedArticleId(hash), "aba7816bf8f01cfea4141");
}

}  // namespace
}  // namespace relmon::ingest
