#include "sim/swarm.hpp"

#include <gtest/gtest.h>

#include <set>

#include "sim/fuzz_seed.hpp"

namespace zsim::sim {
namespace {

SwarmOptions small(std::uint64_t seed) {
  SwarmOptions options;
  options.seed = seed;
  options.profile = *find_swarm_profile("small");
  return options;
}

TEST(Swarm, ProfilesAreKnownByNameAndSmallComesFirst) {
  ASSERT_FALSE(swarm_profiles().empty());
  EXPECT_EQ(swarm_profiles().front().name, "small");
  EXPECT_NE(find_swarm_profile("dense"), nullptr);
  EXPECT_NE(find_swarm_profile("grid"), nullptr);
  EXPECT_EQ(find_swarm_profile("huge"), nullptr);
}

TEST(Swarm, OneSeedGivesOneScenarioAndTwoSeedsTwo) {
  const Scenario first = generate_swarm_scenario(small(5));
  const Scenario again = generate_swarm_scenario(small(5));
  const Scenario other = generate_swarm_scenario(small(6));
  ASSERT_EQ(first.steps.size(), again.steps.size());
  for (std::size_t index = 0; index < first.steps.size(); index += 1) {
    EXPECT_EQ(first.steps[index].at_ms, again.steps[index].at_ms);
    EXPECT_EQ(first.steps[index].kind, again.steps[index].kind);
  }
  EXPECT_EQ(run_fuzz_seed(first).trace_hash, run_fuzz_seed(again).trace_hash);
  EXPECT_NE(run_fuzz_seed(first).trace_hash, run_fuzz_seed(other).trace_hash);
}

TEST(Swarm, StepsAreInTimeOrderAndEndAtTheFaultPhase) {
  for (std::uint64_t seed = 1; seed <= 20; seed += 1) {
    const Scenario scenario = generate_swarm_scenario(small(seed));
    ASSERT_FALSE(scenario.steps.empty());
    for (std::size_t index = 1; index < scenario.steps.size(); index += 1) {
      EXPECT_LE(scenario.steps[index - 1].at_ms, scenario.steps[index].at_ms) << "seed " << seed;
    }
    EXPECT_EQ(scenario.steps.back().kind, StepKind::advance);
    EXPECT_EQ(scenario.end_ms, small(seed).profile.duration_ms);
    EXPECT_EQ(scenario.nodes.size(), 3u);
  }
}

// Over many seeds, the swarm draws every kind it knows at least once, and both expectations.
TEST(Swarm, ManySeedsDrawManyFaultKindsAndBothExpectations) {
  std::set<std::string> kinds;
  std::set<int> states;
  for (std::uint64_t seed = 1; seed <= 200; seed += 1) {
    const Scenario scenario = generate_swarm_scenario(small(seed));
    for (const StepSpec& step : scenario.steps) {
      if (step.kind == StepKind::fault) kinds.insert(step.fault.kind);
    }
    for (const Check& check : scenario.checks) states.insert(static_cast<int>(*check.result.state));
  }
  EXPECT_GE(kinds.size(), 18u);
  EXPECT_EQ(states.size(), 2u);
}

// Some nodes get knobs other than the defaults, always within their ranges; some containers are
// held to a stats cadence, and only on nodes no restart or reboot touches.
TEST(Swarm, ManySeedsDrawKnobsAndStatsCadencesOnUndisturbedNodes) {
  std::size_t nodes_with_knobs = 0;
  std::size_t cadences = 0;
  for (std::uint64_t seed = 1; seed <= 200; seed += 1) {
    const Scenario scenario = generate_swarm_scenario(small(seed));
    for (const NodeSpec& node : scenario.nodes) {
      EXPECT_TRUE(check_node_knobs(node.knobs).ok()) << "seed " << seed;
      if (!node.knobs.empty()) nodes_with_knobs += 1;
    }
    for (const std::string& workload : scenario.stats_cadence) {
      cadences += 1;
      ASSERT_TRUE(stats_endpoint(scenario, workload).has_value()) << "seed " << seed << " " << workload;
      const ReservationSpec* reservation = scenario.reservation(std::stoull(workload));
      ASSERT_NE(reservation, nullptr);
      for (const StepSpec& step : scenario.steps) {
        const bool node_step = step.kind == StepKind::restart_daemon || step.kind == StepKind::reboot;
        EXPECT_FALSE(node_step && step.node == reservation->node) << "seed " << seed << " " << workload;
        EXPECT_FALSE(step.kind == StepKind::fault && step.fault.kind == "clock.step") << "seed " << seed;
      }
    }
  }
  EXPECT_GT(nodes_with_knobs, 200u);
  EXPECT_GT(cadences, 20u);
}

TEST(Swarm, WithoutFaultsNoFaultStepsAndValidOnesExpectOk) {
  SwarmOptions options = small(9);
  options.faults = false;
  const Scenario scenario = generate_swarm_scenario(options);
  for (const StepSpec& step : scenario.steps) {
    EXPECT_NE(step.kind, StepKind::fault);
    EXPECT_NE(step.kind, StepKind::reboot);
  }
}

TEST(Swarm, CleanSmallSeedsPass) {
  for (std::uint64_t seed = 1; seed <= 40; seed += 1) {
    const SeedResult result = run_fuzz_seed(generate_swarm_scenario(small(seed)), "small");
    EXPECT_FALSE(result.failed) << "seed " << seed << ": " << result.message;
    EXPECT_GT(result.events, 0u);
    EXPECT_FALSE(result.trace_kinds.empty());
  }
}

}  // namespace
}  // namespace zsim::sim
