// Fuzz target: the whole ingest-time extraction, as the service runs it on a
// text that passed validation (well-formed UTF-8, no NUL, within the size
// limit): CleanText, then Extract. Checks: no crash, the stored text is
// well-formed UTF-8.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.h"
#include "relations/v1/article.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Bounded like the service's default (2 MiB) but smaller, to keep runs fast.
  if (size > (64 << 10)) return 0;
  relations::v1::Article article;
  article.set_text(std::string(reinterpret_cast<const char*>(data), size));
  article.set_id("fuzz");
  const std::string& text = article.text();
  if (!relmon::fuzz::IsWellFormedUtf8(text) || text.find('\0') != std::string::npos) return 0;
  const auto& extractor = relmon::fuzz::TheExtractor();
  article.set_text(extractor.CleanText(article.text()));
  const auto result = extractor.Extract(article);
  RELMON_FUZZ_CHECK(relmon::fuzz::IsWellFormedUtf8(result.article.text()));
  return 0;
}
