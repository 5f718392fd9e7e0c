// Shared helpers of the fuzz targets: the text tables and extractor, loaded
// once per process from the source tree's data/ (libFuzzer calls a target
// millions of times; loading per input would measure file I/O, not parsing).
#ifndef RELMON_FUZZ_FUZZ_SUPPORT_H_
#define RELMON_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "absl/strings/string_view.h"

#include "ingest-service/extraction/extractor.h"
#include "ingest-service/extraction/text/text_tables.h"

namespace relmon::fuzz {

// Aborts (a finding, not a skipped input) when the data files do not load.
inline const extraction::TextTables& Tables() {
  static const std::shared_ptr<const extraction::TextTables> tables = [] {
    auto loaded = extraction::TextTables::Load(RELMON_FUZZ_DATA_DIR, RELMON_FUZZ_ISO_CODES_DIR);
    if (!loaded.ok()) {
      std::fprintf(stderr, "fuzz: text tables: %s\n", loaded.status().ToString().c_str());
      std::abort();
    }
    return *loaded;
  }();
  return *tables;
}

inline const extraction::Extractor& TheExtractor() {
  static const extraction::Extractor* extractor = [] {
    extraction::ExtractorOptions options;
    options.resources_dir = RELMON_FUZZ_DATA_DIR;
    options.iso_codes_dir = RELMON_FUZZ_ISO_CODES_DIR;
    auto created = extraction::Extractor::Create(options);
    if (!created.ok()) {
      std::fprintf(stderr, "fuzz: extractor: %s\n", created.status().ToString().c_str());
      std::abort();
    }
    return created->release();
  }();
  return *extractor;
}

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or
// code points above U+10FFFF): what the ingest service's ValidateArticle
// guarantees before extraction. Kept here so the targets need only the
// extraction libraries, not the service (gRPC, RocksDB).
inline bool IsWellFormedUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    size_t length;
    uint32_t cp;
    uint32_t min;
    if (b0 < 0x80) {
      ++i;
      continue;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
      length = 2, cp = b0 & 0x1F, min = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      length = 3, cp = b0 & 0x0F, min = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      length = 4, cp = b0 & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

// A property violated by the code under test: report it the way libFuzzer
// recognises (a crash with the message on stderr).
#define RELMON_FUZZ_CHECK(condition)                                              \
  do {                                                                            \
    if (!(condition)) {                                                           \
      std::fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #condition, __FILE__, \
                   __LINE__);                                                     \
      std::abort();                                                               \
    }                                                                             \
  } while (0)

}  // namespace relmon::fuzz

#endif  // RELMON_FUZZ_FUZZ_SUPPORT_H_
