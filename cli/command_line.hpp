#pragma once
// The zsim command line as a function: the App with every subcommand, argv parsed, and the chosen
// command run (CommandAction::run, the zsim command) or only its arguments checked
// (CommandAction::check, the fuzzer of fuzz/cli_arguments_fuzz.cpp), so that one parser serves both.

#include <ostream>

#include "cli/commands.hpp"

namespace zsim::cli {

// The exit code of the command line: a subcommand's own, 0 after --help or --version (written to
// help_out), 2 after a parse error (one line on help_err) or an unknown command. Exceptions other
// than CLI11's parse errors (out of memory, a full disk) reach the caller: main() reports them.
int run_command_line(int argc, const char* const* argv, CommandAction action, std::ostream& help_out,
                     std::ostream& help_err);

}  // namespace zsim::cli
