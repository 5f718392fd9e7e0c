// TLS credentials of the gRPC ports and channels, loaded from PEM files given
// by flags: server identity (+ client CA for mutual TLS) and client side
// (server CA, client identity for mTLS, bearer token attached to each call).
// Plaintext stays the default when no file is given.
#ifndef RELMON_COMMON_TLS_H_
#define RELMON_COMMON_TLS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"

namespace relmon {

// Reads a whole file (certificates, keys, tokens); NOT_FOUND names the path.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path);

// Server side, from --tls_cert_file, --tls_key_file, --tls_client_ca_file.
struct ServerTlsFiles {
  std::string cert_file;  // PEM chain of the server (leaf first)
  std::string key_file;   // PEM private key of cert_file
  // When set: clients must present a certificate signed by this CA (mTLS).
  std::string client_ca_file;
  bool enabled() const { return !cert_file.empty(); }
};

// Plaintext (InsecureServerCredentials) when no file is given; SSL server
// credentials otherwise. Errors: a cert without its key (or the reverse), a
// client CA without a server cert, unreadable files.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsFiles& files);

// Client side (the query service's follower, relctl).
struct ClientTlsOptions {
  // Use TLS. Set implicitly by any of the files below; alone, it verifies
  // the server against the system's root CAs.
  bool tls = false;
  std::string ca_file;    // PEM CA that signed the server certificate
  std::string cert_file;  // client certificate (mutual TLS)
  std::string key_file;   // its private key
  // Name checked against the server certificate instead of the target host
  // (e.g. a certificate for "ingest" reached through 127.0.0.1).
  std::string server_name_override;
  // File whose first token line is sent as `authorization: Bearer <token>`
  // on every call (same format as the servers' token files). Needs TLS.
  std::string token_file;
  bool enabled() const {
    return tls || !ca_file.empty() || !cert_file.empty() || !key_file.empty();
  }
};

// Channel credentials (+ the token as call credentials) and the channel
// arguments they need (server name override). Plaintext when !enabled().
// Errors: a token without TLS (it would travel in the clear), cert without
// key, unreadable files.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ClientTlsOptions& options, grpc::ChannelArguments* args);

}  // namespace relmon

#endif  // RELMON_COMMON_TLS_H_
