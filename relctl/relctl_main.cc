// relctl: command-line client of the relations monitor (see `relctl --help`).
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "relctl/args.h"
#include "relctl/commands.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  relctl::InvocationDefaults defaults;
  if (const char* target = std::getenv("RELCTL_INGEST_TARGET"); target && *target) {
    defaults.ingest_target = target;
  }
  if (const char* target = std::getenv("RELCTL_QUERY_TARGET"); target && *target) {
    defaults.query_target = target;
  }
  if (const char* file = std::getenv("RELCTL_TOKEN_FILE"); file && *file) {
    defaults.token_file = file;
  }
  auto invocation = relctl::ParseCommandLine(args, defaults);
  if (!invocation.ok()) {
    std::cerr << "relctl: " << invocation.status().message() << "\n";
    // Show the usage of the command when it is known, else the command list.
    const relctl::CommandSpec* command = nullptr;
    for (const auto& arg : args) {
      if (arg.rfind("--", 0) != 0 && (command = relctl::FindCommand(arg)) != nullptr) break;
    }
    std::cerr << (command ? relctl::CommandUsage(*command) + "\n(relctl " + command->name +
                                " --help for more)\n"
                          : std::string("usage: relctl [global flags] COMMAND [ARGS]\n"
                                        "(relctl --help lists the commands)\n"));
    return relctl::kExitUsage;
  }
  if (invocation->help) {
    const relctl::CommandSpec* command = relctl::FindCommand(invocation->command);
    std::cout << (command && command->name != "help" ? relctl::CommandHelp(*command)
                                                     : relctl::GlobalHelp());
    return relctl::kExitOk;
  }
  return relctl::RunCommand(*invocation);
}
