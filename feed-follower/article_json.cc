#include "feed-follower/article_json.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "feed-follower/dates.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "nlohmann/json.hpp"

namespace relmon::feeds {

absl::StatusOr<std::string> ReadFileToString(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::string out;
  char buffer[1 << 16];
  while (in) {
    in.read(buffer, sizeof(buffer));
    out.append(buffer, static_cast<size_t>(in.gcount()));
    if (out.size() > max_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat(path, " is larger than ", max_bytes, " bytes"));
    }
  }
  return out;
}

namespace {

absl::StatusOr<relations::v1::Article> FromMetadata(const nlohmann::json& j, const std::string& base_dir) {
  if (!j["file"].is_string()) return absl::InvalidArgumentError("\"file\" must be a string");
  std::filesystem::path rel(j["file"].get<std::string>());
  if (rel.empty() || rel.is_absolute()) {
    return absl::InvalidArgumentError("\"file\" must be a relative path");
  }
  for (const auto& part : rel) {
    if (part == "..") return absl::InvalidArgumentError("\"file\" must not leave the directory (..)");
  }
  std::filesystem::path full = std::filesystem::path(base_dir) / rel;
  absl::StatusOr<std::string> text = ReadFileToString(full.string());
  if (!text.ok()) return text.status();
  relations::v1::Article article;
  article.set_text(*std::move(text));
  if (j.contains("source") && j["source"].is_string()) article.set_source(j["source"].get<std::string>());
  if (j.contains("url") && j["url"].is_string()) article.set_url(j["url"].get<std::string>());
  if (j.contains("title") && j["title"].is_string()) article.set_title(j["title"].get<std::string>());
  if (j.contains("language") && j["language"].is_string()) article.set_language(j["language"].get<std::string>());
  if (j.contains("id") && j["id"].is_string()) article.set_id(j["id"].get<std::string>());
  if (j.contains("published_at") && j["published_at"].is_string()) {
    const std::string when = j["published_at"].get<std::string>();
    if (!when.empty()) {
      std::optional<absl::Time> t = ParseFeedDate(when);
      if (!t.has_value()) return absl::InvalidArgumentError(absl::StrCat("bad published_at \"", when, "\""));
      *article.mutable_published_at() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
          absl::ToUnixNanos(*t));
    }
  }
  return article;
}

}  // namespace

absl::StatusOr<relations::v1::Article> ArticleFromJsonLine(absl::string_view line, const std::string& base_dir) {
  line = absl::StripAsciiWhitespace(line);
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return absl::InvalidArgumentError("not a JSON object");
  if (j.contains("file") && !j.contains("text")) return FromMetadata(j, base_dir);
  relations::v1::Article article;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // tolerate extra producer fields
  auto status = google::protobuf::util::JsonStringToMessage(std::string(line), &article, options);
  if (!status.ok()) return absl::InvalidArgumentError(absl::StrCat("not an Article: ", status.ToString()));
  if (article.text().empty()) return absl::InvalidArgumentError("Article without text");
  return article;
}

absl::StatusOr<relations::v1::Article> ArticleFromMessage(absl::string_view value) {
  absl::string_view trimmed = absl::StripAsciiWhitespace(value);
  if (!trimmed.empty() && trimmed.front() == '{') {
    absl::StatusOr<relations::v1::Article> article = ArticleFromJsonLine(trimmed, "");
    if (article.ok()) return article;
    // A JSON object that is not an Article: refuse rather than ingest JSON
    // syntax as if it were prose.
    nlohmann::json j = nlohmann::json::parse(trimmed, nullptr, false);
    if (!j.is_discarded()) return article.status();
  }
  if (trimmed.empty()) return absl::InvalidArgumentError("empty message");
  relations::v1::Article article;
  article.set_text(std::string(value));
  return article;
}

}  // namespace relmon::feeds
