#include "relctl/args.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace relctl {
namespace {

const char kDateHelp[] = "DATE is YYYY, YYYY-MM, YYYY-MM-DD (UTC) or an RFC 3339 instant.";

std::vector<CommandSpec> BuildCommands() {
  std::vector<CommandSpec> commands;
  commands.push_back(
      {"ingest",
       "FILE...",
       1,
       -1,
       "stream articles to the ingest service",
       "Each FILE is a plain-text article, '-' for standard input, or a .jsonl file\n"
       "with one JSON object per line: either an Article in the proto3 JSON mapping\n"
       "({\"id\",\"source\",\"url\",\"title\",\"text\",\"publishedAt\",\"language\"}) or\n"
       "metadata naming a text file, {\"file\": \"dir/a.txt\", \"source\": \"...\",\n"
       "\"published_at\": \"2021-11-22T12:00:00Z\"}, with the path relative to the\n"
       ".jsonl's folder. Empty fields are left unset (the service derives them).\n"
       "Articles are sent on one StreamArticles call; a progress bar with rate and\n"
       "ETA is drawn when stderr is a terminal. At the end a summary of accepted,\n"
       "duplicate and rejected articles is printed, rejected ones with the reason,\n"
       "and the highest log sequence (pass it as --min_sequence to read your writes).\n"
       "Exit code 1 when any article was rejected, 3 when the stream failed.",
       {{"quiet", "", "no progress bar"}}});
  commands.push_back({"state",
                      "A B",
                      2,
                      2,
                      "state of relations between two countries",
                      "A and B are ISO codes, English names or capitals (AZ, Iran, Baku).\n"
                      "Prints score, level, trend and the events that weigh most.\n" +
                          std::string(kDateHelp) +
                          "\nA date means the end of its period: --as_of=2023-01 includes January.",
                      {{"as_of", "DATE", "the state at this date (default: latest)"},
                       {"known_as_of", "DATE",
                        "only what articles published by this date said (docs/history.md)"}}});
  commands.push_back({"timeline",
                      "A B",
                      2,
                      2,
                      "relations state per period",
                      std::string(kDateHelp),
                      {{"from", "DATE", "first period (default: the pair's first dated event)"},
                       {"to", "DATE", "last period (default: now)"},
                       {"granularity", "G", "day, week, month (default), quarter or year"},
                       {"known_as_of", "DATE",
                        "only what articles published by this date said (docs/history.md)"}}});
  commands.push_back({"events",
                      "A B",
                      2,
                      2,
                      "events between two countries, oldest first",
                      std::string(kDateHelp),
                      {{"from", "DATE", "only events at or after this date"},
                       {"to", "DATE", "only events up to this date (inclusive)"},
                       {"type", "TYPES", "only these types, comma-separated (visit,attack)"},
                       {"limit", "N", "print at most N events (default: all)"},
                       {"known_as_of", "DATE",
                        "only what articles published by this date said (docs/history.md)"}}});
  commands.push_back({"agreements",
                      "",
                      0,
                      0,
                      "agreements and joint projects",
                      "STATUS is one of proposed, negotiating, agreed, signed,\n"
                      "under_construction, operational, suspended, cancelled.",
                      {{"country", "X", "only agreements with this party"},
                       {"status", "STATUS", "only agreements in this status"}}});
  commands.push_back({"agreement",
                      "ID",
                      1,
                      1,
                      "one agreement with its history and figures",
                      "ID is an agreement_id as listed by `relctl agreements`.",
                      {}});
  commands.push_back({"figures",
                      "",
                      0,
                      0,
                      "figures reported in the news",
                      "Values are shown in readable units; --json gives canonical ones.",
                      {{"country", "X", "only figures concerning this country"},
                       {"quantity", "Q", "only this quantity (border_length, cost, ...)"}}});
  commands.push_back({"disputes",
                      "",
                      0,
                      0,
                      "figures on which sources disagree",
                      "",
                      {{"country", "X", "only disputes concerning this country"}}});
  commands.push_back({"article", "ID", 1, 1, "what the monitor knows of one article", "", {}});
  commands.push_back({"reanalyze",
                      "",
                      0,
                      0,
                      "re-run the current extractor over stored articles",
                      "Starts a background re-analysis on the ingest service (AdminService):\n"
                      "articles whose newest analysis came from another extractor version get\n"
                      "a new one, and the query views switch to it. Prints the job; with\n"
                      "--wait, follows its progress until it is done. A write token is needed\n"
                      "when the service checks tokens. See docs/history.md.\n" +
                          std::string(kDateHelp),
                      {{"since", "DATE", "only articles published at or after this date"},
                       {"until", "DATE", "only articles published up to this date (inclusive)"},
                       {"source", "S", "only articles of this source"},
                       {"wait", "", "wait until the job is done, showing progress"},
                       {"status", "", "only show the current (or last) job"}}});
  commands.push_back({"backup",
                      "DIR",
                      1,
                      1,
                      "consistent checkpoint of the ingest store",
                      "Creates DIR under the ingest service's --backup_dir (on the server's\n"
                      "disk; DIR must not exist and must stay inside that root) holding a\n"
                      "RocksDB checkpoint, taken while ingest goes on. Restore: start an\n"
                      "ingest service with --data_dir=<the printed path>.",
                      {}});
  commands.push_back({"help", "[COMMAND]", 0, 1, "help on relctl or one command", "", {}});
  return commands;
}

std::string FlagUsage(const FlagSpec& flag) {
  return flag.value_name.empty() ? absl::StrCat("--", flag.name)
                                 : absl::StrCat("--", flag.name, "=", flag.value_name);
}

std::string FlagTable(const std::vector<FlagSpec>& flags) {
  std::string out;
  for (const auto& flag : flags) {
    std::string usage = FlagUsage(flag);
    absl::StrAppend(&out, "  ", usage, std::string(usage.size() < 28 ? 28 - usage.size() : 2, ' '),
                    flag.help, "\n");
  }
  return out;
}

const FlagSpec* FindFlag(const std::vector<FlagSpec>& flags, absl::string_view name) {
  for (const auto& flag : flags) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

}  // namespace

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec>* commands = new std::vector<CommandSpec>(BuildCommands());
  return *commands;
}

const CommandSpec* FindCommand(absl::string_view name) {
  for (const auto& command : Commands()) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

const std::vector<FlagSpec>& GlobalFlags() {
  static const std::vector<FlagSpec>* flags = new std::vector<FlagSpec>{
      {"ingest_target", "HOST:PORT",
       "ingest service (default $RELCTL_INGEST_TARGET or localhost:50051)"},
      {"query_target", "HOST:PORT",
       "query service (default $RELCTL_QUERY_TARGET or localhost:50052)"},
      {"tls", "", "use TLS, verifying the server against the system's root CAs"},
      {"tls_ca_file", "FILE", "use TLS, verifying the server against this PEM CA"},
      {"tls_cert_file", "FILE", "PEM client certificate for mutual TLS (with --tls_key_file)"},
      {"tls_key_file", "FILE", "PEM private key of --tls_cert_file"},
      {"tls_server_name", "NAME", "name expected in the server certificate (default: target host)"},
      {"token_file", "FILE",
       "send the file's first token as 'authorization: Bearer' (default $RELCTL_TOKEN_FILE)"},
      {"json", "", "print the proto3 JSON mapping of the responses"},
      {"timeout_ms", "MS", "deadline of each call (default 30000 for queries, none for ingest)"},
      {"min_sequence", "N", "queries wait until the view has applied log position N"},
      {"no_color", "", "never colour the output (also: $NO_COLOR)"},
      {"help", "", "help on relctl or on the command"},
  };
  return *flags;
}

std::string CommandUsage(const CommandSpec& command) {
  std::string usage = absl::StrCat("usage: relctl [global flags] ", command.name);
  if (!command.positional_usage.empty()) absl::StrAppend(&usage, " ", command.positional_usage);
  for (const auto& flag : command.flags) absl::StrAppend(&usage, " [", FlagUsage(flag), "]");
  return usage;
}

std::string CommandHelp(const CommandSpec& command) {
  std::string out = absl::StrCat(CommandUsage(command), "\n\n", command.summary, ".\n");
  if (!command.details.empty()) absl::StrAppend(&out, "\n", command.details, "\n");
  if (!command.flags.empty()) absl::StrAppend(&out, "\nFlags:\n", FlagTable(command.flags));
  absl::StrAppend(&out, "\nGlobal flags (see relctl --help):\n", FlagTable(GlobalFlags()));
  return out;
}

std::string GlobalHelp() {
  std::string out =
      "relctl: command-line client of the relations monitor.\n\n"
      "usage: relctl [global flags] COMMAND [ARGS] [flags]\n\nCommands:\n";
  for (const auto& command : Commands()) {
    std::string head = absl::StrCat(command.name, " ", command.positional_usage);
    absl::StrAppend(&out, "  ", head, std::string(head.size() < 22 ? 22 - head.size() : 1, ' '),
                    command.summary, "\n");
  }
  absl::StrAppend(&out, "\nGlobal flags (before or after the command):\n", FlagTable(GlobalFlags()),
                  "\nFlags take --name=value or --name value; dashes and underscores are the\n"
                  "same (--as-of = --as_of). Output: aligned tables (coloured only on a\n"
                  "terminal); --json prints valid JSON of the proto3 JSON mapping.\n"
                  "\nExit codes:\n"
                  "  0  success\n"
                  "  1  ingest: at least one article was rejected (the others were stored)\n"
                  "  2  usage error, or an input file could not be read\n"
                  "  3  RPC failure: a service unreachable, or an error status\n"
                  "     (INVALID_ARGUMENT for an unknown country, NOT_FOUND, ...)\n"
                  "\nrelctl COMMAND --help describes a command.\n");
  return out;
}

absl::StatusOr<Invocation> ParseCommandLine(const std::vector<std::string>& argv,
                                            const InvocationDefaults& defaults) {
  Invocation inv;
  inv.ingest_target = defaults.ingest_target;
  inv.query_target = defaults.query_target;
  inv.token_file = defaults.token_file;
  const CommandSpec* command = nullptr;
  bool flags_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& token = argv[i];
    if (!flags_done && token == "--") {
      flags_done = true;
      continue;
    }
    if (!flags_done && (token == "-h")) {
      inv.help = true;
      continue;
    }
    if (flags_done || token.size() < 3 || token.compare(0, 2, "--") != 0) {
      if (command == nullptr) {
        command = FindCommand(token);
        if (command == nullptr) {
          return absl::InvalidArgumentError(absl::StrCat("unknown command '", token, "'"));
        }
        inv.command = command->name;
      } else {
        inv.args.push_back(token);
      }
      continue;
    }
    absl::string_view body = absl::string_view(token).substr(2);
    std::string name(body.substr(0, body.find('=')));
    absl::StrReplaceAll({{"-", "_"}}, &name);
    const bool has_inline_value = body.find('=') != absl::string_view::npos;
    std::string value = has_inline_value ? std::string(body.substr(body.find('=') + 1)) : "";
    const FlagSpec* spec = FindFlag(GlobalFlags(), name);
    const bool global = spec != nullptr;
    if (spec == nullptr && command != nullptr) spec = FindFlag(command->flags, name);
    if (spec == nullptr) {
      return absl::InvalidArgumentError(
          command == nullptr
              ? absl::StrCat("unknown flag --", name)
              : absl::StrCat("unknown flag --", name, " for command '", command->name, "'"));
    }
    if (spec->value_name.empty()) {
      if (has_inline_value && value != "true" && value != "false") {
        return absl::InvalidArgumentError(absl::StrCat("--", name, " takes no value"));
      }
      if (!has_inline_value) value = "true";
    } else if (!has_inline_value) {
      if (i + 1 >= argv.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " needs a value (", spec->value_name, ")"));
      }
      value = argv[++i];
    }
    if (!global) {
      inv.flags[name] = value;
      continue;
    }
    if (name == "ingest_target") {
      inv.ingest_target = value;
    } else if (name == "query_target") {
      inv.query_target = value;
    } else if (name == "tls") {
      inv.tls = value == "true";
    } else if (name == "tls_ca_file") {
      inv.tls_ca_file = value;
    } else if (name == "tls_cert_file") {
      inv.tls_cert_file = value;
    } else if (name == "tls_key_file") {
      inv.tls_key_file = value;
    } else if (name == "tls_server_name") {
      inv.tls_server_name = value;
    } else if (name == "token_file") {
      inv.token_file = value;
    } else if (name == "json") {
      inv.json = value == "true";
    } else if (name == "no_color") {
      inv.no_color = value == "true";
    } else if (name == "help") {
      inv.help = value == "true";
    } else if (name == "timeout_ms") {
      if (!absl::SimpleAtoi(value, &inv.timeout_ms) || inv.timeout_ms <= 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("--timeout_ms: '", value, "' is not a positive number"));
      }
    } else if (name == "min_sequence") {
      if (!absl::SimpleAtoi(value, &inv.min_sequence)) {
        return absl::InvalidArgumentError(
            absl::StrCat("--min_sequence: '", value, "' is not a log position"));
      }
    }
  }
  if (command != nullptr && command->name == "help") {
    inv.help = true;
    inv.command = inv.args.empty() ? "" : inv.args[0];
    if (!inv.command.empty() && FindCommand(inv.command) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown command '", inv.command, "'"));
    }
    inv.args.clear();
    return inv;
  }
  if (inv.help) return inv;
  if (command == nullptr) return absl::InvalidArgumentError("no command given");
  const int n = static_cast<int>(inv.args.size());
  if (n < command->min_args || (command->max_args >= 0 && n > command->max_args)) {
    return absl::InvalidArgumentError(
        command->positional_usage.empty()
            ? absl::StrCat("'", command->name, "' takes no arguments")
            : absl::StrCat("'", command->name, "' takes ", command->positional_usage));
  }
  return inv;
}

}  // namespace relctl
