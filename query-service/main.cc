// query-service: follows the ingest service's event log into local RocksDB
// views and serves relations.v1.QueryService (see docs/storage-query.md and
// docs/relations-model.md).
#include <algorithm>
#include <cstdio>
#if defined(__GLIBC__) && !defined(RELMON_JEMALLOC)
#include <malloc.h>
#endif
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/country_gazetteer.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/service_host.h"
#include "common/tls.h"
#include "query-service/answer_cache.h"
#include "query-service/http_gateway.h"
#include "query-service/log_follower.h"
#include "query-service/query_engine.h"
#include "query-service/query_service_impl.h"
#include "query-service/view_store.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:50052", "HOST:PORT to serve on (port 0: any free port)");
ABSL_FLAG(std::string, data_dir, "./var/query", "Directory of the query views (RocksDB)");
ABSL_FLAG(std::string, ingest_target, "localhost:50051",
          "HOST:PORT of the ingest service to follow");
ABSL_FLAG(std::string, resources_dir, RELMON_DEFAULT_DATA_DIR,
          "Directory of the data files (countries.tsv)");
ABSL_FLAG(std::string, iso_codes_dir, RELMON_DEFAULT_ISO_CODES_DIR,
          "Directory of iso-codes JSON files");
ABSL_FLAG(bool, rebuild, false, "Drop every view and follow the log again from sequence 1");
ABSL_FLAG(int, grace_period_ms, 10000, "How long in-flight calls may run after SIGTERM/SIGINT");
ABSL_FLAG(int, block_cache_mb, 64, "RocksDB block cache size");
ABSL_FLAG(int, write_buffer_mb, 64,
          "Budget of all RocksDB memtables together (charged to the block cache)");
ABSL_FLAG(int, answer_cache_mb, 64,
          "Budget of serialized answers kept for repeated identical requests until the views "
          "move (0: no cache)");
ABSL_FLAG(int, answer_cache_ttl_ms, 1000,
          "Longest time a cached answer is reused while the views do not move (answers without "
          "as_of are as of now)");
ABSL_FLAG(int, max_waiting_calls, 4096,
          "Calls that may wait for their min_sequence at once; more get RESOURCE_EXHAUSTED");
ABSL_FLAG(int, max_wait_ms, 30000, "Longest min_sequence wait for a call without a deadline");
constexpr char kDefaultHttpListen[] = "0.0.0.0:8080";

ABSL_FLAG(std::string, http_listen, kDefaultHttpListen,
          "HOST:PORT of the HTTP port (JSON API, dashboard, /metrics); empty: no HTTP");
ABSL_FLAG(std::string, web_dir, "",
          "Serve the dashboard from this directory instead of the embedded copy (development)");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning or error");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate chain of this server's gRPC port; with --tls_key_file turns TLS on "
          "(empty: plaintext; the HTTP port stays plaintext, see docs/security.md)");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls_cert_file");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "PEM CA bundle: when set, gRPC clients must present a certificate it signed (mTLS)");
ABSL_FLAG(std::string, read_token_file, "",
          "Bearer tokens (one a line, '#' comments) required by QueryService calls; needs TLS; "
          "re-read on SIGHUP");
ABSL_FLAG(std::string, ingest_tls_ca_file, "",
          "PEM CA that signed the ingest service's certificate: follow the log over TLS");
ABSL_FLAG(std::string, ingest_tls_cert_file, "",
          "PEM client certificate presented to the ingest service (mutual TLS)");
ABSL_FLAG(std::string, ingest_tls_key_file, "", "PEM private key of --ingest_tls_cert_file");
ABSL_FLAG(std::string, ingest_tls_server_name, "",
          "Name expected in the ingest service's certificate (default: the host of "
          "--ingest_target)");
ABSL_FLAG(std::string, ingest_token_file, "",
          "File whose first token is sent to the ingest service as a bearer token (needs TLS)");

namespace {

int Fail(const std::string& what, const absl::Status& status) {
  relmon::LogError(what, {{"error", std::string(status.message())}});
  std::fprintf(stderr, "query-service: %s: %s\n", what.c_str(),
               std::string(status.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  relmon::BlockShutdownSignals();
  // Debian's Abseil enables deadlock detection, whose lock graph costs on
  // every Mutex acquisition; our lock order is simple and tested.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#if defined(__GLIBC__) && !defined(RELMON_JEMALLOC)
  // Few malloc arenas: per-thread arenas multiply retained free memory
  // (RSS) for no gain on a 2-core host.
  mallopt(M_ARENA_MAX, 2);
#endif

  absl::ParseCommandLine(argc, argv);
  relmon::SetLogComponent("query-service");
  relmon::LogLevel level;
  if (!relmon::ParseLogLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    std::fprintf(stderr, "query-service: --log_level must be debug, info, warning or error\n");
    return 2;
  }
  relmon::SetMinLogLevel(level);

  auto gazetteer = relmon::CountryGazetteer::Load(absl::GetFlag(FLAGS_iso_codes_dir),
                                                  absl::GetFlag(FLAGS_resources_dir));
  if (!gazetteer.ok()) return Fail("cannot load the country gazetteer", gazetteer.status());

  relmon::query::ViewStoreOptions store_options;
  store_options.path = absl::GetFlag(FLAGS_data_dir);
  store_options.block_cache_mb = absl::GetFlag(FLAGS_block_cache_mb);
  store_options.write_buffer_mb = absl::GetFlag(FLAGS_write_buffer_mb);
  store_options.rebuild = absl::GetFlag(FLAGS_rebuild);
  auto store = relmon::query::ViewStore::Open(store_options);
  if (!store.ok()) return Fail("cannot open the views", store.status());

  relmon::query::QueryEngine engine(store->get(), gazetteer->get());
  relmon::query::AnswerCacheOptions cache_options;
  cache_options.max_bytes =
      static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_answer_cache_mb))) << 20;
  cache_options.ttl = absl::Milliseconds(std::max(0, absl::GetFlag(FLAGS_answer_cache_ttl_ms)));
  relmon::query::AnswerCache answer_cache(cache_options);
  relmon::query::QueryServiceImpl service(&engine, store->get(),
                                          absl::Milliseconds(absl::GetFlag(FLAGS_max_wait_ms)),
                                          &answer_cache,
                                          std::max(1, absl::GetFlag(FLAGS_max_waiting_calls)));

  relmon::MetricsRegistry metrics;
  relmon::GrpcServerMetrics grpc_metrics(&metrics);

  relmon::ServiceHostOptions host_options;
  host_options.listen = absl::GetFlag(FLAGS_listen);
  host_options.grace_period = absl::Milliseconds(absl::GetFlag(FLAGS_grace_period_ms));
  host_options.tls.cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  host_options.tls.key_file = absl::GetFlag(FLAGS_tls_key_file);
  host_options.tls.client_ca_file = absl::GetFlag(FLAGS_tls_client_ca_file);
  host_options.token_files.read_file = absl::GetFlag(FLAGS_read_token_file);
  host_options.access_policy = relmon::AccessPolicy::Query();
  host_options.services.push_back(&service);
  host_options.interceptor_factories.push_back(
      [&grpc_metrics] { return grpc_metrics.NewInterceptorFactory(); });
  auto host = relmon::ServiceHost::Start(host_options);
  if (!host.ok()) return Fail("cannot start the server", host.status());

  relmon::query::LogFollowerOptions follower_options;
  follower_options.ingest_target = absl::GetFlag(FLAGS_ingest_target);
  follower_options.tls.ca_file = absl::GetFlag(FLAGS_ingest_tls_ca_file);
  follower_options.tls.cert_file = absl::GetFlag(FLAGS_ingest_tls_cert_file);
  follower_options.tls.key_file = absl::GetFlag(FLAGS_ingest_tls_key_file);
  follower_options.tls.server_name_override = absl::GetFlag(FLAGS_ingest_tls_server_name);
  follower_options.tls.token_file = absl::GetFlag(FLAGS_ingest_token_file);
  {
    // Checked here so a bad file stops the start instead of a silent retry loop.
    grpc::ChannelArguments unused;
    auto credentials = relmon::MakeChannelCredentials(follower_options.tls, &unused);
    if (!credentials.ok()) {
      return Fail("cannot set up the channel to the ingest service", credentials.status());
    }
  }
  relmon::query::LogFollower follower(store->get(), follower_options);

  metrics.AddGaugeFunction(
      "relmon_query_applied_sequence", "Last event log sequence applied to the views.",
      [&follower] { return static_cast<double>(follower.applied_sequence()); });
  metrics.AddGaugeFunction(
      "relmon_query_received_sequence",
      "Highest event log sequence received from the ingest service.",
      [&follower] { return static_cast<double>(follower.status().received_sequence); });
  metrics.AddGaugeFunction("relmon_query_follow_lag_events",
                           "Events received from the log but not yet applied.", [&follower] {
                             auto s = follower.status();
                             return static_cast<double>(s.received_sequence - s.applied_sequence);
                           });
  metrics.AddGaugeFunction(
      "relmon_query_follow_lag_seconds",
      "Delay between the ingest service recording the last applied event and its application.",
      [&follower] {
        auto s = follower.status();
        if (s.last_applied_at == absl::InfinitePast() ||
            s.last_event_recorded_at == absl::InfinitePast()) {
          return 0.0;
        }
        return absl::ToDoubleSeconds(s.last_applied_at - s.last_event_recorded_at);
      });
  metrics.AddGaugeFunction("relmon_query_answer_cache_hits",
                           "Read calls answered from the answer cache since start.",
                           [&answer_cache] {
                             return static_cast<double>(answer_cache.stats().hits);
                           });
  metrics.AddGaugeFunction("relmon_query_answer_cache_misses",
                           "Read calls the answer cache could not answer since start.",
                           [&answer_cache] {
                             return static_cast<double>(answer_cache.stats().misses);
                           });
  metrics.AddGaugeFunction("relmon_query_answer_cache_bytes",
                           "Bytes held by the answer cache.", [&answer_cache] {
                             return static_cast<double>(answer_cache.stats().bytes);
                           });
  metrics.AddGaugeFunction("relmon_query_follower_connected",
                           "1 when the channel to the ingest service is connected.",
                           [&follower] { return follower.status().connected ? 1.0 : 0.0; });

  std::unique_ptr<relmon::query::HttpGateway> http;
  if (!absl::GetFlag(FLAGS_http_listen).empty()) {
    relmon::query::HttpGatewayOptions http_options;
    http_options.listen = absl::GetFlag(FLAGS_http_listen);
    http_options.web_dir = absl::GetFlag(FLAGS_web_dir);
    http_options.call_timeout =
        absl::Milliseconds(absl::GetFlag(FLAGS_max_wait_ms)) + absl::Seconds(1);
    relmon::query::HttpGatewayDeps deps;
    deps.grpc_server = (*host)->server();
    deps.gazetteer = gazetteer->get();
    deps.metrics = &metrics;
    deps.follower_status = [&follower] { return follower.status(); };
    deps.serving = [&service] { return service.ready(); };
    auto started = relmon::query::HttpGateway::Start(http_options, deps);
    if (started.ok()) {
      http = *std::move(started);
    } else if (http_options.listen == kDefaultHttpListen) {
      // The default port is a convenience: several services on one host
      // (tests, a dev machine) must still start when 8080 is taken.
      relmon::LogWarning("HTTP port not started; pass --http_listen to choose another",
                         {{"error", std::string(started.status().message())}});
    } else {
      return Fail("cannot start the HTTP port", started.status());
    }
  }

  service.SetReady(true);
  (*host)->SetServing(true);
  (*host)->AnnounceListening();
  if (http) {
    // After the contract's gRPC line, which must stay the first line.
    std::printf("http listening on %s\n", http->address().c_str());
    std::fflush(stdout);
  }
  relmon::LogInfo("serving", {{"address", (*host)->address()},
                              {"http_address", http ? http->address() : ""},
                              {"applied_sequence", absl::StrCat((*store)->applied_sequence())},
                              {"ingest_target", follower_options.ingest_target}});
  follower.Start();

  int signal = (*host)->WaitForStop();
  relmon::LogInfo("stopping", {{"signal", absl::StrCat(signal)}});
  if (http) http->Stop();
  follower.Stop();
  // New calls get UNAVAILABLE; in-flight ones finish within the grace period.
  service.SetReady(false);
  (*host)->Shutdown();
  host->reset();
  service.Stop();  // its waiter thread reads the store
  store->reset();
  relmon::LogInfo("stopped");
  return 0;
}
