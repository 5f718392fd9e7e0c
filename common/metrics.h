// MetricsRegistry: a small in-process registry of counters, gauges and
// histograms rendered in the Prometheus text exposition format (version
// 0.0.4), plus a gRPC server interceptor that counts calls per method,
// outcomes per status code and call latency.
//
// Deliberately tiny (one mutex, label values as vectors): the services
// export a few dozen series, scraped every few seconds, so simplicity beats
// lock-free cleverness here. No HTTP in this header: each binary serves
// Render() on its own HTTP port (query-service/http_gateway.cc).
#ifndef RELMON_COMMON_METRICS_H_
#define RELMON_COMMON_METRICS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/support/server_interceptor.h"

namespace relmon {

class MetricsRegistry {
 public:
  enum class Type { kCounter, kGauge, kHistogram };

  // Latency buckets (seconds) used when a histogram gives none: 0.5 ms .. 10 s.
  static const std::vector<double>& DefaultLatencyBuckets();

  // A metric family: one name, one set of label names, one series per
  // distinct tuple of label values. Owned by the registry; pointers stay
  // valid for the registry's life.
  class Family {
   public:
    // Counter: adds `delta` (>= 0). Gauge: adds `delta` (may be negative).
    void Add(const std::vector<std::string>& label_values, double delta = 1);
    // Gauge: sets the value.
    void Set(const std::vector<std::string>& label_values, double value);
    // Histogram: records one observation.
    void Observe(const std::vector<std::string>& label_values, double value);

   private:
    friend class MetricsRegistry;
    struct Series {
      double value = 0;                     // counter / gauge
      std::vector<uint64_t> bucket_counts;  // histogram, per bucket (not cumulative)
      double sum = 0;
      uint64_t count = 0;
    };
    Family(MetricsRegistry* registry, std::string name, std::string help, Type type,
           std::vector<std::string> label_names, std::vector<double> buckets);
    // Caller holds registry_->mu_.
    Series& SeriesFor(const std::vector<std::string>& label_values);

    MetricsRegistry* registry_;
    std::string name_;
    std::string help_;
    Type type_;
    std::vector<std::string> label_names_;
    std::vector<double> buckets_;
    std::map<std::vector<std::string>, Series> series_;
  };

  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Registers a family (names follow Prometheus conventions: counters end
  // in _total, durations are in seconds). Registering an existing name
  // returns the existing family.
  Family* AddCounter(const std::string& name, const std::string& help,
                     std::vector<std::string> label_names = {});
  Family* AddGauge(const std::string& name, const std::string& help,
                   std::vector<std::string> label_names = {});
  Family* AddHistogram(const std::string& name, const std::string& help,
                       std::vector<std::string> label_names,
                       std::vector<double> buckets = DefaultLatencyBuckets());
  // A label-less gauge read at render time (applied sequence, lag, ...).
  // `read` must be cheap and thread-safe.
  void AddGaugeFunction(const std::string& name, const std::string& help,
                        std::function<double()> read);

  // Every family in the Prometheus text format, sorted by name.
  std::string Render() const;

 private:
  Family* AddFamily(const std::string& name, const std::string& help, Type type,
                    std::vector<std::string> label_names, std::vector<double> buckets);

  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<Family>> families_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::pair<std::string, std::function<double()>>> gauge_functions_
      ABSL_GUARDED_BY(mu_);
};

// The gRPC server metrics, registered in `registry` on construction:
//   relmon_grpc_server_started_total{grpc_method}
//   relmon_grpc_server_handled_total{grpc_method,grpc_code}
//   relmon_grpc_server_errors_total{grpc_method,grpc_code}   (code != OK)
//   relmon_grpc_server_handling_seconds{grpc_method}         (histogram)
// grpc_method is the full method ("/relations.v1.QueryService/ListEvents"),
// grpc_code the canonical name ("OK", "INVALID_ARGUMENT", ...).
class GrpcServerMetrics {
 public:
  explicit GrpcServerMetrics(MetricsRegistry* registry);

  // A factory for ServiceHostOptions::interceptor_factories. `this` must
  // outlive the server.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewInterceptorFactory();

  void RecordStart(const std::string& method);
  void RecordEnd(const std::string& method, grpc::StatusCode code, absl::Duration elapsed);

 private:
  MetricsRegistry::Family* started_;
  MetricsRegistry::Family* handled_;
  MetricsRegistry::Family* errors_;
  MetricsRegistry::Family* latency_;
};

// "INVALID_ARGUMENT" for grpc::StatusCode::INVALID_ARGUMENT.
const char* GrpcCodeName(grpc::StatusCode code);

}  // namespace relmon

#endif  // RELMON_COMMON_METRICS_H_
