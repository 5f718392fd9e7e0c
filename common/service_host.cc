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

void StartSignalThread() {
  if (g_signal_thread_started.exchange(true)) return;
  std::thread([] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    int sig = 0;
    if (sigwait(&set, &sig) == 0) {
      absl::MutexLock lock(&g_stop_mu);
      g_stop_requested = true;
      g_stop_signal = sig;
    }
  }).detach();
}

}  // namespace

void BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
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

  grpc::ServerBuilder builder;
  builder.AddListeningPort(o.listen,
                           o.credentials ? o.credentials : grpc::InsecureServerCredentials(),
                           &host->port_);
  builder.SetMaxReceiveMessageSize(o.max_receive_message_bytes);
  builder.SetMaxSendMessageSize(o.max_send_message_bytes);
  if (o.max_concurrent_streams > 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, o.max_concurrent_streams);
  }
  // Clients that keep long streams open (query replicas following the log)
  // send keepalive pings; accept them instead of answering too_many_pings.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
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
