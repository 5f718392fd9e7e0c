// HttpGateway: the query service's HTTP port: a JSON API mirroring the
// QueryService RPCs, the dashboard's static assets, /v1/status and
// /metrics (Prometheus text).
//
// The JSON API does not reimplement anything: each request is turned into
// the RPC's request message (protobuf JSON mapping), sent to the service's
// own gRPC server over an in-process channel, and the answer is printed with
// the same JSON mapping relctl --json uses. So HTTP and gRPC answers are
// byte-for-byte the same messages, min_sequence waits and UNAVAILABLE while
// starting behave alike, and the gRPC metrics count dashboard calls too.
// cpp-httplib stays inside http_gateway.cc.
#ifndef RELMON_QUERY_SERVICE_HTTP_GATEWAY_H_
#define RELMON_QUERY_SERVICE_HTTP_GATEWAY_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/country_gazetteer.h"
#include "common/metrics.h"
#include "grpcpp/grpcpp.h"
#include "query-service/log_follower.h"

namespace relmon::query {

struct HttpGatewayOptions {
  // HOST:PORT (port 0: any free port).
  std::string listen = "0.0.0.0:8080";
  // Serve the dashboard from this directory; empty: the assets embedded in
  // the binary at build time.
  std::string web_dir;
  // Deadline of each call (bounds min_sequence waits).
  absl::Duration call_timeout = absl::Seconds(30);
};

// What the gateway reads; every pointer must outlive the gateway.
struct HttpGatewayDeps {
  // The running server that hosts relations.v1.QueryService.
  grpc::Server* grpc_server = nullptr;
  const CountryGazetteer* gazetteer = nullptr;
  // Rendered at /metrics; the gateway adds its relmon_http_* families.
  MetricsRegistry* metrics = nullptr;
  // Progress of the log follower, for /v1/status.
  std::function<FollowerStatus()> follower_status;
  // True while the service answers calls (not starting or draining).
  std::function<bool()> serving;
};

class HttpGateway {
 public:
  // Binds and starts serving on its own threads.
  static absl::StatusOr<std::unique_ptr<HttpGateway>> Start(HttpGatewayOptions options,
                                                            HttpGatewayDeps deps);
  ~HttpGateway();

  // "HOST:PORT" with the bound port.
  const std::string& address() const;
  // Stops accepting and joins the server thread; idempotent.
  void Stop();

  struct Impl;

 private:
  explicit HttpGateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace relmon::query

#endif  // RELMON_QUERY_SERVICE_HTTP_GATEWAY_H_
