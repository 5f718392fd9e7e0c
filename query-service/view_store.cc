#include "query-service/view_store.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "query-service/agreement_registry.h"
#include "query-service/event_clustering.h"
#include "query-service/figure_disputes.h"
#include "query-service/keys.h"
#include "relations/v1/query_service.pb.h"
#include "rocksdb/cache.h"
#include "rocksdb/convenience.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/write_buffer_manager.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace relmon::query {
namespace {

using relations::v1::AgreementMention;
using relations::v1::ArticleAnalyzed;
using relations::v1::ArticleSummary;
using relations::v1::Event;
using relations::v1::Figure;
using relations::v1::LogEvent;

constexpr absl::string_view kCursorKey = "applied_sequence";
constexpr absl::string_view kSchemaKey = "schema_version";
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

// What article_facts keeps of an analysis: exactly what Facts(..., add =
// false) reads to find the rows it wrote (actors, type, date and position of
// each event; key of each mention; id, quantity, parties, subject key, unit
// and agreement of each figure), without the quotes, summaries and texts
// that make up most of its size. Each analysis is written once per article;
// keeping it whole doubled the bytes the applier wrote.
ArticleAnalyzed RemovalRecord(const ArticleAnalyzed& analysis) {
  ArticleAnalyzed record = analysis;
  for (Event& e : *record.mutable_events()) {
    e.clear_citations();
    e.clear_summary();
    e.clear_people();
    e.clear_cue();
  }
  for (AgreementMention& m : *record.mutable_agreement_mentions()) m.clear_citation();
  for (Figure& f : *record.mutable_figures()) {
    f.clear_citation();
    f.clear_original_text();
    f.clear_subject();
  }
  return record;
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
    case View::kEventGroups:
      return "event_groups";
    case View::kListIndex:
      return "list_index";
    case View::kCount:
      break;
  }
  return "?";
}

std::string EventGroupKey(absl::string_view dyad, relations::v1::EventType type,
                          absl::string_view year) {
  if (absl::StartsWith(year, kUndatedKey)) {
    // One article's undated events: outside the pair's key range, so the
    // relations model's scan of a pair (dated skeletons only) never reads them.
    absl::string_view article_id = year.substr(kUndatedKey.size());
    absl::ConsumePrefix(&article_id, "|");
    return absl::StrCat(kUndatedKey, "|", ReportPrefix(dyad, type), article_id);
  }
  return absl::StrCat(ReportPrefix(dyad, type), year);
}

Event EventSkeleton(const Event& event) {
  Event skeleton;
  skeleton.set_event_id(event.event_id());
  skeleton.set_type(event.type());
  if (event.has_occurred_at()) *skeleton.mutable_occurred_at() = event.occurred_at();
  skeleton.set_date_precision(event.date_precision());
  skeleton.set_weight(event.weight());
  skeleton.set_retrospective(event.retrospective());
  return skeleton;
}

std::string StatusKey(relations::v1::AgreementStatus status) {
  return PaddedNumber(static_cast<int>(status), 2);
}

std::vector<std::string> AgreementListIndexKeys(const relations::v1::Agreement& agreement) {
  const std::string status = StatusKey(agreement.status());
  const std::string& id = agreement.agreement_id();
  std::vector<std::string> keys;
  keys.push_back(Join({"A", status, id}));
  for (const auto& party : agreement.parties()) {
    keys.push_back(Join({"a", party, id}));
    keys.push_back(Join({"b", party, status, id}));
  }
  return keys;
}

std::vector<std::string> DisputeListIndexKeys(const relations::v1::DisputedFigure& dispute,
                                              absl::string_view dispute_key) {
  std::vector<std::string> keys;
  for (const auto& party : dispute.parties()) keys.push_back(Join({"d", party, dispute_key}));
  return keys;
}

std::string DyadEventKey(absl::string_view dyad, const Event& event) {
  return absl::StrCat(dyad, "|", TimeKey(event.occurred_at(), event.has_occurred_at()), "|",
                      event.event_id());
}

std::string ViewStore::FigureKey(absl::string_view article_id, absl::string_view figure_id) {
  return absl::StrCat(article_id, "/", figure_id);
}

// The writes of one applied group of log events, in two phases:
//  1. Add(): the raw inputs (articles, facts, reports, mentions, figures and
//     their index) go to `inputs_`, written by CommitInputs();
//  2. Recompute() then reads the database directly (no merged batch view)
//     and puts every derived record whose inputs changed into `derived_`,
//     written with the new cursor by Commit().
// A crash between the two writes leaves inputs ahead of the cursor; the
// replay from the cursor is idempotent (an article's facts replace its
// previous facts, and every touched record is recomputed from all its
// inputs), so the views still end as a function of the set of articles.
class ViewStore::Batch {
 public:
  explicit Batch(ViewStore* store) : store_(store) {}

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

  absl::Status CommitInputs() {
    if (inputs_.Count() == 0) return absl::OkStatus();
    rocksdb::WriteOptions wo;
    wo.disableWAL = true;  // see Commit()
    auto s = FromRocks(store_->db_->Write(wo, &inputs_), "write view inputs");
    current_ = &derived_;
    return s;
  }

  absl::Status Recompute() {
    current_ = &derived_;
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
    current_ = &derived_;
    Put(View::kCursor, kCursorKey, EncodeFixed64(sequence));
    Log(LogLevel::kDebug, "views applied",
        {{"sequence", absl::StrCat(sequence)},
         {"input_writes", absl::StrCat(inputs_.Count())},
         {"input_bytes", absl::StrCat(inputs_.GetDataSize())},
         {"derived_writes", absl::StrCat(derived_.Count())},
         {"derived_bytes", absl::StrCat(derived_.GetDataSize())},
         {"event_groups", absl::StrCat(event_groups_.size())},
         {"agreements", absl::StrCat(agreement_keys_.size())},
         {"disputes", absl::StrCat(dispute_groups_.size())}});
    rocksdb::WriteOptions wo;
    // No WAL: the views are a cache of the ingest service's log. With
    // atomic_flush every column family reaches disk at the same point, so
    // after a crash the views and the cursor are those of the last flush
    // and the follower re-applies the events after it (idempotently, see
    // the class comment). A clean close flushes (~ViewStore).
    wo.disableWAL = true;
    return FromRocks(store_->db_->Write(wo, &derived_), "write views");
  }

 private:
  void Put(View v, absl::string_view key, absl::string_view value) {
    current_->Put(store_->cf(v), rocksdb::Slice(key.data(), key.size()),
                  rocksdb::Slice(value.data(), value.size()));
  }
  void Delete(View v, absl::string_view key) {
    current_->Delete(store_->cf(v), rocksdb::Slice(key.data(), key.size()));
  }

  // Phase 1 reads and writes an article's summary and facts several times
  // within one group (recorded, then analysed, perhaps re-analysed): those
  // two views are read through `pending_` first.
  void PutPending(View v, const std::string& key, std::string value) {
    Put(v, key, value);
    pending_[{v, key}] = std::move(value);
  }

  absl::StatusOr<std::optional<std::string>> GetMerged(View v, absl::string_view key) {
    if (!pending_.empty()) {
      auto it = pending_.find({v, std::string(key)});
      if (it != pending_.end()) return std::optional<std::string>(it->second);
    }
    std::string value;
    rocksdb::Status s = store_->db_->Get(rocksdb::ReadOptions(), store_->cf(v),
                                         rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, "read");
    return std::optional<std::string>(std::move(value));
  }

  // Visits the stored keys starting with `prefix` (phase 2: the inputs are
  // already written).
  absl::Status ScanMerged(View v, absl::string_view prefix,
                          const std::function<void(absl::string_view, absl::string_view)>& visit) {
    std::string upper = PrefixUpperBound(prefix);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(store_->db_->NewIterator(ro, store_->cf(v)));
    for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
      visit(absl::string_view(it->key().data(), it->key().size()),
            absl::string_view(it->value().data(), it->value().size()));
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
    PutPending(View::kArticles, a.id(), summary.SerializeAsString());
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
    PutPending(View::kArticleFacts, article_id, RemovalRecord(analysis).SerializeAsString());

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
    PutPending(View::kArticles, article_id, summary.SerializeAsString());
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
      // Undated reports never cluster (each is its own event), so they are
      // recomputed per article: "~|article_id" (see EventGroupKey). One
      // group of all of a pair's undated reports grew with the store, and
      // every new undated report re-read it whole.
      const std::string partition =
          year == kUndatedKey ? absl::StrCat(year, "|", article_id) : year;
      for (const std::string& dyad : DyadsOf(report)) {
        std::string key = absl::StrCat(ReportPrefix(dyad, report.type()), year, "|", article_id,
                                       "|", PaddedNumber(i, 6));
        if (add) {
          Put(View::kEventReports, key, report.SerializeAsString());
        } else {
          Delete(View::kEventReports, key);
        }
        event_groups_.insert({dyad, report.type(), partition});
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
    // The group's previous events, by their skeletons (no event is read)...
    const std::string group_key = EventGroupKey(dyad, type, year);
    std::set<std::string> stale;
    auto old_group = GetMerged(View::kEventGroups, group_key);
    if (!old_group.ok()) return old_group.status();
    if (old_group->has_value()) {
      relations::v1::ListEventsResponse skeletons;
      if (!skeletons.ParseFromString(**old_group)) {
        return absl::DataLossError(absl::StrCat("corrupt event group ", group_key));
      }
      for (const Event& e : skeletons.events()) stale.insert(DyadEventKey(dyad, e));
    }
    // ...are replaced by the clusters of every report of the group.
    std::vector<Event> reports;
    auto s = ScanMerged(View::kEventReports, absl::StrCat(ReportPrefix(dyad, type), year, "|"),
                        [&](absl::string_view, absl::string_view value) {
                          reports.emplace_back();
                          reports.back().ParseFromArray(value.data(),
                                                        static_cast<int>(value.size()));
                        });
    if (!s.ok()) return s;
    relations::v1::ListEventsResponse group;
    std::vector<Event> clusters = ClusterReports(dyad, std::move(reports));
    // Most clusters of a busy group do not change when one report joins
    // it: read their stored values in one MultiGet and rewrite only those
    // that differ (rewriting all made the applier's writes grow with the
    // size of the group, i.e. with the store).
    std::vector<std::string> keys;
    std::vector<std::string> values;
    keys.reserve(clusters.size());
    values.reserve(clusters.size());
    for (const Event& e : clusters) {
      keys.push_back(DyadEventKey(dyad, e));
      values.push_back(e.SerializeAsString());
    }
    std::vector<rocksdb::Slice> key_slices(keys.begin(), keys.end());
    std::vector<std::string> stored(keys.size());
    std::vector<rocksdb::Status> found = store_->db_->MultiGet(
        rocksdb::ReadOptions(),
        std::vector<rocksdb::ColumnFamilyHandle*>(keys.size(), store_->cf(View::kDyadEvents)),
        key_slices, &stored);
    for (size_t i = 0; i < clusters.size(); ++i) {
      stale.erase(keys[i]);
      if (!found[i].ok() && !found[i].IsNotFound()) return FromRocks(found[i], "read events");
      if (!found[i].ok() || stored[i] != values[i]) Put(View::kDyadEvents, keys[i], values[i]);
      *group.add_events() = EventSkeleton(clusters[i]);
    }
    for (const auto& k : stale) Delete(View::kDyadEvents, k);
    if (group.events_size() == 0) {
      if (old_group->has_value()) Delete(View::kEventGroups, group_key);
    } else {
      std::string value = group.SerializeAsString();
      if (!old_group->has_value() || **old_group != value) Put(View::kEventGroups, group_key, value);
    }
    return absl::OkStatus();
  }

  absl::Status RecomputeAgreement(const std::string& ckey) {
    std::string id = AgreementIdForKey(ckey);
    std::vector<AgreementMention> mentions;
    auto s =
        ScanMerged(View::kAgreementMentions, absl::StrCat(ckey, std::string(1, kSep)),
                   [&](absl::string_view, absl::string_view value) {
                     mentions.emplace_back();
                     mentions.back().ParseFromArray(value.data(), static_cast<int>(value.size()));
                   });
    if (!s.ok()) return s;
    // The stored record and its list_index keys: whatever the new record
    // is, only the difference of the keys is written.
    auto old = GetMerged(View::kAgreements, id);
    if (!old.ok()) return old.status();
    std::vector<std::string> old_index;
    if (old->has_value()) {
      relations::v1::Agreement previous;
      if (previous.ParseFromString(**old)) old_index = AgreementListIndexKeys(previous);
    }
    if (mentions.empty()) {
      ReplaceIndexKeys(std::move(old_index), {});
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
    if (auto st = ReadFigures(std::vector<std::string>(figure_keys.begin(), figure_keys.end()), &figures);
        !st.ok()) {
      return st;
    }
    // Stored in list form (bounded); GetAgreement rebuilds the whole record.
    relations::v1::Agreement agreement = BuildAgreement(ckey, std::move(mentions), std::move(figures));
    TrimAgreementForList(&agreement);
    std::string value = agreement.SerializeAsString();
    if (old->has_value() && **old == value) return absl::OkStatus();  // unchanged
    ReplaceIndexKeys(std::move(old_index), AgreementListIndexKeys(agreement));
    Put(View::kAgreements, id, value);
    return absl::OkStatus();
  }

  // Writes only the difference between a record's old and new list_index
  // keys. A widely reported agreement or figure has a key per party (pairs
  // of countries reuse project names), and its status and parties rarely
  // change when one more mention arrives: deleting and re-putting them all
  // made most of the applier's writes.
  void ReplaceIndexKeys(std::vector<std::string> old_keys, std::vector<std::string> new_keys) {
    std::sort(old_keys.begin(), old_keys.end());
    std::sort(new_keys.begin(), new_keys.end());
    size_t i = 0, j = 0;
    while (i < old_keys.size() || j < new_keys.size()) {
      if (j == new_keys.size() || (i < old_keys.size() && old_keys[i] < new_keys[j])) {
        Delete(View::kListIndex, old_keys[i++]);
      } else if (i == old_keys.size() || new_keys[j] < old_keys[i]) {
        Put(View::kListIndex, new_keys[j++], "");
      } else {
        ++i;
        ++j;
      }
    }
  }

  // Appends the stored figures of `keys` (absent ones skipped) in key order.
  // Phase 2 only: figures are never pending, so one MultiGet of the
  // database reads them all (a widely reported agreement or quantity has
  // hundreds; one Get each was most of the applier's reads).
  absl::Status ReadFigures(const std::vector<std::string>& keys, std::vector<Figure>* figures) {
    if (keys.empty()) return absl::OkStatus();
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    store_->db_->MultiGet(rocksdb::ReadOptions(), store_->cf(View::kFigures), keys.size(),
                          slices.data(), values.data(), statuses.data(), /*sorted_input=*/false);
    figures->reserve(figures->size() + keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].IsNotFound()) continue;
      if (!statuses[i].ok()) return FromRocks(statuses[i], "read figures");
      figures->emplace_back();
      figures->back().ParseFromArray(values[i].data(), static_cast<int>(values[i].size()));
    }
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
    if (auto st = ReadFigures(keys, &figures); !st.ok()) return st;
    std::string dispute_key = Join({subject_key, quantity, unit});
    auto dispute = BuildDispute(std::move(figures));
    auto old = GetMerged(View::kDisputes, dispute_key);
    if (!old.ok()) return old.status();
    const std::string value = dispute.has_value() ? dispute->SerializeAsString() : std::string();
    if (dispute.has_value() && old->has_value() && **old == value) {
      return absl::OkStatus();  // unchanged: its index entries stay as they are
    }
    std::vector<std::string> old_index;
    if (old->has_value()) {
      // The previous record's index entries (it is rewritten or deleted).
      relations::v1::DisputedFigure previous;
      if (previous.ParseFromString(**old)) old_index = DisputeListIndexKeys(previous, dispute_key);
    }
    ReplaceIndexKeys(std::move(old_index), dispute.has_value()
                                               ? DisputeListIndexKeys(*dispute, dispute_key)
                                               : std::vector<std::string>());
    if (dispute.has_value()) {
      Put(View::kDisputes, dispute_key, value);
    } else if (old->has_value()) {
      Delete(View::kDisputes, dispute_key);
    }
    return absl::OkStatus();
  }

  ViewStore* store_;
  rocksdb::WriteBatch inputs_;
  rocksdb::WriteBatch derived_;
  rocksdb::WriteBatch* current_ = &inputs_;
  std::map<std::pair<View, std::string>, std::string> pending_;
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
  // Memory is bounded by one budget: every column family's memtables share
  // one WriteBufferManager (flushes start when their sum reaches it), and
  // that memory is charged to the same LRU cache as the data blocks, so
  // block cache + memtables stay within block_cache_mb + write_buffer_mb
  // whatever the number of column families.
  const size_t write_budget = static_cast<size_t>(std::max(4, options.write_buffer_mb)) << 20;
  const size_t cache_bytes =
      (static_cast<size_t>(std::max(1, options.block_cache_mb)) << 20) + write_budget;
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(cache_bytes);
  db_options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(write_budget, cache);
  db_options.max_open_files = 512;
  db_options.keep_log_file_num = 4;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Index and filter blocks stay with their table readers, outside the
  // cache: in the cache they compete with the memtable reservations and
  // were evicted and re-read (and decompressed) on almost every lookup
  // once the store outgrew the cache. They are small (~1-2 % of the data).
  table.cache_index_and_filter_blocks = false;
  // Point lookups (articles, agreements, figures, facts) dominate the apply
  // path: a bloom filter skips files that cannot hold the key.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Small memtables per family (the shared budget above caps the sum).
  cf_options.write_buffer_size = std::min<size_t>(write_budget / 4, 16u << 20);
  cf_options.max_write_buffer_number = 3;
  cf_options.level_compaction_dynamic_level_bytes = true;
  // The applier writes ~50 KB per article: RocksDB's default Snappy on
  // every flush was a visible share of its CPU. LZ4 where this build has
  // it; the views are rebuilt from the log, so the smaller files of
  // stronger codecs are not worth their CPU.
  cf_options.compression = rocksdb::kSnappyCompression;
  for (rocksdb::CompressionType supported : rocksdb::GetSupportedCompressions()) {
    if (supported == rocksdb::kLZ4Compression) cf_options.compression = supported;
  }
  // Most applier reads are point lookups that miss (a new article, a new
  // group): a memtable bloom filter answers them without a skiplist walk.
  cf_options.memtable_prefix_bloom_size_ratio = 0.02;
  cf_options.memtable_whole_key_filtering = true;
  // The views are written without a WAL (they are a cache of the log; see
  // Batch::Commit); flushing every family together keeps what survives a
  // crash consistent with its cursor.
  db_options.atomic_flush = true;

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

  // A store written by another layout version is rebuilt from the log.
  bool rebuild = options.rebuild;
  {
    std::string cursor, version;
    rocksdb::Status cs = store->db_->Get(rocksdb::ReadOptions(), store->cf(View::kCursor),
                                         std::string(kCursorKey), &cursor);
    rocksdb::Status vs = store->db_->Get(rocksdb::ReadOptions(), store->cf(View::kCursor),
                                         std::string(kSchemaKey), &version);
    if (!cs.ok() && !cs.IsNotFound()) return FromRocks(cs, "read cursor");
    if (!vs.ok() && !vs.IsNotFound()) return FromRocks(vs, "read schema version");
    std::string expected = absl::StrCat(kViewSchemaVersion);
    if (!rebuild && cs.ok() && (!vs.ok() || version != expected)) {
      LogWarning("views were written with another layout version; rebuilding from the log",
                 {{"path", options.path},
                  {"stored_version", vs.ok() ? version : "1"},
                  {"version", expected}});
      rebuild = true;
    }
  }
  if (rebuild) {
    for (size_t i = 0; i < names.size(); ++i) {
      s = store->db_->DropColumnFamily(store->handles_[i]);
      if (s.ok()) s = store->db_->DestroyColumnFamilyHandle(store->handles_[i]);
      store->handles_[i] = nullptr;
      if (s.ok()) s = store->db_->CreateColumnFamily(cf_options, names[i], &store->handles_[i]);
      if (!s.ok()) return FromRocks(s, "rebuild: recreate column family");
    }
    LogInfo("views dropped for rebuild", {{"path", options.path}});
  }
  s = store->db_->Put(rocksdb::WriteOptions(), store->cf(View::kCursor), std::string(kSchemaKey),
                      absl::StrCat(kViewSchemaVersion));
  if (!s.ok()) return FromRocks(s, "write schema version");

  std::string cursor;
  s = store->db_->Get(rocksdb::ReadOptions(), store->cf(View::kCursor), std::string(kCursorKey),
                      &cursor);
  uint64_t applied = 0;
  if (s.ok()) {
    if (!DecodeFixed64(cursor, &applied)) return absl::DataLossError("corrupt cursor");
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "read cursor");
  }
  store->applied_sequence_.store(applied);
  return store;
}

ViewStore::~ViewStore() {
  if (!db_) return;
  // Writes skip the WAL: flush so a clean restart need not re-apply them.
  rocksdb::FlushOptions flush;
  flush.wait = true;
  std::vector<rocksdb::ColumnFamilyHandle*> all;
  for (auto* h : handles_) {
    if (h != nullptr) all.push_back(h);
  }
  rocksdb::Status fs = db_->Flush(flush, all);
  if (!fs.ok()) LogWarning("cannot flush the views on close", {{"error", fs.ToString()}});
  for (auto* h : handles_) {
    if (h != nullptr) db_->DestroyColumnFamilyHandle(h);
  }
  for (auto* h : other_handles_) db_->DestroyColumnFamilyHandle(h);
  db_->Close();
}

uint64_t ViewStore::applied_sequence() const { return applied_sequence_.load(); }

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
  if (auto s = batch.CommitInputs(); !s.ok()) return s;
  if (auto s = batch.Recompute(); !s.ok()) return s;
  if (auto s = batch.Commit(next - 1); !s.ok()) return s;
  absl::MutexLock lock(&seq_mu_);  // wakes WaitForSequence
  applied_sequence_.store(next - 1);
  return absl::OkStatus();
}

bool ViewStore::WaitForSequence(uint64_t sequence, absl::Time deadline) const {
  if (applied_sequence_.load() >= sequence) return true;
  absl::MutexLock lock(&seq_mu_);
  auto reached = [this, sequence]() { return applied_sequence_.load() >= sequence; };
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
