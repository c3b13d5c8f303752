#pragma once
// The swarm: a seed and a profile become a Scenario — nodes with knobs drawn within their legal
// ranges, flists, redis servers, reservations (valid ones, and invalid ones whose exact error is
// known), deletes, and a random subset of the fault catalogue switched on in windows (swarm testing,
// as FoundationDB and TigerBeetle do). The scenario runner then runs it like any file of scenarios/;
// a failing one is shrunk and written as a file, so what the fuzzer found is what `zsim run` replays.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario.hpp"

namespace zsim::sim {

struct SwarmProfile {
  std::string name;         // "small", "dense", "grid"
  std::string description;  // One line, for --help.
  std::uint32_t nodes = 3;
  std::uint32_t reservations = 10;
  std::int64_t duration_ms = 10 * 60'000;  // The fault phase; the runner's wind-down follows.
};

// Every profile, the default ("small") first.
const std::vector<SwarmProfile>& swarm_profiles();
// Null when there is no profile of that name.
const SwarmProfile* find_swarm_profile(std::string_view name);

struct SwarmOptions {
  std::uint64_t seed = 1;
  SwarmProfile profile;
  bool faults = true;
  std::vector<std::string> planted_bugs;  // Test-only: bugs planted in the core of every node.
};

Scenario generate_swarm_scenario(const SwarmOptions& options);

}  // namespace zsim::sim
