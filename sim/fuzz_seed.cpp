#include "sim/fuzz_seed.hpp"

#include <cassert>

namespace zsim::sim {

namespace {

// "expect.results[3] 10-1" -> "expect.results[3]".
std::string_view check_path(std::string_view check) {
  const std::size_t space = check.find(' ');
  return space == std::string_view::npos ? check : check.substr(0, space);
}

void count_coverage(const Scenario& scenario, const ScenarioRun& run, SeedResult& result) {
  for (const StepSpec& step : scenario.steps) {
    if (step.kind == StepKind::fault) result.fault_kinds[step.fault.kind] += 1;
    if (step.kind == StepKind::crash) result.fault_kinds["step.crash"] += 1;
    if (step.kind == StepKind::restart_daemon) result.fault_kinds["step.restart_daemon"] += 1;
    if (step.kind == StepKind::reboot) result.fault_kinds["step.reboot"] += 1;
  }
  result.trace_kinds.insert(run.trace_kinds.begin(), run.trace_kinds.end());
  result.points_hit.insert(run.points_fired.begin(), run.points_fired.end());
}

}  // namespace

std::string failure_property(const Scenario& scenario, const CheckFailure& failure) {
  constexpr std::string_view property_prefix = "property ";
  if (failure.check.rfind(property_prefix, 0) == 0) {
    const std::string_view rest = std::string_view(failure.check).substr(property_prefix.size());
    return std::string(check_path(rest));
  }
  const std::string_view path = check_path(failure.check);
  if (path == "expect.no_secret_leaked") return "secret_leaked";
  for (const Check& check : scenario.checks) {
    if (check.path != path || check.kind != CheckKind::result) continue;
    if (check.result.state == core::ResultState::error) return "exact_error";
    if (check.result.state == core::ResultState::ok) return "valid_ends_ok";
  }
  const std::size_t bracket = path.find('[');
  return std::string(bracket == std::string_view::npos ? path : path.substr(0, bracket));
}

SeedResult run_fuzz_seed(const Scenario& scenario, const std::string& profile) {
  SeedResult result;
  result.seed = scenario.seed;
  result.profile = profile;
  ScenarioRunOptions options;
  options.keep_trace_lines = false;
  const ScenarioRun run = run_scenario(scenario, options);
  result.events = run.events;
  result.sim_ms = run.wound_down_ms;
  result.trace_hash = run.trace_hash;
  result.failed = !run.passed;
  if (!run.failures.empty()) {
    result.property = failure_property(scenario, run.failures.front());
    result.message = run.failures.front().line();
  }
  assert(result.failed || run.failures.empty());
  count_coverage(scenario, run, result);
  return result;
}

bool fails_with(const Scenario& scenario, const std::string& property) {
  ScenarioRunOptions options;
  options.keep_trace_lines = false;
  const ScenarioRun run = run_scenario(scenario, options);
  for (const CheckFailure& failure : run.failures) {
    if (failure_property(scenario, failure) == property) return true;
  }
  return false;
}

}  // namespace zsim::sim
