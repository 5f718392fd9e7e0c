#include "ingest-service/extraction/text/types.h"

namespace relmon::extraction {

const char* DatePrecisionName(DatePrecision precision) {
  switch (precision) {
    case DatePrecision::kDay:
      return "DAY";
    case DatePrecision::kMonth:
      return "MONTH";
    case DatePrecision::kYear:
      return "YEAR";
    case DatePrecision::kUnspecified:
      break;
  }
  return "UNSPECIFIED";
}

}  // namespace relmon::extraction
