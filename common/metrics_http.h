// MetricsHttpServer: serves a MetricsRegistry as GET /metrics (Prometheus
// text format) on a port of its own, for services without another HTTP port.
//
// cpp-httplib stays behind this header so that it is compiled once.
#ifndef RELMON_COMMON_METRICS_HTTP_H_
#define RELMON_COMMON_METRICS_HTTP_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/metrics.h"

namespace relmon {

class MetricsHttpServer {
 public:
  // Binds `listen` (HOST:PORT; port 0 picks a free one) and serves
  // `registry` (not owned; must outlive the server) on a thread of its own.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(const std::string& listen,
                                                                  const MetricsRegistry* registry);
  ~MetricsHttpServer();

  // "HOST:PORT" with the bound port.
  const std::string& address() const;
  // Stops serving and joins the thread. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit MetricsHttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace relmon

#endif  // RELMON_COMMON_METRICS_HTTP_H_
