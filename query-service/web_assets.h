// WebAsset: the dashboard files (query-service/web/) compiled into the
// binary, so the container image needs no asset directory. The table is
// generated at build time by web/embed_assets.cmake.
#ifndef RELMON_QUERY_SERVICE_WEB_ASSETS_H_
#define RELMON_QUERY_SERVICE_WEB_ASSETS_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace relmon::query {

struct WebAsset {
  const char* path;  // "/index.html"
  const unsigned char* data;
  size_t size;
};

// Generated (web_assets_data.cc in the build tree).
extern const WebAsset kWebAssets[];
extern const size_t kWebAssetCount;

// The embedded asset served at `path`, or null.
const WebAsset* FindWebAsset(absl::string_view path);

// Content-Type for a file name by its extension.
const char* WebContentType(absl::string_view path);

}  // namespace relmon::query

#endif  // RELMON_QUERY_SERVICE_WEB_ASSETS_H_
