// The stats hot path: core::encode_stats (std::to_chars into a reused buffer) against building the
// same message as an nlohmann::ordered_json object and dumping it, which is what the design replaced
// (DESIGN.md: "one nlohmann build+dump costs ~1.4 us"). Both produce the same bytes; every benchmark
// checks that before it measures.
//
// BM_StatsEncodeRatio times both ways in alternating batches inside one benchmark, on the thread's
// CPU clock, so that the ratio it reports (nlohmann_over_encode) is taken under the same machine
// load, not across two benchmarks that may have run under different conditions.

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <cassert>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "core/ports.hpp"
#include "core/stats_encoder.hpp"

namespace zsim::bench {
namespace {

constexpr std::int64_t timestamp_s = 1'700'000'000;
// Messages per timed batch of BM_StatsEncodeRatio: long enough that reading the clock (a system
// call, a few hundred ns) is noise next to a batch (tens of us), short enough that both ways see
// the same load.
constexpr std::uint64_t batch_messages = 1024;

// Figures of realistic width that change with every message, as a container's do.
core::ContainerStats stats_at(std::uint64_t step) {
  return core::ContainerStats{.memory_usage_bytes = 150'000'000 + (step & 0xffff) * 4096,
                              .memory_limit_bytes = std::uint64_t{256} << 20,
                              .memory_cache_bytes = 12'000'000 + (step & 0xff) * 4096,
                              .cpu_usage_ns = 4'000'000'000'000 + step * 1'000'003,
                              .pids_current = 3 + (step & 7)};
}

// The message the seed's pusher built: an object with the fields in this order, dumped compact.
std::string nlohmann_stats(std::int64_t timestamp, const core::ContainerStats& stats) {
  nlohmann::ordered_json message;
  message["timestamp"] = timestamp;
  message["memory_usage"] = stats.memory_usage_bytes;
  message["memory_limit"] = stats.memory_limit_bytes;
  message["memory_cache"] = stats.memory_cache_bytes;
  message["cpu_usage"] = stats.cpu_usage_ns;
  message["pids_current"] = stats.pids_current;
  return message.dump();
}

// Both ways agree on a spread of inputs, including the widest numbers; a benchmark of two
// encoders that disagree would measure nothing.
bool encoders_agree() {
  core::StatsBuffer buffer{};
  for (std::uint64_t step = 0; step < 1000; step += 1) {
    const core::ContainerStats stats = stats_at(step * 7919);
    if (core::encode_stats(timestamp_s + static_cast<std::int64_t>(step), stats, buffer) !=
        nlohmann_stats(timestamp_s + static_cast<std::int64_t>(step), stats)) {
      return false;
    }
  }
  const core::ContainerStats widest{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX};
  return core::encode_stats(INT64_MIN, widest, buffer) == nlohmann_stats(INT64_MIN, widest);
}

void BM_EncodeStats(benchmark::State& state) {
  if (!encoders_agree()) {
    state.SkipWithError("encode_stats and nlohmann disagree");
    return;
  }
  core::StatsBuffer buffer{};
  std::uint64_t step = 0;
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    const std::string_view message = core::encode_stats(timestamp_s, stats_at(step), buffer);
    benchmark::DoNotOptimize(message.data());
    bytes += message.size();
    step += 1;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(step));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_EncodeStats);

void BM_NlohmannStats(benchmark::State& state) {
  if (!encoders_agree()) {
    state.SkipWithError("encode_stats and nlohmann disagree");
    return;
  }
  std::uint64_t step = 0;
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    const std::string message = nlohmann_stats(timestamp_s, stats_at(step));
    benchmark::DoNotOptimize(message.data());
    bytes += message.size();
    step += 1;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(step));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_NlohmannStats);

// The CPU time of this thread, in nanoseconds: a batch that is preempted on a loaded machine is
// not charged for the time it waited, as a wall clock would charge it.
double thread_cpu_ns() {
  timespec now{};
  const int failed = ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  assert(failed == 0);
  (void)failed;
  return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

// One iteration: a batch of each way, timed apart on the thread's CPU clock; the counters are the
// mean nanoseconds per message of each and their ratio.
void BM_StatsEncodeRatio(benchmark::State& state) {
  if (!encoders_agree()) {
    state.SkipWithError("encode_stats and nlohmann disagree");
    return;
  }
  core::StatsBuffer buffer{};
  std::uint64_t step = 0;
  double encode_ns = 0;
  double nlohmann_ns = 0;
  for (auto _ : state) {
    const double encode_start = thread_cpu_ns();
    for (std::uint64_t index = 0; index < batch_messages; index += 1) {
      const std::string_view message = core::encode_stats(timestamp_s, stats_at(step + index), buffer);
      benchmark::DoNotOptimize(message.data());
    }
    const double nlohmann_start = thread_cpu_ns();
    for (std::uint64_t index = 0; index < batch_messages; index += 1) {
      const std::string message = nlohmann_stats(timestamp_s, stats_at(step + index));
      benchmark::DoNotOptimize(message.data());
    }
    const double end = thread_cpu_ns();
    encode_ns += nlohmann_start - encode_start;
    nlohmann_ns += end - nlohmann_start;
    step += batch_messages;
  }
  const double messages = static_cast<double>(step);
  state.SetItemsProcessed(static_cast<std::int64_t>(2 * step));
  state.counters["encode_ns"] = encode_ns / messages;
  state.counters["nlohmann_ns"] = nlohmann_ns / messages;
  state.counters["nlohmann_over_encode"] = encode_ns > 0 ? nlohmann_ns / encode_ns : 0.0;
}
BENCHMARK(BM_StatsEncodeRatio);

}  // namespace
}  // namespace zsim::bench

BENCHMARK_MAIN();
