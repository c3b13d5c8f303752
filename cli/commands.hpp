#pragma once
// Registration of zsim's subcommands. Each sets exit_code when it runs.

#include <CLI/CLI.hpp>

namespace zsim::cli {

void add_validate_command(CLI::App& app, int& exit_code);
void add_sim_command(CLI::App& app, int& exit_code);
void add_run_command(CLI::App& app, int& exit_code);
void add_fuzz_command(CLI::App& app, int& exit_code);
void add_bench_command(CLI::App& app, int& exit_code);

}  // namespace zsim::cli
