// Runs one parsed relctl command against the services (the gRPC side of
// relctl; everything it prints comes from format.h).
#ifndef RELMON_RELCTL_COMMANDS_H_
#define RELMON_RELCTL_COMMANDS_H_

#include "relctl/args.h"

namespace relctl {

// Returns the process exit code (see ExitCode).
int RunCommand(const Invocation& invocation);

}  // namespace relctl

#endif  // RELMON_RELCTL_COMMANDS_H_
