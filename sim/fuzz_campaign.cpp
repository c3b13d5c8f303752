#include "sim/fuzz_campaign.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "core/fault_points.hpp"
#include "sim/scenario_writer.hpp"
#include "sim/shrink.hpp"

namespace zsim::sim {

namespace {

struct SeedOutcome {
  bool ran = false;
  SeedResult result;
  std::optional<CampaignFailure> failure;
};

// The shrunk scenario says where it came from, so the file explains itself to whoever opens it.
void describe_found_scenario(Scenario& scenario, const CampaignOptions& options, const CampaignFailure& failure) {
  scenario.name = fmt::format("{}-seed{}", failure.property, failure.seed);
  scenario.description = fmt::format(
      "Found by zsim fuzz --profile {}{} --seeds {}..{}{}: property {} fails ({}). Shrunk from {} to {} steps.",
      options.profile.name, options.faults ? "" : " --no-faults", failure.seed, failure.seed,
      options.planted_bugs.empty() ? "" : " (planted bugs)", failure.property, failure.message,
      failure.steps_before, failure.steps_after);
}

// Shrinks the failing scenario, writes it, and checks that the file replays the failure.
CampaignFailure record_failure(const CampaignOptions& options, const Scenario& scenario, const SeedResult& result) {
  assert(result.failed);
  CampaignFailure failure;
  failure.seed = result.seed;
  failure.property = result.property;
  failure.message = result.message;
  failure.steps_before = scenario.steps.size();
  Scenario minimal = scenario;
  if (options.shrink) {
    ShrinkOptions shrink_options;
    shrink_options.runs_max = options.shrink_runs_max;
    ShrinkResult shrunk = shrink_scenario(scenario, result.property, shrink_options);
    minimal = std::move(shrunk.scenario);
    failure.shrink_runs = shrunk.runs;
  }
  failure.steps_after = minimal.steps.size();
  describe_found_scenario(minimal, options, failure);
  if (options.out_dir.empty()) {
    failure.replays = fails_with(minimal, failure.property);
    return failure;
  }
  const std::filesystem::path path = options.out_dir / scenario_file_name(failure.property, failure.seed);
  const core::Expected<void> written = write_scenario_file(path, minimal);
  if (!written) {
    failure.message += fmt::format(" (the scenario file could not be written: {})", written.error());
    return failure;
  }
  failure.scenario_file = path.string();
  const core::Expected<Scenario> loaded = load_scenario_file(failure.scenario_file);
  failure.replays = static_cast<bool>(loaded) && fails_with(loaded.value(), failure.property);
  return failure;
}

SeedOutcome run_one_seed(const CampaignOptions& options, std::uint64_t seed) {
  SwarmOptions swarm;
  swarm.seed = seed;
  swarm.profile = options.profile;
  swarm.faults = options.faults;
  swarm.planted_bugs = options.planted_bugs;
  const Scenario scenario = generate_swarm_scenario(swarm);
  SeedOutcome outcome;
  outcome.ran = true;
  outcome.result = run_fuzz_seed(scenario, options.profile.name);
  assert(outcome.result.seed == seed);
  if (outcome.result.failed) outcome.failure = record_failure(options, scenario, outcome.result);
  return outcome;
}

template <class Map>
void add_counts(Map& into, const Map& from) {
  for (const auto& [key, count] : from) into[key] += count;
}

// Sums what ran, in seed order, so the summary does not depend on which thread ran which seed.
CampaignSummary summarise(const CampaignOptions& options, const std::vector<std::uint64_t>& seeds,
                          const std::vector<SeedOutcome>& outcomes) {
  CampaignSummary summary;
  summary.profile = options.profile.name;
  summary.faults = options.faults;
  summary.planted_bugs = options.planted_bugs;
  summary.seed_first = options.seed_first;
  summary.seed_last = options.seed_last;
  summary.shards.push_back(fmt::format("{}/{}", options.shard_index, options.shard_count));
  summary.seeds_planned = seeds.size();
  for (const core::FaultPointInfo& point : core::fault_points) summary.points_known.emplace_back(point.name);
  std::sort(summary.points_known.begin(), summary.points_known.end());  // As a merged summary has them.
  for (const SeedOutcome& outcome : outcomes) {
    if (!outcome.ran) continue;
    summary.seeds_run += 1;
    summary.events += outcome.result.events;
    summary.sim_ms += outcome.result.sim_ms;
    add_counts(summary.fault_kinds, outcome.result.fault_kinds);
    add_counts(summary.points_hit, outcome.result.points_hit);
    add_counts(summary.trace_kinds, outcome.result.trace_kinds);
    if (outcome.failure) summary.failures.push_back(*outcome.failure);
  }
  return summary;
}

}  // namespace

std::vector<std::uint64_t> campaign_seeds(const CampaignOptions& options) {
  assert(options.shard_count >= 1 && options.shard_count <= campaign_shards_max);
  assert(options.shard_index < options.shard_count);
  assert(options.seed_first <= options.seed_last);
  assert(options.seed_last - options.seed_first < campaign_seeds_max);
  std::vector<std::uint64_t> seeds;
  // The first seed of the range that belongs to this shard, then every shard_count-th.
  const std::uint64_t offset = (options.shard_index + options.shard_count - options.seed_first % options.shard_count) %
                               options.shard_count;
  for (std::uint64_t seed = options.seed_first + offset; seed <= options.seed_last; seed += options.shard_count) {
    assert(seed % options.shard_count == options.shard_index);
    seeds.push_back(seed);
    if (options.seed_last - seed < options.shard_count) break;  // The next step would pass seed_last (or wrap).
  }
  return seeds;
}

CampaignSummary run_campaign(const CampaignOptions& options,
                             const std::function<void(const CampaignProgress&)>& progress) {
  assert(options.jobs >= 1 && options.jobs <= campaign_jobs_max);
  assert(options.failures_max >= 1 && options.failures_max <= campaign_failures_max);
  assert(options.wall_clock_ms);
  const std::vector<std::uint64_t> seeds = campaign_seeds(options);
  std::vector<SeedOutcome> outcomes(seeds.size());
  const std::int64_t started_ms = options.wall_clock_ms();
  std::atomic<std::size_t> next_index{0};
  std::atomic<bool> stop{false};
  std::string stopped = "done";
  std::mutex mutex;  // Guards the counters below, `stopped` and the progress callback.
  std::uint64_t seeds_done = 0;
  std::uint64_t failures = 0;

  const auto worker = [&] {
    while (!stop.load()) {
      const std::size_t index = next_index.fetch_add(1);
      if (index >= seeds.size()) return;
      if (options.time_budget_ms > 0 && options.wall_clock_ms() - started_ms >= options.time_budget_ms) {
        const std::lock_guard<std::mutex> lock(mutex);
        if (!stop.exchange(true)) stopped = "time_budget";
        return;
      }
      // Each slot is written by exactly one worker and read only after all joined.
      outcomes[index] = run_one_seed(options, seeds[index]);
      const std::lock_guard<std::mutex> lock(mutex);
      seeds_done += 1;
      const bool failed = outcomes[index].failure.has_value();
      if (failed) failures += 1;
      if (failed && failures >= options.failures_max && !stop.exchange(true)) stopped = "failures_max";
      if (!progress) continue;
      CampaignProgress report;
      report.seeds_done = seeds_done;
      report.seeds_total = seeds.size();
      report.failures = failures;
      const double elapsed_s = static_cast<double>(options.wall_clock_ms() - started_ms) / 1000.0;
      report.seeds_per_second = elapsed_s > 0 ? static_cast<double>(seeds_done) / elapsed_s : 0;
      report.eta_seconds = report.seeds_per_second > 0
                               ? static_cast<double>(seeds.size() - seeds_done) / report.seeds_per_second
                               : 0;
      report.new_failure = failed ? &*outcomes[index].failure : nullptr;
      progress(report);
    }
  };
  std::vector<std::thread> threads;
  const unsigned jobs = static_cast<unsigned>(std::min<std::size_t>(options.jobs, std::max<std::size_t>(seeds.size(), 1)));
  for (unsigned job = 1; job < jobs; job += 1) threads.emplace_back(worker);
  worker();
  for (std::thread& thread : threads) thread.join();

  CampaignSummary summary = summarise(options, seeds, outcomes);
  assert(summary.seeds_run == seeds_done);
  assert(summary.failures.size() == failures);
  summary.stopped = stopped;
  summary.wall_seconds = static_cast<double>(options.wall_clock_ms() - started_ms) / 1000.0;
  summary.seeds_per_second = summary.wall_seconds > 0 ? static_cast<double>(summary.seeds_run) / summary.wall_seconds : 0;
  return summary;
}

}  // namespace zsim::sim
