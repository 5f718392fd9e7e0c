// view_apply_bench: how fast the query service folds log events into its
// views, without the network or the ingest service in the way.
//
// Generates articles (bench/article_generator), extracts them with the real
// extractor, turns each into the two log events ingest writes
// (ArticleRecorded, ArticleAnalyzed), and applies them to a ViewStore on a
// temporary directory: first --prefill articles (not timed), then
// --articles articles in groups of --group_articles, timed. The follower
// applies what has queued up in one group, so small groups are the live
// case (one article every millisecond at 1,000/s) and large groups the
// catch-up case. Prints articles/s and per-group latency percentiles, as a
// table or (--json) one JSON object per line like relbench.
//
//   build/bin/view_apply_bench --prefill=10000 --articles=5000 --group_articles=1,16,512
//
// Profile the apply path with perf or callgrind on this binary: generation
// and extraction happen before the timed part starts.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "bench/article_generator.h"
#include "common/log.h"
#include "google/protobuf/util/time_util.h"
#include "ingest-service/extraction/extractor.h"
#include "query-service/view_store.h"
#include "relations/v1/log.pb.h"

ABSL_FLAG(int64_t, prefill, 2000, "Articles applied before timing starts (store size at the start)");
ABSL_FLAG(int64_t, articles, 2000, "Articles applied while timing, per group size");
ABSL_FLAG(std::string, group_articles, "1,16,512",
          "Articles per Apply() call (comma-separated: one timed run each, on a fresh copy of the prefilled store)");
ABSL_FLAG(uint64_t, seed, 7, "Generator seed");
ABSL_FLAG(std::string, dir, "", "Work directory (default: a new one under the system temp dir, removed at the end)");
ABSL_FLAG(bool, debug_log, false, "Log each Apply() (writes and bytes per group) to stderr");
ABSL_FLAG(bool, json, false, "One JSON object per line instead of a table");

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
using relations::v1::LogEvent;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "view_apply_bench: %s\n", what.c_str());
  std::exit(1);
}

// Two log events per article, as ingest appends them; sequences are filled
// in when applied.
std::vector<std::pair<LogEvent, LogEvent>> MakeEvents(int64_t count, uint64_t seed) {
  relmon::extraction::ExtractorOptions eo;
  eo.resources_dir = RELMON_DEFAULT_DATA_DIR;
  eo.iso_codes_dir = RELMON_DEFAULT_ISO_CODES_DIR;
  auto extractor = relmon::extraction::Extractor::Create(eo);
  if (!extractor.ok()) Die(extractor.status().ToString());
  relmon::bench::GeneratorOptions go;
  go.seed = seed;
  go.resources_dir = RELMON_DEFAULT_DATA_DIR;
  go.iso_codes_dir = RELMON_DEFAULT_ISO_CODES_DIR;
  go.templates_dir = RELMON_BENCH_DATA_DIR;
  auto generator = relmon::bench::ArticleGenerator::Create(go);
  if (!generator.ok()) Die(generator.status().ToString());
  std::vector<std::pair<LogEvent, LogEvent>> out;
  out.reserve(count);
  const auto now = google::protobuf::util::TimeUtil::GetCurrentTime();
  for (int64_t i = 0; i < count; ++i) {
    relations::v1::Article a = (*generator)->Next();
    a.set_id(absl::StrFormat("art_%016x", i + 1));
    a.set_text((*extractor)->CleanText(a.text()));
    relmon::extraction::ExtractionResult r = (*extractor)->Extract(a);
    r.article.set_id(a.id());
    r.analysis.set_article_id(a.id());
    LogEvent recorded, analyzed;
    *recorded.mutable_recorded_at() = now;
    *recorded.mutable_article_recorded()->mutable_article() = std::move(r.article);
    recorded.mutable_article_recorded()->set_date_source(r.date_source);
    recorded.mutable_article_recorded()->set_content_hash(absl::StrFormat("%064x", i + 1));
    *analyzed.mutable_recorded_at() = now;
    *analyzed.mutable_article_analyzed() = std::move(r.analysis);
    out.emplace_back(std::move(recorded), std::move(analyzed));
  }
  return out;
}

std::unique_ptr<relmon::query::ViewStore> OpenStore(const fs::path& path) {
  relmon::query::ViewStoreOptions options;
  options.path = path.string();
  auto store = relmon::query::ViewStore::Open(options);
  if (!store.ok()) Die(store.status().ToString());
  return std::move(*store);
}

// Applies events [begin, end) in groups of `group` articles; returns the
// wall time of each Apply() in milliseconds.
std::vector<double> ApplyRange(relmon::query::ViewStore* store,
                               const std::vector<std::pair<LogEvent, LogEvent>>& events,
                               size_t begin, size_t end, size_t group) {
  std::vector<double> ms;
  std::vector<LogEvent> batch;
  for (size_t i = begin; i < end; i += group) {
    batch.clear();
    uint64_t seq = store->applied_sequence();
    for (size_t j = i; j < std::min(end, i + group); ++j) {
      batch.push_back(events[j].first);
      batch.back().set_sequence(++seq);
      batch.push_back(events[j].second);
      batch.back().set_sequence(++seq);
    }
    const auto start = Clock::now();
    absl::Status s = store->Apply(batch);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!s.ok()) Die(s.ToString());
  }
  return ms;
}

double Pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size())));
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Measures the query service's apply path (log events into views).");
  absl::ParseCommandLine(argc, argv);
  const int64_t prefill = std::max<int64_t>(0, absl::GetFlag(FLAGS_prefill));
  const int64_t articles = std::max<int64_t>(1, absl::GetFlag(FLAGS_articles));
  std::vector<size_t> groups;
  for (absl::string_view g : absl::StrSplit(absl::GetFlag(FLAGS_group_articles), ',', absl::SkipEmpty())) {
    size_t n = 0;
    if (!absl::SimpleAtoi(g, &n) || n == 0) Die(absl::StrCat("--group_articles: not a positive number: ", g));
    groups.push_back(n);
  }
  const bool json = absl::GetFlag(FLAGS_json);
  relmon::SetMinLogLevel(relmon::LogLevel::kWarning);

  fs::path root = absl::GetFlag(FLAGS_dir).empty()
                      ? fs::temp_directory_path() / absl::StrCat("view_apply_bench.", getpid())
                      : fs::path(absl::GetFlag(FLAGS_dir));
  fs::remove_all(root);
  fs::create_directories(root);

  const auto t0 = Clock::now();
  auto events = MakeEvents(prefill + articles, absl::GetFlag(FLAGS_seed));
  const double extract_s = std::chrono::duration<double>(Clock::now() - t0).count();
  size_t input_bytes = 0;
  for (size_t i = prefill; i < events.size(); ++i) {
    input_bytes += events[i].first.ByteSizeLong() + events[i].second.ByteSizeLong();
  }
  if (!json) {
    std::printf("generated and extracted %zu articles in %.1f s; timed part: %.1f KB of log events per article\n",
                events.size(), extract_s, input_bytes / 1024.0 / static_cast<double>(articles));
  }

  const fs::path base = root / "prefilled";
  {
    auto store = OpenStore(base);
    const auto start = Clock::now();
    ApplyRange(store.get(), events, 0, static_cast<size_t>(prefill), 512);
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    // How much the prefilled store knows: how widely facts are shared
    // between articles decides how much each new article recomputes.
    auto count = [&](relmon::query::View view) {
      int64_t n = 0;
      (void)store->Scan(view, "", "", [&](absl::string_view, absl::string_view) { return ++n, true; });
      return n;
    };
    const int64_t agreements = count(relmon::query::View::kAgreements);
    const int64_t mentions = count(relmon::query::View::kAgreementMentions);
    const int64_t events = count(relmon::query::View::kDyadEvents);
    const int64_t disputes = count(relmon::query::View::kDisputes);
    if (json) {
      std::printf("{\"metric\":\"view_apply.prefill_%lld.agreements\",\"value\":%lld,\"unit\":\"records\"}\n",
                  static_cast<long long>(prefill), static_cast<long long>(agreements));
      std::printf("{\"metric\":\"view_apply.prefill_%lld.mentions_per_agreement\",\"value\":%.1f,\"unit\":\"mentions\"}\n",
                  static_cast<long long>(prefill), agreements ? static_cast<double>(mentions) / agreements : 0.0);
    } else {
      std::printf("prefill: %lld articles in %.1f s (groups of 512): %lld clustered events, %lld agreements "
                  "(%.1f mentions each), %lld disputes\n",
                  static_cast<long long>(prefill), s, static_cast<long long>(events),
                  static_cast<long long>(agreements), agreements ? static_cast<double>(mentions) / agreements : 0.0,
                  static_cast<long long>(disputes));
    }
  }  // closed: flushed, so every run starts from the same files

  if (!json) {
    std::printf("%-8s %10s %12s %12s %12s %12s\n", "group", "articles/s", "apply p50", "apply p99",
                "apply max", "per article");
  }
  for (size_t group : groups) {
    const fs::path run = root / absl::StrCat("run_", group);
    fs::remove_all(run);
    fs::copy(base, run, fs::copy_options::recursive);
    auto store = OpenStore(run);
    if (absl::GetFlag(FLAGS_debug_log)) relmon::SetMinLogLevel(relmon::LogLevel::kDebug);
    const auto start = Clock::now();
    std::vector<double> ms = ApplyRange(store.get(), events, static_cast<size_t>(prefill), events.size(), group);
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    const double rate = static_cast<double>(articles) / s;
    if (json) {
      auto line = [&](const std::string& metric, double value, const char* unit) {
        std::printf("{\"metric\":\"view_apply.prefill_%lld.group_%zu.%s\",\"value\":%.3f,\"unit\":\"%s\"}\n",
                    static_cast<long long>(prefill), group, metric.c_str(), value, unit);
      };
      line("articles_per_s", rate, "articles/s");
      line("apply_p50_ms", Pct(ms, 50), "ms");
      line("apply_p99_ms", Pct(ms, 99), "ms");
      line("apply_max_ms", Pct(ms, 100), "ms");
    } else {
      std::printf("%-8zu %10.0f %10.2f ms %10.2f ms %10.2f ms %10.3f ms\n", group, rate, Pct(ms, 50), Pct(ms, 99),
                  Pct(ms, 100), 1000.0 / rate);
    }
    relmon::SetMinLogLevel(relmon::LogLevel::kWarning);
    store.reset();
    fs::remove_all(run);
  }
  if (absl::GetFlag(FLAGS_dir).empty()) fs::remove_all(root);
  return 0;
}
