// Bearer-token access control of the gRPC ports: token files, which access
// each method needs (open / read / write), and the check run by gRPC's
// AuthMetadataProcessor before any handler sees the call.
//
// Why an AuthMetadataProcessor: it runs in gRPC's server auth filter, ahead
// of every handler and interceptor, so a refused call never reaches the
// service (nothing is written) and every service on the port is covered by
// its full method name, including ones added later (AdminService). gRPC 1.51
// only runs it on secure (TLS) ports, which is also the only place a bearer
// token is not sent in the clear: token files therefore require TLS
// (MakeServerCredentials in common/tls.h refuses them without a certificate).
#ifndef RELMON_COMMON_AUTH_H_
#define RELMON_COMMON_AUTH_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/security/auth_metadata_processor.h"

namespace relmon {

// What a caller must present to call a method.
enum class Access {
  kOpen,   // nothing (health checks, reflection: probes and tooling)
  kRead,   // a read or a write token
  kWrite,  // a write token
};

// Which access each full gRPC method name ("/pkg.Service/Method") needs.
struct AccessPolicy {
  // Exact method names, or prefixes when they end in '/' (a whole service),
  // with their access. The first matching rule wins.
  std::vector<std::pair<std::string, Access>> rules;
  // Access of any other method (default-deny: never kOpen for a new method).
  Access default_access = Access::kRead;

  Access Classify(absl::string_view method) const;

  // The ingest service: articles and AdminService are writes, SubscribeEvents
  // a read; anything else on the port needs a write token.
  static AccessPolicy Ingest();
  // The query service: every QueryService method is a read.
  static AccessPolicy Query();
};

// Compares without an early exit, so the time taken does not tell how many
// leading bytes of a guess were right (only whether the lengths differ).
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// A set of bearer tokens. File format: one token per line; blank lines and
// lines starting with '#' are skipped; surrounding whitespace is trimmed.
class TokenSet {
 public:
  TokenSet() = default;
  // Errors: a token with inner whitespace, or no token at all (an empty file
  // would lock everyone out, almost always a mounting mistake).
  static absl::StatusOr<TokenSet> Parse(absl::string_view text);
  static absl::StatusOr<TokenSet> LoadFile(const std::string& path);

  // Compares with every token in constant time per token.
  bool Contains(absl::string_view token) const;
  size_t size() const { return tokens_.size(); }
  // The first token of the file: the one a client presents.
  const std::string& first() const { return tokens_.front(); }

 private:
  std::vector<std::string> tokens_;
};

// The token of an `authorization` metadata value "Bearer <token>" (scheme
// case-insensitive), or nullopt when it is not a bearer credential.
std::optional<absl::string_view> BearerTokenOf(absl::string_view authorization);

// Paths of the token files; an empty path means that access is not checked.
struct TokenFiles {
  std::string read_file;
  std::string write_file;
  bool empty() const { return read_file.empty() && write_file.empty(); }
};

// Decides whether a call may proceed. Thread-safe; Reload() swaps in the
// current contents of the files (SIGHUP).
//
// Rules: with a write file, kWrite methods need a write token; without one
// they fall back to the read rule. With a read file, kRead methods need a
// read or a write token; without one reads are open.
class TokenAuthorizer {
 public:
  static absl::StatusOr<std::unique_ptr<TokenAuthorizer>> Create(AccessPolicy policy,
                                                                 TokenFiles files);
  // For tests: tokens given directly (nullopt: that access is not checked).
  static std::unique_ptr<TokenAuthorizer> FromTokens(AccessPolicy policy,
                                                     std::optional<TokenSet> read_tokens,
                                                     std::optional<TokenSet> write_tokens);

  // Re-reads the files; on error keeps the previous tokens.
  absl::Status Reload();

  // OK, or UNAUTHENTICATED with a message naming what is missing (never the
  // token). `authorization` is the call's `authorization` metadata, if any.
  absl::Status Check(absl::string_view method,
                     std::optional<absl::string_view> authorization) const;

 private:
  TokenAuthorizer(AccessPolicy policy, TokenFiles files)
      : policy_(std::move(policy)), files_(std::move(files)) {}

  const AccessPolicy policy_;
  const TokenFiles files_;
  mutable absl::Mutex mu_;
  std::optional<TokenSet> read_tokens_ ABSL_GUARDED_BY(mu_);
  std::optional<TokenSet> write_tokens_ ABSL_GUARDED_BY(mu_);
};

// The gRPC processor that runs `authorizer` on each call of a secure port
// (attach with ServerCredentials::SetAuthMetadataProcessor). It consumes the
// `authorization` metadata so handlers never see (or log) the token.
std::shared_ptr<grpc::AuthMetadataProcessor> MakeAuthMetadataProcessor(
    std::shared_ptr<const TokenAuthorizer> authorizer);

}  // namespace relmon

#endif  // RELMON_COMMON_AUTH_H_
