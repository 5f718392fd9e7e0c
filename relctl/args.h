// Command line of relctl: the commands, their flags and help texts, and a
// small parser (subcommands with their own flags do not fit absl flags).
#ifndef RELMON_RELCTL_ARGS_H_
#define RELMON_RELCTL_ARGS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace relctl {

// Process exit codes, documented in `relctl --help`.
enum ExitCode {
  kExitOk = 0,          // the command did what was asked
  kExitRejected = 1,    // ingest: at least one article was rejected
  kExitUsage = 2,       // bad command line or unreadable input file
  kExitRpcFailure = 3,  // a service could not be reached or returned an error
};

struct FlagSpec {
  std::string name;        // without dashes, with underscores: "as_of"
  std::string value_name;  // empty for a boolean flag
  std::string help;
};

struct CommandSpec {
  std::string name;
  std::string positional_usage;  // "A B", "FILE...", ""
  int min_args = 0;
  int max_args = 0;  // -1: unlimited
  std::string summary;
  std::string details;
  std::vector<FlagSpec> flags;
};

// Every command, in the order `relctl --help` lists them.
const std::vector<CommandSpec>& Commands();
const CommandSpec* FindCommand(absl::string_view name);
// Flags accepted before or after any command.
const std::vector<FlagSpec>& GlobalFlags();

struct Invocation {
  std::string ingest_target;
  std::string query_target;
  // Transport security of both channels (docs/security.md): TLS when --tls
  // or any TLS file is given; the token needs TLS.
  bool tls = false;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_server_name;
  std::string token_file;  // --token_file or $RELCTL_TOKEN_FILE
  bool json = false;
  bool no_color = false;
  int64_t timeout_ms = 0;  // 0: the command's default
  uint64_t min_sequence = 0;
  // --help, -h or `relctl help [COMMAND]`; `command` says which help.
  bool help = false;
  std::string command;
  std::vector<std::string> args;
  // The command's own flags, by name ("as_of" -> "2023-01"); booleans "true".
  std::map<std::string, std::string> flags;

  bool HasFlag(const std::string& name) const { return flags.count(name) > 0; }
  std::string Flag(const std::string& name) const {
    auto it = flags.find(name);
    return it == flags.end() ? "" : it->second;
  }
};

// Defaults that come from the environment (RELCTL_INGEST_TARGET, ...).
struct InvocationDefaults {
  std::string ingest_target = "localhost:50051";
  std::string query_target = "localhost:50052";
  std::string token_file;  // $RELCTL_TOKEN_FILE
};

// Parses argv (without the program name). Errors are usage errors whose
// message says what is wrong; `relctl` prints them with the command's usage.
absl::StatusOr<Invocation> ParseCommandLine(const std::vector<std::string>& argv,
                                            const InvocationDefaults& defaults);

// `relctl --help`: the commands, global flags and exit codes.
std::string GlobalHelp();
// `relctl COMMAND --help`.
std::string CommandHelp(const CommandSpec& command);
// One-line usage of a command ("usage: relctl state A B [--as_of=DATE]").
std::string CommandUsage(const CommandSpec& command);

}  // namespace relctl

#endif  // RELMON_RELCTL_ARGS_H_
