#include "ingest-service/intake.h"

#include <algorithm>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace relmon::ingest {
namespace {

using relations::v1::INGEST_OUTCOME_ACCEPTED;
using relations::v1::INGEST_OUTCOME_DUPLICATE;
using relations::v1::INGEST_OUTCOME_REJECTED;

IngestResult Rejected(std::string article_id, std::string message) {
  IngestResult r;
  r.outcome = INGEST_OUTCOME_REJECTED;
  r.article_id = std::move(article_id);
  r.message = std::move(message);
  return r;
}

IngestResult Duplicate(const std::string& article_id, uint64_t sequence) {
  IngestResult r;
  r.outcome = INGEST_OUTCOME_DUPLICATE;
  r.article_id = article_id;
  r.sequence = sequence;
  r.message = absl::StrCat("the same text is already stored as article ", article_id);
  return r;
}

std::string IdConflictMessage(const std::string& id) {
  return absl::StrCat("id \"", id, "\" already names another article (a different text)");
}

}  // namespace

uint64_t AppendOrder::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  return next_ticket_++;
}

void AppendOrder::Release(uint64_t ticket, std::function<void()> append) {
  std::lock_guard<std::mutex> lock(mu_);
  ready_.emplace(ticket, std::move(append));
  // Appending under the lock keeps the log's queue in ticket order even when
  // two workers release at once; AppendAsync only enqueues.
  for (auto it = ready_.find(next_release_); it != ready_.end();
       it = ready_.find(next_release_)) {
    if (it->second) it->second();
    ready_.erase(it);
    ++next_release_;
  }
}

absl::StatusOr<std::unique_ptr<Intake>> Intake::Create(const IntakeOptions& options, EventLog* log,
                                                       const extraction::Extractor* extractor) {
  if (log == nullptr) return absl::InvalidArgumentError("intake needs an event log");
  if (extractor == nullptr && !options.skip_extraction) {
    return absl::InvalidArgumentError("intake needs an extractor unless extraction is skipped");
  }
  return std::unique_ptr<Intake>(new Intake(options, log, extractor));
}

Intake::Intake(const IntakeOptions& options, EventLog* log, const extraction::Extractor* extractor)
    : options_(options), log_(log), extractor_(extractor) {
  size_t threads = options.extraction_threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  pool_ = std::make_unique<WorkerPool>(threads);
}

Intake::~Intake() { Shutdown(); }

void Intake::IngestAsync(relations::v1::Article article, Callback done,
                         std::shared_ptr<AppendOrder> order, uint64_t ticket) {
  bool refused = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    refused = shutting_down_;
    if (!refused) ++outstanding_;
  }
  if (refused) {
    if (order) order->Release(ticket, nullptr);
    done(absl::UnavailableError("the ingest service is shutting down"));
    return;
  }
  // std::function needs copyable captures; the article moves in through a
  // shared holder.
  auto holder = std::make_shared<relations::v1::Article>(std::move(article));
  const bool queued = pool_->Submit([this, holder, done, order, ticket]() mutable {
    Process(std::move(*holder), done, order.get(), ticket);
  });
  if (!queued) {
    if (order) order->Release(ticket, nullptr);
    done(absl::UnavailableError("the ingest service is shutting down"));
    Finished();
  }
}

absl::StatusOr<IngestResult> Intake::Ingest(relations::v1::Article article) {
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
  absl::StatusOr<IngestResult> result;
  IngestAsync(std::move(article), [&](absl::StatusOr<IngestResult> r) {
    std::lock_guard<std::mutex> lock(mu);
    result = std::move(r);
    finished = true;
    cv.notify_one();
  });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return finished; });
  return result;
}

void Intake::Process(relations::v1::Article article, Callback done, AppendOrder* order,
                     uint64_t ticket) {
  // Every path that appends nothing still gives up its turn, or the
  // stream's later articles would wait for it forever.
  auto complete = [this, &done, order, ticket](absl::StatusOr<IngestResult> r) {
    if (order) order->Release(ticket, nullptr);
    done(std::move(r));
    Finished();
  };

  if (absl::Status s = ValidateArticle(article, options_.limits); !s.ok()) {
    LogInfo("article rejected",
            {{"article_id", article.id()}, {"reason", std::string(s.message())}});
    complete(Rejected(article.id(), std::string(s.message())));
    return;
  }
  std::string cleaned =
      extractor_ != nullptr ? extractor_->CleanText(article.text()) : article.text();
  const std::string normalized = NormalizeForContentHash(cleaned);
  if (normalized.empty()) {
    complete(Rejected(article.id(), "article.text has no text left after cleaning (markup only?)"));
    return;
  }
  const std::string hash = Sha256Hex(normalized);
  const std::string id = article.id().empty() ? DerivedArticleId(hash) : article.id();

  // Cheap early answers from what is committed; the log's writer checks
  // again, authoritatively, for articles racing each other.
  absl::StatusOr<std::optional<StoredArticle>> same_text = log_->FindByContentHash(hash);
  if (!same_text.ok()) {
    complete(same_text.status());
    return;
  }
  if (same_text->has_value()) {
    complete(Duplicate((*same_text)->article_id, (*same_text)->last_sequence));
    return;
  }
  if (!article.id().empty()) {
    absl::StatusOr<std::optional<StoredArticle>> same_id = log_->FindById(id);
    if (!same_id.ok()) {
      complete(same_id.status());
      return;
    }
    if (same_id->has_value()) {
      complete(Rejected(id, IdConflictMessage(id)));
      return;
    }
  }

  article.set_id(id);
  article.set_text(std::move(cleaned));
  ArticleAppend append;
  if (options_.skip_extraction) {
    append.recorded.set_date_source(article.has_published_at()
                                        ? relations::v1::DATE_SOURCE_METADATA
                                        : relations::v1::DATE_SOURCE_UNKNOWN);
    append.analyzed.set_article_id(id);
    append.analyzed.set_extractor_version("none");
    append.analyzed.set_language(article.language());
    append.analyzed.set_analyzed(false);
    append.analyzed.set_not_analyzed_reason("extraction skipped (--skip_extraction)");
    *append.recorded.mutable_article() = std::move(article);
  } else {
    extraction::ExtractionResult extracted = extractor_->Extract(article);
    extracted.article.set_id(id);
    extracted.analysis.set_article_id(id);
    *append.recorded.mutable_article() = std::move(extracted.article);
    append.recorded.set_date_source(extracted.date_source);
    append.analyzed = std::move(extracted.analysis);
  }
  append.recorded.set_content_hash(hash);

  auto on_appended = [this, done, id](absl::StatusOr<AppendResult> appended) {
    if (!appended.ok()) {
      done(absl::UnavailableError(appended.status().message()));
    } else if (appended->outcome == AppendResult::Outcome::kAccepted) {
      IngestResult r;
      r.outcome = INGEST_OUTCOME_ACCEPTED;
      r.article_id = appended->article_id;
      r.sequence = appended->sequence;
      Log(LogLevel::kDebug, "article accepted",
          {{"article_id", r.article_id}, {"sequence", absl::StrCat(r.sequence)}});
      done(std::move(r));
    } else if (appended->outcome == AppendResult::Outcome::kDuplicate) {
      done(Duplicate(appended->article_id, appended->sequence));
    } else {
      done(Rejected(id, IdConflictMessage(id)));
    }
    Finished();
  };
  if (order == nullptr) {
    log_->AppendAsync(std::move(append), std::move(on_appended));
    return;
  }
  auto shared_append = std::make_shared<ArticleAppend>(std::move(append));
  order->Release(ticket, [this, shared_append, on_appended]() mutable {
    log_->AppendAsync(std::move(*shared_append), std::move(on_appended));
  });
}

void Intake::Finished() {
  std::lock_guard<std::mutex> lock(mu_);
  if (--outstanding_ == 0) idle_cv_.notify_all();
}

void Intake::Shutdown() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    shutting_down_ = true;
    idle_cv_.wait(lock, [this] { return outstanding_ == 0; });
  }
  pool_->Shutdown();
}

}  // namespace relmon::ingest
