// The zsim command. Each subcommand lives in its own file and registers itself here.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <new>
#include <system_error>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/untrusted_text.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "zsim: a deterministic simulation and test harness for the Zero-OS v2 container primitive.\n"
      "It runs the real provisioning core against fake nodes, hub, explorer and redis in virtual time."};
  app.set_version_flag("--version", std::string("zsim ") + ZSIM_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 success, 1 a check failed (invalid reservation, property violated),\n"
      "2 usage error, unreadable input or unwritable output, 3 zsim itself failed (out of memory).\n"
      "Run 'zsim COMMAND --help' for a command's options.");
  app.failure_message(zsim::cli::parse_failure_message);

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
    zsim::cli::err("zsim: unknown command '{}' (commands: validate, sim, run, fuzz; see zsim --help)",
                   zsim::cli::printable_line(argv[1], 64));
    return zsim::cli::exit_unusable;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    // CLI11 answers --help and --version with code 0; every other parse error is a usage error.
    return zsim::cli::finish_output(code == 0 ? 0 : zsim::cli::exit_unusable);
  } catch (const std::bad_alloc&) {
    zsim::cli::err("zsim: out of memory (a limit of `ulimit -v`, or an input beyond zsim's limits?)");
    return zsim::cli::exit_internal;
  } catch (const std::system_error& error) {
    // What is left of fmt's throwing prints, and std::cout, fail like this on a full disk.
    zsim::cli::err("zsim: cannot write: {}", error.what());
    return zsim::cli::exit_unusable;
  } catch (const std::exception& error) {
    zsim::cli::err("zsim: internal error: {} (a bug: please report it with the command line)", error.what());
    return zsim::cli::exit_internal;
  }
  return zsim::cli::finish_output(exit_code);
}
