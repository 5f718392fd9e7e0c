#include "ingest-service/article_checks.h"

#include <openssl/evp.h>

#include <cstdint>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "unicode/bytestream.h"
#include "unicode/normalizer2.h"
#include "unicode/stringpiece.h"
#include "unicode/uchar.h"

namespace relmon::ingest {
namespace {

// Decodes the code point at text[*pos] and advances *pos; -1 on a malformed
// sequence (then *pos is left unchanged).
int32_t DecodeUtf8(absl::string_view text, size_t* pos) {
  const size_t i = *pos;
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    *pos = i + 1;
    return b0;
  }
  int length;
  int32_t cp;
  int32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2, cp = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3, cp = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return -1;  // continuation byte, C0/C1 overlong lead, or F5..FF
  }
  if (i + length > text.size()) return -1;
  for (int k = 1; k < length; ++k) {
    const unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  *pos = i + length;
  return cp;
}

bool IsControl(int32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

bool IsSpace(int32_t cp) { return u_isUWhiteSpace(cp) != 0; }

// Checks a metadata field: size, UTF-8, no control characters.
absl::Status CheckField(absl::string_view name, absl::string_view value, size_t max_bytes) {
  if (value.size() > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("article.", name, " is ", value.size(), " bytes; the limit is ", max_bytes));
  }
  size_t bad = 0;
  if (!IsValidUtf8(value, &bad)) {
    return absl::InvalidArgumentError(
        absl::StrCat("article.", name, " is not valid UTF-8 (bad byte at offset ", bad, ")"));
  }
  for (size_t pos = 0; pos < value.size();) {
    const size_t at = pos;
    if (IsControl(DecodeUtf8(value, &pos))) {
      return absl::InvalidArgumentError(
          absl::StrCat("article.", name, " contains a control character at byte ", at));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTimestamp(const google::protobuf::Timestamp& ts) {
  // The range google.protobuf.Timestamp allows: 0001-01-01 to 9999-12-31.
  constexpr int64_t kMinSeconds = -62135596800;
  constexpr int64_t kMaxSeconds = 253402300799;
  if (ts.seconds() < kMinSeconds || ts.seconds() > kMaxSeconds || ts.nanos() < 0 ||
      ts.nanos() > 999999999) {
    return absl::InvalidArgumentError(absl::StrCat("article.published_at is out of range (seconds ",
                                                   ts.seconds(), ", nanos ", ts.nanos(), ")"));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsValidUtf8(absl::string_view text, size_t* bad_offset) {
  for (size_t pos = 0; pos < text.size();) {
    // ASCII fast path.
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    if (DecodeUtf8(text, &pos) < 0) {
      if (bad_offset != nullptr) *bad_offset = pos;
      return false;
    }
  }
  return true;
}

absl::Status ValidateArticle(const relations::v1::Article& article, const ArticleLimits& limits) {
  const std::string& text = article.text();
  if (text.empty()) return absl::InvalidArgumentError("article.text is required");
  if (text.size() > limits.max_text_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("article.text is ", text.size(),
                                                   " bytes; the limit is ", limits.max_text_bytes,
                                                   " (--max_article_bytes)"));
  }
  size_t bad = 0;
  if (!IsValidUtf8(text, &bad)) {
    return absl::InvalidArgumentError(
        absl::StrCat("article.text is not valid UTF-8 (bad byte at offset ", bad, ")"));
  }
  if (const size_t nul = text.find('\0'); nul != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("article.text contains a NUL byte at offset ", nul));
  }
  bool only_space = true;
  for (size_t pos = 0; pos < text.size() && only_space;) {
    if (!IsSpace(DecodeUtf8(text, &pos))) only_space = false;
  }
  if (only_space) return absl::InvalidArgumentError("article.text contains only whitespace");

  if (absl::Status s = CheckField("id", article.id(), limits.max_id_bytes); !s.ok()) return s;
  if (!article.id().empty()) {
    size_t pos = 0;
    const bool leading = IsSpace(DecodeUtf8(article.id(), &pos));
    size_t last = article.id().size() - 1;
    while (last > 0 && (static_cast<unsigned char>(article.id()[last]) & 0xC0) == 0x80) --last;
    const bool trailing = IsSpace(DecodeUtf8(article.id(), &last));
    if (leading || trailing) {
      return absl::InvalidArgumentError("article.id must not begin or end with whitespace");
    }
  }
  if (absl::Status s = CheckField("source", article.source(), limits.max_source_bytes); !s.ok())
    return s;
  if (absl::Status s = CheckField("url", article.url(), limits.max_url_bytes); !s.ok()) return s;
  if (absl::Status s = CheckField("title", article.title(), limits.max_title_bytes); !s.ok())
    return s;
  if (absl::Status s = CheckField("language", article.language(), limits.max_language_bytes);
      !s.ok()) {
    return s;
  }
  for (char c : article.language()) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat("article.language \"", article.language(),
                       "\" is not a BCP-47 tag (letters, digits, '-')"));
    }
  }
  if (article.has_published_at()) {
    if (absl::Status s = CheckTimestamp(article.published_at()); !s.ok()) return s;
  }
  return absl::OkStatus();
}

std::string NormalizeForContentHash(absl::string_view cleaned_text) {
  std::string folded;
  folded.reserve(cleaned_text.size());
  bool pending_space = false;
  bool ascii = true;
  for (size_t pos = 0; pos < cleaned_text.size();) {
    const size_t start = pos;
    const int32_t cp = DecodeUtf8(cleaned_text, &pos);
    if (cp < 0) {
      // Not expected after validation; keep the byte so hashing stays total.
      folded.push_back(cleaned_text[pos++]);
      continue;
    }
    if (IsSpace(cp)) {
      pending_space = !folded.empty();
      continue;
    }
    if (pending_space) {
      folded.push_back(' ');
      pending_space = false;
    }
    if (cp >= 0x80) ascii = false;
    folded.append(cleaned_text.data() + start, pos - start);
  }
  if (ascii) return folded;  // ASCII is always NFC

  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(error);
  if (U_FAILURE(error) || nfc == nullptr) return folded;
  std::string normalized;
  normalized.reserve(folded.size());
  icu::StringByteSink<std::string> sink(&normalized);
  nfc->normalizeUTF8(0, icu::StringPiece(folded.data(), static_cast<int32_t>(folded.size())), sink,
                     nullptr, error);
  if (U_FAILURE(error)) return folded;
  return normalized;
}

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    // Only on allocation failure inside OpenSSL; there is no sane fallback.
    std::abort();
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(length * 2, '0');
  for (unsigned int i = 0; i < length; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0x0F];
  }
  return hex;
}

std::string ContentHash(absl::string_view cleaned_text) {
  return Sha256Hex(NormalizeForContentHash(cleaned_text));
}

std::string DerivedArticleId(absl::string_view content_hash) {
  return absl::StrCat("a", content_hash.substr(0, 20));
}

}  // namespace relmon::ingest
