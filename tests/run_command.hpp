#pragma once
// Runs a command line as a user would (through /bin/sh) and captures its exit code, standard
// output and standard error, for tests of the zsim binary.

#include <string>

namespace zsim::tests {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// command is passed to the shell as it is; quote arguments with shell_quote().
CommandResult run_command(const std::string& command);
std::string shell_quote(const std::string& text);

}  // namespace zsim::tests
