// The kernel's VirtualScheduler, and a whole random world on it.
//
// BM_SchedulerHold is the classic "hold" model of event-queue benchmarks: the queue holds `pending`
// timers, and every event, when it runs, schedules one more at a pseudo-random delay (1..1000 ms,
// from the kernel's Prng), so each iteration is one schedule and one run at a steady queue size.
// BM_SchedulerBurst schedules `events` timers due at the same time and runs them (the FIFO case of
// a tick of many containers). items_per_second is events (schedule + run) per second.
//
// BM_RandomWorld runs sim::run_random_world with fixed options and reports simulated seconds per
// wall-clock second (sim_s_per_wall_s), and scheduler events per second.

#include <benchmark/benchmark.h>

#include <cassert>
#include <cstdint>
#include <string>

#include "kernel/prng.hpp"
#include "kernel/scheduler.hpp"
#include "sim/random_world.hpp"

namespace zsim::bench {
namespace {

constexpr std::uint64_t seed = 20261128;
constexpr std::uint64_t delay_max_ms = 1000;

// The callback of a hold event: schedules its successor. It captures one pointer, so that
// std::function stores it inline and the steady state allocates nothing.
struct Hold {
  kernel::VirtualScheduler& scheduler;
  kernel::Prng& prng;
  std::uint64_t ran = 0;

  void schedule() {
    const auto delay_ms = static_cast<std::int64_t>(prng.between(1, delay_max_ms));
    scheduler.at(scheduler.now_ms() + delay_ms, [this] {
      ran += 1;
      schedule();
    });
  }
};

void BM_SchedulerHold(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  kernel::VirtualScheduler scheduler(0);
  kernel::Prng prng(seed);
  Hold hold{scheduler, prng};
  for (std::size_t timer = 0; timer < pending; timer += 1) hold.schedule();
  for (auto _ : state) {
    const bool ran = scheduler.run_next();
    benchmark::DoNotOptimize(ran);
  }
  if (hold.ran != static_cast<std::uint64_t>(state.iterations()) || scheduler.pending() != pending) {
    state.SkipWithError("the queue did not hold its size");
    return;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SchedulerHold)->ArgName("pending")->Arg(16)->Arg(1024)->Arg(65536);

// What the events of a burst share. A callback captures a pointer to it and its own number (16
// bytes), which std::function stores inline, as the core's [this] callbacks are.
struct Burst {
  std::uint64_t ran = 0;
  std::uint64_t expected = 0;
  std::uint64_t order_errors = 0;
};

void BM_SchedulerBurst(benchmark::State& state) {
  const auto events = static_cast<std::uint64_t>(state.range(0));
  kernel::VirtualScheduler scheduler(0);
  Burst burst;
  for (auto _ : state) {
    const std::int64_t due_ms = scheduler.now_ms() + 1;
    burst.expected = 0;
    for (std::uint64_t event = 0; event < events; event += 1) {
      // Same-time timers run in the order they were scheduled: count any that does not.
      scheduler.at(due_ms, [shared = &burst, event] {
        shared->order_errors += event == shared->expected ? 0 : 1;
        shared->expected += 1;
        shared->ran += 1;
      });
    }
    scheduler.run_until(due_ms);
  }
  if (burst.ran != static_cast<std::uint64_t>(state.iterations()) * events || burst.order_errors != 0) {
    state.SkipWithError("a burst ran out of order or incompletely");
    return;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(burst.ran));
}
BENCHMARK(BM_SchedulerBurst)->ArgName("events")->Arg(1024)->Arg(65536);

// Fixed options: a world of the default size with faults, one hour of fault phase (the liveness
// phase follows). The same seed every run, so every run simulates the same world; two iterations,
// so that the benchmark also checks that they gave the same trace hash.
void BM_RandomWorld(benchmark::State& state) {
  sim::RandomWorldOptions options;
  options.seed = 7;
  options.nodes = 3;
  options.reservations = static_cast<std::uint32_t>(state.range(0));
  options.duration_ms = 60 * 60'000;
  options.faults = true;
  std::int64_t sim_seconds = 0;
  std::uint64_t scheduler_events = 0;
  std::uint64_t violations = 0;
  std::string trace_hash;
  for (auto _ : state) {
    const sim::RunSummary summary = sim::run_random_world(options);
    sim_seconds += summary.sim_seconds;
    scheduler_events += summary.scheduler_events;
    violations += summary.violations.size();
    if (!trace_hash.empty() && trace_hash != summary.trace_hash) {
      state.SkipWithError("the same seed gave two trace hashes");
      return;
    }
    trace_hash = summary.trace_hash;
  }
  // Rates divide by wall time (UseRealTime below).
  state.counters["sim_s_per_wall_s"] = benchmark::Counter(static_cast<double>(sim_seconds), benchmark::Counter::kIsRate);
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(scheduler_events), benchmark::Counter::kIsRate);
  state.counters["sim_s"] = static_cast<double>(sim_seconds) / static_cast<double>(state.iterations());
  state.counters["violations"] = static_cast<double>(violations);
  state.SetLabel("trace " + trace_hash);
}
BENCHMARK(BM_RandomWorld)->ArgName("reservations")->Arg(200)->Iterations(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace zsim::bench

BENCHMARK_MAIN();
