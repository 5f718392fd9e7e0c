#include "feed-follower/config.h"

#include "absl/strings/str_cat.h"
#include "feed-follower/article_json.h"
#include "nlohmann/json.hpp"

namespace relmon::feeds {
namespace {

absl::Status Bad(const std::string& what) { return absl::InvalidArgumentError(absl::StrCat("config: ", what)); }

template <typename T>
absl::Status Get(const nlohmann::json& j, const char* key, T* out) {
  if (!j.contains(key) || j[key].is_null()) return absl::OkStatus();
  try {
    *out = j[key].get<T>();
  } catch (const nlohmann::json::exception&) {
    return Bad(absl::StrCat("\"", key, "\" has the wrong type"));
  }
  return absl::OkStatus();
}

absl::Status GetSeconds(const nlohmann::json& j, const char* key, absl::Duration* out) {
  double seconds = -1;
  if (absl::Status s = Get(j, key, &seconds); !s.ok()) return s;
  if (!j.contains(key)) return absl::OkStatus();
  if (seconds <= 0) return Bad(absl::StrCat("\"", key, "\" must be positive"));
  *out = absl::Seconds(seconds);
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseConfig(const std::string& json_text, FollowerOptions* options) {
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false, /*comments=*/true);
  if (j.is_discarded() || !j.is_object()) return Bad("not a JSON object");
  absl::Status s;
  if (!(s = Get(j, "ingest_target", &options->ingest_target)).ok()) return s;
  if (!(s = Get(j, "state_dir", &options->state_dir)).ok()) return s;
  if (!(s = Get(j, "watch_dir", &options->watch_dir)).ok()) return s;
  if (!(s = Get(j, "metrics_file", &options->metrics_file)).ok()) return s;
  if (!(s = Get(j, "min_text_chars", &options->min_text_chars)).ok()) return s;
  if (!(s = Get(j, "max_seen_per_feed", &options->max_seen_per_feed)).ok()) return s;
  if (!(s = Get(j, "max_article_bytes", &options->max_article_bytes)).ok()) return s;
  if (!(s = GetSeconds(j, "error_backoff_initial_seconds", &options->error_backoff_initial)).ok()) return s;
  if (!(s = GetSeconds(j, "error_backoff_max_seconds", &options->error_backoff_max)).ok()) return s;
  if (!(s = GetSeconds(j, "metrics_log_interval_seconds", &options->metrics_log_interval)).ok()) return s;
  if (j.contains("feeds")) {
    if (!j["feeds"].is_array()) return Bad("\"feeds\" must be an array");
    for (const nlohmann::json& f : j["feeds"]) {
      FeedConfig feed;
      if (f.is_string()) {
        feed.url = f.get<std::string>();
      } else if (f.is_object()) {
        if (!(s = Get(f, "url", &feed.url)).ok()) return s;
        if (!(s = Get(f, "name", &feed.name)).ok()) return s;
        if (!(s = Get(f, "language", &feed.language)).ok()) return s;
        if (!(s = GetSeconds(f, "interval_seconds", &feed.interval)).ok()) return s;
      } else {
        return Bad("each feed is a URL or an object {url, name, language, interval_seconds}");
      }
      if (feed.url.empty()) return Bad("a feed has no \"url\"");
      options->feeds.push_back(std::move(feed));
    }
  }
  if (j.contains("http")) {
    const nlohmann::json& h = j["http"];
    if (!h.is_object()) return Bad("\"http\" must be an object");
    if (!(s = GetSeconds(h, "timeout_seconds", &options->http.total_timeout)).ok()) return s;
    if (!(s = GetSeconds(h, "connect_timeout_seconds", &options->http.connect_timeout)).ok()) return s;
    if (!(s = Get(h, "max_redirects", &options->http.max_redirects)).ok()) return s;
    if (!(s = Get(h, "max_body_bytes", &options->http.max_body_bytes)).ok()) return s;
    if (!(s = Get(h, "user_agent", &options->http.user_agent)).ok()) return s;
  }
  if (j.contains("kafka")) {
    const nlohmann::json& k = j["kafka"];
    if (!k.is_object()) return Bad("\"kafka\" must be an object");
    if (!(s = Get(k, "brokers", &options->kafka.brokers)).ok()) return s;
    if (!(s = Get(k, "group", &options->kafka.group)).ok()) return s;
    if (!(s = Get(k, "source", &options->kafka.source)).ok()) return s;
    if (k.contains("topic")) {
      std::string topic;
      if (!(s = Get(k, "topic", &topic)).ok()) return s;
      if (!topic.empty()) options->kafka.topics.push_back(topic);
    }
    if (k.contains("topics")) {
      std::vector<std::string> topics;
      if (!(s = Get(k, "topics", &topics)).ok()) return s;
      options->kafka.topics.insert(options->kafka.topics.end(), topics.begin(), topics.end());
    }
    if (k.contains("properties")) {
      std::map<std::string, std::string> properties;
      if (!(s = Get(k, "properties", &properties)).ok()) return s;
      for (auto& [name, value] : properties) options->kafka.properties[name] = value;
    }
    if (!(s = Get(k, "batch", &options->kafka_batch)).ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status LoadConfigFile(const std::string& path, FollowerOptions* options) {
  absl::StatusOr<std::string> text = ReadFileToString(path, 4 << 20);
  if (!text.ok()) return text.status();
  absl::Status s = ParseConfig(*text, options);
  if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", s.message()));
  return s;
}

}  // namespace relmon::feeds
