#pragma once
// A fuzz campaign: many seeds of one swarm profile, run on worker threads (each world stays
// single-threaded and owns everything it touches), every failure shrunk to a minimal scenario
// file, and the coverage of all runs summed. Shards split a campaign across machines by seed
// (s mod N = I); `merge_campaign_summaries` joins their summaries into one.
//
// The summary is a function of the seeds that ran, never of the thread count or timing: results
// are summed in seed order. Only a time budget makes the set of seeds depend on the machine.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sim/fuzz_campaign_summary.hpp"
#include "sim/fuzz_seed.hpp"
#include "sim/swarm.hpp"

namespace zsim::sim {

// Bounds that keep a campaign's memory and output finite.
inline constexpr std::uint64_t campaign_seeds_max = 1'000'000'000;
inline constexpr unsigned campaign_jobs_max = 256;
inline constexpr std::uint32_t campaign_shards_max = 100'000;
inline constexpr std::uint32_t campaign_failures_max = 1'000;

struct CampaignOptions {
  SwarmProfile profile;
  std::uint64_t seed_first = 1;  // The seeds first..last (inclusive) ...
  std::uint64_t seed_last = 100;
  std::uint32_t shard_index = 0;  // ... of which this campaign runs those with seed mod shard_count = shard_index.
  std::uint32_t shard_count = 1;
  bool faults = true;
  std::vector<std::string> planted_bugs;  // Test-only: bugs planted in the core (see docs/PROPERTIES.md).
  unsigned jobs = 1;                      // Worker threads.
  std::int64_t time_budget_ms = 0;        // Wall-clock budget; 0: none. No new seed starts after it.
  std::uint32_t failures_max = 20;        // The campaign stops once this many seeds failed.
  bool shrink = true;
  std::uint64_t shrink_runs_max = 400;    // Per failure.
  std::filesystem::path out_dir;          // Failure files and campaign.json; empty: nothing written.
  // The wall clock in ms, for the budget and seeds/s only (nothing in a world sees it).
  std::function<std::int64_t()> wall_clock_ms;
};

// The seeds this campaign runs, in order (the shard's share of first..last).
std::vector<std::uint64_t> campaign_seeds(const CampaignOptions& options);

struct CampaignProgress {
  std::uint64_t seeds_done = 0;
  std::uint64_t seeds_total = 0;
  std::uint64_t failures = 0;
  double seeds_per_second = 0;
  double eta_seconds = 0;
  const CampaignFailure* new_failure = nullptr;  // Set when this report is for a new failure.
};

// Runs the campaign. progress (may be empty) is called from one thread at a time.
CampaignSummary run_campaign(const CampaignOptions& options,
                             const std::function<void(const CampaignProgress&)>& progress = {});

}  // namespace zsim::sim
