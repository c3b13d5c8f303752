#include "cli/command_line.hpp"

#include <CLI/CLI.hpp>

#include <cassert>
#include <string>

#include "cli/arguments.hpp"
#include "cli/output.hpp"
#include "cli/untrusted_text.hpp"

namespace zsim::cli {

int run_command_line(int argc, const char* const* argv, CommandAction action, std::ostream& help_out,
                     std::ostream& help_err) {
  assert(argc >= 1 && argv != nullptr);
  CLI::App app{
      "zsim: a deterministic simulation and test harness for the Zero-OS v2 container primitive.\n"
      "It runs the real provisioning core against fake nodes, hub, explorer and redis in virtual time."};
  app.set_version_flag("--version", std::string("zsim ") + ZSIM_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 success, 1 a check failed (invalid reservation, property violated),\n"
      "2 usage error, unreadable input or unwritable output, 3 zsim itself failed (out of memory).\n"
      "Run 'zsim COMMAND --help' for a command's options.");
  app.failure_message(parse_failure_message);

  int exit_code = 0;
  add_validate_command(app, exit_code, action);
  add_sim_command(app, exit_code, action);
  add_run_command(app, exit_code, action);
  add_fuzz_command(app, exit_code, action);
  add_bench_command(app, exit_code, action);

  // CLI11 reports a mistyped command as "A subcommand is required"; name it instead.
  const auto known = [&app](const char* name) {
    for (const CLI::App* command : app.get_subcommands({})) {
      if (command->get_name() == name) return true;
    }
    return false;
  };
  if (argc > 1 && argv[1][0] != '-' && !known(argv[1])) {
    err("zsim: unknown command '{}' (commands: validate, sim, run, fuzz, bench; see zsim --help)",
        printable_line(argv[1], 64));
    return exit_unusable;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error, help_out, help_err);
    // CLI11 answers --help and --version with code 0; every other parse error is a usage error.
    return code == 0 ? 0 : exit_unusable;
  }
  return exit_code;
}

}  // namespace zsim::cli
