// Proof that the fuzzer finds bugs: each bug the test-only switch can plant in the core
// (core/planted_bugs.hpp) is found by a campaign of the default profile within 500 seeds, by the
// property meant to catch it, shrunk to at most 10 steps, and written as a file that replays it.
// The clean core passes the same seeds (sim/faults_test.cpp and CI's campaign).

#include <gtest/gtest.h>

#include <filesystem>

#include "core/planted_bugs.hpp"
#include "sim/fuzz_campaign.hpp"
#include "sim/scenario.hpp"

namespace zsim::sim {
namespace {

struct PlantedCase {
  const char* bug;
  const char* property;  // What catches it.
};

class PlantedBugIsFound : public ::testing::TestWithParam<PlantedCase> {};

TEST_P(PlantedBugIsFound, Within500SeedsAndShrunkToAtMost10Steps) {
  const PlantedCase& planted = GetParam();
  ASSERT_TRUE(core::find_planted_bug(planted.bug).has_value());
  const std::filesystem::path out = std::filesystem::temp_directory_path() / (std::string("zsim-planted-") + planted.bug);
  std::filesystem::remove_all(out);
  std::filesystem::create_directories(out);
  CampaignOptions options;
  options.profile = *find_swarm_profile("small");
  options.seed_first = 1;
  options.seed_last = 500;
  options.planted_bugs = {planted.bug};
  options.jobs = 2;
  options.failures_max = 1;
  options.out_dir = out;
  options.wall_clock_ms = [] { return std::int64_t{0}; };
  const CampaignSummary summary = run_campaign(options);
  // Two workers may each finish a failing seed before the campaign stops: one or two failures.
  ASSERT_FALSE(summary.failures.empty()) << planted.bug << " was not found in 500 seeds";
  const CampaignFailure& failure = summary.failures.front();
  EXPECT_EQ(failure.property, planted.property) << failure.message;
  EXPECT_LE(failure.steps_after, 10u) << "shrunk from " << failure.steps_before;
  EXPECT_TRUE(failure.replays);
  const core::Expected<Scenario> file = load_scenario_file(failure.scenario_file);
  ASSERT_TRUE(file.ok()) << file.error();
  EXPECT_EQ(file.value().planted_bugs, std::vector<std::string>{planted.bug}) << "the file plants the bug again";
  std::filesystem::remove_all(out);
}

INSTANTIATE_TEST_SUITE_P(
    EveryPlantedBug, PlantedBugIsFound,
    ::testing::Values(PlantedCase{"hdd_never_released", "capacity_charged"},
                      PlantedCase{"stats_lost_after_reconnect", "delivery_honest"},
                      PlantedCase{"log_line_twice_after_reconnect", "log_order"},
                      PlantedCase{"crash_limit_off_by_one", "crash_policy"},
                      PlantedCase{"ip_check_skipped_in_poll", "ip_unique"},
                      PlantedCase{"hdd_root_disk_charged_as_ssd", "capacity_charged"}),
    [](const ::testing::TestParamInfo<PlantedCase>& info) { return std::string(info.param.bug); });

TEST(PlantedBugs, EveryNameIsKnownAndTheCatalogueHasSix) {
  EXPECT_EQ(core::planted_bug_names.size(), 6u);
  for (const core::PlantedBugInfo& info : core::planted_bug_names) {
    EXPECT_EQ(core::find_planted_bug(info.name), info.bug);
  }
  EXPECT_FALSE(core::find_planted_bug("no_such_bug").has_value());
  core::PlantedBugs bugs;
  EXPECT_TRUE(bugs.empty());
  bugs.plant(core::PlantedBug::crash_limit_off_by_one);
  EXPECT_TRUE(bugs.has(core::PlantedBug::crash_limit_off_by_one));
  EXPECT_FALSE(bugs.has(core::PlantedBug::hdd_never_released));
}

}  // namespace
}  // namespace zsim::sim
