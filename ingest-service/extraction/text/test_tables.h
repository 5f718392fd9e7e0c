// Test helper: the text tables loaded once from the source tree's data/.
#ifndef RELMON_INGEST_EXTRACTION_TEXT_TEST_TABLES_H_
#define RELMON_INGEST_EXTRACTION_TEXT_TEST_TABLES_H_

#include <cstdlib>
#include <iostream>
#include <memory>

#include "ingest-service/extraction/text/text_tables.h"

namespace relmon::extraction::testing {

inline const TextTables& Tables() {
  static const std::shared_ptr<const TextTables> tables = [] {
    auto loaded = TextTables::Load(RELMON_TEXT_TEST_DATA_DIR, RELMON_TEXT_TEST_ISO_CODES_DIR);
    if (!loaded.ok()) {
      std::cerr << "cannot load text tables: " << loaded.status() << "\n";
      std::abort();
    }
    return *loaded;
  }();
  return *tables;
}

}  // namespace relmon::extraction::testing

#endif  // RELMON_INGEST_EXTRACTION_TEXT_TEST_TABLES_H_
