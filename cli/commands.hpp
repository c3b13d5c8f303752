#pragma once
// Registration of zsim's subcommands. Each sets exit_code when it runs.

#include <CLI/CLI.hpp>

#include <cstdint>

namespace zsim::cli {

// What a subcommand's callback does once CLI11 has parsed its arguments: run the command, or only
// check its arguments the way the command does before it touches anything (files, the network,
// the simulation), printing the same one-line errors. The fuzzer of the command line
// (fuzz/cli_arguments_fuzz.cpp) checks; the zsim command runs.
enum class CommandAction : std::uint8_t { run, check };

void add_validate_command(CLI::App& app, int& exit_code, CommandAction action);
void add_sim_command(CLI::App& app, int& exit_code, CommandAction action);
void add_run_command(CLI::App& app, int& exit_code, CommandAction action);
void add_fuzz_command(CLI::App& app, int& exit_code, CommandAction action);
void add_bench_command(CLI::App& app, int& exit_code, CommandAction action);

}  // namespace zsim::cli
