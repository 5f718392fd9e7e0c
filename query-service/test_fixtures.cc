#include "query-service/test_fixtures.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>

#include "gtest/gtest.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "query-service/keys.h"

namespace relmon::query::testing {
namespace {

// Removes every ScratchDir at the end of the program's tests.
class ScratchCleaner : public ::testing::Environment {
 public:
  static ScratchCleaner* Get() {
    static ScratchCleaner* cleaner = [] {
      auto* c = new ScratchCleaner();
      ::testing::AddGlobalTestEnvironment(c);  // gtest owns it
      return c;
    }();
    return cleaner;
  }
  void Add(const std::string& dir) {
    std::lock_guard<std::mutex> lock(mu_);
    dirs_.push_back(dir);
  }
  void TearDown() override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& d : dirs_) std::filesystem::remove_all(d);
    dirs_.clear();
  }

 private:
  std::mutex mu_;
  std::vector<std::string> dirs_;
};

}  // namespace

std::string ScratchDir(const std::string& name) {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::path(::testing::TempDir()) /
             ("relmon_query_" + name + "_" + std::to_string(getpid()) + "_" +
              std::to_string(counter++));
  std::filesystem::remove_all(dir);
  ScratchCleaner::Get()->Add(dir.string());
  return dir.string();
}

absl::Time Date(const std::string& text) {
  std::vector<std::string> parts = absl::StrSplit(text, '-');
  int y = 1970, m = 1, d = 1;
  if (parts.size() > 0) (void)absl::SimpleAtoi(parts[0], &y);
  if (parts.size() > 1) (void)absl::SimpleAtoi(parts[1], &m);
  if (parts.size() > 2) (void)absl::SimpleAtoi(parts[2], &d);
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
}

google::protobuf::Timestamp Ts(const std::string& text) { return ToProtoTime(Date(text)); }

relations::v1::DatePrecision PrecisionOf(const std::string& text) {
  size_t dashes = std::count(text.begin(), text.end(), '-');
  if (dashes == 0) return relations::v1::DATE_PRECISION_YEAR;
  if (dashes == 1) return relations::v1::DATE_PRECISION_MONTH;
  return relations::v1::DATE_PRECISION_DAY;
}

relations::v1::Citation Cite(const std::string& article_id, const std::string& published,
                             const std::string& quote, int offset, const std::string& source) {
  relations::v1::Citation c;
  c.set_article_id(article_id);
  c.set_source(source);
  if (!published.empty()) *c.mutable_published_at() = Ts(published);
  c.set_quote(quote);
  c.set_begin_offset(offset);
  c.set_end_offset(offset + static_cast<int>(quote.size()));
  return c;
}

relations::v1::Event Report(relations::v1::EventType type, const std::string& a,
                            const std::string& b, const std::string& date, double weight,
                            const relations::v1::Citation& citation, bool retrospective) {
  relations::v1::Event e;
  e.set_event_id("x_" + citation.article_id() + "_" + std::to_string(citation.begin_offset()));
  e.set_type(type);
  std::set<std::string> actors = {a, b};
  for (const auto& x : actors) e.add_actors(x);
  if (!date.empty()) {
    *e.mutable_occurred_at() = Ts(date);
    e.set_date_precision(PrecisionOf(date));
  }
  e.set_weight(weight);
  e.set_summary(citation.quote().substr(0, 60));
  *e.add_citations() = citation;
  e.set_retrospective(retrospective);
  e.set_report_count(1);
  return e;
}

relations::v1::AgreementMention Mention(const std::string& name, const std::string& key,
                                        std::vector<std::string> parties,
                                        relations::v1::AgreementKind kind,
                                        relations::v1::AgreementStatus status,
                                        const std::string& date,
                                        const relations::v1::Citation& citation) {
  relations::v1::AgreementMention m;
  m.set_name(name);
  m.set_canonical_key(key);
  std::sort(parties.begin(), parties.end());
  for (const auto& p : parties) m.add_parties(p);
  m.set_kind(kind);
  m.set_status(status);
  if (!date.empty()) {
    *m.mutable_occurred_at() = Ts(date);
    m.set_date_precision(PrecisionOf(date));
  }
  *m.mutable_citation() = citation;
  return m;
}

relations::v1::Figure MakeFigure(const std::string& id, const std::string& quantity,
                                 const std::string& subject, const std::string& subject_key,
                                 std::vector<std::string> parties, double value,
                                 const std::string& unit, const relations::v1::Citation& citation) {
  relations::v1::Figure f;
  f.set_figure_id(id);
  f.set_quantity(quantity);
  f.set_subject(subject);
  f.set_subject_key(subject_key);
  std::sort(parties.begin(), parties.end());
  for (const auto& p : parties) f.add_parties(p);
  f.set_value(value);
  f.set_upper_value(value);
  f.set_unit(unit);
  f.set_original_text(citation.quote());
  *f.mutable_citation() = citation;
  return f;
}

ArticleFacts NewArticle(const std::string& id, const std::string& source,
                        const std::string& published) {
  ArticleFacts a;
  a.id = id;
  a.source = source;
  a.published = published;
  return a;
}

std::vector<relations::v1::LogEvent> LogOf(const std::vector<ArticleFacts>& articles) {
  std::vector<relations::v1::LogEvent> log;
  uint64_t seq = 0;
  for (const auto& a : articles) {
    relations::v1::LogEvent rec;
    rec.set_sequence(++seq);
    auto* r = rec.mutable_article_recorded();
    r->mutable_article()->set_id(a.id);
    r->mutable_article()->set_source(a.source);
    r->mutable_article()->set_title("Title of " + a.id);
    r->mutable_article()->set_text("text");
    if (!a.published.empty()) *r->mutable_article()->mutable_published_at() = Ts(a.published);
    r->set_date_source(a.published.empty() ? relations::v1::DATE_SOURCE_UNKNOWN
                                           : relations::v1::DATE_SOURCE_TEXT);
    log.push_back(rec);
    relations::v1::LogEvent an;
    an.set_sequence(++seq);
    auto* x = an.mutable_article_analyzed();
    x->set_article_id(a.id);
    x->set_extractor_version("test-1");
    x->set_language("en");
    x->set_analyzed(true);
    std::set<std::string> countries;
    for (const auto& e : a.events) {
      *x->add_events() = e;
      countries.insert(e.actors().begin(), e.actors().end());
    }
    for (const auto& m : a.mentions) *x->add_agreement_mentions() = m;
    for (const auto& f : a.figures) *x->add_figures() = f;
    for (const auto& c : countries) x->add_countries(c);
    log.push_back(an);
  }
  return log;
}

}  // namespace relmon::query::testing
