// Inputs of `relctl ingest`: turns FILE arguments (text files, '-', .jsonl
// files of Articles or of metadata lines naming text files) into Articles.
#ifndef RELMON_RELCTL_ARTICLE_INPUTS_H_
#define RELMON_RELCTL_ARTICLE_INPUTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "relations/v1/article.pb.h"

namespace relctl {

// One article to send. Text files are read only when sent, so a large
// corpus is not held in memory twice.
struct InputItem {
  enum class Kind { kTextFile, kJsonLine, kInlineText };
  Kind kind = Kind::kTextFile;
  // Echoed by the service; shown next to rejected articles.
  std::string client_ref;
  // kTextFile: the file.
  std::string path;
  // kJsonLine: the line and the folder that relative "file" paths start from.
  std::string json_line;
  std::string base_dir;
  // kInlineText: the text (standard input).
  std::string text;
};

// Expands the FILE arguments: a .jsonl file gives one item per non-blank
// line, '-' reads standard input (`stdin_text`) as one article, anything else
// is one text file. Fails when a file cannot be read.
absl::StatusOr<std::vector<InputItem>> PlanInputs(const std::vector<std::string>& files,
                                                  const std::string& stdin_text);

// Builds the Article of one item (reads its text file when needed).
absl::StatusOr<relations::v1::Article> MaterializeArticle(const InputItem& item);

// Parses one .jsonl line: an Article in the proto3 JSON mapping, or metadata
// with "file" (relative to `base_dir`) whose content becomes the text.
// Empty strings and nulls are treated as absent.
absl::StatusOr<relations::v1::Article> ArticleFromJsonLine(absl::string_view line,
                                                           absl::string_view base_dir);

// Reads a whole file.
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace relctl

#endif  // RELMON_RELCTL_ARTICLE_INPUTS_H_
