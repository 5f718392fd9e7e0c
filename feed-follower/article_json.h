// Articles from JSON: one Article in the proto3 JSON mapping, or a metadata
// line {"file","source","published_at"} naming a text file beside it (the
// shape of the corpus' seeds.jsonl). Also Kafka message values.
#ifndef RELMON_FEED_FOLLOWER_ARTICLE_JSON_H_
#define RELMON_FEED_FOLLOWER_ARTICLE_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "relations/v1/article.pb.h"

namespace relmon::feeds {

// One .jsonl line. `base_dir` resolves a metadata line's relative "file"
// (which must stay inside base_dir).
absl::StatusOr<relations::v1::Article> ArticleFromJsonLine(absl::string_view line, const std::string& base_dir);

// A Kafka message value: Article JSON when it is a JSON object with "text",
// otherwise the value is the article's plain text.
absl::StatusOr<relations::v1::Article> ArticleFromMessage(absl::string_view value);

// Reads a whole file (up to max_bytes).
absl::StatusOr<std::string> ReadFileToString(const std::string& path, size_t max_bytes = 16 << 20);

}  // namespace relmon::feeds

#endif  // RELMON_FEED_FOLLOWER_ARTICLE_JSON_H_
