// End-to-end tests of the follower: a real ingest-service binary on a
// loopback port with a temp data dir, a real HTTP server serving the
// fixtures of testdata/, a real watched directory and librdkafka's
// in-process mock cluster.
#include "feed-follower/follower.h"

#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "relations/v1/ingest_service.grpc.pb.h"

extern char** environ;

#ifndef RELMON_INGEST_SERVICE_BIN
// Built without ingest-service: the end-to-end tests skip (see SetUp).
#define RELMON_INGEST_SERVICE_BIN ""
#define RELMON_FEEDS_NO_INGEST 1
#endif

namespace relmon::feeds {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(RELMON_FEEDS_TESTDATA) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "/feeds_e2e_XXXXXX";
    EXPECT_NE(mkdtemp(pattern.data()), nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// A child process with its stdout on a pipe and stderr in a file.
class Child {
 public:
  bool Start(const std::vector<std::string>& argv, const std::string& stderr_path) {
    int out[2];
    if (pipe(out) != 0) return false;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    // The test binary may have signals blocked; the child must not.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int rc = posix_spawn(&pid_, args[0], &actions, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close(out[1]);
    stdout_fd_ = out[0];
    return rc == 0;
  }
  // Reads stdout until a line starting with `prefix` (or EOF/timeout).
  std::string WaitForLine(const std::string& prefix, absl::Duration timeout) {
    absl::Time deadline = absl::Now() + timeout;
    std::string buffer;
    char c;
    fcntl(stdout_fd_, F_SETFL, O_NONBLOCK);
    while (absl::Now() < deadline) {
      ssize_t n = read(stdout_fd_, &c, 1);
      if (n == 1) {
        if (c == '\n') {
          if (absl::StartsWith(buffer, prefix)) return buffer.substr(prefix.size());
          buffer.clear();
        } else {
          buffer.push_back(c);
        }
      } else if (n == 0) {
        return "";
      } else {
        absl::SleepFor(absl::Milliseconds(10));
      }
    }
    return "";
  }
  // SIGTERM (or `sig`), then waits; the exit code, -1 on a crash/timeout.
  int Stop(int sig = SIGTERM, absl::Duration timeout = absl::Seconds(15)) {
    if (pid_ <= 0) return -1;
    kill(pid_, sig);
    return Wait(timeout);
  }
  int Wait(absl::Duration timeout) {
    absl::Time deadline = absl::Now() + timeout;
    int status = 0;
    while (absl::Now() < deadline) {
      pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        close(stdout_fd_);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return -1;
  }
  ~Child() {
    if (pid_ > 0) Stop(SIGKILL);
  }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
};

// A real ingest-service on 127.0.0.1 with its own data directory.
class IngestServer {
 public:
  explicit IngestServer(const TempDir& dir, int port = 0) : dir_(dir), port_(port) {}
  bool Start() {
    std::vector<std::string> argv = {RELMON_INGEST_SERVICE_BIN, absl::StrCat("--listen=127.0.0.1:", port_),
                                     "--data_dir=" + dir_.Sub("ingest-data"), "--log_level=warning"};
    if (!child_.Start(argv, dir_.Sub("ingest.stderr"))) return false;
    target_ = child_.WaitForLine("listening on ", absl::Seconds(30));
    return !target_.empty();
  }
  int Stop() { return child_.Stop(); }
  const std::string& target() const { return target_; }

  // Ids of the articles recorded in the log (read with SubscribeEvents).
  std::vector<std::string> RecordedArticles(std::vector<relations::v1::Article>* articles = nullptr) {
    auto channel = grpc::CreateChannel(target_, grpc::InsecureChannelCredentials());
    auto stub = relations::v1::IngestService::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(1500));
    relations::v1::SubscribeEventsRequest request;
    request.set_from_sequence(0);
    auto reader = stub->SubscribeEvents(&context, request);
    relations::v1::SubscribeEventsResponse response;
    std::vector<std::string> ids;
    while (reader->Read(&response)) {
      if (response.event().has_article_recorded()) {
        ids.push_back(response.event().article_recorded().article().id());
        if (articles != nullptr) articles->push_back(response.event().article_recorded().article());
      }
    }
    reader->Finish();
    return ids;
  }

 private:
  const TempDir& dir_;
  int port_;
  Child child_;
  std::string target_;
};

// The test's web server: the fixtures, an ETag-aware RSS feed whose
// content the test swaps, and feeds that fail in three ways.
class FeedServer {
 public:
  FeedServer() {
    rss_ = ReadFixture("rss_round1.xml");
    server_.Get("/rss.xml", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      ++hits_["/rss.xml"];
      const std::string etag = absl::StrCat("\"rss-v", rss_version_, "\"");
      if (req.get_header_value("If-None-Match") == etag) {
        ++not_modified_;
        res.status = 304;
        return;
      }
      res.set_header("ETag", etag);
      res.set_content(rss_, "application/rss+xml; charset=utf-8");
    });
    // Validated by Last-Modified only (no ETag).
    server_.Get("/atom.xml", [this](const httplib::Request& req, httplib::Response& res) {
      Hit("/atom.xml");
      const std::string modified = "Sun, 02 Jun 2024 10:00:00 GMT";
      if (req.get_header_value("If-Modified-Since") == modified) {
        std::lock_guard<std::mutex> lock(mu_);
        ++not_modified_;
        res.status = 304;
        return;
      }
      res.set_header("Last-Modified", modified);
      res.set_content(ReadFixture("atom.xml"), "application/atom+xml");
    });
    server_.Get("/huge.xml", [this](const httplib::Request&, httplib::Response& res) {
      Hit("/huge.xml");
      res.set_content(std::string(3 << 20, ' ') + ReadFixture("atom.xml"), "application/atom+xml");
    });
    server_.Get("/loop.xml", [this](const httplib::Request&, httplib::Response& res) {
      Hit("/loop.xml");
      res.set_redirect("/loop.xml");
    });
    server_.Get("/pages/border-commission.html", [this](const httplib::Request&, httplib::Response& res) {
      Hit("/pages/border-commission.html");
      res.set_content(ReadFixture("border-commission.html"), "text/html; charset=utf-8");
    });
    server_.Get("/broken.xml", [this](const httplib::Request&, httplib::Response& res) {
      Hit("/broken.xml");
      res.set_content(ReadFixture("broken.xml"), "application/rss+xml");
    });
    server_.Get("/error500.xml", [this](const httplib::Request&, httplib::Response& res) {
      Hit("/error500.xml");
      res.status = 500;
      res.set_content("internal error", "text/plain");
    });
    server_.Get("/slow.xml", [this](const httplib::Request&, httplib::Response& res) {
      Hit("/slow.xml");
      for (int i = 0; i < 40 && !stopping_.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      res.set_content(ReadFixture("atom.xml"), "application/atom+xml");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~FeedServer() {
    stopping_.store(true);
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) const { return absl::StrCat("http://127.0.0.1:", port_, path); }
  void SetRss(const std::string& content) {
    std::lock_guard<std::mutex> lock(mu_);
    rss_ = content;
    ++rss_version_;
  }
  int Hits(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    return hits_[path];
  }
  int NotModified() {
    std::lock_guard<std::mutex> lock(mu_);
    return not_modified_;
  }

 private:
  void Hit(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    ++hits_[path];
  }
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::string rss_;
  int rss_version_ = 1;
  int not_modified_ = 0;
  std::map<std::string, int> hits_;
};

FollowerOptions BaseOptions(const std::string& target, const std::string& state_dir) {
  FollowerOptions o;
  o.ingest_target = target;
  o.state_dir = state_dir;
  o.http.total_timeout = absl::Seconds(1);
  o.http.connect_timeout = absl::Seconds(1);
  o.error_backoff_initial = absl::Milliseconds(200);
  o.error_backoff_max = absl::Seconds(1);
  o.ingest_backoff_initial = absl::Milliseconds(100);
  o.ingest_backoff_max = absl::Milliseconds(500);
  o.kafka_idle_in_once = absl::Milliseconds(1500);
  return o;
}

FeedConfig Feed(const std::string& url, const std::string& name = "", double interval_seconds = 60) {
  FeedConfig f;
  f.url = url;
  f.name = name;
  f.interval = absl::Seconds(interval_seconds);
  return f;
}

std::unique_ptr<Follower> MakeFollower(FollowerOptions options) {
  absl::StatusOr<std::unique_ptr<Follower>> follower = Follower::Create(std::move(options));
  EXPECT_TRUE(follower.ok()) << follower.status();
  return follower.ok() ? *std::move(follower) : nullptr;
}

bool WaitUntil(const std::function<bool()>& done, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return done();
}

class FollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
#ifdef RELMON_FEEDS_NO_INGEST
    GTEST_SKIP() << "ingest-service is not part of this build";
#endif
  }
};

TEST_F(FollowerTest, FeedsArriveOnceAndOnlyNewItemsFollow) {
  TempDir dir;
  IngestServer ingest(dir);
  ASSERT_TRUE(ingest.Start());
  FeedServer web;
  FollowerOptions options = BaseOptions(ingest.target(), dir.Sub("state"));
  options.feeds = {Feed(web.Url("/rss.xml"), "Harbour Gazette"), Feed(web.Url("/atom.xml"))};
  StopSignal stop;
  {
    std::unique_ptr<Follower> follower = MakeFollower(options);
    ASSERT_NE(follower, nullptr);
    ASSERT_TRUE(follower->RunOnce(stop).ok());
    SourceMetrics rss = follower->metrics().Get("Harbour Gazette");
    EXPECT_EQ(rss.items_seen, 3);
    EXPECT_EQ(rss.ingested, 3);
    EXPECT_EQ(follower->metrics().Get(web.Url("/atom.xml")).ingested, 2);
    EXPECT_EQ(web.Hits("/pages/border-commission.html"), 1);  // the teaser item's page

    // Second round: the RSS feed answers 304 to If-None-Match, the Atom
    // feed to If-Modified-Since.
    ASSERT_TRUE(follower->RunOnce(stop).ok());
    EXPECT_EQ(web.NotModified(), 2);
    EXPECT_EQ(follower->metrics().Get("Harbour Gazette").not_modified, 1);
    EXPECT_EQ(follower->metrics().Get(web.Url("/atom.xml")).not_modified, 1);
    EXPECT_EQ(follower->metrics().Get(web.Url("/atom.xml")).items_sent, 2);

    // The feed gains one item: only that one is sent.
    web.SetRss(ReadFixture("rss_round2.xml"));
    ASSERT_TRUE(follower->RunOnce(stop).ok());
    rss = follower->metrics().Get("Harbour Gazette");
    EXPECT_EQ(rss.items_sent, 4);
    EXPECT_EQ(rss.ingested, 4);
    EXPECT_EQ(rss.duplicates, 0);
  }
  std::vector<relations::v1::Article> stored;
  std::vector<std::string> ids = ingest.RecordedArticles(&stored);
  EXPECT_EQ(ids.size(), 6u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 6u);
  bool saw_page = false;
  for (const relations::v1::Article& a : stored) {
    EXPECT_THAT(a.text(), Not(HasSubstr("<p>")));
    if (a.url() == web.Url("/pages/border-commission.html")) {
      saw_page = true;
      EXPECT_THAT(a.text(), HasSubstr("Delegates agreed to replace four damaged buoys"));
      EXPECT_THAT(a.text(), Not(HasSubstr("Trending")));
      EXPECT_THAT(a.text(), Not(HasSubstr("newsletter")));
      EXPECT_THAT(a.text(), Not(HasSubstr("Copyright")));
      EXPECT_EQ(a.source(), "Harbour Gazette");
      EXPECT_EQ(a.published_at().seconds(), 1715846400);  // Thu, 16 May 2024 08:00:00 GMT
      EXPECT_EQ(a.language(), "en");
    }
    if (a.id() == "tag:northern-ledger.example,2024:entry-77") {
      EXPECT_EQ(a.source(), "Northern Ledger");  // no configured name: channel title
      EXPECT_EQ(a.title(), "Energy ministers sign grid memorandum");
    }
  }
  EXPECT_TRUE(saw_page);

  // A restarted follower (same state dir) re-sends nothing.
  {
    std::unique_ptr<Follower> follower = MakeFollower(options);
    ASSERT_TRUE(follower->RunOnce(stop).ok());
    EXPECT_EQ(follower->metrics().Get("Harbour Gazette").items_sent, 0);
    EXPECT_EQ(follower->metrics().Get(web.Url("/atom.xml")).items_sent, 0);
  }
  // Without its state, everything goes again and ingest answers DUPLICATE.
  {
    options.state_dir = dir.Sub("state-lost");
    std::unique_ptr<Follower> follower = MakeFollower(options);
    ASSERT_TRUE(follower->RunOnce(stop).ok());
    EXPECT_EQ(follower->metrics().Get("Harbour Gazette").duplicates, 4);
    EXPECT_EQ(follower->metrics().Get(web.Url("/atom.xml")).duplicates, 2);
    EXPECT_EQ(follower->metrics().Get("Harbour Gazette").ingested, 0);
  }
  EXPECT_EQ(ingest.RecordedArticles().size(), 6u);
  EXPECT_EQ(ingest.Stop(), 0);
}

TEST_F(FollowerTest, BrokenFeedsAreLoggedAndRetriedWithoutStoppingTheOthers) {
  TempDir dir;
  IngestServer ingest(dir);
  ASSERT_TRUE(ingest.Start());
  FeedServer web;
  FollowerOptions options = BaseOptions(ingest.target(), dir.Sub("state"));
  options.feeds = {Feed(web.Url("/broken.xml"), "broken"), Feed(web.Url("/error500.xml"), "error500"),
                   Feed(web.Url("/slow.xml"), "slow"), Feed(web.Url("/huge.xml"), "huge"),
                   Feed(web.Url("/loop.xml"), "loop"), Feed(web.Url("/atom.xml"), "atom", 0.3)};
  options.http.max_body_bytes = 1 << 20;
  options.http.max_redirects = 3;
  options.metrics_file = dir.Sub("metrics.json");
  std::unique_ptr<Follower> follower = MakeFollower(options);
  ASSERT_NE(follower, nullptr);
  StopSignal stop;
  std::thread runner([&] { EXPECT_TRUE(follower->Run(stop).ok()); });
  // Each broken feed fails, backs off (200 ms, 400 ms, ...) and is tried again.
  bool retried = WaitUntil(
      [&] {
        return web.Hits("/broken.xml") >= 3 && web.Hits("/error500.xml") >= 3 && web.Hits("/slow.xml") >= 2 &&
               web.Hits("/huge.xml") >= 2 && web.Hits("/loop.xml") >= 8;
      },
      absl::Seconds(15));
  stop.Stop();
  runner.join();
  EXPECT_TRUE(retried);
  EXPECT_EQ(follower->metrics().Get("atom").ingested, 2);
  EXPECT_GE(follower->metrics().Get("atom").polls, 2);
  for (const char* name : {"broken", "error500", "slow", "huge", "loop"}) {
    EXPECT_GE(follower->metrics().Get(name).errors, 2) << name;
    EXPECT_EQ(follower->metrics().Get(name).items_sent, 0) << name;
  }
  std::ifstream in(options.metrics_file);
  nlohmann::json metrics = nlohmann::json::parse(in, nullptr, false);
  ASSERT_FALSE(metrics.is_discarded());
  EXPECT_EQ(metrics["sources"]["atom"]["ingested"], 2);
  EXPECT_GE(metrics["sources"]["error500"]["errors"].get<int>(), 2);
  follower.reset();  // closes its connection, so ingest shuts down at once
  EXPECT_EQ(ingest.RecordedArticles().size(), 2u);
  EXPECT_EQ(ingest.Stop(), 0);
}

TEST_F(FollowerTest, WaitsForAnIngestServiceThatIsAway) {
  TempDir dir;
  const int port = FreePort();
  FeedServer web;
  FollowerOptions options = BaseOptions(absl::StrCat("127.0.0.1:", port), dir.Sub("state"));
  options.feeds = {Feed(web.Url("/atom.xml"), "atom")};
  std::unique_ptr<Follower> follower = MakeFollower(options);
  ASSERT_NE(follower, nullptr);
  StopSignal stop;
  absl::Status result;
  std::atomic<bool> finished{false};
  std::thread runner([&] {
    result = follower->RunOnce(stop);
    finished.store(true);
  });
  absl::SleepFor(absl::Seconds(1));
  EXPECT_FALSE(finished.load());  // still resending
  IngestServer ingest(dir, port);
  ASSERT_TRUE(ingest.Start());
  EXPECT_TRUE(WaitUntil([&] { return finished.load(); }, absl::Seconds(15)));
  stop.Stop();
  runner.join();
  EXPECT_TRUE(result.ok()) << result;
  EXPECT_EQ(follower->metrics().Get("atom").ingested, 2);
  follower.reset();  // closes its connection, so ingest shuts down at once
  EXPECT_EQ(ingest.RecordedArticles().size(), 2u);
  EXPECT_EQ(ingest.Stop(), 0);
}

TEST_F(FollowerTest, WatchedDirectoryFilesAreIngestedOnce) {
  TempDir dir;
  IngestServer ingest(dir);
  ASSERT_TRUE(ingest.Start());
  const std::string inbox = dir.Sub("inbox");
  std::filesystem::create_directories(inbox + "/texts");
  // Present before the start: picked up by the initial scan.
  std::ofstream(inbox + "/early.txt")
      << "Armenia and Georgia opened a new border crossing on Monday, the two governments said.";
  FollowerOptions options = BaseOptions(ingest.target(), dir.Sub("state"));
  options.watch_dir = inbox;
  StopSignal stop;
  {
    std::unique_ptr<Follower> follower = MakeFollower(options);
    ASSERT_NE(follower, nullptr);
    std::thread runner([&] { EXPECT_TRUE(follower->Run(stop).ok()); });
    // Written in place (IN_CLOSE_WRITE) ...
    std::ofstream(inbox + "/direct.txt")
        << "Kazakhstan and Uzbekistan signed a water-sharing agreement in Tashkent on Friday.";
    // ... and moved in after being written elsewhere (IN_MOVED_TO).
    std::ofstream(inbox + "/.batch.jsonl.part")
        << R"({"id":"inbox-json-1","source":"Desk","text":"Chile and Peru held talks on fishing rights in Lima on Tuesday.","publishedAt":"2024-03-05T10:00:00Z"})"
        << "\n"
        << R"({"file": "texts/meta.txt", "source": "Steppe Wire", "published_at": "2024-03-06T08:00:00Z"})" << "\n"
        << "this line is not JSON\n";
    std::ofstream(inbox + "/texts/meta.txt")
        << "Mongolia and China agreed on Wednesday to extend a rail freight corridor to Ulaanbaatar.";
    std::filesystem::rename(inbox + "/.batch.jsonl.part", inbox + "/batch.jsonl");
    std::ofstream(inbox + "/ignored.csv") << "not an article";
    bool all = WaitUntil([&] { return follower->metrics().Get("watch_dir").ingested >= 4; }, absl::Seconds(10));
    absl::SleepFor(absl::Milliseconds(500));  // anything extra would show up now
    stop.Stop();
    runner.join();
    EXPECT_TRUE(all);
    SourceMetrics m = follower->metrics().Get("watch_dir");
    EXPECT_EQ(m.ingested, 4);
    EXPECT_EQ(m.duplicates, 0);
    EXPECT_EQ(m.rejected, 1);  // the non-JSON line
  }
  std::vector<relations::v1::Article> stored;
  ingest.RecordedArticles(&stored);
  ASSERT_EQ(stored.size(), 4u);
  bool saw_meta = false;
  for (const auto& a : stored) {
    if (a.source() == "Steppe Wire") {
      saw_meta = true;
      EXPECT_EQ(a.published_at().seconds(), 1709712000);
    }
  }
  EXPECT_TRUE(saw_meta);
  // Restart: the state says all three files are done.
  {
    StopSignal stop2;
    std::unique_ptr<Follower> follower = MakeFollower(options);
    ASSERT_TRUE(follower->RunOnce(stop2).ok());
    EXPECT_EQ(follower->metrics().Get("watch_dir").items_sent, 0);
  }
  EXPECT_EQ(ingest.Stop(), 0);
}

// librdkafka's mock cluster (three brokers) in this process.
class MockKafka {
 public:
  MockKafka() {
    char error[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", error, sizeof(error));
    anchor_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
    cluster_ = rd_kafka_mock_cluster_new(anchor_, 3);
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);
  }
  ~MockKafka() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(anchor_);
  }
  const std::string& bootstraps() const { return bootstraps_; }
  void CreateTopic(const std::string& topic, int partitions) {
    rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 3);
  }
  void Produce(const std::string& topic, const std::vector<std::string>& values) {
    char error[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps_.c_str(), error, sizeof(error));
    rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
    for (const std::string& value : values) {
      rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic.c_str()),
                        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    }
    rd_kafka_flush(producer, 10000);
    rd_kafka_destroy(producer);
  }

 private:
  rd_kafka_t* anchor_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstraps_;
};

TEST_F(FollowerTest, KafkaOffsetsFollowAcknowledgementsAndRedeliveryIsDuplicate) {
  TempDir dir;
  IngestServer ingest(dir);
  ASSERT_TRUE(ingest.Start());
  MockKafka kafka;
  kafka.CreateTopic("articles", 2);
  kafka.Produce("articles",
                {"Bolivia and Paraguay agreed on Monday to build a gas pipeline across the Chaco.",
                 R"({"id":"kafka-json-1","source":"Andes Desk","text":"Ecuador recalled its ambassador from Colombia on Thursday after a dispute over border patrols."})",
                 "Uruguay and Argentina reopened the bridge at Fray Bentos after two weeks of protests."});
  FollowerOptions options = BaseOptions(ingest.target(), dir.Sub("state"));
  options.kafka.brokers = kafka.bootstraps();
  options.kafka.topics = {"articles"};
  options.kafka.group = "feed-follower-test";
  options.kafka_batch = 10;
  // A member that vanished without leaving is evicted after this (librdkafka's
  // default, 45 s, would outlast the test).
  options.kafka.properties = {{"session.timeout.ms", "2500"}, {"heartbeat.interval.ms", "300"}};
  StopSignal stop;

  // 1: ingested, then "killed" before the commit.
  int64_t first_seen = 0;
  {
    options.kafka_stop_before_commit_for_test = true;
    std::unique_ptr<Follower> follower = MakeFollower(options);
    ASSERT_NE(follower, nullptr);
    absl::Status s = follower->RunOnce(stop);
    EXPECT_EQ(s.code(), absl::StatusCode::kAborted) << s;
    SourceMetrics m = follower->metrics().Get("kafka:articles");
    first_seen = m.items_seen;
    EXPECT_GE(m.ingested, 1);
  }
  // 2: the uncommitted messages come again; ingest answers DUPLICATE for
  // the ones already stored; then the offsets are committed.
  {
    options.kafka_stop_before_commit_for_test = false;
    std::unique_ptr<Follower> follower = MakeFollower(options);
    absl::Status s = follower->RunOnce(stop);
    ASSERT_TRUE(s.ok()) << s;
    SourceMetrics m = follower->metrics().Get("kafka:articles");
    EXPECT_EQ(m.items_seen, 3);
    EXPECT_EQ(m.duplicates, first_seen);
    EXPECT_EQ(m.ingested + m.duplicates, 3);
  }
  // 3: everything is committed: nothing comes back.
  {
    std::unique_ptr<Follower> follower = MakeFollower(options);
    ASSERT_TRUE(follower->RunOnce(stop).ok());
    EXPECT_EQ(follower->metrics().Get("kafka:articles").items_seen, 0);
  }
  std::vector<relations::v1::Article> stored;
  std::vector<std::string> ids = ingest.RecordedArticles(&stored);
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_THAT(ids, ::testing::Contains("kafka-json-1"));
  EXPECT_EQ(ingest.Stop(), 0);
}

TEST_F(FollowerTest, BinaryOnceThenFollowUntilSigterm) {
  TempDir dir;
  IngestServer ingest(dir);
  ASSERT_TRUE(ingest.Start());
  FeedServer web;
  const std::string metrics = dir.Sub("metrics.json");
  std::vector<std::string> argv = {RELMON_FEEDS_FOLLOWER_BIN,
                                   "--ingest_target=" + ingest.target(),
                                   "--state_dir=" + dir.Sub("state"),
                                   "--feed=" + web.Url("/rss.xml"),
                                   "--feed=" + web.Url("/atom.xml"),
                                   "--metrics_file=" + metrics,
                                   "--once"};
  auto read_metrics = [&] {
    std::ifstream in(metrics);
    return nlohmann::json::parse(in, nullptr, false);
  };
  {
    Child follower;
    ASSERT_TRUE(follower.Start(argv, dir.Sub("follower.stderr")));
    EXPECT_EQ(follower.Wait(absl::Seconds(20)), 0);
    nlohmann::json m = read_metrics();
    ASSERT_FALSE(m.is_discarded());
    EXPECT_EQ(m["sources"][web.Url("/rss.xml")]["ingested"], 3);
    EXPECT_EQ(m["sources"][web.Url("/atom.xml")]["ingested"], 2);
  }
  // Follow mode: nothing new to send; SIGTERM ends it cleanly.
  argv.pop_back();
  {
    std::filesystem::remove(metrics);
    Child follower;
    ASSERT_TRUE(follower.Start(argv, dir.Sub("follower.stderr")));
    EXPECT_TRUE(WaitUntil([&] { return std::filesystem::exists(metrics); }, absl::Seconds(10)));
    EXPECT_EQ(follower.Stop(SIGTERM, absl::Seconds(10)), 0);
    nlohmann::json m = read_metrics();
    ASSERT_FALSE(m.is_discarded());
    EXPECT_EQ(m["sources"][web.Url("/rss.xml")]["items_sent"], 0);
    EXPECT_EQ(m["sources"][web.Url("/atom.xml")]["items_sent"], 0);
  }
  EXPECT_EQ(ingest.RecordedArticles().size(), 5u);
  EXPECT_EQ(ingest.Stop(), 0);
}

}  // namespace
}  // namespace relmon::feeds
