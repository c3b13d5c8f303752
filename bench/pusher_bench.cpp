// The in-process delivery path of issue 4: stats ticks of core::ContainerPushers — runtime.stats(),
// core::encode_stats, core::RedisSink::publish_stats — into a publisher that accepts each message
// and answers it in order, all on the kernel's VirtualScheduler, one thread. The target is
// 10 M stats messages/s on one core; items_per_second counts messages answered ok, checked against
// the pushers' own counters after the run.
//
// The pushers tick from one StatsClock, as the containers of one node do (core::ContainerManager),
// or, with node_clock:0, each from its own clock: a timer per container, what every container cost
// before the node clock, and still what containers on different phases cost.
//
// Two publishers: InMemoryPublisher (bench/, a harness that only counts, answering each batch from
// one event) measures the core's side; fakes::FakeRedis (one event per publish, a trace line with an
// xxHash64 of the payload, channel bookkeeping) is what a simulated world pays, and is expected to be
// several times slower.

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/in_memory_publisher.hpp"
#include "bench/stats_runtime.hpp"
#include "core/container_pushers.hpp"
#include "core/redis_sink.hpp"
#include "core/stats_clock.hpp"
#include "core/stats_encoder.hpp"
#include "fakes/fake_redis.hpp"
#include "kernel/prng.hpp"
#include "kernel/scheduler.hpp"
#include "kernel/trace.hpp"

namespace zsim::bench {
namespace {

constexpr std::int64_t start_ms = 1'700'000'000'000;
constexpr std::int64_t interval_ms = 2000;
constexpr std::uint64_t seed = 20261128;
constexpr std::string_view server_host = "10.0.0.1";
constexpr std::uint16_t server_port = 6379;
constexpr std::size_t containers_max = 1 << 16;

// Everything one benchmark run owns, destroyed in the reverse order: the pushers first, while the
// publisher and the scheduler they use still exist.
struct Harness {
  kernel::VirtualScheduler scheduler{start_ms};
  kernel::Prng prng{seed};
  kernel::Trace trace;
  StatsRuntime runtime;
  std::unique_ptr<core::Publisher> publisher;
  std::optional<core::StatsClock> node_clock;  // Outlives the pushers, as a node's does.
  std::vector<std::unique_ptr<core::ContainerPushers>> pushers;

  ~Harness() { pushers.clear(); }
};

// containers pushers, each with `targets` stats endpoints on one server (one sink, one connection
// per container), started and connected; all on one node clock, or each on its own.
bool start_pushers(Harness& harness, std::size_t containers, std::size_t targets, bool node_clock) {
  assert(containers > 0 && containers <= containers_max);
  if (node_clock) harness.node_clock.emplace(harness.scheduler, interval_ms);
  assert(targets > 0 && targets <= core::ContainerPushers::endpoints_max);
  harness.pushers.reserve(containers);
  for (std::size_t container = 0; container < containers; container += 1) {
    std::vector<core::RedisUrl> stats;
    for (std::size_t target = 0; target < targets; target += 1) {
      stats.push_back(core::RedisUrl{.host = std::string(server_host), .port = server_port, .password = "",
                                     .channel = fmt::format("stats-{}-{}", container, target)});
    }
    harness.pushers.push_back(std::make_unique<core::ContainerPushers>(
        harness.scheduler, *harness.publisher, harness.prng, harness.runtime, fmt::format("c{}", container),
        std::vector<core::LogEndpointUrls>{}, stats, core::DeliveryLimits{}, interval_ms, nullptr,
        harness.node_clock ? &*harness.node_clock : nullptr));
    harness.pushers.back()->start();
  }
  harness.scheduler.run_until(start_ms);  // The connects are answered "now".
  for (const auto& pushers : harness.pushers) {
    if (pushers->sink_count() != 1 || pushers->sink(0).state() != core::RedisSink::State::up) return false;
  }
  return true;
}

// Runs one stats interval per iteration (one tick of every container, every reply), then checks
// that every tick was published and answered ok, and reports the messages as items.
void run_ticks(benchmark::State& state, Harness& harness, std::size_t targets) {
  const std::uint64_t events_before = harness.scheduler.events_run();
  for (auto _ : state) harness.scheduler.run_until(harness.scheduler.now_ms() + interval_ms);
  // One tick per iteration, and the first one, at the start (once the connects were answered).
  const auto ticks = static_cast<std::uint64_t>(state.iterations()) + 1;
  std::uint64_t delivered = 0;
  for (const auto& pushers : harness.pushers) {
    const core::PushersTotals totals = pushers->totals();
    if (totals.stats_ticks != ticks || totals.targets.stats_delivered != ticks * targets ||
        totals.targets.stats_missed != 0 || totals.targets.stats_failed != 0) {
      state.SkipWithError("a stats tick was missed, failed or not answered");
      return;
    }
    delivered += totals.targets.stats_delivered;
  }
  const std::uint64_t events = harness.scheduler.events_run() - events_before;
  state.SetItemsProcessed(static_cast<std::int64_t>(delivered));
  state.counters["msgs"] = static_cast<double>(delivered);
  state.counters["events_per_msg"] = static_cast<double>(events) / static_cast<double>(delivered);
}

void BM_StatsTickInMemory(benchmark::State& state) {
  const auto containers = static_cast<std::size_t>(state.range(0));
  const auto targets = static_cast<std::size_t>(state.range(1));
  const bool node_clock = state.range(2) != 0;
  Harness harness;
  auto publisher = std::make_unique<InMemoryPublisher>(harness.scheduler);
  InMemoryPublisher& in_memory = *publisher;
  harness.publisher = std::move(publisher);
  if (!start_pushers(harness, containers, targets, node_clock)) {
    state.SkipWithError("a sink did not connect");
    return;
  }
  const std::uint64_t bytes_before = in_memory.bytes();
  run_ticks(state, harness, targets);
  if (in_memory.replies() != in_memory.messages() || in_memory.pending() != 0) {
    state.SkipWithError("the publisher left messages unanswered");
    return;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(in_memory.bytes() - bytes_before));
}
BENCHMARK(BM_StatsTickInMemory)
    ->ArgNames({"containers", "targets", "node_clock"})
    ->ArgsProduct({{1, 64, 1024}, {1, 4}, {1, 0}});

void BM_StatsTickFakeRedis(benchmark::State& state) {
  const auto containers = static_cast<std::size_t>(state.range(0));
  const auto targets = static_cast<std::size_t>(state.range(1));
  Harness harness;
  auto redis = std::make_unique<fakes::FakeRedis>(harness.scheduler, harness.trace, kernel::Prng(seed + 1), "redis");
  redis->add_server(fmt::format("{}:{}", server_host, server_port));
  fakes::FakeRedis& fake = *redis;
  harness.publisher = std::move(redis);
  if (!start_pushers(harness, containers, targets, /*node_clock=*/true)) {
    state.SkipWithError("a sink did not connect");
    return;
  }
  const std::uint64_t before = fake.publishes_delivered();
  run_ticks(state, harness, targets);
  const std::uint64_t delivered = fake.publishes_delivered() - before;
  if (delivered != static_cast<std::uint64_t>(state.iterations()) * containers * targets) {
    state.SkipWithError("the fake redis did not deliver every message");
    return;
  }
  state.counters["trace_lines"] = static_cast<double>(harness.trace.events());
}
BENCHMARK(BM_StatsTickFakeRedis)
    ->ArgNames({"containers", "targets"})
    ->ArgsProduct({{1, 64, 1024}, {1, 4}});

// The sink and the publisher alone: `targets` publish_stats of one encoded message on one sink, then
// the batch of replies. No tick timer, no runtime, no encoding: what the rest of a tick costs is
// the difference with BM_StatsTickInMemory. 64 channels on one sink shows what the sink's full
// invariant check (a loop over its channels after every publish and reply) costs per message.
void BM_SinkPublishStats(benchmark::State& state) {
  const auto targets = static_cast<std::size_t>(state.range(0));
  kernel::VirtualScheduler scheduler(start_ms);
  kernel::Prng prng(seed);
  InMemoryPublisher publisher(scheduler);
  const core::RedisUrl server{.host = std::string(server_host), .port = server_port, .password = "", .channel = ""};
  core::RedisSink sink(scheduler, publisher, prng, server, core::DeliveryLimits{});
  std::vector<core::RedisSink::ChannelIndex> channels;
  for (std::size_t target = 0; target < targets; target += 1) {
    channels.push_back(sink.add_channel(fmt::format("stats-{}", target)));
  }
  sink.start();
  scheduler.run_until(start_ms);
  core::StatsBuffer buffer{};
  const core::ContainerStats stats{.memory_usage_bytes = 150'000'000, .memory_limit_bytes = 268'435'456,
                                   .memory_cache_bytes = 12'000'000, .cpu_usage_ns = 4'000'000'000'000,
                                   .pids_current = 3};
  const std::string_view payload = core::encode_stats(start_ms / 1000, stats, buffer);
  bool all_published = true;
  for (auto _ : state) {
    for (const core::RedisSink::ChannelIndex channel : channels) all_published &= sink.publish_stats(channel, payload);
    scheduler.run_until(scheduler.now_ms());
  }
  std::uint64_t delivered = 0;
  for (const core::RedisSink::ChannelIndex channel : channels) delivered += sink.counters(channel).stats_delivered;
  if (!all_published || delivered != static_cast<std::uint64_t>(state.iterations()) * targets) {
    state.SkipWithError("a stats message was not published or not answered");
    return;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(delivered));
}
BENCHMARK(BM_SinkPublishStats)->ArgName("targets")->Arg(1)->Arg(4)->Arg(64);

}  // namespace
}  // namespace zsim::bench

BENCHMARK_MAIN();
