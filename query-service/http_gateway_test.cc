// Tests of the HTTP port: a real gRPC server and the gateway on 127.0.0.1:0
// over real RocksDB views, read with cpp-httplib's client.
#include "query-service/http_gateway.h"

#include <httplib.h>

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "common/metrics.h"
#include "common/service_host.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "query-service/query_engine.h"
#include "query-service/query_service_impl.h"
#include "query-service/test_fixtures.h"
#include "query-service/view_store.h"

namespace relmon::query {
namespace {

using namespace relmon::query::testing;  // NOLINT
namespace v1 = relations::v1;
using Json = nlohmann::json;

class HttpGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto g = CountryGazetteer::Load(RELMON_TEST_ISO_CODES_DIR, RELMON_TEST_DATA_DIR);
    ASSERT_TRUE(g.ok()) << g.status();
    gazetteer_ = *std::move(g);
    ViewStoreOptions o;
    o.path = ScratchDir("http_gateway");
    auto s = ViewStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);

    ArticleFacts article = NewArticle("art1", "Agency", "2023-01-28");
    auto cite =
        Cite("art1", "2023-01-28", "An armed attack on the embassy in Tehran.", 0, "Agency");
    article.events.push_back(Report(v1::EVENT_TYPE_ATTACK, "AZ", "IR", "2023-01-27", -9.5, cite));
    ASSERT_TRUE(store_->Apply(LogOf({article})).ok());

    engine_ = std::make_unique<QueryEngine>(store_.get(), gazetteer_.get());
    service_ = std::make_unique<QueryServiceImpl>(engine_.get(), store_.get());
    grpc_metrics_ = std::make_unique<GrpcServerMetrics>(&metrics_);
    ServiceHostOptions host_options;
    host_options.listen = "127.0.0.1:0";
    host_options.services.push_back(service_.get());
    host_options.interceptor_factories.push_back(
        [this] { return grpc_metrics_->NewInterceptorFactory(); });
    auto host = ServiceHost::Start(host_options);
    ASSERT_TRUE(host.ok()) << host.status();
    host_ = *std::move(host);
    service_->SetReady(true);

    HttpGatewayOptions options;
    options.listen = "127.0.0.1:0";
    HttpGatewayDeps deps;
    deps.grpc_server = host_->server();
    deps.gazetteer = gazetteer_.get();
    deps.metrics = &metrics_;
    deps.follower_status = [this] {
      FollowerStatus f;
      f.applied_sequence = store_->applied_sequence();
      f.received_sequence = f.applied_sequence;
      return f;
    };
    deps.serving = [this] { return service_->ready(); };
    auto gateway = HttpGateway::Start(options, deps);
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = *std::move(gateway);
    auto colon = gateway_->address().rfind(':');
    client_ = std::make_unique<httplib::Client>("127.0.0.1",
                                                std::stoi(gateway_->address().substr(colon + 1)));
  }

  void TearDown() override {
    if (gateway_) gateway_->Stop();
    if (service_) service_->SetReady(false);
    if (host_) host_->Shutdown();
  }

  static std::string ProtoJson(const google::protobuf::Message& m) {
    google::protobuf::util::JsonPrintOptions options;
    options.always_print_primitive_fields = true;
    std::string out;
    EXPECT_TRUE(google::protobuf::util::MessageToJsonString(m, &out, options).ok());
    return out;
  }

  std::unique_ptr<CountryGazetteer> gazetteer_;
  std::unique_ptr<ViewStore> store_;
  std::unique_ptr<QueryEngine> engine_;
  std::unique_ptr<QueryServiceImpl> service_;
  MetricsRegistry metrics_;
  std::unique_ptr<GrpcServerMetrics> grpc_metrics_;
  std::unique_ptr<ServiceHost> host_;
  std::unique_ptr<HttpGateway> gateway_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpGatewayTest, StateEqualsTheEngineAnswer) {
  auto res = client_->Get("/v1/relations/Azerbaijan/Tehran/state?as_of=2023-02-01");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  v1::GetRelationsStateRequest request;
  request.set_country_a("Azerbaijan");
  request.set_country_b("Tehran");
  request.mutable_as_of()->set_seconds(absl::ToUnixSeconds(Date("2023-02-01")));
  auto expected = engine_->GetRelationsState(request);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(res->body, ProtoJson(*expected));
  EXPECT_EQ(Json::parse(res->body)["level"], "RELATIONS_LEVEL_HOSTILE");
}

TEST_F(HttpGatewayTest, PostTakesTheRequestMessage) {
  auto get = client_->Get(
      "/v1/relations/AZ/IR/timeline?start_time=2023-01&end_time=2023-03&granularity=month");
  auto post =
      client_->Post("/v1/ListRelationsTimeline",
                    R"({"countryA":"AZ","countryB":"IR","startTime":"2023-01-01T00:00:00Z",)"
                    R"("endTime":"2023-03-01T00:00:00Z","granularity":"GRANULARITY_MONTH"})",
                    "application/json");
  ASSERT_TRUE(get && post);
  EXPECT_EQ(get->status, 200) << get->body;
  EXPECT_EQ(get->body, post->body);
  EXPECT_GE(Json::parse(get->body)["points"].size(), 2u);
}

TEST_F(HttpGatewayTest, ErrorsCarryCodeStatusAndField) {
  auto bad = client_->Get("/v1/relations/Atlantis/IR/state");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  Json body = Json::parse(bad->body);
  EXPECT_EQ(body["code"], 3);
  EXPECT_EQ(body["status"], "INVALID_ARGUMENT");
  EXPECT_EQ(body["details"][0]["fieldViolations"][0]["field"], "country_a");

  auto missing = client_->Get("/v1/articles/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(Json::parse(missing->body)["status"], "NOT_FOUND");

  auto param = client_->Get("/v1/figures?colour=red");
  ASSERT_TRUE(param);
  EXPECT_EQ(param->status, 400);
  EXPECT_TRUE(absl::StrContains(param->body, "colour"));

  service_->SetReady(false);
  auto starting = client_->Get("/v1/disputes");
  ASSERT_TRUE(starting);
  EXPECT_EQ(starting->status, 503);
}

TEST_F(HttpGatewayTest, StatusMetricsAndDashboard) {
  auto status = client_->Get("/v1/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(Json::parse(status->body)["appliedSequence"], 2);

  ASSERT_TRUE(client_->Get("/v1/relations/AZ/IR/state"));
  auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_TRUE(absl::StartsWith(metrics->get_header_value("Content-Type"), "text/plain"));
  EXPECT_TRUE(
      absl::StrContains(metrics->body,
                        "relmon_grpc_server_handled_total{grpc_method=\"/relations.v1.QueryService/"
                        "GetRelationsState\",grpc_code=\"OK\"} 1\n"));
  EXPECT_TRUE(absl::StrContains(
      metrics->body,
      "relmon_grpc_server_handling_seconds_bucket{grpc_method=\"/relations.v1.QueryService/"
      "GetRelationsState\",le=\"+Inf\"} 1\n"));
  EXPECT_TRUE(absl::StrContains(
      metrics->body, "relmon_http_requests_total{handler=\"/v1/status\",code=\"200\"} 1\n"));

  auto page = client_->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_TRUE(absl::StrContains(page->body, "Relations monitor"));
  auto script = client_->Get("/app.js");
  ASSERT_TRUE(script);
  EXPECT_TRUE(absl::StartsWith(script->get_header_value("Content-Type"), "text/javascript"));
  EXPECT_EQ(client_->Get("/nothing-here")->status, 404);
}

TEST(MetricsRegistryTest, RendersPrometheusText) {
  MetricsRegistry registry;
  auto* calls = registry.AddCounter("x_calls_total", "Calls.", {"method"});
  calls->Add({"a\"b"});
  calls->Add({"a\"b"}, 2);
  auto* latency = registry.AddHistogram("x_seconds", "Latency.", {}, {0.001, 0.1});
  latency->Observe({}, 0.0005);
  latency->Observe({}, 0.05);
  latency->Observe({}, 3);
  registry.AddGaugeFunction("x_sequence", "Sequence.", [] { return 12345678.0; });
  std::string text = registry.Render();
  EXPECT_TRUE(
      absl::StrContains(text, "# TYPE x_calls_total counter\nx_calls_total{method=\"a\\\"b\"} 3\n"))
      << text;
  EXPECT_TRUE(absl::StrContains(text,
                                "x_seconds_bucket{le=\"0.001\"} 1\n"
                                "x_seconds_bucket{le=\"0.1\"} 2\n"
                                "x_seconds_bucket{le=\"+Inf\"} 3\n"
                                "x_seconds_sum 3.0505\n"
                                "x_seconds_count 3\n"))
      << text;
  EXPECT_TRUE(absl::StrContains(text, "x_sequence 12345678\n")) << text;
}

}  // namespace
}  // namespace relmon::query
