// `zsim bench [--quick] [--out DIR]`: runs the benchmark suites of bench/ and writes a report with
// tables, plots and the raw JSON. The suites are the Google Benchmark binaries beside this one
// (build/bin); scripts/bench_report.py of the source tree runs them, reads their JSON, draws the
// plots with gnuplot and writes DIR/report.md. This command finds both and hands over to it.
// Exit 0 report written, 1 a suite failed (the report names it), 2 bad arguments or something
// missing (a bench binary, python3, gnuplot, redis-benchmark, the script, a writable DIR).

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <vector>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "core/expected.hpp"

extern char** environ;

namespace zsim::cli {

namespace {

struct BenchArguments {
  bool quick = false;
  std::string out = "reports";
};

constexpr int exit_usage = 2;

// The folder of this executable: the bench binaries and zsim-build.json are built beside it.
core::Expected<std::filesystem::path> binary_dir() {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return core::Error{"cannot find the zsim binary's folder (/proc/self/exe): " + error.message()};
  return self.parent_path();
}

// scripts/bench_report.py of the source tree this binary was built from, as CMake recorded it
// in zsim-build.json (bench/CMakeLists.txt).
core::Expected<std::filesystem::path> report_script(const std::filesystem::path& bin_dir) {
  const std::filesystem::path facts_path = bin_dir / "zsim-build.json";
  std::ifstream facts_file(facts_path);
  if (!facts_file) {
    return core::Error{fmt::format("{} is missing: configure and build zsim with CMake (make build)", facts_path.string())};
  }
  const nlohmann::json facts = nlohmann::json::parse(facts_file, nullptr, /*allow_exceptions=*/false);
  if (!facts.is_object() || !facts.contains("source_dir") || !facts["source_dir"].is_string()) {
    return core::Error{fmt::format("{}: no source_dir string: configure zsim again with CMake", facts_path.string())};
  }
  const std::filesystem::path script =
      std::filesystem::path(facts["source_dir"].get<std::string>()) / "scripts" / "bench_report.py";
  if (!std::filesystem::is_regular_file(script)) {
    return core::Error{fmt::format("{} is missing: the source tree zsim was built from has moved", script.string())};
  }
  return script;
}

// Runs python3 on the script and waits; its exit code is this command's (0, 1 or 2).
int run_script(const std::vector<std::string>& arguments) {
  std::vector<char*> argv;
  for (const std::string& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  pid_t child = 0;
  const int spawned = ::posix_spawnp(&child, argv[0], nullptr, nullptr, argv.data(), environ);
  if (spawned != 0) {
    fmt::print(stderr, "zsim bench: cannot run python3: {} (install python3: scripts/install_deps.sh)\n",
               std::strerror(spawned));
    return exit_usage;
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) {
      fmt::print(stderr, "zsim bench: waiting for the report script: {}\n", std::strerror(errno));
      return 1;
    }
  }
  if (WIFSIGNALED(status)) {
    fmt::print(stderr, "zsim bench: the report script was killed by signal {}\n", WTERMSIG(status));
    return 1;
  }
  const int code = WEXITSTATUS(status);
  if (code == 127) {
    fmt::print(stderr, "zsim bench: python3 not found (install python3: scripts/install_deps.sh)\n");
    return exit_usage;
  }
  return code == 0 || code == 2 ? code : 1;
}

// What is checked before anything runs.
int check_arguments(const BenchArguments& arguments) {
  if (arguments.out.empty()) {
    err("zsim bench: --out: must name a folder");
    return exit_usage;
  }
  return 0;
}

int run_bench(const BenchArguments& arguments) {
  if (const int checked = check_arguments(arguments); checked != 0) return checked;
  const core::Expected<std::filesystem::path> bin_dir = binary_dir();
  if (!bin_dir) {
    fmt::print(stderr, "zsim bench: {}\n", bin_dir.error());
    return exit_usage;
  }
  const core::Expected<std::filesystem::path> script = report_script(bin_dir.value());
  if (!script) {
    fmt::print(stderr, "zsim bench: {}\n", script.error());
    return exit_usage;
  }
  std::vector<std::string> command{"python3", script.value().string(), "run", "--bin-dir", bin_dir.value().string(),
                                   "--out", arguments.out};
  if (arguments.quick) command.emplace_back("--quick");
  return run_script(command);
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code, CommandAction action) {
  auto arguments = std::make_shared<BenchArguments>();
  CLI::App* command = app.add_subcommand(
      "bench",
      "Run the benchmark suites and write a report: DIR/report.md with tables of ratios and one line per\n"
      "target (met, or missed by how much), SVG plots drawn with gnuplot, the machine's facts, and the raw\n"
      "Google Benchmark JSON in DIR/raw/. It runs the suites of bench/ built beside zsim: stats encoding\n"
      "against nlohmann/json, the in-process stats path, the scheduler, hiredis against\n"
      "`redis-benchmark -P 128` PUBLISH on one redis-server it starts, fuzz seeds per second, the\n"
      "reference grid (zsim sim --seed 3 --nodes 100 --reservations 1000 --duration 1h --no-faults),\n"
      "grids of 1,000 to 100,000 running containers, and the memory of an idle container.\n"
      "A full run takes about 10 minutes on 2 cores, --quick under a minute. Progress goes to stderr.\n"
      "Every comparison is a ratio of two figures of the same run: machines are shared, absolute times\n"
      "mean little. Needs python3, gnuplot (gnuplot-nox), redis-server and redis-benchmark.");
  command->add_flag("--quick", arguments->quick,
                    "Smaller suites (one repetition, grids of 1,000 and 10,000 containers, no 100,000):\n"
                    "checks that everything works and gives rough figures");
  command->add_option("--out", arguments->out, "Folder of the report (created; files in it are replaced)")
      ->capture_default_str();
  command->footer(
      "Examples:\n"
      "  zsim bench                      # the reference report, into reports/\n"
      "  zsim bench --quick --out /tmp/r # a quick look\n"
      "Compare two reports with Google Benchmark's compare.py (reports/README.md):\n"
      "  python3 /usr/share/benchmark/compare.py benchmarks OLD/raw/grid_bench.json NEW/raw/grid_bench.json\n"
      "Exit codes: 0 report written, 1 a suite failed or a benchmark reported an error (the report names\n"
      "it), 2 bad arguments or something missing (a bench binary, python3, gnuplot, redis, a writable DIR).\n"
      "A figure below its target is not an error: the report says met or missed by how much.");
  command->callback([arguments, &exit_code, action] {
    exit_code = action == CommandAction::run ? run_bench(*arguments) : check_arguments(*arguments);
  });
}

}  // namespace zsim::cli
