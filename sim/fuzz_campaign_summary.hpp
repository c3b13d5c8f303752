#pragma once
// What a fuzz campaign found and reached: its failures (each a shrunk scenario file), and the
// coverage of its runs. A summary is written as campaign.json; shards' summaries merge into one.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/expected.hpp"

namespace zsim::sim {

// A summary read from a file holds at most this many failures (a campaign stops far earlier).
inline constexpr std::size_t campaign_summary_failures_max = 100'000;

struct CampaignFailure {
  std::uint64_t seed = 0;
  std::string property;
  std::string message;
  std::string scenario_file;  // Where the (shrunk) scenario was written; empty when nothing was written.
  std::size_t steps_before = 0;
  std::size_t steps_after = 0;
  std::uint64_t shrink_runs = 0;
  bool replays = false;  // The written file, loaded back and run, fails with the same property.
};

struct CampaignSummary {
  std::string profile;
  bool faults = true;
  std::vector<std::string> planted_bugs;
  std::uint64_t seed_first = 0;
  std::uint64_t seed_last = 0;
  std::vector<std::string> shards;  // "I/N" of each shard summed in.
  std::uint64_t seeds_planned = 0;
  std::uint64_t seeds_run = 0;
  std::string stopped;  // "done", "time_budget" or "failures_max" (merged: the worst).
  std::vector<CampaignFailure> failures;  // In seed order.
  std::uint64_t events = 0;
  std::int64_t sim_ms = 0;
  double wall_seconds = 0;
  double seeds_per_second = 0;  // seeds_run / wall_seconds (merged: summed over shards).
  std::map<std::string, std::uint64_t> fault_kinds;
  std::map<std::string, std::uint64_t> points_hit;
  std::map<std::string, std::uint64_t> trace_kinds;
  std::vector<std::string> points_known;  // Every fault point of the core, hit or not (sorted).
};

nlohmann::ordered_json campaign_summary_json(const CampaignSummary& summary);
// The inverse; an error names the field that is wrong.
core::Expected<CampaignSummary> campaign_summary_from_json(const nlohmann::json& json);
// Shards of one campaign (same profile, faults and seed range) sum into one summary.
core::Expected<CampaignSummary> merge_campaign_summaries(const std::vector<CampaignSummary>& shards);
// The fault points, fault kinds and trace event kinds no run of the campaign reached.
std::vector<std::string> never_hit(const std::map<std::string, std::uint64_t>& counts,
                                   const std::vector<std::string>& known);

// JUnit XML: one testcase per failure and one for the seeds that passed.
std::string campaign_junit_xml(const CampaignSummary& summary);

}  // namespace zsim::sim
