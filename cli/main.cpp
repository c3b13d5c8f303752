// The zsim command. Each subcommand lives in its own file and registers itself here.

#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "zsim: a deterministic simulation and test harness for the Zero-OS v2 container primitive.\n"
      "It runs the real provisioning core against fake nodes, hub, explorer and redis in virtual time."};
  app.set_version_flag("--version", std::string("zsim ") + ZSIM_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 success, 1 a check failed (invalid reservation, property violated),\n"
      "2 usage error or unreadable input. Run 'zsim COMMAND --help' for a command's options.");

  int exit_code = 0;
  zsim::cli::add_validate_command(app, exit_code);
  zsim::cli::add_sim_command(app, exit_code);
  zsim::cli::add_run_command(app, exit_code);
  zsim::cli::add_fuzz_command(app, exit_code);
  zsim::cli::add_bench_command(app, exit_code);

  // CLI11 reports a mistyped command as "A subcommand is required"; name it instead.
  const auto known = [&app](const char* name) {
    for (const CLI::App* command : app.get_subcommands({})) {
      if (command->get_name() == name) return true;
    }
    return false;
  };
  if (argc > 1 && argv[1][0] != '-' && !known(argv[1])) {
    std::fprintf(stderr, "zsim: unknown command '%s' (commands: validate, sim, run, fuzz; see zsim --help)\n", argv[1]);
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    // CLI11 answers --help and --version with code 0; every other parse error is a usage error.
    return code == 0 ? 0 : 2;
  }
  return exit_code;
}
