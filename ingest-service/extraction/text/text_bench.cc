// Micro-benchmarks of the text stages on a corpus-like article (the speed
// targets of the whole service live in bench/).
#include <string>

#include "benchmark/benchmark.h"
#include "ingest-service/extraction/text/article_header.h"
#include "ingest-service/extraction/text/figures.h"
#include "ingest-service/extraction/text/html.h"
#include "ingest-service/extraction/text/language.h"
#include "ingest-service/extraction/text/sentences.h"
#include "ingest-service/extraction/text/temporal.h"
#include "ingest-service/extraction/text/text_tables.h"

namespace relmon::extraction {
namespace {

const TextTables& Tables() {
  static const auto tables =
      *TextTables::Load(RELMON_TEXT_TEST_DATA_DIR, RELMON_TEXT_TEST_ISO_CODES_DIR);
  return *tables;
}

const std::string& Article() {
  static const std::string text = [] {
    std::string t =
        "Last update: May 25, 2024 21:17\n\nNewsroom logo\n\n"
        "Foreign Ministers of Azerbaijan & Iran Discuss Bilateral Relations, South Caucasus\n\n"
        "By Nigar Bayramli December 29, 2023\n\n";
    for (int i = 0; i < 4; ++i) {
      t += "Azerbaijan's Foreign Minister Jeyhun Bayramov and his Iranian counterpart discussed "
           "the latest developments in a phone conversation on December 26. Diplomatic "
           "activities at the embassy in Tehran were suspended after an armed attack this "
           "January, killing an Azerbaijani security officer and injuring two others. The 162-km "
           "railway will be constructed with a contract amount of \xE2\x82\xAC"
           "1.6 billion. In "
           "2023, rail transit recorded a 47 percent growth with the transit of more than "
           "700,000 tons of freight. Iran shares a 132-kilometer (82-miles) border with "
           "Azerbaijan.\n\n";
    }
    return t;
  }();
  return text;
}

void BM_NormalizePlainText(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(NormalizePlainText(Article()));
  state.SetBytesProcessed(state.iterations() * Article().size());
}
BENCHMARK(BM_NormalizePlainText);

void BM_HtmlToText(benchmark::State& state) {
  std::string html = "<html><body><p>" + Article() + "</p><script>x()</script></body></html>";
  for (auto _ : state) benchmark::DoNotOptimize(HtmlToText(html));
  state.SetBytesProcessed(state.iterations() * html.size());
}
BENCHMARK(BM_HtmlToText);

void BM_DetectLanguage(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(DetectLanguage(Tables().language, Article()));
  state.SetBytesProcessed(state.iterations() * Article().size());
}
BENCHMARK(BM_DetectLanguage);

void BM_SplitSentences(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(SplitSentences(Tables().sentences, Article()));
  state.SetBytesProcessed(state.iterations() * Article().size());
}
BENCHMARK(BM_SplitSentences);

void BM_ParseArticleHeader(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ParseArticleHeader(Tables().dates, Article()));
}
BENCHMARK(BM_ParseArticleHeader);

// Time expressions and figures of every sentence: what the extractor does.
void BM_TimesAndFiguresPerArticle(benchmark::State& state) {
  const std::string& text = Article();
  auto spans = SplitSentences(Tables().sentences, text);
  for (auto _ : state) {
    size_t found = 0;
    for (const TextSpan& span : spans) {
      auto times = FindTimeExpressions(Tables().dates, span.In(text), absl::CivilDay(2023, 12, 29));
      found += times.size();
      found += FindFigures(*Tables().figures, span.In(text), times).size();
    }
    benchmark::DoNotOptimize(found);
  }
  state.SetBytesProcessed(state.iterations() * text.size());
}
BENCHMARK(BM_TimesAndFiguresPerArticle);

}  // namespace
}  // namespace relmon::extraction

BENCHMARK_MAIN();
