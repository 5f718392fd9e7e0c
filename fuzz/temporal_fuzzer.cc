// Fuzz target: FindTimeExpressions on an arbitrary sentence, with and without
// a publication day (the first input byte picks the day, so relative
// expressions are resolved against varied dates, including leap days).
#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "fuzz/fuzz_support.h"
#include "ingest-service/extraction/text/temporal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::optional<absl::CivilDay> day;
  if (data[0] != 0) day = absl::CivilDay(2024, 2, 29) + (data[0] - 128) * 37;
  absl::string_view sentence(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto times =
      relmon::extraction::FindTimeExpressions(relmon::fuzz::Tables().dates, sentence, day);
  for (const auto& t : times) {
    RELMON_FUZZ_CHECK(t.span.begin <= t.span.end);
    RELMON_FUZZ_CHECK(t.span.end <= sentence.size());
  }
  return 0;
}
