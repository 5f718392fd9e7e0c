#include "relctl/article_inputs.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace relctl {
namespace {

std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string JoinPath(absl::string_view dir, absl::string_view path) {
  if (absl::StartsWith(path, "/") || dir.empty() || dir == ".") return std::string(path);
  return absl::StrCat(dir, "/", path);
}

}  // namespace

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("error reading ", path));
  return content.str();
}

absl::StatusOr<std::vector<InputItem>> PlanInputs(const std::vector<std::string>& files,
                                                  const std::string& stdin_text) {
  std::vector<InputItem> items;
  for (const std::string& file : files) {
    if (file == "-") {
      InputItem item;
      item.kind = InputItem::Kind::kInlineText;
      item.client_ref = "-";
      item.text = stdin_text;
      items.push_back(std::move(item));
      continue;
    }
    if (absl::EndsWith(file, ".jsonl")) {
      absl::StatusOr<std::string> content = ReadFile(file);
      if (!content.ok()) return content.status();
      int line_number = 0;
      for (absl::string_view line : absl::StrSplit(*content, '\n')) {
        ++line_number;
        if (absl::StripAsciiWhitespace(line).empty()) continue;
        InputItem item;
        item.kind = InputItem::Kind::kJsonLine;
        item.client_ref = absl::StrCat(file, ":", line_number);
        item.json_line = std::string(line);
        item.base_dir = DirName(file);
        items.push_back(std::move(item));
      }
      continue;
    }
    std::ifstream probe(file);
    if (!probe) {
      return absl::NotFoundError(absl::StrCat("cannot read ", file, ": ", std::strerror(errno)));
    }
    InputItem item;
    item.kind = InputItem::Kind::kTextFile;
    item.client_ref = file;
    item.path = file;
    items.push_back(std::move(item));
  }
  return items;
}

absl::StatusOr<relations::v1::Article> ArticleFromJsonLine(absl::string_view line,
                                                           absl::string_view base_dir) {
  nlohmann::json object = nlohmann::json::parse(line.begin(), line.end(), nullptr,
                                                /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object()) {
    return absl::InvalidArgumentError("not a JSON object");
  }
  // Empty fields mean "unset": the service derives id, date, title itself.
  for (auto it = object.begin(); it != object.end();) {
    if (it->is_null() || (it->is_string() && it->get<std::string>().empty())) {
      it = object.erase(it);
    } else {
      ++it;
    }
  }
  std::string text;
  bool has_file = false;
  if (object.contains("file")) {
    if (!object["file"].is_string()) return absl::InvalidArgumentError("\"file\" must be a string");
    if (object.contains("text")) {
      return absl::InvalidArgumentError("give either \"file\" or \"text\", not both");
    }
    absl::StatusOr<std::string> content =
        ReadFile(JoinPath(base_dir, object["file"].get<std::string>()));
    if (!content.ok()) return content.status();
    text = *std::move(content);
    has_file = true;
    object.erase("file");
  }
  relations::v1::Article article;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(object.dump(), &article, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("not an Article: ", status.ToString()));
  }
  if (has_file) article.set_text(std::move(text));
  return article;
}

absl::StatusOr<relations::v1::Article> MaterializeArticle(const InputItem& item) {
  relations::v1::Article article;
  switch (item.kind) {
    case InputItem::Kind::kInlineText:
      article.set_text(item.text);
      return article;
    case InputItem::Kind::kJsonLine:
      return ArticleFromJsonLine(item.json_line, item.base_dir);
    case InputItem::Kind::kTextFile: {
      absl::StatusOr<std::string> content = ReadFile(item.path);
      if (!content.ok()) return content.status();
      article.set_text(*std::move(content));
      return article;
    }
  }
  return absl::InternalError("unknown input kind");
}

}  // namespace relctl
