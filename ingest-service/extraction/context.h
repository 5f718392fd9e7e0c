// What the extraction stages know about one sentence and its article:
// tokens, actors, time expressions, hedges and the article's main dyad; and
// how a fact found at a cue is dated (shared by events and agreements).
#ifndef RELMON_INGEST_EXTRACTION_CONTEXT_H_
#define RELMON_INGEST_EXTRACTION_CONTEXT_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "ingest-service/extraction/actors.h"
#include "ingest-service/extraction/text/temporal.h"
#include "ingest-service/extraction/tokens.h"

namespace relmon::extraction {

// A time expression placed on the sentence's tokens.
struct TimeRef {
  TimeExpression expr;
  int first = 0;  // token range, inclusive
  int last = 0;
  // Directly after a reporting verb ("said on Monday"): dates the report.
  bool after_reporting = false;
};

// How a statement is qualified (data/hedges.tsv).
enum class HedgeKind { kNone, kNegation, kHedge, kFuture, kConditional };

struct HedgeRef {
  HedgeKind kind = HedgeKind::kNone;
  int first = 0;
  int last = 0;
};

// A retrospective marker ("in recent months", "for years").
struct RetroRef {
  int first = 0;
  int last = 0;
  int months_back = -1;  // -1: names no usable period
};

struct SentenceContext {
  absl::string_view text;
  size_t offset = 0;      // byte offset of the sentence in the article text
  int body_index = 0;     // 0-based index among body sentences (title: -1)
  bool is_title = false;
  std::vector<Token> tokens;
  std::vector<ActorMention> actors;
  std::vector<TimeRef> times;
  std::vector<HedgeRef> hedges;
  std::vector<RetroRef> retro;
  bool present_tense = false;  // "has/have ... -ed", "says", "is ... -ing"
  bool bilateral_reference = false;  // "the two countries", "both sides"
};

struct ArticleContext {
  std::string article_id;
  std::optional<absl::CivilDay> day;  // publication day, when known
  // The article's two dominant countries (sorted), empty when fewer than two.
  std::vector<std::string> main_dyad;
};

// A date for a fact, with precision (values of relations.v1.DatePrecision)
// and whether the sentence reports background.
struct FactDate {
  std::optional<absl::CivilDay> day;
  DatePrecision precision = DatePrecision::kUnspecified;
  bool retrospective = false;
};

// Cue lists that qualify or place statements in time (data/hedges.tsv).
class ModalityTables {
 public:
  static absl::StatusOr<std::unique_ptr<ModalityTables>> Create(const std::string& resources_dir);
  // Fills hedges, retro and present_tense of `sentence` from its tokens.
  void Annotate(SentenceContext* sentence) const;

 private:
  ModalityTables() = default;
  PatternSet patterns_;
  std::vector<HedgeKind> kinds_;
  std::vector<int> months_back_;   // for retro patterns; -2 = not retro
  PatternSet present_;
};

// The hedge governing a cue at tokens [first, last]: the nearest hedge that
// ends before the cue within 7 tokens without a clause break (',' ';' ':'
// count as breaks only for negation), or overlaps it.
HedgeKind HedgeFor(const SentenceContext& s, int first, int last);

// Dates a fact whose cue is at tokens [first, last]:
//  1. the nearest resolved, non-future time expression of the sentence,
//     preferring one that is not just after a reporting verb ("said on
//     Monday" dates the report; used only when nothing else dates it);
//     a date more than 45 days before publication marks it retrospective;
//  2. else a retrospective marker: dated months_back before publication at
//     MONTH precision ("in recent months" -> 2 months back), or undated;
//  3. else the publication day (DAY) for the title, the first three body
//     sentences and sentences in the present (perfect) tense;
//  4. else undated and retrospective (background told without a date).
FactDate DateFor(const SentenceContext& s, const ArticleContext& a, int first, int last);

}  // namespace relmon::extraction

#endif  // RELMON_INGEST_EXTRACTION_CONTEXT_H_
