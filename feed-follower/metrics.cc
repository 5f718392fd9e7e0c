#include "feed-follower/metrics.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/log.h"
#include "feed-follower/state_store.h"
#include "nlohmann/json.hpp"

namespace relmon::feeds {

SourceMetrics Metrics::Get(const std::string& source) const {
  absl::MutexLock lock(&mu_);
  auto it = sources_.find(source);
  return it == sources_.end() ? SourceMetrics{} : it->second;
}

std::map<std::string, SourceMetrics> Metrics::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return sources_;
}

std::string Metrics::ToJson() const {
  nlohmann::json j;
  j["updated_at"] = absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone());
  j["sources"] = nlohmann::json::object();
  for (const auto& [name, m] : Snapshot()) {
    j["sources"][name] = {{"items_seen", m.items_seen}, {"items_sent", m.items_sent},
                          {"ingested", m.ingested},     {"duplicates", m.duplicates},
                          {"rejected", m.rejected},     {"errors", m.errors},
                          {"polls", m.polls},           {"not_modified", m.not_modified}};
  }
  return j.dump(1);
}

void Metrics::Log(const char* message) const {
  for (const auto& [name, m] : Snapshot()) {
    LogInfo(message, {{"source", name},
                      {"items_seen", absl::StrCat(m.items_seen)},
                      {"items_sent", absl::StrCat(m.items_sent)},
                      {"ingested", absl::StrCat(m.ingested)},
                      {"duplicates", absl::StrCat(m.duplicates)},
                      {"rejected", absl::StrCat(m.rejected)},
                      {"errors", absl::StrCat(m.errors)},
                      {"polls", absl::StrCat(m.polls)},
                      {"not_modified", absl::StrCat(m.not_modified)}});
  }
}

absl::Status Metrics::WriteFile(const std::string& path) const { return WriteFileAtomically(path, ToJson()); }

}  // namespace relmon::feeds
