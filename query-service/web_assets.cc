#include "query-service/web_assets.h"

#include "absl/strings/match.h"

namespace relmon::query {

const WebAsset* FindWebAsset(absl::string_view path) {
  for (size_t i = 0; i < kWebAssetCount; ++i) {
    if (path == kWebAssets[i].path) return &kWebAssets[i];
  }
  return nullptr;
}

const char* WebContentType(absl::string_view path) {
  if (absl::EndsWith(path, ".html")) return "text/html; charset=utf-8";
  if (absl::EndsWith(path, ".js")) return "text/javascript; charset=utf-8";
  if (absl::EndsWith(path, ".css")) return "text/css; charset=utf-8";
  if (absl::EndsWith(path, ".svg")) return "image/svg+xml";
  if (absl::EndsWith(path, ".json")) return "application/json";
  return "application/octet-stream";
}

}  // namespace relmon::query
