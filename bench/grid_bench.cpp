// Scaling benchmarks of issue 13: how fast a grid simulates and what a container costs, from 1,000
// to 100,000 containers, and the memory an idle container holds.
//
// BM_ReferenceGrid is the reference grid exactly as `zsim sim --seed 3 --nodes 100 --reservations
// 1000 --duration 1h --no-faults` runs it (sim::run_random_world: 100 nodes, 1,000 reservations with
// logs and stats, one simulated hour and its 30-minute liveness phase). Its sim_s_per_wall_s is the
// figure of the target ">= 10,000x real time".
//
// BM_Grid runs the grids of bench/grid_world.*: one node per ten containers, every container valid
// and running (a refused or failed container fails the benchmark), over `minutes` of simulated time
// plus a 3-minute tail. All grids of a run share one duration, so that their costs compare; it is
// 2 minutes because the 100,000-container grid must fit in a report of about 10 minutes. Counters:
//   sim_s_per_wall_s        simulated seconds per wall-clock second;
//   container_s             container-seconds simulated: every container has a stats endpoint whose
//                           clock ticks every 2 s while it runs, so 2 s x ticks;
//   wall_s_per_container_s  wall seconds per container-second, the cost that should stay flat
//                           from 1,000 to 100,000 containers;
//   rss_peak_mib            the process's peak resident set so far (getrusage): the grids run from
//                           small to large, so each one's figure is its own peak.
//
// BM_IdleMemory measures bytes per idle running container (bench/grid_world.hpp says how), with
// and without logs and stats endpoints.
//
// `--grid_quick` (zsim bench --quick) registers smaller grids so that the suite takes about half a
// minute: the reference grid once, 1,000 and 10,000 containers over 1 simulated minute, idle memory
// at 1,000 and 5,000.

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <sys/resource.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "bench/grid_world.hpp"
#include "sim/random_world.hpp"

namespace zsim::bench {
namespace {

double rss_peak_mib() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux.
}

void BM_ReferenceGrid(benchmark::State& state) {
  sim::RandomWorldOptions options;
  options.seed = 3;
  options.nodes = 100;
  options.reservations = 1000;
  options.duration_ms = 60 * 60'000;
  options.faults = false;
  std::int64_t sim_seconds = 0;
  std::uint64_t scheduler_events = 0;
  std::string trace_hash;
  for (auto _ : state) {
    const sim::RunSummary summary = sim::run_random_world(options);
    if (!summary.violations.empty()) {
      state.SkipWithError(("a property was violated: " + summary.violations.front().property).c_str());
      return;
    }
    if (!trace_hash.empty() && trace_hash != summary.trace_hash) {
      state.SkipWithError("the same seed gave two trace hashes");
      return;
    }
    trace_hash = summary.trace_hash;
    sim_seconds += summary.sim_seconds;
    scheduler_events += summary.scheduler_events;
  }
  state.counters["sim_s_per_wall_s"] = benchmark::Counter(static_cast<double>(sim_seconds), benchmark::Counter::kIsRate);
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(scheduler_events), benchmark::Counter::kIsRate);
  state.counters["sim_s"] = static_cast<double>(sim_seconds) / static_cast<double>(state.iterations());
  state.counters["rss_peak_mib"] = rss_peak_mib();
  state.SetLabel("trace " + trace_hash);
}

// The checks of one grid run: every container ran, nothing was refused, no property broke.
std::string grid_run_error(const GridRun& run, std::uint32_t containers) {
  if (run.violations > 0) return fmt::format("{} violations, the first {}", run.violations, run.first_violation);
  if (run.results_error > 0 || run.containers_ok != containers) {
    return fmt::format("{} of {} containers ran, {} error results", run.containers_ok, containers, run.results_error);
  }
  if (run.stats_ticks == 0) return "no stats tick: no container-second to count";
  return "";
}

void BM_Grid(benchmark::State& state) {
  GridOptions options;
  options.containers = static_cast<std::uint32_t>(state.range(0));
  options.nodes = static_cast<std::uint32_t>(state.range(1));
  options.duration_ms = state.range(2) * 60'000;
  GridRun run;
  double container_seconds = 0;
  std::int64_t sim_seconds = 0;
  for (auto _ : state) {
    run = run_grid(options);
    const std::string error = grid_run_error(run, options.containers);
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      return;
    }
    container_seconds += 2.0 * static_cast<double>(run.stats_ticks);
    sim_seconds += run.sim_seconds;
  }
  const double iterations = static_cast<double>(state.iterations());
  state.counters["sim_s_per_wall_s"] = benchmark::Counter(static_cast<double>(sim_seconds), benchmark::Counter::kIsRate);
  // kIsRate | kInvert: seconds per container-second; the report shows it in nanoseconds.
  state.counters["wall_s_per_container_s"] =
      benchmark::Counter(container_seconds, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["container_s"] = container_seconds / iterations;
  state.counters["sim_s"] = static_cast<double>(sim_seconds) / iterations;
  state.counters["containers_ok"] = static_cast<double>(run.containers_ok);
  state.counters["messages_delivered"] = static_cast<double>(run.messages_delivered);
  state.counters["scheduler_events"] = static_cast<double>(run.scheduler_events);
  state.counters["rss_peak_mib"] = rss_peak_mib();
  state.SetLabel("trace " + run.trace_hash);
}

void BM_IdleMemory(benchmark::State& state) {
  IdleOptions options;
  options.containers = static_cast<std::uint32_t>(state.range(0));
  options.endpoints = state.range(1) != 0;
  IdleMemory memory;
  for (auto _ : state) memory = measure_idle_memory(options);
  if (memory.containers_running != options.containers) {
    state.SkipWithError(fmt::format("{} of {} containers ran", memory.containers_running, options.containers).c_str());
    return;
  }
  state.counters["malloc_bytes_per_container"] = memory.malloc_bytes_per_container;
  state.counters["nodes"] = memory.nodes;
}

struct GridSize {
  std::int64_t containers;
  std::int64_t nodes;
  std::int64_t minutes;
};

void register_benchmarks(bool quick) {
  benchmark::RegisterBenchmark("BM_ReferenceGrid", BM_ReferenceGrid)
      ->Iterations(quick ? 1 : 2)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  // One node per ten containers, the reference grid's density; one duration for every grid of a run.
  const std::vector<GridSize> sizes = quick ? std::vector<GridSize>{{1000, 100, 1}, {10'000, 1000, 1}}
                                            : std::vector<GridSize>{{1000, 100, 2}, {10'000, 1000, 2}, {100'000, 10'000, 2}};
  for (const GridSize& size : sizes) {
    benchmark::RegisterBenchmark("BM_Grid", BM_Grid)
        ->ArgNames({"containers", "nodes", "minutes"})
        ->Args({size.containers, size.nodes, size.minutes})
        ->Iterations(1)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
  const std::vector<std::int64_t> idle = quick ? std::vector<std::int64_t>{1000, 5000}
                                               : std::vector<std::int64_t>{1000, 10'000, 100'000};
  for (const std::int64_t containers : idle) {
    benchmark::RegisterBenchmark("BM_IdleMemory", BM_IdleMemory)
        ->ArgNames({"containers", "endpoints"})
        ->ArgsProduct({{containers}, {0, 1}})
        ->Iterations(1)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace
}  // namespace zsim::bench

int main(int argc, char** argv) {
  // --grid_quick is this suite's own flag; it is taken out before Google Benchmark reads the rest.
  bool quick = false;
  int kept = 1;
  for (int index = 1; index < argc; index += 1) {
    if (std::strcmp(argv[index], "--grid_quick") == 0) {
      quick = true;
    } else {
      argv[kept++] = argv[index];
    }
  }
  argc = kept;
  zsim::bench::register_benchmarks(quick);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
