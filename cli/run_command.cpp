// `zsim run FILE...`: replays scenario files against the real provisioning core in virtual time and
// judges their expectations and the checker's properties. One PASS/FAIL line per scenario; exit 0
// when all pass, 1 when any fails, 2 when a file is not a valid scenario (or on a usage error).

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/real_redis.hpp"
#include "sim/scenario.hpp"
#include "sim/scenario_explain.hpp"
#include "sim/scenario_report.hpp"
#include "sim/scenario_runner.hpp"
#include "sim/world.hpp"

namespace zsim::cli {

namespace {

struct RunArguments {
  std::vector<std::string> files;
  std::string junit_path;
  std::string trace_path;
  bool check_determinism = false;
  bool json = false;
  bool explain = false;
  std::string redis;
  bool realtime = false;
  RealRedis* real_redis = nullptr;  // Set while running with --redis.
};

// With several scenarios, each trace goes to FILE.<scenario name>.
std::string trace_path_for(const RunArguments& arguments, const sim::Scenario& scenario) {
  if (arguments.trace_path.empty()) return "";
  return arguments.files.size() == 1 ? arguments.trace_path : arguments.trace_path + "." + scenario.name;
}

// scenarios/schema.json sits beside the scenarios, so `zsim run scenarios/*.json` names it too: a
// JSON Schema document is skipped, not reported as an invalid scenario.
bool is_json_schema(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  const nlohmann::json document = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object() || document.contains("format")) return false;
  const auto schema = document.find("$schema");
  return schema != document.end() && schema->is_string() &&
         schema->get<std::string>().find("json-schema.org/") != std::string::npos;
}

sim::ScenarioReport run_file(const RunArguments& arguments, const std::string& file) {
  sim::ScenarioReport report;
  report.file = file;
  const core::Expected<sim::Scenario> scenario = sim::load_scenario_file(file);
  if (!scenario) {
    report.load_error = scenario.error();
    return report;
  }
  report.name = scenario.value().name;
  sim::ScenarioRunOptions options;
  options.trace_path = trace_path_for(arguments, scenario.value());
  if (arguments.real_redis != nullptr) {
    options.publisher = &arguments.real_redis->publisher();
    options.pacer = arguments.real_redis->pacer();
  }
  // The wall clock only measures how long the run took; nothing in the world sees it.
  const auto started = std::chrono::steady_clock::now();
  report.run = sim::run_scenario(scenario.value(), options);
  if (arguments.real_redis != nullptr && !arguments.real_redis->drain(10'000)) {
    fmt::print(stderr, "zsim run: --redis: some publishes got no reply within 10 s\n");
  }
  if (arguments.check_determinism) {
    report.determinism_checked = true;
    report.second_hash = sim::run_scenario(scenario.value()).trace_hash;
  }
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (arguments.explain) {
    fmt::print("== {} — {}\n   {}\n\n", report.name, file, scenario.value().description);
    for (const std::string& line : sim::explain_timeline(report.run.trace_lines, report.run.node_labels, sim::world_epoch_ms)) {
      fmt::print("{}\n", line);
    }
    fmt::print("\n");
  }
  report.run.trace_lines.clear();  // Not needed any more; a library run keeps memory small.
  return report;
}

int run_all(const RunArguments& arguments) {
  std::vector<sim::ScenarioReport> reports;
  int exit_code = 0;
  for (const std::string& file : arguments.files) {
    if (is_json_schema(file)) {
      if (!arguments.json) fmt::print("SKIP {}: a JSON Schema, not a scenario\n", file);
      continue;
    }
    reports.push_back(run_file(arguments, file));
    const sim::ScenarioReport& report = reports.back();
    if (report.invalid()) {
      fmt::print(stderr, "{}\n", report.load_error);
      exit_code = 2;
    } else if (!report.passed() && exit_code == 0) {
      exit_code = 1;
    }
    if (!report.run.io_error.empty()) {
      fmt::print(stderr, "zsim run: --trace: {}\n", report.run.io_error);
      exit_code = 2;
    }
    if (arguments.json) continue;
    for (const std::string& line : sim::report_lines(report)) fmt::print("{}\n", line);
    std::fflush(stdout);
  }
  if (arguments.json) fmt::print("{}\n", sim::report_json(reports).dump());
  if (!arguments.junit_path.empty()) {
    std::ofstream out(arguments.junit_path, std::ios::binary | std::ios::trunc);
    out << sim::junit_xml(reports);
    if (!out) {
      fmt::print(stderr, "zsim run: --junit: cannot write {}\n", arguments.junit_path);
      return 2;
    }
  }
  return exit_code;
}

// --redis and --realtime wrap the runs in a real publisher; the rest is run_all().
int run_with_options(RunArguments& arguments) {
  if (!arguments.redis.empty() && arguments.check_determinism) {
    fmt::print(stderr, "zsim run: --check-determinism cannot be combined with --redis: a real server is not deterministic\n");
    return 2;
  }
  core::Expected<std::unique_ptr<RealRedis>> opened = open_real_redis(arguments.redis, arguments.realtime);
  if (!opened) {
    fmt::print(stderr, "zsim run: {}\n", opened.error());
    return 2;
  }
  const std::unique_ptr<RealRedis> real_redis = std::move(opened).value();
  arguments.real_redis = real_redis.get();
  const int exit_code = run_all(arguments);
  arguments.real_redis = nullptr;
  return exit_code;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto arguments = std::make_shared<RunArguments>();
  CLI::App* command = app.add_subcommand(
      "run",
      "Replay scenario files: a grid, reservations, timed steps and faults, and expectations, run\n"
      "against the real provisioning core in virtual time. Each scenario prints one PASS or FAIL\n"
      "line; a failure names the expectation, what was expected and what happened, and when.\n"
      "After its steps a scenario winds down (faults heal, what lives is deleted) and the checker's\n"
      "properties must hold too. scenarios/README.md explains the format.");
  command->add_option("files", arguments->files, "Scenario files (JSON, format 1)")->required()->check(CLI::ExistingFile);
  command->add_option("--junit", arguments->junit_path, "Also write JUnit XML (one testcase per scenario) to FILE");
  command->add_option("--trace", arguments->trace_path,
                      "Write the trace (one event a line) to FILE; with several scenarios to FILE.<name>");
  command->add_flag("--check-determinism", arguments->check_determinism,
                    "Run each scenario twice and fail it when the two trace hashes differ");
  auto* json = command->add_flag("--json", arguments->json, "Print one JSON object with every scenario's outcome");
  command->add_flag("--explain", arguments->explain,
                    "Print each run's timeline (time from the start, node, what happened) before its verdict")
      ->excludes(json);
  command->footer(
      "Examples:\n"
      "  zsim run scenarios/*.json\n"
      "  zsim run --explain scenarios/zos-943-log-sink-sigpipe.json\n"
      "  zsim run --check-determinism --junit report.xml scenarios/*.json\n"
      "Exit codes: 0 every scenario passed, 1 a scenario failed, 2 a file is not a valid scenario\n"
      "(the error names the file, the JSON path and what is wrong) or a usage error.");
  command->add_option("--redis", arguments->redis,
                      "Publish every redis endpoint of the scenarios to this real server, channels kept\n"
                      "(message expectations and pinned trace hashes are then skipped)");
  command->add_flag("--realtime", arguments->realtime,
                    "Pace virtual time to the wall clock (with --redis), for a redis-cli watcher");
  command->callback([arguments, &exit_code] { exit_code = run_with_options(*arguments); });
}

}  // namespace zsim::cli
