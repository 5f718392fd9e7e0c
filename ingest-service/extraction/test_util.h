// Test helpers: loads every table once and builds sentence contexts the way
// the extractor does, so stage tests run on real data files.
#ifndef RELMON_INGEST_EXTRACTION_TEST_UTIL_H_
#define RELMON_INGEST_EXTRACTION_TEST_UTIL_H_

#include <memory>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "absl/time/civil_time.h"
#include "common/country_gazetteer.h"
#include "ingest-service/extraction/actors.h"
#include "ingest-service/extraction/agreements.h"
#include "ingest-service/extraction/context.h"
#include "ingest-service/extraction/events.h"
#include "ingest-service/extraction/text/text_tables.h"

namespace relmon::extraction::testing {

struct Stages {
  std::unique_ptr<CountryGazetteer> gazetteer;
  std::shared_ptr<const TextTables> text;
  std::unique_ptr<ActorFinder> actors;
  std::unique_ptr<ModalityTables> modality;
  std::unique_ptr<EventFinder> events;
  std::unique_ptr<AgreementFinder> agreements;
};

inline const Stages& GetStages() {
  static const Stages* stages = [] {
    auto* s = new Stages();
    auto g = CountryGazetteer::Load(RELMON_TEST_ISO_CODES_DIR, RELMON_TEST_DATA_DIR);
    if (!g.ok()) ADD_FAILURE() << g.status();
    s->gazetteer = std::move(*g);
    auto t = TextTables::Load(RELMON_TEST_DATA_DIR, RELMON_TEST_ISO_CODES_DIR);
    if (!t.ok()) ADD_FAILURE() << t.status();
    s->text = *t;
    auto a = ActorFinder::Create(*s->gazetteer, RELMON_TEST_DATA_DIR);
    if (!a.ok()) ADD_FAILURE() << a.status();
    s->actors = std::move(*a);
    auto m = ModalityTables::Create(RELMON_TEST_DATA_DIR);
    if (!m.ok()) ADD_FAILURE() << m.status();
    s->modality = std::move(*m);
    auto e = EventFinder::Create(RELMON_TEST_DATA_DIR);
    if (!e.ok()) ADD_FAILURE() << e.status();
    s->events = std::move(*e);
    auto ag = AgreementFinder::Create(RELMON_TEST_DATA_DIR, *s->gazetteer);
    if (!ag.ok()) ADD_FAILURE() << ag.status();
    s->agreements = std::move(*ag);
    return s;
  }();
  return *stages;
}

// A sentence analysed as the extractor does (body sentence `index`).
inline SentenceContext MakeSentence(absl::string_view text, std::optional<absl::CivilDay> day,
                                    int index = 5) {
  const Stages& st = GetStages();
  SentenceContext s;
  s.text = text;
  s.body_index = index;
  TokenizeInto(text, &s.tokens);
  st.actors->Find(s.tokens, day, &s.actors);
  for (TimeExpression& t : FindTimeExpressions(st.text->dates, text, day)) {
    TimeRef ref;
    ref.first = ref.last = -1;
    for (size_t k = 0; k < s.tokens.size(); ++k) {
      if (s.tokens[k].begin >= t.span.begin && s.tokens[k].end <= t.span.end) {
        if (ref.first < 0) ref.first = static_cast<int>(k);
        ref.last = static_cast<int>(k);
      }
    }
    if (ref.first < 0) continue;
    ref.expr = t;
    s.times.push_back(ref);
  }
  st.modality->Annotate(&s);
  s.bilateral_reference = st.actors->HasBilateralReference(s.tokens);
  return s;
}

}  // namespace relmon::extraction::testing

#endif  // RELMON_INGEST_EXTRACTION_TEST_UTIL_H_
