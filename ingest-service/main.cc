// ingest-service: accepts news articles, extracts facts at ingest, keeps the
// durable event log and streams it to consumers (relations.v1.IngestService).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/metrics_http.h"
#include "common/service_host.h"
#include "ingest-service/admin_service.h"
#include "ingest-service/event_log.h"
#include "ingest-service/extraction/extractor.h"
#include "ingest-service/ingest_service.h"
#include "ingest-service/intake.h"
#include "ingest-service/reanalyzer.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:50051", "HOST:PORT to serve on (port 0 picks a free port)");
ABSL_FLAG(std::string, data_dir, "./var/ingest", "Directory of the event log database");
ABSL_FLAG(std::string, http_listen, "",
          "HOST:PORT of the HTTP port serving GET /metrics (Prometheus); empty: none");
ABSL_FLAG(std::string, resources_dir, RELMON_DEFAULT_DATA_DIR,
          "Directory of the extraction data files (gazetteers, cue phrases, weights)");
ABSL_FLAG(std::string, iso_codes_dir, RELMON_DEFAULT_ISO_CODES_DIR,
          "Directory of Debian's iso-codes JSON files");
ABSL_FLAG(int64_t, max_article_bytes, 2 << 20,
          "Largest article text accepted (bytes); larger is REJECTED");
ABSL_FLAG(int64_t, grace_period_ms, 10000, "How long in-flight calls may run after SIGTERM/SIGINT");
ABSL_FLAG(int32_t, max_in_flight_per_stream, 64,
          "Articles of one StreamArticles call processed at once");
ABSL_FLAG(int32_t, max_article_streams, 64,
          "Open StreamArticles calls (over all connections); one more is refused with "
          "RESOURCE_EXHAUSTED");
ABSL_FLAG(int32_t, max_event_subscribers, 64,
          "Live SubscribeEvents calls (over all connections); one more is refused with "
          "RESOURCE_EXHAUSTED");
ABSL_FLAG(int32_t, max_ingest_calls, 256,
          "IngestArticle calls processed at once; one more is refused with RESOURCE_EXHAUSTED");
ABSL_FLAG(int32_t, extraction_threads, 0, "Extraction worker threads (0: one per hardware thread)");
ABSL_FLAG(int32_t, reanalysis_threads, 0,
          "Extraction threads of a running re-analysis, niced below ingest (0: one per hardware thread)");
ABSL_FLAG(int64_t, block_cache_mb, 64, "RocksDB block cache (MiB)");
ABSL_FLAG(int64_t, write_buffer_mb, 32, "RocksDB memtable size per column family (MiB)");
ABSL_FLAG(std::string, log_level, "info", "Lowest log level written: debug, info, warning, error");
ABSL_FLAG(int32_t, max_concurrent_streams, 0, "HTTP/2 streams per connection (0: gRPC's default)");
ABSL_FLAG(std::string, backup_dir, "",
          "Root directory of AdminService.CreateCheckpoint backups (empty: checkpoints refused)");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate chain of this server; with --tls_key_file turns TLS on "
          "(empty: plaintext, see docs/security.md)");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls_cert_file");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "PEM CA bundle: when set, clients must present a certificate it signed (mutual TLS)");
ABSL_FLAG(std::string, write_token_file, "",
          "Bearer tokens (one a line, '#' comments) required by StreamArticles, IngestArticle and "
          "AdminService; needs TLS; re-read on SIGHUP");
ABSL_FLAG(std::string, read_token_file, "",
          "Bearer tokens required by SubscribeEvents (a write token also reads); needs TLS");
ABSL_FLAG(bool, skip_extraction, false,
          "Benchmarks only: store an empty analysis instead of extracting facts");

namespace {

int Run() {
  relmon::SetLogComponent("ingest-service");
  relmon::LogLevel level;
  if (!relmon::ParseLogLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    relmon::LogError("bad --log_level", {{"value", absl::GetFlag(FLAGS_log_level)}});
    return 2;
  }
  relmon::SetMinLogLevel(level);

  const int64_t max_article_bytes = absl::GetFlag(FLAGS_max_article_bytes);
  if (max_article_bytes <= 0 || max_article_bytes > (int64_t{1} << 30)) {
    relmon::LogError("--max_article_bytes must be in (0, 1 GiB]");
    return 2;
  }
  if (absl::GetFlag(FLAGS_max_in_flight_per_stream) <= 0 ||
      absl::GetFlag(FLAGS_max_article_streams) <= 0 ||
      absl::GetFlag(FLAGS_max_event_subscribers) <= 0 ||
      absl::GetFlag(FLAGS_max_ingest_calls) <= 0 ||
      absl::GetFlag(FLAGS_extraction_threads) < 0 || absl::GetFlag(FLAGS_reanalysis_threads) < 0 ||
      absl::GetFlag(FLAGS_block_cache_mb) <= 0 ||
      absl::GetFlag(FLAGS_write_buffer_mb) <= 0 || absl::GetFlag(FLAGS_grace_period_ms) < 0 ||
      absl::GetFlag(FLAGS_max_concurrent_streams) < 0) {
    relmon::LogError("a numeric flag is out of range (sizes and counts must be positive)");
    return 2;
  }

  relmon::ingest::EventLogOptions log_options;
  log_options.path = absl::GetFlag(FLAGS_data_dir);
  log_options.block_cache_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_block_cache_mb)) << 20;
  log_options.write_buffer_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_write_buffer_mb)) << 20;
  absl::StatusOr<std::unique_ptr<relmon::ingest::EventLog>> log =
      relmon::ingest::EventLog::Open(log_options);
  if (!log.ok()) {
    relmon::LogError("cannot open the event log", {{"error", log.status().ToString()}});
    return 1;
  }

  relmon::extraction::ExtractorOptions extractor_options;
  extractor_options.resources_dir = absl::GetFlag(FLAGS_resources_dir);
  extractor_options.iso_codes_dir = absl::GetFlag(FLAGS_iso_codes_dir);
  absl::StatusOr<std::unique_ptr<relmon::extraction::Extractor>> extractor =
      relmon::extraction::Extractor::Create(extractor_options);
  if (!extractor.ok()) {
    relmon::LogError("cannot load the extractor", {{"error", extractor.status().ToString()}});
    return 1;
  }
  relmon::LogInfo("extractor loaded", {{"version", (*extractor)->version()}});

  relmon::ingest::IntakeOptions intake_options;
  intake_options.limits.max_text_bytes = static_cast<size_t>(max_article_bytes);
  intake_options.extraction_threads = static_cast<size_t>(absl::GetFlag(FLAGS_extraction_threads));
  intake_options.skip_extraction = absl::GetFlag(FLAGS_skip_extraction);
  if (intake_options.skip_extraction)
    relmon::LogWarning("extraction is skipped (--skip_extraction)");
  absl::StatusOr<std::unique_ptr<relmon::ingest::Intake>> intake =
      relmon::ingest::Intake::Create(intake_options, log->get(), extractor->get());
  if (!intake.ok()) {
    relmon::LogError("cannot start the intake", {{"error", intake.status().ToString()}});
    return 1;
  }

  relmon::ingest::IngestServiceOptions service_options;
  service_options.max_in_flight_per_stream =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_in_flight_per_stream));
  service_options.max_article_streams =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_article_streams));
  service_options.max_event_subscribers =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_event_subscribers));
  service_options.max_ingest_calls = static_cast<size_t>(absl::GetFlag(FLAGS_max_ingest_calls));
  relmon::ingest::IngestServiceImpl service(service_options, intake->get(), log->get());

  // Re-analysis resumes a job that was running when the service stopped.
  relmon::ingest::ReanalyzerOptions reanalyzer_options;
  reanalyzer_options.threads =
      static_cast<size_t>(absl::GetFlag(FLAGS_reanalysis_threads));
  absl::StatusOr<std::unique_ptr<relmon::ingest::Reanalyzer>> reanalyzer =
      relmon::ingest::Reanalyzer::Create(
          log->get(), intake_options.skip_extraction ? nullptr : extractor->get(),
          reanalyzer_options);
  if (!reanalyzer.ok()) {
    relmon::LogError("cannot start the reanalyzer", {{"error", reanalyzer.status().ToString()}});
    return 1;
  }
  relmon::ingest::AdminServiceOptions admin_options;
  admin_options.backup_dir = absl::GetFlag(FLAGS_backup_dir);
  relmon::ingest::AdminServiceImpl admin_service(admin_options, log->get(), reanalyzer->get());

  relmon::MetricsRegistry metrics;
  relmon::GrpcServerMetrics grpc_metrics(&metrics);
  relmon::ingest::EventLog* event_log = log->get();
  metrics.AddGaugeFunction("relmon_ingest_last_sequence", "Last committed log sequence",
                           [event_log] { return static_cast<double>(event_log->last_sequence()); });

  relmon::ServiceHostOptions host_options;
  host_options.interceptor_factories.push_back(
      [&grpc_metrics] { return grpc_metrics.NewInterceptorFactory(); });
  host_options.listen = absl::GetFlag(FLAGS_listen);
  // Room for the largest article plus the rest of the request.
  host_options.max_receive_message_bytes = static_cast<int>(max_article_bytes + (64 << 10));
  host_options.max_concurrent_streams = absl::GetFlag(FLAGS_max_concurrent_streams);
  host_options.grace_period = absl::Milliseconds(absl::GetFlag(FLAGS_grace_period_ms));
  host_options.tls.cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  host_options.tls.key_file = absl::GetFlag(FLAGS_tls_key_file);
  host_options.tls.client_ca_file = absl::GetFlag(FLAGS_tls_client_ca_file);
  host_options.token_files.write_file = absl::GetFlag(FLAGS_write_token_file);
  host_options.token_files.read_file = absl::GetFlag(FLAGS_read_token_file);
  host_options.access_policy = relmon::AccessPolicy::Ingest();
  host_options.services.push_back(&service);
  host_options.services.push_back(&admin_service);
  absl::StatusOr<std::unique_ptr<relmon::ServiceHost>> host =
      relmon::ServiceHost::Start(host_options);
  if (!host.ok()) {
    relmon::LogError("cannot start the server", {{"error", host.status().ToString()}});
    return 1;
  }
  (*host)->SetServing(true);
  (*host)->AnnounceListening();
  std::unique_ptr<relmon::MetricsHttpServer> http;
  if (!absl::GetFlag(FLAGS_http_listen).empty()) {
    auto started = relmon::MetricsHttpServer::Start(absl::GetFlag(FLAGS_http_listen), &metrics);
    if (!started.ok()) {
      relmon::LogError("cannot start the HTTP port", {{"error", started.status().ToString()}});
      (*host)->Shutdown();
      return 1;
    }
    http = *std::move(started);
    // After the gRPC line, which tools read first.
    std::printf("http listening on %s\n", http->address().c_str());
    std::fflush(stdout);
  }
  relmon::LogInfo("serving", {{"address", (*host)->address()},
                              {"data_dir", log_options.path},
                              {"last_sequence", absl::StrCat((*log)->last_sequence())}});

  const int signal = (*host)->WaitForStop();
  relmon::LogInfo("stopping", {{"signal", absl::StrCat(signal)}});
  // Live subscriptions never end by themselves: end them first so the
  // server's drain waits only for article calls.
  service.BeginShutdown();
  if (http) http->Stop();
  (*host)->Shutdown();
  service.Stop();
  (*reanalyzer)->Stop();
  (*intake)->Shutdown();
  absl::Status closed = (*log)->Close();
  if (!closed.ok()) {
    relmon::LogError("event log close failed", {{"error", closed.ToString()}});
    return 1;
  }
  relmon::LogInfo("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  relmon::BlockShutdownSignals();
  absl::SetProgramUsageMessage(
      "ingest-service --listen=HOST:PORT --data_dir=DIR: accepts news articles and serves the "
      "event log");
  absl::ParseCommandLine(argc, argv);
  return Run();
}
