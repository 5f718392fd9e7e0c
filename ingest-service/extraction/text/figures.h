// Quantities reported in a sentence ("132-kilometer (82-miles) border",
// "€1.6 billion", "killed 20 Indian soldiers"), normalised to canonical units
// and labelled with what they measure.
#ifndef RELMON_INGEST_EXTRACTION_TEXT_FIGURES_H_
#define RELMON_INGEST_EXTRACTION_TEXT_FIGURES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ingest-service/extraction/text/date_words.h"
#include "ingest-service/extraction/text/temporal.h"
#include "ingest-service/extraction/text/types.h"

namespace relmon::extraction {

// Units, currencies, number words and quantity cues, loaded once from
// data/units.tsv, data/currencies.tsv, data/number_words.tsv,
// data/quantities.tsv, data/date_words.tsv and iso_4217.json.
class FigureTables {
 public:
  // `iso_codes_dir` holds Debian's iso_4217.json (currency codes and names).
  static absl::StatusOr<std::shared_ptr<const FigureTables>> Load(const std::string& resources_dir,
                                                                  const std::string& iso_codes_dir);
  ~FigureTables();

  // The loaded vocabularies (defined in figures.cc).
  struct Data;
  const Data& data() const { return *data_; }

 private:
  FigureTables();
  std::unique_ptr<Data> data_;
};

// One figure found in a sentence.
struct FigureMention {
  // Byte span in the sentence given to FindFigures (the number with its
  // hedge, currency, scale and unit: "more than 700,000 tons",
  // "132-kilometer (82-miles)", "€1.6 billion"; "two Iranian drivers" spans
  // "two"; "killing an Azerbaijani security officer" spans "an Azerbaijani
  // security officer").
  TextSpan span;
  std::string original_text;
  // Canonical value (lower bound for ranges): metres, kg, s, %, count,
  // m3, or currency units. Always finite and non-negative except for
  // percentages written with a minus sign.
  double value = 0;
  // Upper bound of a range ("between 1.5 and 2 billion"); == value otherwise.
  double upper_value = 0;
  // "m", "kg", "s", "%", "count", "m3", "m2", "m3/year", an ISO 4217 code
  // ("EUR", "USD"), or "<unit>/<period>" for rates.
  std::string unit;
  // Hedge as written in lower case: "about", "more than", "up to", "nearly",
  // "at least", "some", "over", ... ("" when none).
  std::string qualifier;
  // What is measured (from data/quantities.tsv): "border_length", "length",
  // "cost", "trade", "killed", "injured", "detained", "displaced", "growth",
  // "freight", "reserves", "duration", ... Empty when no cue was found
  // (only figures with a unit or currency are returned without a quantity;
  // bare counts are returned only when a quantity cue identifies them).
  std::string quantity;
  // The noun phrase measured as written: "border", "railway", "frontier",
  // "Line of Actual Control", "Indian soldiers", "freight".
  std::string head_phrase;
  // The cue word or phrase that set `quantity` ("border", "killed",
  // "contract amount").
  std::string cue;
  // Remarks such as "conversion 82 miles agrees within 0.0%" or
  // "conversion disagrees by 12%".
  std::string note;
  // A negation governs the figure ("no one was killed", "did not kill 20").
  bool negated = false;
};

// Finds the figures of `sentence` in reading order. Never figures: years,
// dates and other time expressions (as FindTimeExpressions finds them),
// year ranges ("1960-1961"), times of day, ordinals ("first round", "2nd"),
// labels after designators ("Article 5", "No. 3"), numbers inside names
// ("G20", "Su-35", "COVID-19"), attributive counts of non-units ("43-point
// document"), scientific notation ("1e309" is rejected), and values whose
// magnitude after scaling exceeds 1e18 or that have more than 15
// significant digits (rejected, never inf/overflow). A count of people
// without a digit ("killing an Azerbaijani security officer") is 1 when a
// killed/injured/detained verb governs a singular person noun.
std::vector<FigureMention> FindFigures(const FigureTables& tables, absl::string_view sentence);

// Same, reusing the time expressions the caller already found in `sentence`
// with FindTimeExpressions (any publication day): saves a second scan.
std::vector<FigureMention> FindFigures(const FigureTables& tables, absl::string_view sentence,
                                       const std::vector<TimeExpression>& times);

// Same, also reusing the sentence's tokens (internal::Tokenize(sentence), as
// FindTimeExpressions hands them out): saves tokenizing it again.
std::vector<FigureMention> FindFigures(const FigureTables& tables, absl::string_view sentence,
                                       const std::vector<TimeExpression>& times,
                                       std::vector<internal::Token> tokens);
// Same, reading the caller's tokens in place (the caller keeps reusing
// their buffer for the next sentence).
std::vector<FigureMention> FindFiguresInTokens(const FigureTables& tables,
                                               absl::string_view sentence,
                                               const std::vector<TimeExpression>& times,
                                               const std::vector<internal::Token>& tokens);

}  // namespace relmon::extraction

#endif  // RELMON_INGEST_EXTRACTION_TEXT_FIGURES_H_
