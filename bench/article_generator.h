// ArticleGenerator: deterministic synthetic news articles for benchmarks.
//
// Articles read like wire copy about many pairs of countries, with dates,
// figures, agreements and events, 1-6 KB each; the same seed always gives
// the same sequence, so stores of any size can be filled reproducibly.
#ifndef RELMON_BENCH_ARTICLE_GENERATOR_H_
#define RELMON_BENCH_ARTICLE_GENERATOR_H_

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "relations/v1/article.pb.h"

namespace relmon::bench {

struct GeneratorOptions {
  uint64_t seed = 1;
  // Target text size range in bytes.
  size_t min_bytes = 1024;
  size_t max_bytes = 6 * 1024;
  // Directory with countries.tsv (data/) and iso-codes JSON.
  std::string resources_dir;
  std::string iso_codes_dir = "/usr/share/iso-codes/json";
  // Directory with sentence_templates.txt (bench/data/).
  std::string templates_dir;
};

class ArticleGenerator {
 public:
  static absl::StatusOr<std::unique_ptr<ArticleGenerator>> Create(const GeneratorOptions& options);

  // The next article: text with a headline and dateline, source, url and
  // published_at set; id left empty (the service derives it).
  relations::v1::Article Next();

  // ISO codes of the countries the generator writes about, most-covered
  // first (the first eight get most of the news): for query mixes.
  std::vector<std::string> country_codes() const;

 private:
  struct Country {
    std::string code, name, demonym, capital;
  };
  ArticleGenerator() = default;
  std::string Fill(const std::string& pattern, const Country& a, const Country& b, int64_t day);
  // The project an article about (a, b) is about (see article_generator.cc).
  std::string ProjectFor(const Country& a, const Country& b);

  GeneratorOptions options_;
  std::mt19937_64 rng_;
  uint64_t counter_ = 0;
  std::string project_;  // of the article being written
  std::vector<Country> countries_;
  std::vector<std::string> headlines_;
  std::vector<std::string> sentences_;
};

}  // namespace relmon::bench

#endif  // RELMON_BENCH_ARTICLE_GENERATOR_H_
