#include "common/metrics_http.h"

#include <sys/socket.h>

#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"

namespace relmon {

struct MetricsHttpServer::Impl {
  httplib::Server server;
  std::thread thread;
  std::string address;
  bool stopped = false;
};

MetricsHttpServer::MetricsHttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MetricsHttpServer::~MetricsHttpServer() { Stop(); }

const std::string& MetricsHttpServer::address() const { return impl_->address; }

void MetricsHttpServer::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    const std::string& listen, const MetricsRegistry* registry) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http_listen must be HOST:PORT, got \"", listen, "\""));
  }
  const std::string host = listen.substr(0, colon);
  auto impl = std::make_unique<Impl>();
  impl->server.Get("/metrics", [registry](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry->Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  // httplib's default also sets SO_REUSEPORT, which would let a second
  // process bind the same port and silently share its traffic.
  impl->server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  impl->server.set_read_timeout(10, 0);
  impl->server.set_write_timeout(10, 0);
  int bound = port;
  if (port == 0) {
    bound = impl->server.bind_to_any_port(host);
    if (bound <= 0) return absl::UnavailableError(absl::StrCat("cannot listen on ", listen));
  } else if (!impl->server.bind_to_port(host, port)) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", listen));
  }
  impl->address = absl::StrCat(host, ":", bound);
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->server.listen_after_bind(); });
  return std::unique_ptr<MetricsHttpServer>(new MetricsHttpServer(std::move(impl)));
}

}  // namespace relmon
