// `zsim sim --seed N ...`: runs a seeded random world of nodes, reservations and light faults
// against the real provisioning core in virtual time, checks the properties, and prints a summary
// with the trace hash. Exit 0 when no property is violated, 1 when one is, 2 on bad arguments.

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/real_redis.hpp"
#include "cli/trace_target.hpp"
#include "sim/duration.hpp"
#include "sim/random_world.hpp"

namespace zsim::cli {

namespace {

// The most reservations one `zsim sim` run takes: about a minute of wall time on one core at the
// default duration and nodes (a larger world is a campaign: `zsim fuzz --profile dense`).
constexpr std::uint64_t sim_reservations_max = 20'000;
constexpr std::uint64_t sim_nodes_max = 1000;
// Every node polls the explorer every 10 s for the whole run: nodes times duration bounds that work
// (1000 nodes for 10 hours, 13 nodes for 30 days), about a minute with the most reservations.
constexpr std::uint64_t sim_node_hours_max = 10'000;

struct SimArguments {
  std::uint64_t seed = 1;
  std::uint32_t nodes = 3;
  std::uint32_t reservations = 200;
  std::string duration = "1h";
  std::string trace_path;
  bool json = false;
  bool no_faults = false;
  std::string redis;
  bool realtime = false;
};

nlohmann::ordered_json summary_json(const sim::RunSummary& summary, double wall_seconds) {
  nlohmann::ordered_json violations = nlohmann::json::array();
  for (const sim::Violation& violation : summary.violations) {
    violations.push_back({{"property", violation.property},
                          {"detail", violation.detail},
                          {"time_ms", violation.time_ms}});
  }
  return nlohmann::ordered_json{
      {"seed", summary.seed},
      {"trace_hash", summary.trace_hash},
      {"events", summary.events},
      {"scheduler_events", summary.scheduler_events},
      {"reservations", summary.reservations},
      {"results", {{"ok", summary.results_ok}, {"error", summary.results_error}, {"deleted", summary.results_deleted}}},
      {"stats_published", summary.stats_published},
      {"stats_delivered", summary.stats_delivered},
      {"stats_missed", summary.stats_missed},
      {"log_lines_produced", summary.log_lines_produced},
      {"log_lines_published", summary.log_lines_published},
      {"log_lines_dropped", summary.log_lines_dropped},
      {"messages_delivered", summary.log_lines_published + summary.stats_delivered},
      {"sim_seconds", summary.sim_seconds},
      {"wall_seconds", wall_seconds},
      {"faults", summary.faults_enabled},
      {"violations", violations}};
}

void print_text(const sim::RunSummary& summary, double wall_seconds) {
  std::string faults;
  for (const std::string& fault : summary.faults_enabled) faults += (faults.empty() ? "" : ",") + fault;
  out("seed={} trace_hash={} events={}", summary.seed, summary.trace_hash, summary.events);
  out("reservations={} results: ok={} error={} deleted={}", summary.reservations, summary.results_ok,
             summary.results_error, summary.results_deleted);
  out("stats: published={} delivered={} missed={}", summary.stats_published, summary.stats_delivered,
             summary.stats_missed);
  out("log lines: produced={} published={} dropped={}", summary.log_lines_produced,
             summary.log_lines_published, summary.log_lines_dropped);
  out("messages_delivered={} (log lines published + stats delivered)",
             summary.log_lines_published + summary.stats_delivered);
  out("faults={}", faults.empty() ? "none" : faults);
  out("sim_seconds={} wall_seconds={:.3f} ({:.0f}x real time)", summary.sim_seconds, wall_seconds,
             wall_seconds > 0 ? static_cast<double>(summary.sim_seconds) / wall_seconds : 0.0);
  for (const sim::Violation& violation : summary.violations) {
    out("VIOLATION {} at {} ms: {}", violation.property, violation.time_ms, violation.detail);
  }
  out("{}", summary.violations.empty() ? "PASS: no property violated"
                                                : fmt::format("FAIL: {} violations", summary.violations.size()));
}

// The arguments checked and made the world's options, before any file is opened or server
// contacted: every error the command reports about its arguments (to print after "zsim sim: ").
core::Expected<sim::RandomWorldOptions> world_options(const SimArguments& arguments) {
  const core::Expected<std::int64_t> duration_ms = sim::parse_duration_ms(arguments.duration);
  if (!duration_ms) return core::Error{fmt::format("--duration: {}", duration_ms.error())};
  if (duration_ms.value() < 5 * 60'000 || duration_ms.value() > 30LL * 24 * 3600'000) {
    return core::Error{fmt::format("--duration: must be between 5m and 30d, got {}", arguments.duration)};
  }
  const std::uint64_t node_hours = arguments.nodes * static_cast<std::uint64_t>(duration_ms.value()) / 3'600'000;
  if (node_hours > sim_node_hours_max) {
    return core::Error{fmt::format(
        "--nodes {} for --duration {} is {} node-hours, more than the limit of {} (sim_node_hours_max); "
        "a larger grid is a campaign: zsim fuzz --profile grid",
        arguments.nodes, arguments.duration, node_hours, sim_node_hours_max)};
  }
  if (core::Expected<void> redis = check_real_redis_options(arguments.redis, arguments.realtime); !redis) {
    return core::Error{redis.error()};
  }
  sim::RandomWorldOptions options;
  options.seed = arguments.seed;
  options.nodes = arguments.nodes;
  options.reservations = arguments.reservations;
  options.duration_ms = duration_ms.value();
  options.faults = !arguments.no_faults;
  return options;
}

int check_arguments(const SimArguments& arguments) {
  const core::Expected<sim::RandomWorldOptions> options = world_options(arguments);
  if (options) return 0;
  err("zsim sim: {}", options.error());
  return exit_unusable;
}

int run_sim(const SimArguments& arguments) {
  core::Expected<sim::RandomWorldOptions> checked = world_options(arguments);
  if (!checked) {
    err("zsim sim: {}", checked.error());
    return exit_unusable;
  }
  sim::RandomWorldOptions options = std::move(checked).value();
  core::Expected<TraceTarget> trace = TraceTarget::open(arguments.trace_path);
  if (!trace) {
    err("zsim sim: --trace: {}", trace.error());
    return exit_unusable;
  }
  options.trace_path = trace.value().world_path();
  core::Expected<std::unique_ptr<RealRedis>> opened = open_real_redis(arguments.redis, arguments.realtime);
  if (!opened) {
    err("zsim sim: {}", opened.error());
    return exit_unusable;
  }
  const std::unique_ptr<RealRedis> real_redis = std::move(opened).value();
  if (real_redis) {
    options.publisher = &real_redis->publisher();
    options.pacer = real_redis->pacer();
  }
  // The wall clock only measures how long the run took; nothing in the world sees it.
  const auto started = std::chrono::steady_clock::now();
  const sim::RunSummary summary = sim::run_random_world(options);
  if (real_redis && !real_redis->drain(10'000)) err("zsim sim: --redis: some publishes got no reply within 10 s");
  const double wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (const sim::Violation& violation : summary.violations) {
    if (violation.property == "io") {
      err("zsim sim: --trace: {}", violation.detail);
      return exit_unusable;
    }
  }
  if (core::Expected<void> checked = trace.value().finish(summary.trace_hash); !checked) {
    err("zsim sim: --trace: {}", checked.error());
    return exit_unusable;
  }
  if (arguments.json) {
    out_raw(json_text(summary_json(summary, wall_seconds)) + "\n");
  } else {
    print_text(summary, wall_seconds);
  }
  return summary.violations.empty() ? 0 : 1;
}

}  // namespace

void add_sim_command(CLI::App& app, int& exit_code, CommandAction action) {
  auto arguments = std::make_shared<SimArguments>();
  CLI::App* command = app.add_subcommand(
      "sim",
      "Run a seeded random world against the real provisioning core and check its properties.\n"
      "Nodes, users, networks, flists and redis servers are generated from the seed; reservations\n"
      "(valid and invalid), deletes and expiries arrive over --duration with a random subset of light\n"
      "faults (hub, redis, explorer, crashes, daemon restarts, reboots). Then every fault heals and\n"
      "the world runs until every reservation has ended, and the checker judges it.\n"
      "The same seed gives the same trace hash, always.");
  command->add_option("--seed", arguments->seed, "Seed of the world (any 64-bit number)")
      ->check(whole_number(0, UINT64_MAX))
      ->capture_default_str();
  command->add_option("--nodes", arguments->nodes, "Number of nodes")
      ->check(whole_number(1, sim_nodes_max))
      ->capture_default_str();
  command->add_option("--reservations", arguments->reservations, "Number of container reservations")
      ->check(whole_number(0, sim_reservations_max))
      ->capture_default_str();
  command->add_option("--duration", arguments->duration, "Length of the fault phase, e.g. 30m, 2h, 1d")
      ->capture_default_str();
  command->add_option("--trace", arguments->trace_path, "Write the trace (one event a line) to FILE");
  command->add_flag("--json", arguments->json, "Print the summary as one JSON object");
  command->add_flag("--no-faults", arguments->no_faults, "Inject no faults");
  command->add_option("--redis", arguments->redis,
                      "Publish every redis endpoint of the world to this real server, channels kept\n"
                      "(e.g. redis://127.0.0.1:6379 or redis://:password@127.0.0.1:6379)");
  command->add_flag("--realtime", arguments->realtime,
                    "Pace virtual time to the wall clock (with --redis), so a redis-cli watcher sees\n"
                    "each container's stats every 2 s");
  command->footer(
      "Examples:\n"
      "  zsim sim --seed 42\n"
      "  zsim sim --seed 7 --nodes 10 --reservations 5000 --duration 1d --json\n"
      "  zsim sim --seed 1 --reservations 20 --duration 5m --redis redis://127.0.0.1:6379 --realtime\n"
      "Exit codes: 0 no property violated, 1 a property violated, 2 bad arguments, or output\n"
      "(stdout, --trace) that cannot be written (the trace file is checked against the trace hash).");
  command->callback([arguments, &exit_code, action] {
    exit_code = action == CommandAction::run ? run_sim(*arguments) : check_arguments(*arguments);
  });
}

}  // namespace zsim::cli
