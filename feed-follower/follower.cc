#include "feed-follower/follower.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/log.h"
#include "feed-follower/article_json.h"
#include "feed-follower/feed_parser.h"
#include "feed-follower/html_text.h"
#include "google/protobuf/util/time_util.h"

namespace relmon::feeds {

using relations::v1::Article;
using relations::v1::INGEST_OUTCOME_ACCEPTED;
using relations::v1::INGEST_OUTCOME_DUPLICATE;
using relations::v1::INGEST_OUTCOME_REJECTED;

namespace {

constexpr size_t kMaxIdBytes = 256;  // ingest-service's limit on Article.id

uint64_t Fnv1a(absl::string_view text) {
  uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

// A BCP-47-looking tag, or empty ("en_US" -> "en-US"; junk dropped).
std::string CleanLanguage(absl::string_view language) {
  std::string out(absl::StripAsciiWhitespace(language));
  for (char& c : out) {
    if (c == '_') c = '-';
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') return "";
  }
  return out.size() > 35 ? "" : out;
}

std::string HostOf(const std::string& url) {
  absl::string_view rest = url;
  size_t scheme = rest.find("://");
  if (scheme != absl::string_view::npos) rest.remove_prefix(scheme + 3);
  return std::string(rest.substr(0, rest.find_first_of("/?#")));
}

const char* OutcomeName(relations::v1::IngestOutcome outcome) {
  switch (outcome) {
    case INGEST_OUTCOME_ACCEPTED:
      return "accepted";
    case INGEST_OUTCOME_DUPLICATE:
      return "duplicate";
    case INGEST_OUTCOME_REJECTED:
      return "rejected";
    default:
      return "unspecified";
  }
}

}  // namespace

std::string ArticleIdForItem(const std::string& feed_url, const std::string& item_key) {
  std::string key(absl::StripAsciiWhitespace(item_key));
  std::string id = (absl::StrContains(key, "://") || absl::StartsWith(key, "urn:") || absl::StartsWith(key, "tag:"))
                       ? key
                       : absl::StrCat(feed_url, "#", key);
  if (id.size() > kMaxIdBytes) {
    id = absl::StrFormat("feed-item:%016x%016x", Fnv1a(id), Fnv1a(absl::StrCat(id, "#2")));
  }
  return id;
}

Follower::Follower(FollowerOptions options) : options_(std::move(options)) {}

Follower::~Follower() {
  if (kafka_ != nullptr) kafka_->Close();
}

absl::StatusOr<std::unique_ptr<Follower>> Follower::Create(FollowerOptions options) {
  if (options.feeds.empty() && options.watch_dir.empty() && options.kafka.topics.empty()) {
    return absl::InvalidArgumentError("nothing to follow: give --feed, --watch_dir or --kafka_topic");
  }
  std::unique_ptr<Follower> follower(new Follower(std::move(options)));
  FollowerOptions& o = follower->options_;
  absl::StatusOr<std::unique_ptr<StateStore>> state = StateStore::Open(o.state_dir, o.max_seen_per_feed);
  if (!state.ok()) return state.status();
  follower->state_ = *std::move(state);
  IngestSenderOptions sender_options;
  sender_options.target = o.ingest_target;
  sender_options.security = o.ingest_security;
  sender_options.initial_backoff = o.ingest_backoff_initial;
  sender_options.max_backoff = o.ingest_backoff_max;
  absl::StatusOr<std::unique_ptr<IngestSender>> sender = IngestSender::Create(sender_options);
  if (!sender.ok()) return sender.status();
  follower->sender_ = *std::move(sender);
  follower->http_ = std::make_unique<HttpFetcher>(o.http);
  for (const FeedConfig& feed : o.feeds) {
    FeedRuntime runtime;
    runtime.config = feed;
    runtime.backoff = o.error_backoff_initial;
    follower->feeds_.push_back(std::move(runtime));
  }
  if (!o.watch_dir.empty()) {
    absl::StatusOr<std::unique_ptr<DirWatcher>> watcher = DirWatcher::Create(o.watch_dir);
    if (!watcher.ok()) return watcher.status();
    follower->watcher_ = *std::move(watcher);
  }
  if (!o.kafka.topics.empty()) {
    absl::StatusOr<std::unique_ptr<KafkaSource>> kafka = KafkaSource::Create(o.kafka);
    if (!kafka.ok()) return kafka.status();
    follower->kafka_ = *std::move(kafka);
  }
  return follower;
}

std::string Follower::FeedMetricsName(size_t index) const {
  const FeedConfig& config = feeds_[index].config;
  return config.name.empty() ? config.url : config.name;
}

void Follower::SaveState() {
  if (absl::Status s = state_->Save(); !s.ok()) {
    LogError("cannot save the follower state", {{"path", state_->path()}, {"error", s.ToString()}});
  }
}

void Follower::WriteMetricsFile() {
  if (options_.metrics_file.empty()) return;
  if (absl::Status s = metrics_.WriteFile(options_.metrics_file); !s.ok()) {
    LogWarning("cannot write the metrics file", {{"path", options_.metrics_file}, {"error", s.ToString()}});
  }
}

absl::Status Follower::Deliver(const std::string& metrics_name, const std::vector<Article>& articles,
                               const StopSignal& stop, std::vector<std::optional<IngestAck>>* acks) {
  metrics_.Update(metrics_name, [&](SourceMetrics& m) { m.items_sent += static_cast<int64_t>(articles.size()); });
  absl::Status status = sender_->Send(articles, stop, acks);
  for (size_t i = 0; i < articles.size(); ++i) {
    const std::optional<IngestAck>& ack = (*acks)[i];
    if (!ack.has_value()) continue;
    metrics_.Update(metrics_name, [&](SourceMetrics& m) {
      if (ack->outcome == INGEST_OUTCOME_ACCEPTED) ++m.ingested;
      else if (ack->outcome == INGEST_OUTCOME_DUPLICATE) ++m.duplicates;
      else ++m.rejected;
    });
    if (ack->outcome == INGEST_OUTCOME_REJECTED || ack->outcome == relations::v1::INGEST_OUTCOME_UNSPECIFIED) {
      LogWarning("ingest rejected an article", {{"source", metrics_name},
                                                {"article_id", articles[i].id()},
                                                {"url", articles[i].url()},
                                                {"reason", ack->message}});
    } else {
      Log(LogLevel::kDebug, "article acknowledged", {{"source", metrics_name},
                                                     {"article_id", ack->article_id},
                                                     {"outcome", OutcomeName(ack->outcome)},
                                                     {"sequence", absl::StrCat(ack->sequence)}});
    }
  }
  return status;
}

absl::Status Follower::PollFeed(size_t index, const StopSignal& stop) {
  const FeedConfig& config = feeds_[index].config;
  const std::string name = FeedMetricsName(index);
  auto fail = [&](const absl::Status& status, const char* what) {
    metrics_.Update(name, [](SourceMetrics& m) { ++m.errors; });
    LogWarning(what, {{"feed", config.url}, {"error", status.ToString()}});
    return status;
  };

  FeedValidators validators = state_->Validators(config.url);
  absl::StatusOr<HttpResponse> response = http_->Get(config.url, validators.etag, validators.last_modified);
  metrics_.Update(name, [](SourceMetrics& m) { ++m.polls; });
  if (!response.ok()) return fail(response.status(), "feed fetch failed");
  if (response->not_modified) {
    metrics_.Update(name, [](SourceMetrics& m) { ++m.not_modified; });
    Log(LogLevel::kDebug, "feed not modified", {{"feed", config.url}});
    return absl::OkStatus();
  }
  absl::StatusOr<ParsedFeed> feed = ParseFeed(response->body, response->final_url.empty() ? config.url
                                                                                          : response->final_url);
  if (!feed.ok()) return fail(feed.status(), "feed is not a readable RSS or Atom document");
  if (!feed->recovered_error.empty()) {
    metrics_.Update(name, [](SourceMetrics& m) { ++m.errors; });
    LogWarning("feed XML is malformed; using what could be recovered",
               {{"feed", config.url}, {"error", feed->recovered_error}});
  }
  metrics_.Update(name, [&](SourceMetrics& m) { m.items_seen += static_cast<int64_t>(feed->items.size()); });

  const std::string source = !config.name.empty() ? config.name
                             : !feed->title.empty() ? feed->title
                                                    : HostOf(config.url);
  std::vector<Article> articles;
  std::vector<std::string> keys;
  std::set<std::string> in_this_round;
  bool incomplete = false;  // an item to retry later: keep the old validators
  // Feeds list the newest first; send oldest first so the log reads in order.
  for (auto it = feed->items.rbegin(); it != feed->items.rend(); ++it) {
    const FeedItem& item = *it;
    const std::string key = ItemKey(item);
    if (state_->Seen(config.url, key) || !in_this_round.insert(key).second) continue;
    std::string text = HtmlFragmentToText(item.content_html);
    std::string title = HtmlFragmentToText(item.title);
    if (text.size() < options_.min_text_chars && !item.link.empty()) {
      // Only a teaser: the article is on the linked page.
      absl::StatusOr<HttpResponse> page = http_->Get(item.link);
      if (page.ok()) {
        std::string page_title;
        std::string page_text = HtmlPageToText(page->body, page->charset, &page_title);
        if (page_text.size() > text.size()) text = std::move(page_text);
        if (title.empty()) title = page_title;
      } else if (text.empty()) {
        metrics_.Update(name, [](SourceMetrics& m) { ++m.errors; });
        LogWarning("linked page fetch failed; the item is retried at the next poll",
                   {{"feed", config.url}, {"link", item.link}, {"error", page.status().ToString()}});
        incomplete = true;
        continue;
      } else {
        // A short item whose page is unavailable: the item's own text is
        // all there is (some items are simply short).
        LogInfo("linked page fetch failed; using the item's text",
                {{"feed", config.url}, {"link", item.link}, {"error", page.status().ToString()}});
      }
    }
    if (text.empty()) {
      metrics_.Update(name, [](SourceMetrics& m) { ++m.rejected; });
      LogWarning("feed item has no text; skipped", {{"feed", config.url}, {"item", key}});
      state_->MarkSeen(config.url, key);
      continue;
    }
    if (text.size() > options_.max_article_bytes) {
      metrics_.Update(name, [](SourceMetrics& m) { ++m.rejected; });
      LogWarning("feed item too large; skipped", {{"feed", config.url}, {"item", key},
                                                   {"bytes", absl::StrCat(text.size())}});
      state_->MarkSeen(config.url, key);
      continue;
    }
    Article article;
    article.set_id(ArticleIdForItem(config.url, key));
    article.set_source(source);
    article.set_url(item.link);
    article.set_title(title);
    article.set_text(std::move(text));
    if (item.published_at.has_value()) {
      *article.mutable_published_at() =
          google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(*item.published_at));
    }
    std::string language = CleanLanguage(!config.language.empty() ? config.language
                                         : !item.language.empty() ? item.language
                                                                  : feed->language);
    article.set_language(language);
    articles.push_back(std::move(article));
    keys.push_back(key);
  }

  absl::Status status = absl::OkStatus();
  if (!articles.empty()) {
    std::vector<std::optional<IngestAck>> acks;
    status = Deliver(name, articles, stop, &acks);
    for (size_t i = 0; i < keys.size(); ++i) {
      if (acks[i].has_value()) state_->MarkSeen(config.url, keys[i]);
    }
    if (!status.ok()) incomplete = true;
  }
  if (!incomplete) {
    state_->SetValidators(config.url, {response->etag, response->last_modified});
  }
  SaveState();
  if (!articles.empty()) {
    LogInfo("feed polled", {{"feed", config.url}, {"items", absl::StrCat(feed->items.size())},
                            {"sent", absl::StrCat(articles.size())}});
  }
  return status;
}

absl::Status Follower::IngestFile(const std::string& name, const StopSignal& stop) {
  const std::string path = absl::StrCat(watcher_->dir(), "/", name);
  absl::StatusOr<std::string> contents = ReadFileToString(path, 256 << 20);
  if (!contents.ok()) {
    metrics_.Update("watch_dir", [](SourceMetrics& m) { ++m.errors; });
    LogWarning("cannot read a watched file", {{"file", path}, {"error", contents.status().ToString()}});
    return contents.status();
  }
  std::vector<Article> articles;
  if (absl::EndsWith(name, ".jsonl")) {
    int line_number = 0;
    for (absl::string_view line : absl::StrSplit(*contents, '\n')) {
      ++line_number;
      if (absl::StripAsciiWhitespace(line).empty()) continue;
      metrics_.Update("watch_dir", [](SourceMetrics& m) { ++m.items_seen; });
      absl::StatusOr<Article> article = ArticleFromJsonLine(line, watcher_->dir());
      if (!article.ok()) {
        metrics_.Update("watch_dir", [](SourceMetrics& m) { ++m.rejected; });
        LogWarning("bad line in a watched .jsonl file; skipped",
                   {{"file", path}, {"line", absl::StrCat(line_number)}, {"error", article.status().ToString()}});
        continue;
      }
      articles.push_back(*std::move(article));
    }
  } else {
    metrics_.Update("watch_dir", [](SourceMetrics& m) { ++m.items_seen; });
    if (absl::StripAsciiWhitespace(*contents).empty()) {
      LogWarning("empty watched file; skipped", {{"file", path}});
    } else {
      Article article;
      article.set_text(*std::move(contents));
      articles.push_back(std::move(article));
    }
  }
  if (!articles.empty()) {
    std::vector<std::optional<IngestAck>> acks;
    if (absl::Status s = Deliver("watch_dir", articles, stop, &acks); !s.ok()) return s;
  }
  state_->MarkFileProcessed(name);
  SaveState();
  LogInfo("watched file ingested", {{"file", path}, {"articles", absl::StrCat(articles.size())}});
  return absl::OkStatus();
}

absl::Status Follower::PollDirectory(const StopSignal& stop, bool rescan) {
  if (watcher_ == nullptr) return absl::OkStatus();
  std::vector<std::string> names;
  absl::StatusOr<std::vector<std::string>> events = watcher_->ReadEvents();
  if (!events.ok()) {
    metrics_.Update("watch_dir", [](SourceMetrics& m) { ++m.errors; });
    LogWarning("inotify read failed; rescanning", {{"error", events.status().ToString()}});
    rescan = true;
  } else {
    names = *std::move(events);
  }
  if (rescan) {
    std::vector<std::string> existing = watcher_->ExistingFiles();
    state_->RetainFiles(std::set<std::string>(existing.begin(), existing.end()));
    names.insert(names.end(), existing.begin(), existing.end());
  }
  std::set<std::string> done;
  absl::Status first_error = absl::OkStatus();
  for (const std::string& name : names) {
    if (!IsIngestibleName(name) || state_->FileProcessed(name) || !done.insert(name).second) continue;
    if (stop.stopped()) break;
    absl::Status s = IngestFile(name, stop);
    if (!s.ok() && first_error.ok()) first_error = s;
  }
  return first_error;
}

absl::Status Follower::PollKafka(const StopSignal& stop, absl::Duration wait, bool* got_messages) {
  *got_messages = false;
  if (kafka_ == nullptr) return absl::OkStatus();
  std::vector<KafkaMessage> messages = kafka_->Poll(options_.kafka_batch, wait);
  if (messages.empty()) return absl::OkStatus();
  *got_messages = true;
  const std::string name = absl::StrCat("kafka:", messages.front().topic);
  metrics_.Update(name, [&](SourceMetrics& m) { m.items_seen += static_cast<int64_t>(messages.size()); });
  std::vector<Article> articles;
  for (const KafkaMessage& message : messages) {
    absl::StatusOr<Article> article = ArticleFromMessage(message.value);
    if (!article.ok()) {
      // Unusable forever: count it, log it, and let the commit pass it.
      metrics_.Update(name, [](SourceMetrics& m) { ++m.rejected; });
      LogWarning("kafka message is not an article; skipped",
                 {{"topic", message.topic}, {"partition", absl::StrCat(message.partition)},
                  {"offset", absl::StrCat(message.offset)}, {"error", article.status().ToString()}});
      continue;
    }
    if (article->source().empty() && !options_.kafka.source.empty()) article->set_source(options_.kafka.source);
    articles.push_back(*std::move(article));
  }
  if (!articles.empty()) {
    std::vector<std::optional<IngestAck>> acks;
    // Not all acknowledged (stopping): commit nothing; Kafka re-delivers.
    if (absl::Status s = Deliver(name, articles, stop, &acks); !s.ok()) return s;
  }
  if (options_.kafka_stop_before_commit_for_test) {
    return absl::AbortedError("test hook: stopped after the acknowledgements, before the commit");
  }
  if (absl::Status s = kafka_->Commit(messages); !s.ok()) {
    // The messages come again after a rebalance or restart; ingest answers
    // DUPLICATE for them.
    metrics_.Update(name, [](SourceMetrics& m) { ++m.errors; });
    LogWarning("kafka offset commit failed", {{"error", s.ToString()}});
    return s;
  }
  return absl::OkStatus();
}

absl::Status Follower::RunOnce(const StopSignal& stop) {
  absl::Status first_error = absl::OkStatus();
  auto note = [&first_error](const absl::Status& s) {
    if (!s.ok() && first_error.ok()) first_error = s;
  };
  for (size_t i = 0; i < feeds_.size() && !stop.stopped(); ++i) note(PollFeed(i, stop));
  if (!stop.stopped()) note(PollDirectory(stop, /*rescan=*/true));
  if (kafka_ != nullptr) {
    // Drained when nothing arrives for kafka_idle_in_once after the group
    // assigned us partitions (joining takes a few seconds).
    absl::Time give_up = absl::Now() + absl::Seconds(30);
    absl::Time quiet_since = absl::InfinitePast();
    while (!stop.stopped()) {
      bool got = false;
      absl::Status s = PollKafka(stop, absl::Milliseconds(200), &got);
      note(s);
      if (s.code() == absl::StatusCode::kAborted) break;
      const absl::Time now = absl::Now();
      if (got) {
        quiet_since = now;
        give_up = now + absl::Seconds(30);
        continue;
      }
      if (kafka_->HasAssignment()) {
        if (quiet_since == absl::InfinitePast()) quiet_since = now;
        if (now - quiet_since >= options_.kafka_idle_in_once) break;
      } else if (now > give_up) {
        note(absl::DeadlineExceededError("kafka: no partition assigned within 30 s"));
        break;
      }
    }
  }
  WriteMetricsFile();
  return first_error;
}

absl::Status Follower::Run(const StopSignal& stop) {
  absl::Time next_metrics_log = absl::Now() + options_.metrics_log_interval;
  bool first_round = true;
  while (!stop.stopped()) {
    bool worked = false;
    for (size_t i = 0; i < feeds_.size() && !stop.stopped(); ++i) {
      FeedRuntime& feed = feeds_[i];
      if (absl::Now() < feed.next_poll) continue;
      worked = true;
      absl::Status s = PollFeed(i, stop);
      if (s.ok()) {
        feed.backoff = options_.error_backoff_initial;
        feed.next_poll = absl::Now() + feed.config.interval;
      } else {
        // Failing feeds back off exponentially, but never wait longer than
        // the larger of their interval and the configured cap.
        feed.next_poll = absl::Now() + feed.backoff;
        feed.backoff = std::min(feed.backoff * 2, std::max(options_.error_backoff_max, feed.config.interval));
      }
    }
    if (watcher_ != nullptr && !stop.stopped()) {
      (void)PollDirectory(stop, /*rescan=*/first_round);
    }
    first_round = false;
    bool got = false;
    if (kafka_ != nullptr && !stop.stopped()) {
      absl::Status s = PollKafka(stop, absl::Milliseconds(200), &got);
      if (s.code() == absl::StatusCode::kAborted) break;
      if (!s.ok() && !stop.stopped()) stop.WaitFor(absl::Seconds(1));
    }
    if (worked || got) WriteMetricsFile();
    if (absl::Now() >= next_metrics_log) {
      metrics_.Log("feed-follower metrics");
      WriteMetricsFile();
      next_metrics_log = absl::Now() + options_.metrics_log_interval;
    }
    if (kafka_ == nullptr) {
      // Sleep until the next feed is due, but look at the directory often.
      absl::Duration sleep = absl::Milliseconds(200);
      if (watcher_ == nullptr) {
        absl::Time next = absl::InfiniteFuture();
        for (const FeedRuntime& feed : feeds_) next = std::min(next, feed.next_poll);
        sleep = std::clamp(next - absl::Now(), absl::ZeroDuration(), absl::Seconds(1));
      }
      stop.WaitFor(sleep);
    }
  }
  WriteMetricsFile();
  return absl::OkStatus();
}

}  // namespace relmon::feeds
