// Article checks of the ingest path: what a client may send (validation), and
// the content hash that identifies a text for duplicate detection.
#ifndef RELMON_INGEST_ARTICLE_CHECKS_H_
#define RELMON_INGEST_ARTICLE_CHECKS_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "relations/v1/article.pb.h"

namespace relmon::ingest {

// Size limits of an article's fields, in bytes of UTF-8.
struct ArticleLimits {
  size_t max_text_bytes = size_t{2} << 20;
  size_t max_id_bytes = 256;
  size_t max_source_bytes = 512;
  size_t max_url_bytes = 4096;
  size_t max_title_bytes = 2048;
  // BCP-47 tags are at most 35 characters in practice (RFC 5646 4.4.1).
  size_t max_language_bytes = 35;
};

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or
// code points above U+10FFFF). On failure *bad_offset is the first bad byte.
bool IsValidUtf8(absl::string_view text, size_t* bad_offset = nullptr);

// OK, or INVALID_ARGUMENT with a message that names the field and what is
// wrong with it (the text of a REJECTED response).
absl::Status ValidateArticle(const relations::v1::Article& article, const ArticleLimits& limits);

// The text duplicate detection compares: whitespace runs (including Unicode
// spaces) folded to one ASCII space, trimmed, then Unicode NFC, so a resend
// that differs only in spacing or composition is the same article.
std::string NormalizeForContentHash(absl::string_view cleaned_text);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(absl::string_view data);

// Sha256Hex(NormalizeForContentHash(cleaned_text)).
std::string ContentHash(absl::string_view cleaned_text);

// The id the service gives an article sent without one: "a" followed by the
// first 20 hex digits of its content hash (stable across resends).
std::string DerivedArticleId(absl::string_view content_hash);

}  // namespace relmon::ingest

#endif  // RELMON_INGEST_ARTICLE_CHECKS_H_
