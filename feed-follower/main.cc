// feed-follower: streams new articles from RSS/Atom feeds, a watched
// directory and Kafka topics into ingest-service (docs/feeds.md).
#include <signal.h>

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/log.h"
#include "common/service_host.h"
#include "feed-follower/config.h"
#include "feed-follower/follower.h"
#include "feed-follower/stop_signal.h"

ABSL_FLAG(std::string, ingest_target, "localhost:50051", "ingest-service HOST:PORT (or a gRPC target such as dns:///...)");
ABSL_FLAG(bool, ingest_tls, false, "Use TLS to ingest-service, verifying it against the system's root CAs");
ABSL_FLAG(std::string, ingest_tls_ca_file, "", "Use TLS to ingest-service, verifying it against this PEM CA");
ABSL_FLAG(std::string, ingest_tls_cert_file, "", "PEM client certificate for mutual TLS (with --ingest_tls_key_file)");
ABSL_FLAG(std::string, ingest_tls_key_file, "", "PEM private key of --ingest_tls_cert_file");
ABSL_FLAG(std::string, ingest_tls_server_name, "", "Name expected in ingest-service's certificate (default: target host)");
ABSL_FLAG(std::string, ingest_token_file, "",
          "File whose first token is sent as 'authorization: Bearer' (the write token; needs TLS)");
ABSL_FLAG(std::string, state_dir, "./var/feed-follower", "Directory of the checkpoint file");
ABSL_FLAG(std::vector<std::string>, feed, {}, "Feed URL (RSS or Atom); repeat the flag for several");
ABSL_FLAG(std::string, config, "", "JSON config file (feeds, watch_dir, kafka, http; see docs/feeds.md)");
ABSL_FLAG(bool, once, false, "Poll every source once, wait for the acknowledgements, exit");
ABSL_FLAG(std::string, watch_dir, "", "Directory whose new .txt/.jsonl files are ingested");
ABSL_FLAG(std::string, kafka_brokers, "", "Kafka bootstrap servers");
ABSL_FLAG(std::vector<std::string>, kafka_topic, {}, "Kafka topic(s) of article messages");
ABSL_FLAG(std::string, kafka_group, "", "Kafka consumer group (default relations-monitor-feed-follower)");
ABSL_FLAG(int32_t, interval_seconds, 900, "Poll interval of feeds given with --feed");
ABSL_FLAG(std::string, metrics_file, "", "Write per-source metrics as JSON here after each round");
ABSL_FLAG(int32_t, metrics_log_seconds, 60, "How often metrics are logged");
ABSL_FLAG(int32_t, http_timeout_seconds, 30, "Whole-transfer timeout of one HTTP GET");
ABSL_FLAG(int32_t, error_backoff_seconds, 30, "First retry delay of a failing feed (doubles, capped)");
ABSL_FLAG(std::string, log_level, "info", "Lowest log level written: debug, info, warning, error");

namespace {

// Every value of a repeatable flag: Abseil keeps only the last occurrence,
// but `--feed=A --feed=B` must follow both. With split_commas, values may
// also be comma-separated (topics; never URLs, which may contain commas).
std::vector<std::string> AllValues(int argc, char** argv, const std::string& name, bool split_commas) {
  std::vector<std::string> values;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") break;
    std::string value;
    bool found = false;
    for (const std::string& prefix : {"--" + name, "-" + name}) {
      if (arg.rfind(prefix + "=", 0) == 0) {
        value = arg.substr(prefix.size() + 1);
        found = true;
      } else if (arg == prefix && i + 1 < argc) {
        value = argv[++i];
        found = true;
      }
      if (found) break;
    }
    if (!found) continue;
    if (!split_commas) {
      if (!value.empty()) values.push_back(value);
      continue;
    }
    for (absl::string_view part : absl::StrSplit(value, ',', absl::SkipEmpty())) values.emplace_back(part);
  }
  return values;
}

std::vector<std::string> g_feed_urls;
std::vector<std::string> g_kafka_topics;

int Run() {
  relmon::SetLogComponent("feed-follower");
  relmon::LogLevel level;
  if (!relmon::ParseLogLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    relmon::LogError("bad --log_level", {{"value", absl::GetFlag(FLAGS_log_level)}});
    return 2;
  }
  relmon::SetMinLogLevel(level);

  relmon::feeds::FollowerOptions options;
  options.ingest_target = absl::GetFlag(FLAGS_ingest_target);
  options.ingest_security.tls = absl::GetFlag(FLAGS_ingest_tls);
  options.ingest_security.ca_file = absl::GetFlag(FLAGS_ingest_tls_ca_file);
  options.ingest_security.cert_file = absl::GetFlag(FLAGS_ingest_tls_cert_file);
  options.ingest_security.key_file = absl::GetFlag(FLAGS_ingest_tls_key_file);
  options.ingest_security.server_name_override = absl::GetFlag(FLAGS_ingest_tls_server_name);
  options.ingest_security.token_file = absl::GetFlag(FLAGS_ingest_token_file);
  options.state_dir = absl::GetFlag(FLAGS_state_dir);
  if (absl::GetFlag(FLAGS_http_timeout_seconds) <= 0 || absl::GetFlag(FLAGS_interval_seconds) <= 0 ||
      absl::GetFlag(FLAGS_error_backoff_seconds) <= 0 || absl::GetFlag(FLAGS_metrics_log_seconds) <= 0) {
    relmon::LogError("durations must be positive");
    return 2;
  }
  options.http.total_timeout = absl::Seconds(absl::GetFlag(FLAGS_http_timeout_seconds));
  options.error_backoff_initial = absl::Seconds(absl::GetFlag(FLAGS_error_backoff_seconds));
  options.metrics_log_interval = absl::Seconds(absl::GetFlag(FLAGS_metrics_log_seconds));
  if (!absl::GetFlag(FLAGS_config).empty()) {
    if (absl::Status s = relmon::feeds::LoadConfigFile(absl::GetFlag(FLAGS_config), &options); !s.ok()) {
      relmon::LogError("bad config file", {{"error", s.ToString()}});
      return 2;
    }
  }
  // Flags given explicitly add to (or override) the config file.
  for (const std::string& url : g_feed_urls) {
    if (url.empty()) continue;
    relmon::feeds::FeedConfig feed;
    feed.url = url;
    feed.interval = absl::Seconds(absl::GetFlag(FLAGS_interval_seconds));
    options.feeds.push_back(feed);
  }
  if (!absl::GetFlag(FLAGS_watch_dir).empty()) options.watch_dir = absl::GetFlag(FLAGS_watch_dir);
  if (!absl::GetFlag(FLAGS_kafka_brokers).empty()) options.kafka.brokers = absl::GetFlag(FLAGS_kafka_brokers);
  for (const std::string& topic : g_kafka_topics) {
    if (!topic.empty()) options.kafka.topics.push_back(topic);
  }
  if (!absl::GetFlag(FLAGS_kafka_group).empty()) options.kafka.group = absl::GetFlag(FLAGS_kafka_group);
  if (!absl::GetFlag(FLAGS_metrics_file).empty()) options.metrics_file = absl::GetFlag(FLAGS_metrics_file);

  relmon::feeds::StopSignal stop;
  // SIGTERM/SIGINT are blocked in every thread (BlockShutdownSignals); this
  // one waits for them and raises the stop flag.
  std::thread([&stop] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    int sig = 0;
    if (sigwait(&set, &sig) == 0) {
      relmon::LogInfo("stop requested", {{"signal", absl::StrCat(sig)}});
      stop.Stop();
    }
  }).detach();

  absl::StatusOr<std::unique_ptr<relmon::feeds::Follower>> follower = relmon::feeds::Follower::Create(options);
  if (!follower.ok()) {
    relmon::LogError("cannot start", {{"error", follower.status().ToString()}});
    return 2;
  }
  relmon::LogInfo("following", {{"feeds", absl::StrCat(options.feeds.size())},
                                {"watch_dir", options.watch_dir},
                                {"kafka_topics", absl::StrCat(options.kafka.topics.size())},
                                {"ingest_target", options.ingest_target},
                                {"state_dir", options.state_dir}});
  if (absl::GetFlag(FLAGS_once)) {
    // A failing source is logged and counted in the metrics; the round
    // itself completed, so the exit code stays 0 (cron-friendly).
    absl::Status s = (*follower)->RunOnce(stop);
    if (!s.ok()) relmon::LogWarning("a source failed in this round", {{"error", s.ToString()}});
  } else {
    (void)(*follower)->Run(stop);
  }
  (*follower)->metrics().Log("feed-follower metrics at exit");
  follower->reset();
  relmon::LogInfo("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  relmon::BlockShutdownSignals();
  absl::SetProgramUsageMessage(
      "feed-follower --ingest_target=HOST:PORT --state_dir=DIR --feed=URL [--feed=URL ...] [--config=FILE] "
      "[--watch_dir=DIR] [--kafka_brokers=... --kafka_topic=... --kafka_group=...] [--once]");
  g_feed_urls = AllValues(argc, argv, "feed", /*split_commas=*/false);
  g_kafka_topics = AllValues(argc, argv, "kafka_topic", /*split_commas=*/true);
  absl::ParseCommandLine(argc, argv);
  return Run();
}
