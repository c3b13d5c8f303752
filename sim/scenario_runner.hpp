#pragma once
// Runs a scenario: builds a World from it (nodes, flists, redis servers, the networks and volumes
// present at start), executes its timed steps on the virtual clock, evaluates each expectation at
// its time, then winds the world down (heals every fault, deletes what still lives, lets every
// reservation end) and has the Checker judge the whole run: a violated property fails the scenario
// like a failed expectation. The trace hash of the run is its fingerprint.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/ports.hpp"
#include "sim/random_world.hpp"
#include "sim/scenario.hpp"

namespace zsim::sim {

// One expectation (or property) that did not hold.
struct CheckFailure {
  std::string check;     // "expect.results[0] 10-1", "property results_sequence", "expect.trace_hash"
  std::string expected;
  std::string got;
  std::int64_t at_ms = 0;  // Simulated time from the start of the scenario.
  // "expect.results[0] 10-1 at +00:30.000: expected error "x", got ok """
  std::string line() const;
};

struct ScenarioRunOptions {
  std::string trace_path;  // Empty: the trace is only hashed and kept in memory.
  // Where the nodes publish logs and stats; null is the world's FakeRedis. (Expectations on
  // messages read the FakeRedis, so another publisher is for runs that ship data elsewhere.)
  core::Publisher* publisher = nullptr;
  // Called before each event with its virtual time (a real publisher's I/O, --realtime pacing).
  std::function<void(std::int64_t next_event_ms)> pacer;
  // Keep the trace's lines for ScenarioRun::trace_lines (--explain). A fuzz seed needs only the
  // hash and the coverage counts, and skips a copy of every line; a scenario with expect.trace
  // checks keeps them whatever this says.
  bool keep_trace_lines = true;
};

struct ScenarioRun {
  bool passed = false;
  std::vector<CheckFailure> failures;
  std::size_t checks_total = 0;  // Expectations, plus the property check and the pinned hash.
  // Expectations that could not be evaluated: messages and the pinned trace hash when the nodes
  // published to a real redis (--redis), which the scenario cannot read and which is not deterministic.
  std::size_t checks_skipped = 0;
  std::string trace_hash;
  std::uint64_t events = 0;
  std::int64_t end_ms = 0;        // The scenario's end, from its start.
  std::int64_t wound_down_ms = 0; // When the wind-down ended, from the start.
  RunSummary summary;
  std::vector<std::string> trace_lines;     // The whole trace (bounded), for --explain.
  // Lines per trace event kind, and "fault_point_fired" lines per fault point: coverage.
  std::map<std::string, std::uint64_t, std::less<>> trace_kinds;
  std::map<std::string, std::uint64_t, std::less<>> points_fired;
  std::map<std::string, std::string> node_labels;  // Node id -> label.
  std::string io_error;  // Non-empty when the trace file could not be written.
};

// Trace lines, and bytes of them, kept in memory per run (for trace expectations and --explain); a
// run that writes more fails its trace expectations, and --explain shows the newest.
inline constexpr std::size_t scenario_trace_lines_max = 2'000'000;
inline constexpr std::size_t scenario_trace_bytes_max = std::size_t{256} << 20;
// The wind-down ends when everything settled, or after this much simulated time.
inline constexpr std::int64_t scenario_wind_down_max_ms = 2 * 3'600'000;

ScenarioRun run_scenario(const Scenario& scenario, const ScenarioRunOptions& options = {});

}  // namespace zsim::sim
