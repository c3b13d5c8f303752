// Fuzzing throughput: seeds per second of one core for each swarm profile, generating the world,
// running it with every property checked and counting coverage, as `zsim fuzz` does per seed.
// The target is 200 seeds/s per core for `small`; scripts/bench.sh prints the figure.

#include <benchmark/benchmark.h>

#include <cstdint>

#include "sim/fuzz_seed.hpp"
#include "sim/swarm.hpp"

namespace {

void run_profile_seeds(benchmark::State& state, const char* profile_name, bool faults) {
  const zsim::sim::SwarmProfile* profile = zsim::sim::find_swarm_profile(profile_name);
  if (profile == nullptr) {
    state.SkipWithError("no such profile");
    return;
  }
  std::uint64_t seed = 1;
  std::uint64_t failed = 0;
  std::uint64_t events = 0;
  for (auto _ : state) {
    zsim::sim::SwarmOptions options;
    options.seed = seed++;
    options.profile = *profile;
    options.faults = faults;
    const zsim::sim::SeedResult result = zsim::sim::run_fuzz_seed(zsim::sim::generate_swarm_scenario(options), profile_name);
    failed += result.failed ? 1 : 0;
    events += result.events;
    benchmark::DoNotOptimize(result.trace_hash.data());
  }
  state.counters["seeds_per_second"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["events_per_seed"] = static_cast<double>(events) / static_cast<double>(std::max<std::uint64_t>(state.iterations(), 1));
  state.counters["failed"] = static_cast<double>(failed);
}

void BM_FuzzSmall(benchmark::State& state) { run_profile_seeds(state, "small", true); }
void BM_FuzzSmallNoFaults(benchmark::State& state) { run_profile_seeds(state, "small", false); }
void BM_FuzzDense(benchmark::State& state) { run_profile_seeds(state, "dense", true); }

BENCHMARK(BM_FuzzSmall)->Unit(benchmark::kMillisecond)->Iterations(400);
BENCHMARK(BM_FuzzSmallNoFaults)->Unit(benchmark::kMillisecond)->Iterations(400);
BENCHMARK(BM_FuzzDense)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
