#include "common/auth.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace relmon {

Access AccessPolicy::Classify(absl::string_view method) const {
  for (const auto& [pattern, access] : rules) {
    const bool is_prefix = !pattern.empty() && pattern.back() == '/';
    if (is_prefix ? absl::StartsWith(method, pattern) : method == pattern) return access;
  }
  return default_access;
}

namespace {

// Probes and tooling stay reachable without a token on every port.
void AddOpenRules(AccessPolicy* policy) {
  policy->rules.emplace_back("/grpc.health.v1.Health/", Access::kOpen);
  policy->rules.emplace_back("/grpc.reflection.v1alpha.ServerReflection/", Access::kOpen);
  policy->rules.emplace_back("/grpc.reflection.v1.ServerReflection/", Access::kOpen);
}

}  // namespace

AccessPolicy AccessPolicy::Ingest() {
  AccessPolicy policy;
  AddOpenRules(&policy);
  policy.rules.emplace_back("/relations.v1.IngestService/SubscribeEvents", Access::kRead);
  policy.rules.emplace_back("/relations.v1.IngestService/StreamArticles", Access::kWrite);
  policy.rules.emplace_back("/relations.v1.IngestService/IngestArticle", Access::kWrite);
  policy.rules.emplace_back("/relations.v1.AdminService/", Access::kWrite);
  // A method added to the ingest port later is a write until classified.
  policy.default_access = Access::kWrite;
  return policy;
}

AccessPolicy AccessPolicy::Query() {
  AccessPolicy policy;
  AddOpenRules(&policy);
  policy.rules.emplace_back("/relations.v1.QueryService/", Access::kRead);
  policy.default_access = Access::kRead;
  return policy;
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  // Walk the longer length so the loop count does not depend on which is
  // shorter; bytes past the end of one side compare against 0.
  const size_t n = a.size() > b.size() ? a.size() : b.size();
  volatile unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff = diff | (x ^ y);
  }
  return diff == 0;
}

absl::StatusOr<TokenSet> TokenSet::Parse(absl::string_view text) {
  TokenSet set;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    for (char c : line) {
      if (absl::ascii_isspace(static_cast<unsigned char>(c)) ||
          !absl::ascii_isprint(static_cast<unsigned char>(c))) {
        // The message names the line, never its content (it is a secret).
        return absl::InvalidArgumentError(absl::StrCat(
            "token file line ", line_number,
            ": a token must be one word of printable ASCII (no spaces or control characters)"));
      }
    }
    set.tokens_.emplace_back(line);
  }
  if (set.tokens_.empty()) {
    return absl::InvalidArgumentError("token file holds no token");
  }
  return set;
}

absl::StatusOr<TokenSet> TokenSet::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read token file ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  absl::StatusOr<TokenSet> set = Parse(buffer.str());
  if (!set.ok()) {
    return absl::Status(set.status().code(), absl::StrCat(path, ": ", set.status().message()));
  }
  return set;
}

bool TokenSet::Contains(absl::string_view token) const {
  bool found = false;
  // Every token is compared, so the time does not tell which one matched.
  for (const std::string& candidate : tokens_) {
    found = ConstantTimeEquals(candidate, token) | found;
  }
  return found;
}

std::optional<absl::string_view> BearerTokenOf(absl::string_view authorization) {
  constexpr absl::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(authorization.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  absl::string_view token = absl::StripAsciiWhitespace(authorization.substr(kScheme.size()));
  if (token.empty()) return std::nullopt;
  return token;
}

absl::StatusOr<std::unique_ptr<TokenAuthorizer>> TokenAuthorizer::Create(AccessPolicy policy,
                                                                         TokenFiles files) {
  std::unique_ptr<TokenAuthorizer> authorizer(
      new TokenAuthorizer(std::move(policy), std::move(files)));
  absl::Status loaded = authorizer->Reload();
  if (!loaded.ok()) return loaded;
  return authorizer;
}

std::unique_ptr<TokenAuthorizer> TokenAuthorizer::FromTokens(AccessPolicy policy,
                                                             std::optional<TokenSet> read_tokens,
                                                             std::optional<TokenSet> write_tokens) {
  std::unique_ptr<TokenAuthorizer> authorizer(new TokenAuthorizer(std::move(policy), {}));
  absl::MutexLock lock(&authorizer->mu_);
  authorizer->read_tokens_ = std::move(read_tokens);
  authorizer->write_tokens_ = std::move(write_tokens);
  return authorizer;
}

absl::Status TokenAuthorizer::Reload() {
  std::optional<TokenSet> read_tokens;
  std::optional<TokenSet> write_tokens;
  if (!files_.read_file.empty()) {
    absl::StatusOr<TokenSet> set = TokenSet::LoadFile(files_.read_file);
    if (!set.ok()) return set.status();
    read_tokens = *std::move(set);
  }
  if (!files_.write_file.empty()) {
    absl::StatusOr<TokenSet> set = TokenSet::LoadFile(files_.write_file);
    if (!set.ok()) return set.status();
    write_tokens = *std::move(set);
  }
  absl::MutexLock lock(&mu_);
  read_tokens_ = std::move(read_tokens);
  write_tokens_ = std::move(write_tokens);
  return absl::OkStatus();
}

absl::Status TokenAuthorizer::Check(absl::string_view method,
                                    std::optional<absl::string_view> authorization) const {
  Access access = policy_.Classify(method);
  if (access == Access::kOpen) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  if (access == Access::kWrite && !write_tokens_.has_value()) access = Access::kRead;
  if (access == Access::kRead && !read_tokens_.has_value()) return absl::OkStatus();

  const char* const needed = access == Access::kWrite ? "a write token" : "a read or write token";
  if (!authorization.has_value()) {
    return absl::UnauthenticatedError(
        absl::StrCat(method, " needs ", needed, ": send metadata 'authorization: Bearer <token>'"));
  }
  std::optional<absl::string_view> token = BearerTokenOf(*authorization);
  if (!token.has_value()) {
    return absl::UnauthenticatedError(
        absl::StrCat(method, " needs ", needed,
                     ": the authorization metadata is not of the form 'Bearer <token>'"));
  }
  bool granted = write_tokens_.has_value() && write_tokens_->Contains(*token);
  if (access == Access::kRead) {
    // Evaluated in full (no short-circuit) to keep the timing uniform.
    granted = (read_tokens_.has_value() && read_tokens_->Contains(*token)) | granted;
  }
  if (!granted) {
    return absl::UnauthenticatedError(
        absl::StrCat(method, " needs ", needed, ": the bearer token given is not accepted"));
  }
  return absl::OkStatus();
}

namespace {

class BearerTokenProcessor : public grpc::AuthMetadataProcessor {
 public:
  explicit BearerTokenProcessor(std::shared_ptr<const TokenAuthorizer> authorizer)
      : authorizer_(std::move(authorizer)) {}

  // The check is an in-memory comparison: run it inline on gRPC's thread.
  bool IsBlocking() const override { return false; }

  grpc::Status Process(const InputMetadata& auth_metadata, grpc::AuthContext* /*context*/,
                       OutputMetadata* consumed_auth_metadata,
                       OutputMetadata* /*response_metadata*/) override {
    absl::string_view method;
    std::optional<absl::string_view> authorization;
    for (const auto& [key, value] : auth_metadata) {
      absl::string_view k(key.data(), key.size());
      if (k == ":path") {
        method = absl::string_view(value.data(), value.size());
      } else if (k == "authorization") {
        authorization = absl::string_view(value.data(), value.size());
        consumed_auth_metadata->emplace(std::string(k), std::string(*authorization));
      }
    }
    absl::Status status = authorizer_->Check(method, authorization);
    if (status.ok()) return grpc::Status::OK;
    return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                        std::string(status.message()));
  }

 private:
  std::shared_ptr<const TokenAuthorizer> authorizer_;
};

}  // namespace

std::shared_ptr<grpc::AuthMetadataProcessor> MakeAuthMetadataProcessor(
    std::shared_ptr<const TokenAuthorizer> authorizer) {
  return std::make_shared<BearerTokenProcessor>(std::move(authorizer));
}

}  // namespace relmon
