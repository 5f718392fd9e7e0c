#include "ingest-service/ingest_service.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "ingest-service/test_util.h"
#include "rocksdb/env.h"

namespace relmon::ingest {
namespace {

using relations::v1::INGEST_OUTCOME_ACCEPTED;
using relations::v1::INGEST_OUTCOME_DUPLICATE;
using relations::v1::INGEST_OUTCOME_REJECTED;
using relations::v1::IngestService;
using relations::v1::StreamArticlesRequest;
using relations::v1::StreamArticlesResponse;
using relations::v1::SubscribeEventsRequest;
using relations::v1::SubscribeEventsResponse;

std::string StoryText(int n) {
  return absl::StrCat("Ankara, 3 March 2024\nTurkey and Azerbaijan held talks on energy, round ", n,
                      ".\n");
}

class IngestServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EventLogOptions log_options;
    log_options.path = dir_.Sub("log");
    log_options.block_cache_bytes = 8 << 20;
    fs_ = std::make_shared<testing_util::FailingWalFileSystem>(rocksdb::FileSystem::Default());
    env_ = rocksdb::NewCompositeEnv(fs_);
    log_options.env = env_.get();
    auto log = EventLog::Open(log_options);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
    extraction::ExtractorOptions eo;
    eo.resources_dir = RELMON_TEST_DATA_DIR;
    eo.iso_codes_dir = RELMON_TEST_ISO_CODES_DIR;
    auto extractor = extraction::Extractor::Create(eo);
    ASSERT_TRUE(extractor.ok()) << extractor.status();
    extractor_ = std::move(*extractor);
    IntakeOptions intake_options;
    intake_options.extraction_threads = 4;
    auto intake = Intake::Create(intake_options, log_.get(), extractor_.get());
    ASSERT_TRUE(intake.ok());
    intake_ = std::move(*intake);
    IngestServiceOptions service_options;
    service_options.max_in_flight_per_stream = 4;  // small, to exercise backpressure
    service_options.subscribe_chunk_events = 3;    // small, to exercise chunking
    service_ = std::make_unique<IngestServiceImpl>(service_options, intake_.get(), log_.get());

    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(port, 0);
    channel_ =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
    stub_ = IngestService::NewStub(channel_);
  }

  void TearDown() override { StopServer(); }

  // The shutdown sequence of main(): returns how long the server took.
  absl::Duration StopServer() {
    if (server_ == nullptr) return absl::ZeroDuration();
    const absl::Time start = absl::Now();
    service_->BeginShutdown();
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(20));
    server_->Wait();
    const absl::Duration took = absl::Now() - start;
    server_.reset();
    service_->Stop();
    intake_->Shutdown();
    EXPECT_TRUE(log_->Close().ok());
    return took;
  }

  relations::v1::IngestArticleResponse IngestOne(const std::string& text,
                                                 const std::string& id = "") {
    relations::v1::IngestArticleRequest request;
    request.mutable_article()->set_text(text);
    request.mutable_article()->set_id(id);
    relations::v1::IngestArticleResponse response;
    grpc::ClientContext context;
    grpc::Status status = stub_->IngestArticle(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  testing_util::TempDir dir_;
  std::shared_ptr<testing_util::FailingWalFileSystem> fs_;
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<extraction::Extractor> extractor_;
  std::unique_ptr<Intake> intake_;
  std::unique_ptr<IngestServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<IngestService::Stub> stub_;
};

TEST_F(IngestServiceTest, StreamAnswersEveryArticleInOrder) {
  constexpr int kArticles = 60;
  grpc::ClientContext context;
  auto stream = stub_->StreamArticles(&context);
  std::vector<relations::v1::IngestOutcome> expected;
  std::thread writer([&] {
    for (int i = 0; i < kArticles; ++i) {
      StreamArticlesRequest request;
      request.set_client_ref(absl::StrCat("ref-", i));
      if (i % 5 == 3) {
        request.mutable_article()->set_text("   ");  // rejected; the stream goes on
      } else if (i % 7 == 0 && i > 0) {
        request.mutable_article()->set_text(StoryText(0));  // duplicate of the first
      } else {
        // Every third story is long, so parallel extraction finishes out of
        // order and the test sees whether the log keeps request order.
        std::string text = StoryText(i);
        for (int k = 0; i % 3 == 1 && k < 200; ++k) {
          absl::StrAppend(&text, "Officials in Baku said on Monday that the 132-kilometer "
                                 "border crossing would reopen by March 2025. ");
        }
        request.mutable_article()->set_text(text);
      }
      ASSERT_TRUE(stream->Write(request));
    }
    stream->WritesDone();
  });
  std::vector<StreamArticlesResponse> responses;
  StreamArticlesResponse response;
  while (stream->Read(&response)) responses.push_back(response);
  writer.join();
  grpc::Status status = stream->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();

  ASSERT_EQ(responses.size(), size_t{kArticles});
  uint64_t previous_accepted = 0;
  for (int i = 0; i < kArticles; ++i) {
    const StreamArticlesResponse& r = responses[i];
    EXPECT_EQ(r.client_ref(), absl::StrCat("ref-", i));
    if (i % 5 == 3) {
      EXPECT_EQ(r.outcome(), INGEST_OUTCOME_REJECTED) << i;
      EXPECT_EQ(r.sequence(), 0u);
      EXPECT_THAT(r.message(), ::testing::HasSubstr("whitespace"));
    } else if (i % 7 == 0 && i > 0) {
      EXPECT_EQ(r.outcome(), INGEST_OUTCOME_DUPLICATE) << i;
      EXPECT_EQ(r.article_id(), responses[0].article_id());
      EXPECT_EQ(r.sequence(), responses[0].sequence());
    } else {
      EXPECT_EQ(r.outcome(), INGEST_OUTCOME_ACCEPTED) << i;
      // Extracted in parallel, but appended in request order: a client may
      // pass its last answer's sequence as min_sequence.
      EXPECT_GT(r.sequence(), previous_accepted) << i;
      previous_accepted = r.sequence();
      EXPECT_EQ(r.sequence() % 2, 0u);
      // Durable before the answer: the log already has it.
      EXPECT_LE(r.sequence(), log_->last_sequence());
    }
  }
}

TEST_F(IngestServiceTest, UnaryIngestAcceptsThenReportsDuplicate) {
  relations::v1::IngestArticleResponse first = IngestOne(StoryText(1), "unary-1");
  EXPECT_EQ(first.outcome(), INGEST_OUTCOME_ACCEPTED);
  EXPECT_EQ(first.article_id(), "unary-1");
  EXPECT_EQ(first.sequence(), 2u);
  relations::v1::IngestArticleResponse second = IngestOne(StoryText(1));
  EXPECT_EQ(second.outcome(), INGEST_OUTCOME_DUPLICATE);
  EXPECT_EQ(second.article_id(), "unary-1");
  EXPECT_EQ(second.sequence(), 2u);
  relations::v1::IngestArticleResponse bad = IngestOne("");
  EXPECT_EQ(bad.outcome(), INGEST_OUTCOME_REJECTED);
  EXPECT_EQ(bad.sequence(), 0u);
}

TEST_F(IngestServiceTest, SubscribeCatchesUpThenFollowsLive) {
  for (int i = 0; i < 4; ++i) IngestOne(StoryText(i));
  grpc::ClientContext context;
  SubscribeEventsRequest request;
  request.set_from_sequence(0);
  auto reader = stub_->SubscribeEvents(&context, request);
  SubscribeEventsResponse response;
  for (uint64_t seq = 1; seq <= 8; ++seq) {
    ASSERT_TRUE(reader->Read(&response));
    EXPECT_EQ(response.event().sequence(), seq);
  }
  // Live: events appended after catch-up arrive on the same stream.
  std::thread later([&] { IngestOne(StoryText(100)); });
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.event().sequence(), 9u);
  EXPECT_TRUE(response.event().has_article_recorded());
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.event().sequence(), 10u);
  EXPECT_TRUE(response.event().has_article_analyzed());
  later.join();
  context.TryCancel();
  while (reader->Read(&response)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(IngestServiceTest, SubscribeFromAMiddlePosition) {
  for (int i = 0; i < 3; ++i) IngestOne(StoryText(i));
  grpc::ClientContext context;
  SubscribeEventsRequest request;
  request.set_from_sequence(5);
  auto reader = stub_->SubscribeEvents(&context, request);
  SubscribeEventsResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.event().sequence(), 5u);
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.event().sequence(), 6u);
  context.TryCancel();
  while (reader->Read(&response)) {
  }
  reader->Finish();
}

TEST_F(IngestServiceTest, SubscribeBeyondTheEndIsInvalidArgument) {
  IngestOne(StoryText(1));
  grpc::ClientContext context;
  SubscribeEventsRequest request;
  request.set_from_sequence(40);
  auto reader = stub_->SubscribeEvents(&context, request);
  SubscribeEventsResponse response;
  EXPECT_FALSE(reader->Read(&response));
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("beyond the end of the log"));
}

TEST_F(IngestServiceTest, ShutdownEndsLiveSubscriptionsPromptly) {
  IngestOne(StoryText(1));
  grpc::ClientContext context;
  SubscribeEventsRequest request;
  auto reader = stub_->SubscribeEvents(&context, request);
  SubscribeEventsResponse response;
  ASSERT_TRUE(reader->Read(&response));
  ASSERT_TRUE(reader->Read(&response));
  // Now it is following live.
  for (int i = 0; i < 100 && service_->subscriber_count() != 1; ++i)
    absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(service_->subscriber_count(), 1u);
  std::thread client([&] {
    SubscribeEventsResponse r;
    while (reader->Read(&r)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  });
  const absl::Duration took = StopServer();
  client.join();
  EXPECT_LT(took, absl::Seconds(10)) << "Shutdown waited for a live subscription";
}

TEST_F(IngestServiceTest, CancelledStreamDoesNotBlockShutdown) {
  grpc::ClientContext context;
  auto stream = stub_->StreamArticles(&context);
  for (int i = 0; i < 10; ++i) {
    StreamArticlesRequest request;
    request.mutable_article()->set_text(StoryText(i));
    if (!stream->Write(request)) break;
  }
  StreamArticlesResponse response;
  ASSERT_TRUE(stream->Read(&response));
  context.TryCancel();
  while (stream->Read(&response)) {
  }
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // A stream left open (no half-close) is cut by the server's deadline; a
  // cancelled one must not hold Shutdown at all.
  EXPECT_LT(StopServer(), absl::Seconds(10));
}

TEST_F(IngestServiceTest, ManyConcurrentStreams) {
  constexpr int kStreams = 6;
  constexpr int kPerStream = 30;
  std::vector<std::thread> clients;
  std::atomic<int> accepted{0};
  for (int s = 0; s < kStreams; ++s) {
    clients.emplace_back([&, s] {
      grpc::ClientContext context;
      auto stream = stub_->StreamArticles(&context);
      std::thread writer([&] {
        for (int i = 0; i < kPerStream; ++i) {
          StreamArticlesRequest request;
          request.set_client_ref(absl::StrCat(i));
          request.mutable_article()->set_text(StoryText(1000 * (s + 1) + i));
          if (!stream->Write(request)) break;
        }
        stream->WritesDone();
      });
      StreamArticlesResponse response;
      int i = 0;
      while (stream->Read(&response)) {
        EXPECT_EQ(response.client_ref(), absl::StrCat(i++));
        if (response.outcome() == INGEST_OUTCOME_ACCEPTED) accepted.fetch_add(1);
      }
      writer.join();
      EXPECT_TRUE(stream->Finish().ok());
      EXPECT_EQ(i, kPerStream);
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(accepted.load(), kStreams * kPerStream);
  EXPECT_EQ(log_->last_sequence(), 2u * kStreams * kPerStream);
}

TEST_F(IngestServiceTest, StorageFailureIsUnavailableAndRecovers) {
  fs_->set_fail(true);
  relations::v1::IngestArticleRequest request;
  request.mutable_article()->set_text(StoryText(1));
  relations::v1::IngestArticleResponse response;
  {
    grpc::ClientContext context;
    grpc::Status status = stub_->IngestArticle(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  }
  {
    // A stream answers what came before the failure, then ends UNAVAILABLE.
    grpc::ClientContext context;
    auto stream = stub_->StreamArticles(&context);
    StreamArticlesRequest bad;
    bad.set_client_ref("bad");
    bad.mutable_article()->set_text("");
    ASSERT_TRUE(stream->Write(bad));
    StreamArticlesResponse answer;
    ASSERT_TRUE(stream->Read(&answer));
    EXPECT_EQ(answer.client_ref(), "bad");
    EXPECT_EQ(answer.outcome(), INGEST_OUTCOME_REJECTED);
    StreamArticlesRequest good;
    good.set_client_ref("good");
    good.mutable_article()->set_text(StoryText(2));
    stream->Write(good);
    stream->WritesDone();
    EXPECT_FALSE(stream->Read(&answer));
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  }
  EXPECT_EQ(log_->last_sequence(), 0u);
  fs_->set_fail(false);
  // RocksDB's own recovery (its SstFileManager polls every few seconds)
  // clears the error; until then appends fail fast with UNAVAILABLE.
  grpc::Status status;
  for (int i = 0; i < 300; ++i) {
    grpc::ClientContext context;
    status = stub_->IngestArticle(&context, request, &response);
    if (status.ok()) break;
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.outcome(), INGEST_OUTCOME_ACCEPTED);
  EXPECT_EQ(response.sequence(), 2u);  // the failures used no sequence
}

// The service limits (--max_article_streams, --max_event_subscribers): one
// call past a limit gets RESOURCE_EXHAUSTED naming the flag; the place comes
// back when the call ends. A second service on the fixture's intake and log.
TEST_F(IngestServiceTest, CallsPastTheLimitsAreRefusedAndPlacesComeBack) {
  IngestServiceOptions options;
  options.max_article_streams = 1;
  options.max_event_subscribers = 1;
  IngestServiceImpl limited(options, intake_.get(), log_.get());
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&limited);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  auto stub = IngestService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));

  // One stream open and answering; a second is refused.
  auto first_context = std::make_unique<grpc::ClientContext>();
  auto first = stub->StreamArticles(first_context.get());
  StreamArticlesRequest request;
  request.mutable_article()->set_text(StoryText(7001));
  ASSERT_TRUE(first->Write(request));
  StreamArticlesResponse response;
  ASSERT_TRUE(first->Read(&response));
  {
    grpc::ClientContext context;
    auto second = stub->StreamArticles(&context);
    second->WritesDone();
    EXPECT_FALSE(second->Read(&response));
    grpc::Status status = second->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(status.error_message(), ::testing::HasSubstr("the limit is 1 (--max_article_streams)"));
  }
  // One subscriber following; a second is refused.
  auto sub_context = std::make_unique<grpc::ClientContext>();
  SubscribeEventsRequest from_start;
  from_start.set_from_sequence(1);
  auto subscriber = stub->SubscribeEvents(sub_context.get(), from_start);
  SubscribeEventsResponse event;
  ASSERT_TRUE(subscriber->Read(&event));
  {
    grpc::ClientContext context;
    auto second = stub->SubscribeEvents(&context, from_start);
    EXPECT_FALSE(second->Read(&event));
    grpc::Status status = second->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(status.error_message(),
                ::testing::HasSubstr("the limit is 1 (--max_event_subscribers)"));
  }

  // Both end; their places come back.
  first->WritesDone();
  while (first->Read(&response)) {
  }
  EXPECT_TRUE(first->Finish().ok());
  sub_context->TryCancel();
  while (subscriber->Read(&event)) {
  }
  subscriber->Finish();
  for (int i = 0; i < 500 && (limited.article_stream_count() != 0 || limited.subscriber_count() != 0);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(limited.article_stream_count(), 0u);
  EXPECT_EQ(limited.subscriber_count(), 0u);
  {
    grpc::ClientContext context;
    auto again = stub->StreamArticles(&context);
    request.mutable_article()->set_text(StoryText(7002));
    ASSERT_TRUE(again->Write(request));
    again->WritesDone();
    ASSERT_TRUE(again->Read(&response));
    EXPECT_EQ(response.outcome(), INGEST_OUTCOME_ACCEPTED);
    EXPECT_TRUE(again->Finish().ok());
  }

  limited.BeginShutdown();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server->Wait();
  limited.Stop();
}

// A request whose bytes do not parse: INVALID_ARGUMENT naming the field (the
// generated handler answered UNIMPLEMENTED with no message).
TEST_F(IngestServiceTest, UnparsableUnaryRequestNamesTheField) {
  grpc::GenericStub generic(channel_);
  grpc::ClientContext context;
  // IngestArticleRequest{article{title: "x\xff"}}, encoded by hand.
  const std::string wire("\x0a\x04\x22\x02x\xff", 6);
  grpc::Slice slice(wire);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status status;
  generic.UnaryCall(&context, "/relations.v1.IngestService/IngestArticle", grpc::StubOptions(),
                    &request, &response, [&](grpc::Status s) {
                      std::lock_guard<std::mutex> lock(mu);
                      status = std::move(s);
                      done = true;
                      cv.notify_all();
                    });
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return done; }));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("field article.title is not valid UTF-8"));
}

}  // namespace
}  // namespace relmon::ingest
