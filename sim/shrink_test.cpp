// The shrinker: what it removes from a failing scenario (reservations, steps, nodes, knobs) while
// the same property still fails, and that it never makes the scenario larger.

#include "sim/shrink.hpp"

#include <gtest/gtest.h>

#include "sim/fuzz_seed.hpp"
#include "sim/swarm.hpp"

namespace zsim::sim {
namespace {

// The first small seed that fails with the planted bug; the planted-bug campaign test proves
// there is one within 500 seeds, this one looks no further than 50.
std::optional<Scenario> failing_seed(const std::string& bug, const std::string& property) {
  for (std::uint64_t seed = 1; seed <= 50; seed += 1) {
    SwarmOptions options;
    options.seed = seed;
    options.profile = *find_swarm_profile("small");
    options.planted_bugs = {bug};
    Scenario scenario = generate_swarm_scenario(options);
    if (fails_with(scenario, property)) return scenario;
  }
  return std::nullopt;
}

// Knobs that have nothing to do with a failure are given back their defaults: a shrunk file says
// only what the failure needs.
TEST(Shrink, KnobsTheFailureDoesNotNeedGoBackToTheirDefaults) {
  std::optional<Scenario> failing = failing_seed("hdd_never_released", "capacity_charged");
  ASSERT_TRUE(failing.has_value());
  for (NodeSpec& node : failing->nodes) {
    node.knobs["sigterm_interval_ms"] = 900;
    node.knobs["in_flight_stats_max"] = 9;
  }
  ASSERT_TRUE(fails_with(*failing, "capacity_charged")) << "the extra knobs must keep the failure";
  const ShrinkResult shrunk = shrink_scenario(*failing, "capacity_charged");
  EXPECT_TRUE(fails_with(shrunk.scenario, "capacity_charged"));
  for (const NodeSpec& node : shrunk.scenario.nodes) {
    EXPECT_TRUE(node.knobs.empty()) << node.label << ": " << format_node_knobs(node.knobs);
  }
  EXPECT_LE(shrunk.steps_after, shrunk.steps_before);
  EXPECT_LE(shrunk.scenario.reservations.size(), failing->reservations.size());
  EXPECT_LE(shrunk.runs, ShrinkOptions{}.runs_max);
}

// A knob the failure needs stays: with crashes at most 1 per window, a crash-policy bug planted
// as "one exit too many" shows only with the knob set (the default gives up at the 4th exit).
TEST(Shrink, AKnobTheFailureNeedsStays) {
  std::optional<Scenario> failing = failing_seed("crash_limit_off_by_one", "crash_policy");
  ASSERT_TRUE(failing.has_value());
  for (NodeSpec& node : failing->nodes) node.knobs["crash_window_ms"] = 300'000;
  if (!fails_with(*failing, "crash_policy")) GTEST_SKIP() << "this seed needs the default window";
  const ShrinkResult shrunk = shrink_scenario(*failing, "crash_policy");
  EXPECT_TRUE(fails_with(shrunk.scenario, "crash_policy"));
  // Whether the knob stays depends on the seed; either way the file must replay the failure,
  // and every knob left in it must be one the failure needs.
  for (const NodeSpec& node : shrunk.scenario.nodes) {
    for (const auto& [name, value] : node.knobs) {
      Scenario without = shrunk.scenario;
      for (NodeSpec& other : without.nodes) {
        if (other.label == node.label) other.knobs.erase(name);
      }
      EXPECT_FALSE(fails_with(without, "crash_policy")) << node.label << ": knob " << name << " is not needed";
    }
  }
}

}  // namespace
}  // namespace zsim::sim
