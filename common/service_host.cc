#include "common/service_host.h"

#include <signal.h>
#include <pthread.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/log.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"

namespace relmon {
namespace {

// Shared by every ServiceHost of the process: the stop request and the
// signal that caused it.
absl::Mutex g_stop_mu;
bool g_stop_requested ABSL_GUARDED_BY(g_stop_mu) = false;
int g_stop_signal ABSL_GUARDED_BY(g_stop_mu) = 0;
std::atomic<bool> g_signal_thread_started{false};

// Token authorizers of the live hosts, re-read on SIGHUP.
absl::Mutex g_reload_mu;
std::vector<std::weak_ptr<TokenAuthorizer>>* g_reloadables ABSL_GUARDED_BY(g_reload_mu) =
    new std::vector<std::weak_ptr<TokenAuthorizer>>();

void ReloadTokenFiles() {
  absl::MutexLock lock(&g_reload_mu);
  for (const auto& weak : *g_reloadables) {
    std::shared_ptr<TokenAuthorizer> authorizer = weak.lock();
    if (!authorizer) continue;
    absl::Status reloaded = authorizer->Reload();
    if (reloaded.ok()) {
      LogInfo("token files reloaded");
    } else {
      LogError("token files not reloaded; the previous tokens stay in force",
               {{"error", std::string(reloaded.message())}});
    }
  }
}

void StartSignalThread() {
  if (g_signal_thread_started.exchange(true)) return;
  std::thread([] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    int sig = 0;
    while (sigwait(&set, &sig) == 0) {
      if (sig == SIGHUP) {
        ReloadTokenFiles();
        continue;
      }
      absl::MutexLock lock(&g_stop_mu);
      g_stop_requested = true;
      g_stop_signal = sig;
      return;
    }
  }).detach();
}

}  // namespace

void BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A client that goes away must not kill the process with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
}

absl::StatusOr<std::unique_ptr<ServiceHost>> ServiceHost::Start(ServiceHostOptions options) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  std::unique_ptr<ServiceHost> host(new ServiceHost());
  host->options_ = std::move(options);
  const ServiceHostOptions& o = host->options_;

  auto colon = o.listen.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen must be HOST:PORT, got \"", o.listen, "\""));
  }
  std::string host_part = o.listen.substr(0, colon);

  std::shared_ptr<grpc::ServerCredentials> credentials = o.credentials;
  if (!credentials) {
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> made = MakeServerCredentials(o.tls);
    if (!made.ok()) return made.status();
    credentials = *std::move(made);
  }
  if (!o.token_files.empty()) {
    // gRPC runs an AuthMetadataProcessor only on secure ports, and a bearer
    // token on a plaintext port would be readable by anyone on the path.
    if (!o.tls.enabled() || o.credentials != nullptr) {
      return absl::InvalidArgumentError(
          "--read_token_file/--write_token_file need TLS (--tls_cert_file and --tls_key_file): "
          "bearer tokens are not accepted over plaintext");
    }
    absl::StatusOr<std::unique_ptr<TokenAuthorizer>> authorizer =
        TokenAuthorizer::Create(o.access_policy, o.token_files);
    if (!authorizer.ok()) return authorizer.status();
    host->authorizer_ = *std::move(authorizer);
    credentials->SetAuthMetadataProcessor(MakeAuthMetadataProcessor(host->authorizer_));
    absl::MutexLock lock(&g_reload_mu);
    g_reloadables->push_back(host->authorizer_);
  }

  grpc::ServerBuilder builder;
  builder.AddListeningPort(o.listen, credentials, &host->port_);
  builder.SetMaxReceiveMessageSize(o.max_receive_message_bytes);
  builder.SetMaxSendMessageSize(o.max_send_message_bytes);
  if (o.max_concurrent_streams > 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, o.max_concurrent_streams);
  }
  // Clients that keep long streams open (query replicas following the log)
  // send keepalive pings; accept them instead of answering too_many_pings.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  if (o.keepalive_time > absl::ZeroDuration()) {
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                               static_cast<int>(absl::ToInt64Milliseconds(o.keepalive_time)));
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                               static_cast<int>(absl::ToInt64Milliseconds(o.keepalive_timeout)));
  }
  if (o.max_connection_age > absl::ZeroDuration()) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                               static_cast<int>(absl::ToInt64Milliseconds(o.max_connection_age)));
    // Streams still open at the age limit (log followers) get this long to
    // finish before the connection closes; followers resubscribe from their
    // cursor, so nothing is lost.
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, 30000);
  }
  for (grpc::Service* s : o.services) builder.RegisterService(s);
  if (!o.interceptor_factories.empty()) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    for (const auto& make : o.interceptor_factories) creators.push_back(make());
    builder.experimental().SetInterceptorCreators(std::move(creators));
  }

  host->server_ = builder.BuildAndStart();
  if (!host->server_ || host->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", o.listen));
  }
  host->address_ = absl::StrCat(host_part, ":", host->port_);
  // Which protections are on (never the file contents).
  LogInfo("transport security",
          {{"tls", o.tls.enabled() ? "on" : "off (plaintext)"},
           {"client_certificates", o.tls.client_ca_file.empty() ? "not required" : "required"},
           {"read_tokens", o.token_files.read_file.empty() ? "off" : "required"},
           {"write_tokens", o.token_files.write_file.empty() ? "off" : "required"}});
  host->server_->GetHealthCheckService()->SetServingStatus(false);
  StartSignalThread();
  return host;
}

ServiceHost::~ServiceHost() { Shutdown(); }

void ServiceHost::AnnounceListening() const {
  std::printf("listening on %s\n", address_.c_str());
  std::fflush(stdout);
}

void ServiceHost::SetServing(bool serving) {
  if (server_) server_->GetHealthCheckService()->SetServingStatus(serving);
}

int ServiceHost::WaitForStop() {
  absl::MutexLock lock(&g_stop_mu);
  g_stop_mu.Await(absl::Condition(&g_stop_requested));
  return g_stop_signal;
}

void ServiceHost::RequestStop() {
  absl::MutexLock lock(&g_stop_mu);
  g_stop_requested = true;
}

void ServiceHost::Shutdown() {
  if (shut_down_ || !server_) return;
  shut_down_ = true;
  SetServing(false);
  LogInfo("draining", {{"grace_ms", absl::StrCat(absl::ToInt64Milliseconds(options_.grace_period))}});
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(options_.grace_period));
  server_->Wait();
}

}  // namespace relmon
