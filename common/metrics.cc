#include "common/metrics.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"

namespace relmon {
namespace {

// Prometheus sample values: integers exactly (sequences exceed the six
// digits of absl's default double formatting), others with full precision.
std::string FormatValue(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(v));
  }
  // The shortest form that reads back as the same double (0.0005, not
  // 0.00050000000000000001).
  char buf[40];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// {a="x",b="y"} (plus an extra label, used for the histogram's `le`).
std::string LabelSet(const std::vector<std::string>& names, const std::vector<std::string>& values,
                     const std::string& extra_name = "", const std::string& extra_value = "") {
  std::string out;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    absl::StrAppend(&out, out.empty() ? "" : ",", names[i], "=\"", EscapeLabelValue(values[i]),
                    "\"");
  }
  if (!extra_name.empty()) {
    absl::StrAppend(&out, out.empty() ? "" : ",", extra_name, "=\"", extra_value, "\"");
  }
  return out.empty() ? out : absl::StrCat("{", out, "}");
}

const char* TypeName(MetricsRegistry::Type type) {
  switch (type) {
    case MetricsRegistry::Type::kCounter:
      return "counter";
    case MetricsRegistry::Type::kGauge:
      return "gauge";
    case MetricsRegistry::Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// One per call: notes the start, and the status the handler sends.
class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(GrpcServerMetrics* metrics, std::string method)
      : metrics_(metrics), method_(std::move(method)), start_(absl::Now()) {
    metrics_->RecordStart(method_);
  }
  // A call that ends without sending a status was cancelled by the client
  // (or the server shut down under it).
  ~MetricsInterceptor() override {
    if (!recorded_) {
      metrics_->RecordEnd(method_, grpc::StatusCode::CANCELLED, absl::Now() - start_);
    }
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (!recorded_ && methods->QueryInterceptionHookPoint(
                          grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      recorded_ = true;
      metrics_->RecordEnd(method_, methods->GetSendStatus().error_code(), absl::Now() - start_);
    }
    methods->Proceed();
  }

 private:
  GrpcServerMetrics* metrics_;
  std::string method_;
  absl::Time start_;
  bool recorded_ = false;
};

class MetricsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(GrpcServerMetrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    const char* method = info->method();
    return new MetricsInterceptor(metrics_, method != nullptr ? method : "unknown");
  }

 private:
  GrpcServerMetrics* metrics_;
};

}  // namespace

const std::vector<double>& MetricsRegistry::DefaultLatencyBuckets() {
  static const auto* buckets = new std::vector<double>{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *buckets;
}

MetricsRegistry::Family::Family(MetricsRegistry* registry, std::string name, std::string help,
                                Type type, std::vector<std::string> label_names,
                                std::vector<double> buckets)
    : registry_(registry),
      name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      label_names_(std::move(label_names)),
      buckets_(std::move(buckets)) {}

MetricsRegistry::Family::Series& MetricsRegistry::Family::SeriesFor(
    const std::vector<std::string>& label_values) {
  auto [it, inserted] = series_.try_emplace(label_values);
  if (inserted && type_ == Type::kHistogram) it->second.bucket_counts.assign(buckets_.size(), 0);
  return it->second;
}

void MetricsRegistry::Family::Add(const std::vector<std::string>& label_values, double delta) {
  absl::MutexLock lock(&registry_->mu_);
  SeriesFor(label_values).value += delta;
}

void MetricsRegistry::Family::Set(const std::vector<std::string>& label_values, double value) {
  absl::MutexLock lock(&registry_->mu_);
  SeriesFor(label_values).value = value;
}

void MetricsRegistry::Family::Observe(const std::vector<std::string>& label_values, double value) {
  absl::MutexLock lock(&registry_->mu_);
  Series& s = SeriesFor(label_values);
  for (size_t i = 0; i < buckets_.size(); ++i) {
    if (value <= buckets_[i]) {
      ++s.bucket_counts[i];
      break;
    }
  }
  s.sum += value;
  ++s.count;
}

MetricsRegistry::Family* MetricsRegistry::AddFamily(const std::string& name,
                                                    const std::string& help, Type type,
                                                    std::vector<std::string> label_names,
                                                    std::vector<double> buckets) {
  absl::MutexLock lock(&mu_);
  auto& slot = families_[name];
  if (!slot) {
    slot.reset(new Family(this, name, help, type, std::move(label_names), std::move(buckets)));
  }
  return slot.get();
}

MetricsRegistry::Family* MetricsRegistry::AddCounter(const std::string& name,
                                                     const std::string& help,
                                                     std::vector<std::string> label_names) {
  return AddFamily(name, help, Type::kCounter, std::move(label_names), {});
}

MetricsRegistry::Family* MetricsRegistry::AddGauge(const std::string& name, const std::string& help,
                                                   std::vector<std::string> label_names) {
  return AddFamily(name, help, Type::kGauge, std::move(label_names), {});
}

MetricsRegistry::Family* MetricsRegistry::AddHistogram(const std::string& name,
                                                       const std::string& help,
                                                       std::vector<std::string> label_names,
                                                       std::vector<double> buckets) {
  return AddFamily(name, help, Type::kHistogram, std::move(label_names), std::move(buckets));
}

void MetricsRegistry::AddGaugeFunction(const std::string& name, const std::string& help,
                                       std::function<double()> read) {
  absl::MutexLock lock(&mu_);
  gauge_functions_[name] = {help, std::move(read)};
}

std::string MetricsRegistry::Render() const {
  // Read the gauge functions outside the lock: they may take other locks.
  std::map<std::string, std::pair<std::string, std::function<double()>>> functions;
  {
    absl::MutexLock lock(&mu_);
    functions = gauge_functions_;
  }
  std::map<std::string, std::string> blocks;  // name -> text, for one sorted output
  for (const auto& [name, entry] : functions) {
    blocks[name] = absl::StrCat("# HELP ", name, " ", EscapeHelp(entry.first), "\n# TYPE ", name,
                                " gauge\n", name, " ", FormatValue(entry.second()), "\n");
  }
  absl::MutexLock lock(&mu_);
  for (const auto& [name, family] : families_) {
    std::string text = absl::StrCat("# HELP ", name, " ", EscapeHelp(family->help_), "\n# TYPE ",
                                    name, " ", TypeName(family->type_), "\n");
    for (const auto& [labels, series] : family->series_) {
      if (family->type_ != Type::kHistogram) {
        absl::StrAppend(&text, name, LabelSet(family->label_names_, labels), " ",
                        FormatValue(series.value), "\n");
        continue;
      }
      uint64_t cumulative = 0;
      for (size_t i = 0; i < family->buckets_.size(); ++i) {
        cumulative += series.bucket_counts[i];
        absl::StrAppend(
            &text, name, "_bucket",
            LabelSet(family->label_names_, labels, "le", FormatValue(family->buckets_[i])), " ",
            cumulative, "\n");
      }
      absl::StrAppend(&text, name, "_bucket", LabelSet(family->label_names_, labels, "le", "+Inf"),
                      " ", series.count, "\n");
      absl::StrAppend(&text, name, "_sum", LabelSet(family->label_names_, labels), " ",
                      FormatValue(series.sum), "\n");
      absl::StrAppend(&text, name, "_count", LabelSet(family->label_names_, labels), " ",
                      series.count, "\n");
    }
    blocks[name] = std::move(text);
  }
  std::string out;
  for (const auto& [name, text] : blocks) out += text;
  return out;
}

const char* GrpcCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

GrpcServerMetrics::GrpcServerMetrics(MetricsRegistry* registry)
    : started_(registry->AddCounter("relmon_grpc_server_started_total",
                                    "gRPC calls started, by method.", {"grpc_method"})),
      handled_(registry->AddCounter("relmon_grpc_server_handled_total",
                                    "gRPC calls completed, by method and status code.",
                                    {"grpc_method", "grpc_code"})),
      errors_(registry->AddCounter("relmon_grpc_server_errors_total",
                                   "gRPC calls completed with a status other than OK.",
                                   {"grpc_method", "grpc_code"})),
      latency_(registry->AddHistogram("relmon_grpc_server_handling_seconds",
                                      "Time from call start to status sent, by method.",
                                      {"grpc_method"})) {}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
GrpcServerMetrics::NewInterceptorFactory() {
  return std::make_unique<MetricsInterceptorFactory>(this);
}

void GrpcServerMetrics::RecordStart(const std::string& method) { started_->Add({method}); }

void GrpcServerMetrics::RecordEnd(const std::string& method, grpc::StatusCode code,
                                  absl::Duration elapsed) {
  const char* name = GrpcCodeName(code);
  handled_->Add({method, name});
  if (code != grpc::StatusCode::OK) errors_->Add({method, name});
  latency_->Observe({method}, absl::ToDoubleSeconds(elapsed));
}

}  // namespace relmon
