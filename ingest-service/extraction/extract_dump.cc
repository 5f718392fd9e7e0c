// extract-dump: runs the extractor on article files and prints what it
// reads (the stored article, date source and ArticleAnalyzed) as JSON, one
// object per line. A dev tool for checking rules against a corpus.
//
//   extract-dump [--resources_dir=DIR] [--source=S] [--published_at=YYYY-MM-DD] FILE...
//   extract-dump --jsonl=/work/shared/corpus/seeds.jsonl
// With --jsonl each line names a file (relative to the .jsonl's folder) and
// its source and published_at ("" = unset), as the corpus files do.
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ingest-service/extraction/data_files.h"
#include "ingest-service/extraction/extractor.h"

ABSL_FLAG(std::string, resources_dir, RELMON_DUMP_DATA_DIR, "data directory");
ABSL_FLAG(std::string, iso_codes_dir, RELMON_DUMP_ISO_CODES_DIR, "iso-codes JSON directory");
ABSL_FLAG(std::string, source, "", "source of the articles given as files");
ABSL_FLAG(std::string, published_at, "", "publication date (YYYY-MM-DD or RFC 3339)");
ABSL_FLAG(std::string, jsonl, "", "corpus index: one {file, source, published_at} per line");
ABSL_FLAG(int, repeat, 0, "time N extractions of each file instead of printing (articles/s on stderr)");

namespace {

using relmon::extraction::Extractor;

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

bool SetDate(const std::string& value, relations::v1::Article* article) {
  if (value.empty()) return true;
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, value, &t, &err) &&
      !absl::ParseTime("%Y-%m-%d", value, &t, &err)) {
    return false;
  }
  article->mutable_published_at()->set_seconds(absl::ToUnixSeconds(t));
  return true;
}

int Dump(const Extractor& extractor, const std::string& path, const std::string& label,
         const std::string& source, const std::string& published_at) {
  std::string raw;
  if (!ReadFile(path, &raw)) {
    std::cerr << "cannot read " << path << "\n";
    return 1;
  }
  relations::v1::Article article;
  article.set_text(extractor.CleanText(raw));
  article.set_source(source);
  article.set_id(relmon::extraction::StableDigest({article.text()}));
  if (!SetDate(published_at, &article)) {
    std::cerr << "bad date " << published_at << "\n";
    return 1;
  }
  if (const int repeat = absl::GetFlag(FLAGS_repeat); repeat > 0) {
    const auto start = std::chrono::steady_clock::now();
    size_t facts = 0;
    for (int i = 0; i < repeat; ++i) {
      auto r = extractor.Extract(article);
      facts += r.analysis.events_size() + r.analysis.figures_size();
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cerr << label << ": " << article.text().size() << " bytes, " << repeat / seconds
              << " articles/s, " << (article.text().size() * repeat) / seconds / 1e6
              << " MB/s (" << facts / repeat << " facts)\n";
    return 0;
  }
  relmon::extraction::ExtractionResult result = extractor.Extract(article);
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string analysis_json, article_json;
  result.article.clear_text();
  (void)google::protobuf::util::MessageToJsonString(result.analysis, &analysis_json, options);
  (void)google::protobuf::util::MessageToJsonString(result.article, &article_json, options);
  nlohmann::json out;
  out["file"] = label;
  out["article"] = nlohmann::json::parse(article_json);
  out["date_source"] = relations::v1::DateSource_Name(result.date_source);
  out["analysis"] = nlohmann::json::parse(analysis_json);
  std::cout << out.dump() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  relmon::extraction::ExtractorOptions options;
  options.resources_dir = absl::GetFlag(FLAGS_resources_dir);
  options.iso_codes_dir = absl::GetFlag(FLAGS_iso_codes_dir);
  auto extractor = Extractor::Create(options);
  if (!extractor.ok()) {
    std::cerr << "extractor: " << extractor.status() << "\n";
    return 2;
  }
  int rc = 0;
  const std::string jsonl = absl::GetFlag(FLAGS_jsonl);
  if (!jsonl.empty()) {
    std::ifstream in(jsonl);
    if (!in) {
      std::cerr << "cannot read " << jsonl << "\n";
      return 1;
    }
    const std::string dir = jsonl.substr(0, jsonl.find_last_of('/') + 1);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      nlohmann::json row = nlohmann::json::parse(line, nullptr, false);
      if (row.is_discarded()) continue;
      const std::string file = row.value("file", "");
      rc |= Dump(**extractor, dir + file, file, row.value("source", ""),
                 row.value("published_at", ""));
    }
  }
  for (size_t i = 1; i < args.size(); ++i) {
    rc |= Dump(**extractor, args[i], args[i], absl::GetFlag(FLAGS_source),
               absl::GetFlag(FLAGS_published_at));
  }
  return rc;
}
