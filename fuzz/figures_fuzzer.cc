// Fuzz target: FindFigures on an arbitrary sentence. Checks: spans inside the
// sentence, and values finite (the parser promises to reject 1e309 and
// overflowing magnitudes, never to produce inf/NaN).
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "fuzz/fuzz_support.h"
#include "ingest-service/extraction/text/figures.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view sentence(reinterpret_cast<const char*>(data), size);
  const auto figures =
      relmon::extraction::FindFigures(*relmon::fuzz::Tables().figures, sentence);
  for (const auto& f : figures) {
    RELMON_FUZZ_CHECK(f.span.begin <= f.span.end);
    RELMON_FUZZ_CHECK(f.span.end <= sentence.size());
    RELMON_FUZZ_CHECK(std::isfinite(f.value));
    RELMON_FUZZ_CHECK(std::isfinite(f.upper_value));
  }
  return 0;
}
