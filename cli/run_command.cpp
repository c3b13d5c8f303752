// `zsim run FILE...`: replays scenario files against the real provisioning core in virtual time and
// judges their expectations and the checker's properties. One PASS/FAIL line per scenario; exit 0
// when all pass, 1 when any fails, 2 when a file is not a valid scenario (or on a usage error).

#include <fmt/format.h>

#include <chrono>
#include <exception>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/input_file.hpp"
#include "cli/output.hpp"
#include "cli/real_redis.hpp"
#include "cli/untrusted_text.hpp"
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
// JSON Schema document is skipped, not reported as an invalid scenario. Only a text that names
// json-schema.org is parsed for it.
bool is_json_schema(const std::string& text) {
  if (text.find("json-schema.org/") == std::string::npos) return false;
  const nlohmann::json document = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object() || document.contains("format")) return false;
  const auto schema = document.find("$schema");
  return schema != document.end() && schema->is_string() &&
         schema->get<std::string>().find("json-schema.org/") != std::string::npos;
}

// The file read once (a pipe can be read only once) and loaded; the report's file is the name as
// printed, escaped, and so is every error that names it.
core::Expected<sim::Scenario> load_scenario(const std::string& file, const std::string& shown, bool& schema) {
  const core::Expected<std::string> text = read_input_file(file, sim::scenario_file_bytes_max, "a scenario file");
  if (!text) return core::Error{fmt::format("{}: (top level): cannot read: {}", shown, text.error())};
  if (const core::Status clean = check_no_nul(text.value()); !clean) {
    return core::Error{fmt::format("{}: (top level): {}", shown, clean.error())};
  }
  schema = is_json_schema(text.value());
  if (schema) return core::Error{"a JSON Schema"};
  try {
    // The raw name: the loader escapes it in its errors itself (escaping it here too would
    // double every backslash of an escape).
    return sim::load_scenario_text(text.value(), file);
  } catch (const std::exception& error) {
    // The loader reports what it knows is wrong; anything it did not expect is still one line.
    return core::Error{fmt::format("{}: (top level): cannot load: {}", shown, error.what())};
  }
}

void print_explain(const sim::ScenarioReport& report, const sim::Scenario& scenario) {
  out("== {} — {}", report.name, report.file);
  out("   {}", scenario.description);
  out_line("");
  for (const std::string& line : sim::explain_timeline(report.run.trace_lines, report.run.node_labels, sim::world_epoch_ms)) {
    out_line(line);
  }
  out_line("");
}

sim::ScenarioReport run_file(const RunArguments& arguments, const sim::Scenario& scenario, const std::string& shown) {
  sim::ScenarioReport report;
  report.file = shown;
  report.name = scenario.name;
  sim::ScenarioRunOptions options;
  options.trace_path = trace_path_for(arguments, scenario);
  if (arguments.real_redis != nullptr) {
    options.publisher = &arguments.real_redis->publisher();
    options.pacer = arguments.real_redis->pacer();
  }
  // The wall clock only measures how long the run took; nothing in the world sees it.
  const auto started = std::chrono::steady_clock::now();
  report.run = sim::run_scenario(scenario, options);
  if (arguments.real_redis != nullptr && !arguments.real_redis->drain(10'000)) {
    err("zsim run: --redis: some publishes got no reply within 10 s");
  }
  if (arguments.check_determinism) {
    report.determinism_checked = true;
    report.second_hash = sim::run_scenario(scenario).trace_hash;
  }
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (arguments.explain) print_explain(report, scenario);
  report.run.trace_lines.clear();  // Not needed any more; a library run keeps memory small.
  return report;
}

int run_all(const RunArguments& arguments) {
  std::vector<sim::ScenarioReport> reports;
  int exit_code = 0;
  for (const std::string& file : arguments.files) {
    const std::string shown = printable(file);
    bool schema = false;
    const core::Expected<sim::Scenario> scenario = load_scenario(file, shown, schema);
    if (schema) {
      if (!arguments.json) out("SKIP {}: a JSON Schema, not a scenario", shown);
      continue;
    }
    if (!scenario) {
      reports.emplace_back();
      reports.back().file = shown;
      reports.back().load_error = scenario.error();
    } else {
      reports.push_back(run_file(arguments, scenario.value(), shown));
    }
    const sim::ScenarioReport& report = reports.back();
    if (report.invalid()) {
      err_line(report.load_error);
      exit_code = exit_unusable;
    } else if (!report.passed() && exit_code == 0) {
      exit_code = 1;
    }
    if (!report.run.io_error.empty()) {
      err("zsim run: --trace: {}", report.run.io_error);
      exit_code = exit_unusable;
    }
    if (arguments.json) continue;
    for (const std::string& line : sim::report_lines(report)) out_line(line);
    flush_out();
  }
  if (arguments.json) out_raw(json_text(sim::report_json(reports)) + "\n");
  if (!arguments.junit_path.empty()) {
    if (core::Expected<void> written = write_output_file(arguments.junit_path, sim::junit_xml(reports)); !written) {
      err("zsim run: --junit: {}", written.error());
      return exit_unusable;
    }
  }
  return exit_code;
}

// What is checked before a file is read or a server contacted.
int check_arguments(const RunArguments& arguments) {
  if (arguments.files.empty()) {
    err("zsim run: FILE is required (one or more scenario files)");
    return exit_unusable;
  }
  if (!arguments.redis.empty() && arguments.check_determinism) {
    err("zsim run: --check-determinism cannot be combined with --redis: a real server is not deterministic");
    return exit_unusable;
  }
  if (core::Expected<void> redis = check_real_redis_options(arguments.redis, arguments.realtime); !redis) {
    err("zsim run: {}", redis.error());
    return exit_unusable;
  }
  return 0;
}

// --redis and --realtime wrap the runs in a real publisher; the rest is run_all().
int run_with_options(RunArguments& arguments) {
  if (const int checked = check_arguments(arguments); checked != 0) return checked;
  core::Expected<std::unique_ptr<RealRedis>> opened = open_real_redis(arguments.redis, arguments.realtime);
  if (!opened) {
    err("zsim run: {}", opened.error());
    return exit_unusable;
  }
  const std::unique_ptr<RealRedis> real_redis = std::move(opened).value();
  arguments.real_redis = real_redis.get();
  const int exit_code = run_all(arguments);
  arguments.real_redis = nullptr;
  return exit_code;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code, CommandAction action) {
  auto arguments = std::make_shared<RunArguments>();
  CLI::App* command = app.add_subcommand(
      "run",
      "Replay scenario files: a grid, reservations, timed steps and faults, and expectations, run\n"
      "against the real provisioning core in virtual time. Each scenario prints one PASS or FAIL\n"
      "line; a failure names the expectation, what was expected and what happened, and when.\n"
      "After its steps a scenario winds down (faults heal, what lives is deleted) and the checker's\n"
      "properties must hold too. scenarios/README.md explains the format.");
  // Neither required nor checked for existence by CLI11: a missing file is reported in its turn, and
  // `zsim run -x.json` is named as the unknown option it is rather than as a missing FILE.
  command->add_option("files", arguments->files,
                      "Scenario files (JSON, format 1); pipes work (/dev/stdin, <(...)); put -- before a\n"
                      "name that starts with '-'");
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
      "A file is read once, up to 4 MiB; a stream silent for 10 s is refused. Control characters\n"
      "and bytes that are not UTF-8 in names and messages are printed escaped (\\n, \\xNN).\n"
      "Exit codes: 0 every scenario passed, 1 a scenario failed, 2 a file is not a valid scenario\n"
      "(the error names the file, the JSON path and what is wrong), a usage error, or output\n"
      "(stdout, --junit, --trace) that cannot be written.");
  command->add_option("--redis", arguments->redis,
                      "Publish every redis endpoint of the scenarios to this real server, channels kept\n"
                      "(message expectations and pinned trace hashes are then skipped)");
  command->add_flag("--realtime", arguments->realtime,
                    "Pace virtual time to the wall clock (with --redis), for a redis-cli watcher");
  command->callback([arguments, &exit_code, action] {
    exit_code = action == CommandAction::run ? run_with_options(*arguments) : check_arguments(*arguments);
  });
}

}  // namespace zsim::cli
