#pragma once
// One fuzz seed, end to end: the swarm turns (seed, profile) into a Scenario (sim/swarm.hpp), the
// scenario runner runs it with every property checked, and what the run reached is counted for the
// campaign's coverage report. A failing seed is then shrunk (sim/shrink.hpp) and written as a
// scenario file (sim/scenario_writer.hpp) that `zsim run` replays.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace zsim::sim {

// What one seed did. The campaign sums these; a failed seed names its first failing check.
struct SeedResult {
  std::uint64_t seed = 0;
  std::string profile;
  bool failed = false;
  std::string property;  // The failing property ("results_sequence", "exact_error", ...); empty if passed.
  std::string message;   // Its one-line failure message.
  std::uint64_t events = 0;   // Trace events of the run.
  std::int64_t sim_ms = 0;    // Simulated time the run covered, wind-down included.
  std::string trace_hash;
  // Coverage: how many fault steps of each kind the run applied, how many times each fault point
  // of the core fired, and how many trace events of each kind the run wrote.
  std::map<std::string, std::uint64_t> fault_kinds;
  std::map<std::string, std::uint64_t> points_hit;
  std::map<std::string, std::uint64_t> trace_kinds;
};

}  // namespace zsim::sim

#include "sim/scenario.hpp"
#include "sim/scenario_runner.hpp"

namespace zsim::sim {

// The property a failed check stands for: "property X" is X; an expectation the swarm wrote is
// named by what it expects ("exact_error" for an invalid reservation's error, "valid_ends_ok");
// any other check by its kind ("expect.trace", "steps").
std::string failure_property(const Scenario& scenario, const CheckFailure& failure);

// Runs a (generated) scenario and reduces the run to a SeedResult: the first failure, if any,
// and the coverage counts.
SeedResult run_fuzz_seed(const Scenario& scenario, const std::string& profile = "");

// True when running the scenario fails with that property (the shrinker's test).
bool fails_with(const Scenario& scenario, const std::string& property);

}  // namespace zsim::sim
