#include "query-service/view_store.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "query-service/agreement_registry.h"
#include "query-service/event_clustering.h"
#include "query-service/figure_disputes.h"
#include "query-service/keys.h"
#include "rocksdb/cache.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/write_batch_with_index.h"

namespace relmon::query {
namespace {

using relations::v1::AgreementMention;
using relations::v1::ArticleAnalyzed;
using relations::v1::ArticleSummary;
using relations::v1::Event;
using relations::v1::Figure;
using relations::v1::LogEvent;

constexpr absl::string_view kCursorKey = "applied_sequence";
constexpr char kSep = '\0';

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(what, ": ", s.ToString()));
}

std::string Join(std::initializer_list<absl::string_view> parts) {
  std::string out;
  bool first = true;
  for (absl::string_view p : parts) {
    if (!first) out.push_back(kSep);
    first = false;
    absl::StrAppend(&out, p);
  }
  return out;
}

std::string TypeKey(relations::v1::EventType t) { return PaddedNumber(static_cast<int>(t), 2); }

std::string ReportPrefix(absl::string_view dyad, relations::v1::EventType t) {
  return absl::StrCat(dyad, "|", TypeKey(t), "|");
}

std::string CanonicalKeyOf(const AgreementMention& m) {
  if (!m.canonical_key().empty()) return m.canonical_key();
  return absl::AsciiStrToLower(m.name());
}

// The pairs of distinct actors of an event ("AZ|IR" ...).
std::vector<std::string> DyadsOf(const Event& e) {
  std::set<std::string> actors(e.actors().begin(), e.actors().end());
  std::vector<std::string> list(actors.begin(), actors.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < list.size(); ++i) {
    for (size_t j = i + 1; j < list.size(); ++j) out.push_back(DyadKey(list[i], list[j]));
  }
  return out;
}

std::string FigureIdOf(const Figure& f, absl::string_view article_id, int index) {
  if (!f.figure_id().empty()) return f.figure_id();
  return absl::StrCat("fig_", StableDigest(absl::StrCat(article_id, "|", index)));
}

// Index keys of a stored figure (see docs/storage-query.md).
std::vector<std::string> FigureIndexKeys(const Figure& f, absl::string_view figure_key) {
  std::vector<std::string> keys;
  keys.push_back(Join({"q", f.quantity(), figure_key}));
  for (const auto& p : f.parties()) keys.push_back(Join({"c", p, f.quantity(), figure_key}));
  if (!f.subject_key().empty()) {
    keys.push_back(Join({"s", f.subject_key(), f.quantity(), f.unit(), figure_key}));
  }
  std::string agreement = NormalizeAgreementRef(f.agreement_id());
  if (!agreement.empty()) keys.push_back(Join({"a", agreement, figure_key}));
  return keys;
}

}  // namespace

const char* ViewName(View view) {
  switch (view) {
    case View::kCursor:
      return "cursor";
    case View::kArticles:
      return "articles";
    case View::kArticleFacts:
      return "article_facts";
    case View::kEventReports:
      return "event_reports";
    case View::kDyadEvents:
      return "dyad_events";
    case View::kAgreementMentions:
      return "agreement_mentions";
    case View::kAgreementKeys:
      return "agreement_keys";
    case View::kAgreements:
      return "agreements";
    case View::kFigures:
      return "figures";
    case View::kFigureIndex:
      return "figure_index";
    case View::kDisputes:
      return "disputes";
    case View::kCount:
      break;
  }
  return "?";
}

std::string ViewStore::FigureKey(absl::string_view article_id, absl::string_view figure_id) {
  return absl::StrCat(article_id, "/", figure_id);
}

// One atomic write being assembled: raw inputs first, then every derived
// record whose inputs changed, then the cursor. Reads see the batch on top
// of the database.
class ViewStore::Batch {
 public:
  explicit Batch(ViewStore* store)
      : store_(store), wb_(rocksdb::BytewiseComparator(), 0, /*overwrite_key=*/true) {}

  absl::Status Add(const LogEvent& e) {
    switch (e.payload_case()) {
      case LogEvent::kArticleRecorded:
        return AddRecorded(e);
      case LogEvent::kArticleAnalyzed:
        return AddAnalyzed(e.sequence(), e.article_analyzed());
      default:
        // Unknown payloads (newer producers) are skipped; the cursor still moves.
        return absl::OkStatus();
    }
  }

  absl::Status Recompute() {
    for (const auto& [dyad, type, year] : event_groups_) {
      if (auto s = RecomputeEvents(dyad, type, year); !s.ok()) return s;
    }
    for (const auto& id : agreement_ids_) {
      auto key = GetMerged(View::kAgreementKeys, id);
      if (!key.ok()) return key.status();
      if (key->has_value()) agreement_keys_.insert(**key);
    }
    for (const auto& key : agreement_keys_) {
      if (auto s = RecomputeAgreement(key); !s.ok()) return s;
    }
    for (const auto& group : dispute_groups_) {
      if (auto s = RecomputeDispute(group); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status Commit(uint64_t sequence) {
    Put(View::kCursor, kCursorKey, EncodeFixed64(sequence));
    rocksdb::WriteOptions wo;
    // The views can be rebuilt from the log, so no fsync per batch; the WAL
    // still makes every batch atomic with its cursor.
    wo.sync = false;
    return FromRocks(store_->db_->Write(wo, wb_.GetWriteBatch()), "write views");
  }

 private:
  void Put(View v, absl::string_view key, absl::string_view value) {
    wb_.Put(store_->cf(v), rocksdb::Slice(key.data(), key.size()),
            rocksdb::Slice(value.data(), value.size()));
  }
  void Delete(View v, absl::string_view key) {
    wb_.Delete(store_->cf(v), rocksdb::Slice(key.data(), key.size()));
  }

  absl::StatusOr<std::optional<std::string>> GetMerged(View v, absl::string_view key) {
    std::string value;
    rocksdb::Status s =
        wb_.GetFromBatchAndDB(store_->db_.get(), rocksdb::ReadOptions(), store_->cf(v),
                              rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, "read");
    return std::optional<std::string>(std::move(value));
  }

  // Visits the batch-over-database view of keys starting with `prefix`.
  absl::Status ScanMerged(View v, absl::string_view prefix,
                          const std::function<void(absl::string_view, absl::string_view)>& visit) {
    std::unique_ptr<rocksdb::Iterator> it(wb_.NewIteratorWithBase(
        store_->cf(v), store_->db_->NewIterator(rocksdb::ReadOptions(), store_->cf(v))));
    for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
      absl::string_view key(it->key().data(), it->key().size());
      if (key.substr(0, prefix.size()) != prefix) break;
      visit(key, absl::string_view(it->value().data(), it->value().size()));
    }
    return FromRocks(it->status(), "scan");
  }

  absl::Status AddRecorded(const LogEvent& e) {
    const auto& rec = e.article_recorded();
    const auto& a = rec.article();
    ArticleSummary summary;
    auto existing = GetMerged(View::kArticles, a.id());
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) summary.ParseFromString(**existing);
    summary.set_article_id(a.id());
    summary.set_source(a.source());
    summary.set_url(a.url());
    summary.set_title(a.title());
    if (a.has_published_at()) {
      *summary.mutable_published_at() = a.published_at();
    } else {
      summary.clear_published_at();
    }
    summary.set_language(a.language());
    summary.set_date_source(rec.date_source());
    summary.set_sequence(std::max<uint64_t>(summary.sequence(), e.sequence()));
    Put(View::kArticles, a.id(), summary.SerializeAsString());
    return absl::OkStatus();
  }

  absl::Status AddAnalyzed(uint64_t sequence, const ArticleAnalyzed& analysis) {
    const std::string& article_id = analysis.article_id();
    auto old = GetMerged(View::kArticleFacts, article_id);
    if (!old.ok()) return old.status();
    if (old->has_value()) {
      // A re-analysis replaces the article's previous facts.
      ArticleAnalyzed previous;
      previous.ParseFromString(**old);
      if (auto s = Facts(previous, /*add=*/false); !s.ok()) return s;
    }
    if (auto s = Facts(analysis, /*add=*/true); !s.ok()) return s;
    Put(View::kArticleFacts, article_id, analysis.SerializeAsString());

    ArticleSummary summary;
    auto existing = GetMerged(View::kArticles, article_id);
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) summary.ParseFromString(**existing);
    summary.set_article_id(article_id);
    summary.set_sequence(std::max<uint64_t>(summary.sequence(), sequence));
    summary.set_event_count(analysis.events_size());
    summary.set_figure_count(analysis.figures_size());
    summary.set_agreement_mention_count(analysis.agreement_mentions_size());
    if (!analysis.language().empty()) summary.set_language(analysis.language());
    summary.set_analyzed(analysis.analyzed());
    summary.set_extractor_version(analysis.extractor_version());
    summary.clear_countries();
    std::set<std::string> countries(analysis.countries().begin(), analysis.countries().end());
    for (const auto& c : countries) summary.add_countries(c);
    Put(View::kArticles, article_id, summary.SerializeAsString());
    return absl::OkStatus();
  }

  // Writes (add) or deletes (!add) the raw inputs of one analysis and marks
  // the derived records they feed.
  absl::Status Facts(const ArticleAnalyzed& analysis, bool add) {
    const std::string& article_id = analysis.article_id();
    for (int i = 0; i < analysis.events_size(); ++i) {
      Event report = analysis.events(i);
      for (auto& c : *report.mutable_citations()) {
        if (c.article_id().empty()) c.set_article_id(article_id);
      }
      std::string year = ReportYearKey(report);
      for (const std::string& dyad : DyadsOf(report)) {
        std::string key = absl::StrCat(ReportPrefix(dyad, report.type()), year, "|", article_id,
                                       "|", PaddedNumber(i, 6));
        if (add) {
          Put(View::kEventReports, key, report.SerializeAsString());
        } else {
          Delete(View::kEventReports, key);
        }
        event_groups_.insert({dyad, report.type(), year});
      }
    }
    for (int i = 0; i < analysis.agreement_mentions_size(); ++i) {
      const AgreementMention& m = analysis.agreement_mentions(i);
      std::string ckey = CanonicalKeyOf(m);
      if (ckey.empty()) continue;
      std::string key = Join({ckey, article_id, PaddedNumber(i, 6)});
      if (add) {
        AgreementMention stored = m;
        if (stored.citation().article_id().empty()) {
          stored.mutable_citation()->set_article_id(article_id);
        }
        Put(View::kAgreementMentions, key, stored.SerializeAsString());
        Put(View::kAgreementKeys, AgreementIdForKey(ckey), ckey);
      } else {
        Delete(View::kAgreementMentions, key);
      }
      agreement_keys_.insert(ckey);
    }
    for (int i = 0; i < analysis.figures_size(); ++i) {
      Figure f = analysis.figures(i);
      f.set_figure_id(FigureIdOf(f, article_id, i));
      if (f.citation().article_id().empty()) f.mutable_citation()->set_article_id(article_id);
      std::sort(f.mutable_parties()->begin(), f.mutable_parties()->end());
      std::string fkey = FigureKey(article_id, f.figure_id());
      if (add) {
        Put(View::kFigures, fkey, f.SerializeAsString());
        for (const auto& k : FigureIndexKeys(f, fkey)) Put(View::kFigureIndex, k, "");
      } else {
        Delete(View::kFigures, fkey);
        for (const auto& k : FigureIndexKeys(f, fkey)) Delete(View::kFigureIndex, k);
      }
      if (!f.subject_key().empty()) {
        dispute_groups_.insert({f.subject_key(), f.quantity(), f.unit()});
      }
      std::string agreement = NormalizeAgreementRef(f.agreement_id());
      if (!agreement.empty()) agreement_ids_.insert(agreement);
    }
    return absl::OkStatus();
  }

  absl::Status RecomputeEvents(const std::string& dyad, relations::v1::EventType type,
                               const std::string& year) {
    // Drop the pair's previous events of this type and year...
    std::vector<std::string> stale;
    std::string time_prefix = year == kUndatedKey ? year : absl::StrCat(year, "-");
    auto s = ScanMerged(
        View::kDyadEvents, absl::StrCat(dyad, "|", time_prefix),
        [&](absl::string_view key, absl::string_view value) {
          Event e;
          if (e.ParseFromArray(value.data(), static_cast<int>(value.size())) && e.type() == type) {
            stale.emplace_back(key);
          }
        });
    if (!s.ok()) return s;
    for (const auto& k : stale) Delete(View::kDyadEvents, k);
    // ...and derive them again from every report.
    std::vector<Event> reports;
    s = ScanMerged(View::kEventReports, absl::StrCat(ReportPrefix(dyad, type), year, "|"),
                   [&](absl::string_view, absl::string_view value) {
                     reports.emplace_back();
                     reports.back().ParseFromArray(value.data(), static_cast<int>(value.size()));
                   });
    if (!s.ok()) return s;
    for (const Event& e : ClusterReports(dyad, std::move(reports))) {
      std::string key =
          absl::StrCat(dyad, "|", TimeKey(e.occurred_at(), e.has_occurred_at()), "|", e.event_id());
      Put(View::kDyadEvents, key, e.SerializeAsString());
    }
    return absl::OkStatus();
  }

  absl::Status RecomputeAgreement(const std::string& ckey) {
    std::string id = AgreementIdForKey(ckey);
    std::vector<AgreementMention> mentions;
    std::vector<std::string> mention_articles;
    auto s =
        ScanMerged(View::kAgreementMentions, absl::StrCat(ckey, std::string(1, kSep)),
                   [&](absl::string_view, absl::string_view value) {
                     mentions.emplace_back();
                     mentions.back().ParseFromArray(value.data(), static_cast<int>(value.size()));
                   });
    if (!s.ok()) return s;
    if (mentions.empty()) {
      Delete(View::kAgreements, id);
      Delete(View::kAgreementKeys, id);
      return absl::OkStatus();
    }
    std::set<std::string> figure_keys;
    for (const auto& m : mentions) {
      for (const auto& fid : m.figure_ids()) {
        figure_keys.insert(FigureKey(m.citation().article_id(), fid));
      }
    }
    std::string prefix = Join({"a", id, ""});
    s = ScanMerged(View::kFigureIndex, prefix, [&](absl::string_view key, absl::string_view) {
      figure_keys.emplace(key.substr(prefix.size()));
    });
    if (!s.ok()) return s;
    std::vector<Figure> figures;
    for (const auto& fk : figure_keys) {
      auto v = GetMerged(View::kFigures, fk);
      if (!v.ok()) return v.status();
      if (!v->has_value()) continue;
      figures.emplace_back();
      figures.back().ParseFromString(**v);
    }
    Put(View::kAgreements, id,
        BuildAgreement(ckey, std::move(mentions), std::move(figures)).SerializeAsString());
    return absl::OkStatus();
  }

  absl::Status RecomputeDispute(const std::tuple<std::string, std::string, std::string>& group) {
    const auto& [subject_key, quantity, unit] = group;
    std::string prefix = Join({"s", subject_key, quantity, unit, ""});
    std::vector<std::string> keys;
    auto s = ScanMerged(View::kFigureIndex, prefix, [&](absl::string_view key, absl::string_view) {
      keys.emplace_back(key.substr(prefix.size()));
    });
    if (!s.ok()) return s;
    std::vector<Figure> figures;
    for (const auto& fk : keys) {
      auto v = GetMerged(View::kFigures, fk);
      if (!v.ok()) return v.status();
      if (!v->has_value()) continue;
      figures.emplace_back();
      figures.back().ParseFromString(**v);
    }
    std::string dispute_key = Join({subject_key, quantity, unit});
    auto dispute = BuildDispute(std::move(figures));
    if (dispute.has_value()) {
      Put(View::kDisputes, dispute_key, dispute->SerializeAsString());
    } else {
      Delete(View::kDisputes, dispute_key);
    }
    return absl::OkStatus();
  }

  ViewStore* store_;
  rocksdb::WriteBatchWithIndex wb_;
  // (pair, type, year): clusters never span a year, so each is recomputed alone.
  std::set<std::tuple<std::string, relations::v1::EventType, std::string>> event_groups_;
  std::set<std::string> agreement_keys_;
  std::set<std::string> agreement_ids_;
  std::set<std::tuple<std::string, std::string, std::string>> dispute_groups_;
};

absl::StatusOr<std::unique_ptr<ViewStore>> ViewStore::Open(const ViewStoreOptions& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache =
      rocksdb::NewLRUCache(static_cast<size_t>(std::max(1, options.block_cache_mb)) << 20);
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  // RocksDB creates only the last directory of the path; --data_dir may be
  // a fresh nested path such as ./var/query.
  std::error_code mkdir_error;
  std::filesystem::create_directories(options.path, mkdir_error);
  if (mkdir_error) {
    return absl::UnavailableError(absl::StrCat("cannot create ", options.path, ": ", mkdir_error.message()));
  }

  std::vector<std::string> existing;
  rocksdb::DB::ListColumnFamilies(db_options, options.path, &existing);  // fails on a new DB
  std::vector<std::string> names;
  for (int v = 0; v < static_cast<int>(View::kCount); ++v)
    names.push_back(ViewName(static_cast<View>(v)));
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& n : names) descriptors.emplace_back(n, cf_options);
  std::vector<std::string> others = {rocksdb::kDefaultColumnFamilyName};
  for (const auto& n : existing) {
    if (n != rocksdb::kDefaultColumnFamilyName &&
        std::find(names.begin(), names.end(), n) == names.end()) {
      others.push_back(n);
    }
  }
  for (const auto& n : others) descriptors.emplace_back(n, cf_options);

  std::unique_ptr<ViewStore> store(new ViewStore());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.path, descriptors, &handles, &raw);
  if (!s.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot open views at ", options.path, ": ", s.ToString()));
  }
  store->db_.reset(raw);
  store->handles_.assign(handles.begin(), handles.begin() + names.size());
  store->other_handles_.assign(handles.begin() + names.size(), handles.end());

  if (options.rebuild) {
    for (size_t i = 0; i < names.size(); ++i) {
      s = store->db_->DropColumnFamily(store->handles_[i]);
      if (s.ok()) s = store->db_->DestroyColumnFamilyHandle(store->handles_[i]);
      store->handles_[i] = nullptr;
      if (s.ok()) s = store->db_->CreateColumnFamily(cf_options, names[i], &store->handles_[i]);
      if (!s.ok()) return FromRocks(s, "rebuild: recreate column family");
    }
    LogInfo("views dropped for rebuild", {{"path", options.path}});
  }

  std::string cursor;
  s = store->db_->Get(rocksdb::ReadOptions(), store->cf(View::kCursor), std::string(kCursorKey),
                      &cursor);
  uint64_t applied = 0;
  if (s.ok()) {
    if (!DecodeFixed64(cursor, &applied)) return absl::DataLossError("corrupt cursor");
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "read cursor");
  }
  {
    absl::MutexLock lock(&store->seq_mu_);
    store->applied_sequence_ = applied;
  }
  return store;
}

ViewStore::~ViewStore() {
  if (!db_) return;
  for (auto* h : handles_) {
    if (h != nullptr) db_->DestroyColumnFamilyHandle(h);
  }
  for (auto* h : other_handles_) db_->DestroyColumnFamilyHandle(h);
  db_->Close();
}

uint64_t ViewStore::applied_sequence() const {
  absl::MutexLock lock(&seq_mu_);
  return applied_sequence_;
}

absl::Status ViewStore::Apply(const std::vector<LogEvent>& events) {
  if (events.empty()) return absl::OkStatus();
  absl::MutexLock write_lock(&write_mu_);
  uint64_t next = applied_sequence() + 1;
  Batch batch(this);
  for (const LogEvent& e : events) {
    if (e.sequence() != next) {
      return absl::FailedPreconditionError(
          absl::StrCat("expected log sequence ", next, ", got ", e.sequence()));
    }
    if (auto s = batch.Add(e); !s.ok()) return s;
    ++next;
  }
  if (auto s = batch.Recompute(); !s.ok()) return s;
  if (auto s = batch.Commit(next - 1); !s.ok()) return s;
  absl::MutexLock lock(&seq_mu_);
  applied_sequence_ = next - 1;
  return absl::OkStatus();
}

bool ViewStore::WaitForSequence(uint64_t sequence, absl::Time deadline) const {
  absl::MutexLock lock(&seq_mu_);
  auto reached = [this, sequence]()
                     ABSL_SHARED_LOCKS_REQUIRED(seq_mu_) { return applied_sequence_ >= sequence; };
  return seq_mu_.AwaitWithDeadline(absl::Condition(&reached), deadline);
}

absl::StatusOr<std::optional<std::string>> ViewStore::Get(View view, absl::string_view key) const {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf(view), rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "read");
  return std::optional<std::string>(std::move(value));
}

absl::Status ViewStore::Scan(
    View view, absl::string_view start, absl::string_view limit,
    const std::function<bool(absl::string_view, absl::string_view)>& visit) const {
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper(limit.data(), limit.size());
  if (!limit.empty()) ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(view)));
  for (it->Seek(rocksdb::Slice(start.data(), start.size())); it->Valid(); it->Next()) {
    if (!visit(absl::string_view(it->key().data(), it->key().size()),
               absl::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  return FromRocks(it->status(), "scan");
}

std::map<std::string, std::vector<std::pair<std::string, std::string>>> ViewStore::DumpViews()
    const {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> out;
  for (int v = 1; v < static_cast<int>(View::kCount); ++v) {
    auto& rows = out[ViewName(static_cast<View>(v))];
    Scan(static_cast<View>(v), "", "", [&](absl::string_view k, absl::string_view val) {
      rows.emplace_back(std::string(k), std::string(val));
      return true;
    }).IgnoreError();
  }
  return out;
}

}  // namespace relmon::query
