// ServiceHost: the gRPC server lifecycle both services share.
//
// It builds a server with health checking and reflection, listens (port 0
// picks a free port), prints the contract's `listening on HOST:PORT` line,
// waits for SIGTERM/SIGINT and then drains: health NOT_SERVING, in-flight
// calls get a grace period, then the server stops. The owner closes its
// database after Shutdown() returns.
#ifndef RELMON_COMMON_SERVICE_HOST_H_
#define RELMON_COMMON_SERVICE_HOST_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth.h"
#include "common/tls.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/server_interceptor.h"

namespace relmon {

struct ServiceHostOptions {
  // HOST:PORT to listen on.
  std::string listen = "0.0.0.0:0";
  // Largest request message accepted (bytes).
  int max_receive_message_bytes = 4 * 1024 * 1024;
  // Largest response message sent (bytes).
  int max_send_message_bytes = 64 * 1024 * 1024;
  // Concurrent HTTP/2 streams allowed per connection (0: gRPC's default).
  int max_concurrent_streams = 0;
  // Connections older than this get a GOAWAY, so long-lived clients
  // rebalance across replicas behind a load balancer (0: never).
  absl::Duration max_connection_age = absl::ZeroDuration();
  // The server pings a connection idle this long and drops it when the ping
  // is not answered within keepalive_timeout: a client that vanished (host
  // down, cable cut) then stops holding its streams and its places in the
  // services' stream limits. Zero: gRPC's default (2 hours).
  absl::Duration keepalive_time = absl::Minutes(1);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  // How long in-flight calls may run after a shutdown signal.
  absl::Duration grace_period = absl::Seconds(10);
  // Server credentials; null means: built from `tls` below.
  std::shared_ptr<grpc::ServerCredentials> credentials;
  // TLS files (--tls_cert_file, --tls_key_file, --tls_client_ca_file);
  // plaintext when none is given (docs/security.md).
  ServerTlsFiles tls;
  // Bearer token files (--read_token_file, --write_token_file) and which
  // access each method needs. Tokens need TLS: Start() refuses them on a
  // plaintext port. The files are re-read on SIGHUP.
  TokenFiles token_files;
  AccessPolicy access_policy;
  // Services to register (not owned; must outlive the host).
  std::vector<grpc::Service*> services;
  // Makers of server interceptors (e.g. GrpcServerMetrics, common/metrics.h),
  // each called once by Start(); interceptors run in this order.
  std::vector<
      std::function<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>()>>
      interceptor_factories;
};

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread and every thread it
// starts later, so they can be waited for (SIGHUP re-reads the token files
// instead of ending the process). Call first thing in main().
void BlockShutdownSignals();

class ServiceHost {
 public:
  // Builds and starts the server. Health starts NOT_SERVING; call
  // SetServing(true) once ready.
  static absl::StatusOr<std::unique_ptr<ServiceHost>> Start(ServiceHostOptions options);
  ~ServiceHost();

  // The port actually bound.
  int port() const { return port_; }
  // "HOST:PORT" with the bound port.
  const std::string& address() const { return address_; }
  // Prints `listening on HOST:PORT` to stdout and flushes.
  void AnnounceListening() const;

  void SetServing(bool serving);

  // Waits for SIGTERM or SIGINT (blocked by BlockShutdownSignals) or
  // RequestStop(); returns the signal number (0 for RequestStop).
  int WaitForStop();
  // Makes WaitForStop() return (for tests and fatal errors).
  void RequestStop();

  // NOT_SERVING, then Shutdown with the grace period, then Wait. Idempotent.
  void Shutdown();

  grpc::Server* server() { return server_.get(); }

 private:
  ServiceHost() = default;
  ServiceHostOptions options_;
  std::unique_ptr<grpc::Server> server_;
  // Checks bearer tokens (null when no token file is configured).
  std::shared_ptr<TokenAuthorizer> authorizer_;
  int port_ = 0;
  std::string address_;
  bool shut_down_ = false;
};

}  // namespace relmon

#endif  // RELMON_COMMON_SERVICE_HOST_H_
