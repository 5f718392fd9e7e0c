#include "common/metrics_http.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace relmon {
namespace {

TEST(MetricsHttpServerTest, ServesTheRegistryInPrometheusText) {
  MetricsRegistry registry;
  registry.AddGaugeFunction("relmon_test_last_sequence", "Last sequence", [] { return 42.0; });
  auto server = MetricsHttpServer::Start("127.0.0.1:0", &registry);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string address = (*server)->address();
  const int port = std::stoi(address.substr(address.rfind(':') + 1));
  ASSERT_GT(port, 0);

  httplib::Client client("127.0.0.1", port);
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_THAT(res->get_header_value("Content-Type"), ::testing::HasSubstr("text/plain"));
  EXPECT_THAT(res->body, ::testing::HasSubstr("# TYPE relmon_test_last_sequence gauge"));
  EXPECT_THAT(res->body, ::testing::HasSubstr("relmon_test_last_sequence 42"));
  EXPECT_EQ(client.Get("/elsewhere")->status, 404);
  (*server)->Stop();
  (*server)->Stop();  // idempotent
}

TEST(MetricsHttpServerTest, BadAddressesAreRefused) {
  MetricsRegistry registry;
  EXPECT_EQ(MetricsHttpServer::Start("no-port", &registry).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MetricsHttpServer::Start("127.0.0.1:99999", &registry).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace relmon
