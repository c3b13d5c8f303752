// The campaign: which seeds a shard runs, that the summary does not depend on the thread count,
// that shards merge into the unsharded campaign, the budget and failure limits, and the summary's
// JSON round trip.

#include "sim/fuzz_campaign.hpp"

#include <gtest/gtest.h>

#include <set>

namespace zsim::sim {
namespace {

CampaignOptions small_campaign(std::uint64_t first, std::uint64_t last) {
  CampaignOptions options;
  options.profile = *find_swarm_profile("small");
  options.seed_first = first;
  options.seed_last = last;
  options.wall_clock_ms = [] { return std::int64_t{0}; };
  return options;
}

TEST(CampaignSeeds, ShardsPartitionTheRangeBySeedModuloN) {
  CampaignOptions options = small_campaign(5, 104);
  std::set<std::uint64_t> seen;
  options.shard_count = 7;
  for (std::uint32_t shard = 0; shard < 7; shard += 1) {
    options.shard_index = shard;
    for (const std::uint64_t seed : campaign_seeds(options)) {
      EXPECT_EQ(seed % 7, shard);
      EXPECT_TRUE(seen.insert(seed).second) << seed;
    }
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(*seen.begin(), 5u);
  EXPECT_EQ(*seen.rbegin(), 104u);
}

TEST(CampaignSeeds, TheTopOfTheRangeDoesNotWrap) {
  CampaignOptions options = small_campaign(UINT64_MAX - 9, UINT64_MAX);
  options.shard_count = 4;
  options.shard_index = static_cast<std::uint32_t>(UINT64_MAX % 4);
  const std::vector<std::uint64_t> seeds = campaign_seeds(options);
  ASSERT_FALSE(seeds.empty());
  EXPECT_EQ(seeds.back(), UINT64_MAX);
  EXPECT_LE(seeds.size(), 3u);
}

TEST(Campaign, TheSummaryIsTheSameWithOneOrTwoThreads) {
  CampaignOptions options = small_campaign(1, 12);
  options.jobs = 1;
  const CampaignSummary one = run_campaign(options);
  options.jobs = 2;
  const CampaignSummary two = run_campaign(options);
  EXPECT_EQ(one.seeds_run, 12u);
  EXPECT_EQ(one.stopped, "done");
  EXPECT_GT(one.events, 0u);
  EXPECT_EQ(campaign_summary_json(one).at("coverage").dump(), campaign_summary_json(two).at("coverage").dump());
  EXPECT_EQ(one.events, two.events);
  EXPECT_EQ(one.sim_ms, two.sim_ms);
  EXPECT_EQ(one.failures.size(), two.failures.size());
}

TEST(Campaign, ShardsMergeIntoTheUnshardedCampaign) {
  CampaignOptions options = small_campaign(1, 9);
  const CampaignSummary whole = run_campaign(options);
  std::vector<CampaignSummary> shards;
  options.shard_count = 3;
  for (std::uint32_t shard = 0; shard < 3; shard += 1) {
    options.shard_index = shard;
    // Through JSON, as `zsim fuzz merge` reads them.
    const core::Expected<CampaignSummary> read = campaign_summary_from_json(campaign_summary_json(run_campaign(options)));
    ASSERT_TRUE(read) << read.error();
    shards.push_back(read.value());
  }
  const core::Expected<CampaignSummary> merged = merge_campaign_summaries(shards);
  ASSERT_TRUE(merged) << merged.error();
  EXPECT_EQ(merged.value().seeds_run, whole.seeds_run);
  EXPECT_EQ(merged.value().events, whole.events);
  EXPECT_EQ(merged.value().sim_ms, whole.sim_ms);
  EXPECT_EQ(merged.value().fault_kinds, whole.fault_kinds);
  EXPECT_EQ(merged.value().trace_kinds, whole.trace_kinds);
  EXPECT_EQ(merged.value().points_hit, whole.points_hit);
  EXPECT_EQ(merged.value().shards, (std::vector<std::string>{"0/3", "1/3", "2/3"}));
}

TEST(Campaign, ShardsOfAnotherCampaignOrTwiceTheSameDoNotMerge) {
  CampaignSummary a;
  a.profile = "small";
  a.seed_first = 1;
  a.seed_last = 10;
  a.shards = {"0/2"};
  CampaignSummary b = a;
  b.profile = "dense";
  b.shards = {"1/2"};
  const core::Expected<CampaignSummary> other = merge_campaign_summaries({a, b});
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().find("another campaign"), std::string::npos) << other.error();
  const core::Expected<CampaignSummary> twice = merge_campaign_summaries({a, a});
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().find("twice"), std::string::npos) << twice.error();
}

TEST(Campaign, NoSeedStartsAfterTheTimeBudget) {
  CampaignOptions options = small_campaign(1, 50);
  // Each reading of the clock advances it by a second: the budget of 3 s runs out after a few seeds.
  auto now_ms = std::make_shared<std::int64_t>(0);
  options.wall_clock_ms = [now_ms] { return *now_ms += 1000; };
  options.time_budget_ms = 3000;
  const CampaignSummary summary = run_campaign(options);
  EXPECT_EQ(summary.stopped, "time_budget");
  EXPECT_GE(summary.seeds_run, 1u);
  EXPECT_LT(summary.seeds_run, 50u);
  EXPECT_EQ(summary.seeds_planned, 50u);
}

TEST(CampaignSummary, JsonRoundTripAndErrorsNameTheField) {
  CampaignSummary summary;
  summary.profile = "small";
  summary.seed_first = 3;
  summary.seed_last = 4;
  summary.shards = {"0/1"};
  summary.seeds_planned = 2;
  summary.seeds_run = 2;
  summary.stopped = "done";
  summary.failures.push_back({4, "ip_unique", "two containers share 10.1.1.5", "out/ip_unique-seed4.json", 90, 5, 77, true});
  summary.fault_kinds = {{"hub.down", 2}};
  summary.points_hit = {{"container.mount", 1}};
  summary.points_known = {"container.mount", "container.start"};
  const nlohmann::ordered_json json = campaign_summary_json(summary);
  EXPECT_EQ(json.at("coverage").at("points_never"), nlohmann::json::array({"container.start"}));
  const core::Expected<CampaignSummary> back = campaign_summary_from_json(json);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(campaign_summary_json(back.value()).dump(), json.dump());
  nlohmann::json broken = json;
  broken["failures"][0]["seed"] = "four";
  const core::Expected<CampaignSummary> bad = campaign_summary_from_json(broken);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), "summary.failures[0].seed: wrong type (string)");
}

TEST(CampaignSummary, JunitNamesEachFailingSeedAndItsReplay) {
  CampaignSummary summary;
  summary.profile = "small";
  summary.seeds_run = 10;
  summary.failures.push_back({7, "crash_policy", "restarted <1 s> after", "out/crash_policy-seed7.json", 1, 1, 1, true});
  const std::string xml = campaign_junit_xml(summary);
  EXPECT_NE(xml.find("failures=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"seed 7\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("restarted &lt;1 s&gt; after"), std::string::npos) << xml;
  EXPECT_NE(xml.find("zsim run out/crash_policy-seed7.json"), std::string::npos) << xml;
  EXPECT_NE(xml.find("9 seeds passed"), std::string::npos) << xml;
}

}  // namespace
}  // namespace zsim::sim
