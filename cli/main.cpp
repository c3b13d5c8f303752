// The zsim command. Each subcommand lives in its own file; cli/command_line.cpp registers them and
// parses the command line (the same function the fuzzer of fuzz/cli_arguments_fuzz.cpp drives).

#include <cstdio>
#include <exception>
#include <iostream>
#include <new>
#include <system_error>

#include <CLI/CLI.hpp>

#include "cli/command_line.hpp"
#include "cli/output.hpp"

int main(int argc, char** argv) {
  int exit_code = 0;
  try {
    exit_code = zsim::cli::run_command_line(argc, argv, zsim::cli::CommandAction::run, std::cout, std::cerr);
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
