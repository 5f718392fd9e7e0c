// Fuzz target: LooksLikeHtml and HtmlToText (libxml2's recovering parser
// under our tree walk) on arbitrary bytes. HtmlToText never fails; its
// output goes through NormalizePlainText, so it must be valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "fuzz/fuzz_support.h"
#include "ingest-service/extraction/text/html.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view html(reinterpret_cast<const char*>(data), size);
  (void)relmon::extraction::LooksLikeHtml(html);
  const std::string text = relmon::extraction::HtmlToText(html);
  RELMON_FUZZ_CHECK(relmon::fuzz::IsWellFormedUtf8(text));
  return 0;
}
