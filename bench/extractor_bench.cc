// Benchmarks of the extractor: throughput on a realistic article mix, and
// how time grows with input length on ordinary and pathological text (it
// must stay linear: RE2 and hand-written scanners only).
//
// Target (issue 3): >= 2,000 articles of ~3 KB per second per core.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/article_generator.h"
#include "benchmark/benchmark.h"
#include "ingest-service/extraction/extractor.h"

namespace relmon::bench {
namespace {

const extraction::Extractor& SharedExtractor() {
  static const extraction::Extractor* extractor = [] {
    extraction::ExtractorOptions options;
    options.resources_dir = RELMON_DEFAULT_DATA_DIR;
    options.iso_codes_dir = RELMON_DEFAULT_ISO_CODES_DIR;
    auto created = extraction::Extractor::Create(options);
    if (!created.ok()) {
      std::fprintf(stderr, "extractor: %s\n", created.status().ToString().c_str());
      std::abort();
    }
    return created->release();
  }();
  return *extractor;
}

std::vector<relations::v1::Article> RealisticMix(size_t count, size_t min_bytes,
                                                 size_t max_bytes) {
  GeneratorOptions options;
  options.seed = 42;
  options.min_bytes = min_bytes;
  options.max_bytes = max_bytes;
  options.resources_dir = RELMON_DEFAULT_DATA_DIR;
  options.iso_codes_dir = RELMON_DEFAULT_ISO_CODES_DIR;
  options.templates_dir = RELMON_BENCH_DATA_DIR;
  auto generator = ArticleGenerator::Create(options);
  if (!generator.ok()) {
    std::fprintf(stderr, "generator: %s\n", generator.status().ToString().c_str());
    std::abort();
  }
  std::vector<relations::v1::Article> articles;
  articles.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    relations::v1::Article a = (*generator)->Next();
    a.set_id(absl::StrCat("bench-", i));
    a.set_text(SharedExtractor().CleanText(a.text()));
    articles.push_back(std::move(a));
  }
  return articles;
}

void BM_ExtractRealisticMix(benchmark::State& state) {
  static const std::vector<relations::v1::Article> articles = RealisticMix(2000, 2048, 4096);
  const extraction::Extractor& extractor = SharedExtractor();
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const relations::v1::Article& a = articles[i++ % articles.size()];
    auto result = extractor.Extract(a);
    benchmark::DoNotOptimize(result);
    bytes += a.text().size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_ExtractRealisticMix)->UseRealTime();

void BM_CleanHtml(benchmark::State& state) {
  std::string html = "<html><head><style>p{color:red}</style><script>var x=1;</script></head><body>";
  while (html.size() < 3000) {
    absl::StrAppend(&html, "<p>Iran and Azerbaijan signed a memorandum on the Astara bridge on "
                           "March 3, 2024 &amp; agreed to expand trade.</p>");
  }
  absl::StrAppend(&html, "</body></html>");
  const extraction::Extractor& extractor = SharedExtractor();
  for (auto _ : state) benchmark::DoNotOptimize(extractor.CleanText(html));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * html.size()));
}
BENCHMARK(BM_CleanHtml);

// Inputs whose cost must stay linear in their length.
std::string Pathological(int kind, size_t n) {
  std::string s;
  s.reserve(n + 64);
  switch (kind) {
    case 0:  // ordinary prose, repeated
      while (s.size() < n) {
        s += "The foreign ministers of Iran and Azerbaijan discussed the 132-kilometer border "
             "on December 26, 2023, and agreed on a road map. ";
      }
      break;
    case 1:  // one endless sentence without punctuation
      while (s.size() < n) s += "relations between tehran and baku and moscow and ankara ";
      break;
    case 2:  // tiny sentences
      while (s.size() < n) s += "A. ";
      break;
    case 3:  // digits and separators
      while (s.size() < n) s += "1,000,000.5-2,000 km 99999999999999999999 1e309 31.02.2023 ";
      break;
  }
  s.resize(n);
  return s;
}

void BM_ExtractScaling(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const size_t n = static_cast<size_t>(state.range(1));
  relations::v1::Article article;
  article.set_id("scaling");
  article.set_text(Pathological(kind, n));
  article.mutable_published_at()->set_seconds(1700000000);
  const extraction::Extractor& extractor = SharedExtractor();
  for (auto _ : state) benchmark::DoNotOptimize(extractor.Extract(article));
  state.SetComplexityN(static_cast<int64_t>(n));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_ExtractScaling)
    ->ArgsProduct({{0, 1, 2, 3}, {16 << 10, 64 << 10, 256 << 10}})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace relmon::bench

BENCHMARK_MAIN();
