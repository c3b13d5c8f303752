#include "core/container_pushers.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/fake_publisher_test.hpp"
#include "core/stats_clock.hpp"
#include "kernel/prng.hpp"
#include "kernel/scheduler.hpp"

// Counts heap allocations while a test holds the window open, to check that the hot path (a line
// published, a stats tick) allocates nothing in steady state. This replaces the global operator
// new of the core_tests binary; it only counts and forwards to malloc.
namespace {
bool counting_allocations = false;
std::size_t allocations_counted = 0;
}  // namespace

void* operator new(std::size_t size) {
  if (counting_allocations) allocations_counted += 1;
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}
// g++ 12 sees new's malloc and delete's free across inlined call sites and calls them mismatched;
// they are the matching pair here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
#pragma GCC diagnostic pop

namespace zsim::core {
namespace {

using testing::FakePublisher;
using testing::RecordingEventLog;

constexpr std::int64_t start_ms = 1'600'000'000'000;
const std::string server_a = "10.0.0.1:6379";
const std::string server_b = "10.0.0.2:6380";

RedisUrl url(std::string host, std::uint16_t port, std::string channel, std::string password = "") {
  return RedisUrl{.host = std::move(host), .port = port, .password = std::move(password), .channel = std::move(channel)};
}
RedisUrl on_a(std::string channel, std::string password = "") {
  return url("10.0.0.1", 6379, std::move(channel), std::move(password));
}
RedisUrl on_b(std::string channel) { return url("10.0.0.2", 6380, std::move(channel)); }

// Only stats() matters to the pushers; the rest of the runtime is not theirs to call.
class StatsOnlyRuntime final : public ContainerRuntime {
 public:
  bool gone = false;
  std::uint64_t reads = 0;

  Expected<ContainerStats> stats(const std::string& name) override {
    reads += 1;
    const std::uint64_t own_reads = ++reads_by_name[name];
    if (gone) return Error{"no such container: " + name};
    // Figures that change with every read of the container, so that each message is told apart,
    // and that do not depend on the order in which containers are read.
    return ContainerStats{.memory_usage_bytes = 1000 + own_reads, .memory_limit_bytes = 256u << 20,
                          .memory_cache_bytes = 7, .cpu_usage_ns = own_reads * 1'000'000, .pids_current = 3};
  }
  std::map<std::string, std::uint64_t> reads_by_name;
  void mount_flist(const std::string&, const std::string&, std::uint64_t, DiskType, MountDone) override { unused(); }
  Status unmount(const std::string&) override { return unused(); }
  Status create_volume(const std::string&, std::uint64_t, DiskType) override { return unused(); }
  Status delete_volume(const std::string&) override { return unused(); }
  bool volume_exists(const std::string&) const override { return false; }
  Status start(const ContainerSpec&, ContainerObserver&) override { return unused(); }
  Status attach(const std::string&, ContainerObserver&) override { return unused(); }
  void detach(const std::string&) override { unused(); }
  Status signal(const std::string&, Signal) override { return unused(); }
  Status remove(const std::string&) override { return unused(); }
  Expected<std::string> public_ipv6(const std::string&) override { return Error{"unused"}; }

 private:
  static Status unused() {
    ADD_FAILURE() << "the pushers called a runtime method other than stats()";
    return Error{"unused"};
  }
};

struct World {
  kernel::VirtualScheduler scheduler{start_ms};
  kernel::Prng prng{7};
  FakePublisher redis{scheduler};
  StatsOnlyRuntime runtime;
  RecordingEventLog events;

  std::unique_ptr<ContainerPushers> make(const std::vector<LogEndpointUrls>& logs, const std::vector<RedisUrl>& stats,
                                         const DeliveryLimits& limits = {}) {
    return std::make_unique<ContainerPushers>(scheduler, redis, prng, runtime, "7-1", logs, stats, limits, 2000,
                                              &events);
  }
  void run_for(std::int64_t duration_ms) { scheduler.run_until(scheduler.now_ms() + duration_ms); }
  // Runs everything still scheduled (bounded), so that a stray callback would show under ASan.
  void run_out() {
    for (int guard = 0; guard < 1'000'000 && scheduler.run_next(); guard += 1) {
    }
  }
};

// The messages a stream's text becomes, by the rule in container_pushers.hpp: cut at '\n' (kept at
// the end of the line's last message), pieces of line_bytes_max for longer lines, and the
// unterminated tail as a last message (at stop).
std::vector<std::string> expected_messages(const std::string& text, std::size_t line_bytes_max) {
  std::vector<std::string> messages;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    const bool terminated = end != std::string::npos;
    if (!terminated) end = text.size();
    std::string_view line(text.data() + begin, end - begin);
    while (line.size() > line_bytes_max) {
      messages.emplace_back(line.substr(0, line_bytes_max));
      line.remove_prefix(line_bytes_max);
    }
    if (terminated) messages.emplace_back(std::string(line) + "\n");
    if (!terminated && !line.empty()) messages.emplace_back(line);
    begin = end + 1;
  }
  return messages;
}

TEST(ContainerPushers, LinesGoToEveryEndpointInOrder) {
  World world;
  auto pushers = world.make({{on_a("out"), on_a("err")}, {on_b("out-copy"), on_b("err-copy")}}, {});
  pushers->start();
  world.run_for(10);
  // Chunks cut anywhere, not on line boundaries.
  pushers->on_output(OutputStream::out, "first li");
  pushers->on_output(OutputStream::err, "oops\nwarn");
  pushers->on_output(OutputStream::out, "ne\nsecond line\n\nthird");
  pushers->on_output(OutputStream::err, "ing\n");
  pushers->on_output(OutputStream::out, " line\r\n");
  world.run_for(100);
  // Each line keeps its '\n', as shim-logs published it.
  const std::vector<std::string> out{"first line\n", "second line\n", "\n", "third line\r\n"};
  const std::vector<std::string> err{"oops\n", "warning\n"};
  EXPECT_EQ(world.redis.accepted_payloads(server_a, "out"), out);
  EXPECT_EQ(world.redis.accepted_payloads(server_b, "out-copy"), out);
  EXPECT_EQ(world.redis.accepted_payloads(server_a, "err"), err);
  EXPECT_EQ(world.redis.accepted_payloads(server_b, "err-copy"), err);
  const auto counters = pushers->counters();
  ASSERT_EQ(counters.size(), 4u);
  EXPECT_EQ(counters.at("10.0.0.1:6379/out").lines_delivered, 4u);
  EXPECT_EQ(counters.at("10.0.0.2:6380/err-copy").lines_delivered, 2u);
  EXPECT_EQ(pushers->totals().lines_out, 4u);
  EXPECT_EQ(pushers->totals().lines_err, 2u);
}

TEST(ContainerPushers, OneConnectionPerServerAndPassword) {
  World world;
  auto pushers = world.make({{on_a("out"), on_a("err")}, {on_a("out"), on_b("err")}, {on_a("out", "pw"), on_b("err")}},
                            {on_a("stats"), on_b("stats")});
  EXPECT_EQ(pushers->sink_count(), 3u);  // a, b, a with a password.
  pushers->start();
  world.run_for(10);
  EXPECT_EQ(world.redis.connect_times(server_a).size(), 2u);
  EXPECT_EQ(world.redis.connect_times(server_b).size(), 1u);
  pushers->on_output(OutputStream::out, "hello\n");
  world.run_for(10);
  // The same URL listed twice is one target: the line reaches a/out once, and a/out with a password once.
  EXPECT_EQ(world.redis.accepted_payloads(server_a, "out"), (std::vector<std::string>{"hello\n", "hello\n"}));
  const auto counters = pushers->counters();
  EXPECT_EQ(counters.size(), 6u);
  EXPECT_EQ(counters.at("10.0.0.1:6379/out").lines_produced, 1u);
  EXPECT_EQ(counters.at("10.0.0.1:6379/out#2").lines_produced, 1u);
  for (const auto& [key, c] : counters) EXPECT_EQ(key.find("pw"), std::string::npos) << key;
}

TEST(ContainerPushers, LongLinesGoOutInPiecesOfTheLineBuffer) {
  World world;
  auto pushers = world.make({{on_a("out"), on_a("err")}}, {});
  pushers->start();
  world.run_for(10);
  std::string text = std::string(10'000, 'a') + "\n" + std::string(4096, 'b') + "\n" + std::string(8192, 'c') +
                     "\n" + std::string(4097, 'd') + "\nshort\n";
  // Fed in 1000-byte chunks: a piece is published without waiting for the newline.
  for (std::size_t at = 0; at < text.size(); at += 1000) {
    pushers->on_output(OutputStream::out, std::string_view(text).substr(at, 1000));
  }
  world.run_for(100);
  const auto published = world.redis.accepted_payloads(server_a, "out");
  EXPECT_EQ(published, expected_messages(text, 4096));
  std::vector<std::size_t> sizes;
  for (const std::string& message : published) sizes.push_back(message.size());
  EXPECT_EQ(sizes, (std::vector<std::size_t>{4096, 4096, 1809, 4097, 4096, 4097, 4096, 2, 6}));
  EXPECT_EQ(pushers->totals().long_line_pieces, 4u);
}

TEST(ContainerPushers, ALineThatNeverEndsIsStillPublished) {
  World world;
  auto pushers = world.make({{on_a("out"), on_a("err")}}, {});
  pushers->start();
  world.run_for(10);
  // zos #1236: forwarding hung on a line longer than its buffer. Here 1 MiB without a newline flows.
  const std::string chunk(65'536, 'x');
  for (int index = 0; index < 16; index += 1) pushers->on_output(OutputStream::out, chunk);
  world.run_for(1'000);
  EXPECT_EQ(world.redis.accepted_payloads(server_a, "out").size(), 255u);  // The 256th waits for more.
  EXPECT_EQ(pushers->counters().at("10.0.0.1:6379/out").lines_delivered, 255u);
}

RC_GTEST_PROP(ContainerPushers, AnyChunkingGivesTheSameMessages, ()) {
  // Text over a small alphabet rich in newlines, and a small line buffer so that pieces happen.
  const auto text = *rc::gen::container<std::string>(rc::gen::element('a', 'b', '\n', '\n', '\r', ' '));
  const auto line_bytes_max = *rc::gen::inRange<std::size_t>(1, 9);
  World world;
  auto pushers = world.make({{on_a("out"), on_a("err")}}, {}, DeliveryLimits{.line_bytes_max = line_bytes_max});
  pushers->start();
  world.run_for(10);
  std::size_t at = 0;
  // Each chunk takes at least one byte, so the loop ends within text.size() steps.
  while (at < text.size()) {
    const auto size = *rc::gen::inRange<std::size_t>(1, text.size() - at + 1);
    pushers->on_output(OutputStream::out, std::string_view(text).substr(at, size));
    at += size;
  }
  pushers->stop(world.scheduler.now_ms() + 5'000);
  world.run_out();
  RC_ASSERT(pushers->drained());
  RC_ASSERT(world.redis.accepted_payloads(server_a, "out") == expected_messages(text, line_bytes_max));
}

// Reads the message back with a JSON library, to compare with what the runtime reported.
void expect_stats_message(const std::string& payload, std::int64_t time_ms, std::uint64_t read) {
  const auto message = nlohmann::json::parse(payload);
  EXPECT_EQ(message.at("timestamp").get<std::int64_t>(), time_ms / 1000);
  EXPECT_EQ(message.at("memory_usage").get<std::uint64_t>(), 1000 + read);
  EXPECT_EQ(message.at("cpu_usage").get<std::uint64_t>(), read * 1'000'000);
  EXPECT_EQ(message.at("pids_current").get<std::uint64_t>(), 3u);
}

TEST(ContainerPushers, TheFirstStatsGoOutOnceConnectedThenEveryTwoSeconds) {
  World world;
  auto pushers = world.make({}, {on_a("stats"), on_b("stats")});
  pushers->start();
  world.run_for(20'500);
  const auto times = world.redis.accepted_times("stats");
  ASSERT_EQ(times.size(), 22u);  // Eleven ticks, two endpoints.
  const auto payloads = world.redis.accepted_payloads(server_a, "stats");
  ASSERT_EQ(payloads.size(), 11u);
  for (std::size_t index = 0; index < payloads.size(); index += 1) {
    // The first as soon as both servers answered their connect (1 ms), then the 2 s grid of the start.
    const std::int64_t tick_ms = index == 0 ? start_ms + 1 : start_ms + 2000 * static_cast<std::int64_t>(index);
    EXPECT_EQ(times[2 * index], tick_ms + 1);  // The fake answers 1 ms after the publish.
    expect_stats_message(payloads[index], tick_ms, index + 1);
  }
  // One read per tick, shared by both endpoints.
  EXPECT_EQ(world.runtime.reads, 11u);
  const auto c = pushers->counters().at("10.0.0.2:6380/stats");
  EXPECT_EQ(c.stats_ticks, 11u);
  EXPECT_EQ(c.stats_delivered, 11u);
  EXPECT_EQ(c.stats_missed, 0u);
}

TEST(ContainerPushers, AFirstConnectThatFailsMissesTheFirstStats) {
  World world;
  world.redis.server(server_a).down = true;
  auto pushers = world.make({}, {on_a("stats")});
  pushers->start();
  world.run_for(500);
  const auto c = pushers->counters().at("10.0.0.1:6379/stats");
  EXPECT_EQ(c.stats_ticks, 1u);
  EXPECT_EQ(c.stats_missed, 1u);
  EXPECT_TRUE(world.redis.accepted_times("stats").empty());
}

TEST(ContainerPushers, AMissedTickIsCountedAndNoBurstFollowsTheReconnect) {
  World world;
  auto pushers = world.make({}, {on_a("stats")});
  pushers->start();
  world.run_for(3'000);  // One tick delivered at +2 s.
  world.redis.server(server_a).down = true;
  world.redis.drop_connections(server_a);
  world.run_for(6'000);  // Ticks at +4, +6, +8 s are missed.
  world.redis.server(server_a).down = false;
  world.run_for(11'500);  // Reconnected within 6 s of the last failure; ticks resume on the grid.
  const auto c = pushers->counters().at("10.0.0.1:6379/stats");
  EXPECT_EQ(c.stats_ticks, 11u);  // The first at once, then ten on the grid.
  EXPECT_GE(c.stats_missed, 3u);
  EXPECT_EQ(c.stats_published + c.stats_missed, c.stats_ticks);
  EXPECT_EQ(c.stats_delivered, c.stats_published);
  const auto times = world.redis.accepted_times("stats");
  ASSERT_EQ(times.size(), c.stats_delivered);
  ASSERT_GE(times.size(), 2u);
  EXPECT_EQ(times[0], start_ms + 2);  // Connected at +1 ms, answered 1 ms later.
  for (std::size_t index = 1; index < times.size(); index += 1) {
    EXPECT_EQ((times[index] - start_ms - 1) % 2000, 0) << "off the 2 s grid";
    if (index >= 2) {
      EXPECT_GE(times[index] - times[index - 1], 2000) << "a burst after the reconnect";
    }
  }
}

TEST(ContainerPushers, AClockStepRunsOneLateTickNotAllTheSkippedOnes) {
  World world;
  auto pushers = world.make({}, {on_a("stats")});
  pushers->start();
  world.run_for(2'500);
  // The clock jumps 6.6 s: the ticks due at +4, +6 and +8 s are overdue. Only one runs (late),
  // then the ticks are back on the 2 s grid of the start.
  world.scheduler.advance_to(start_ms + 9'100);
  world.run_for(3'400);
  EXPECT_EQ(pushers->totals().stats_ticks, 5u);
  EXPECT_EQ(world.redis.accepted_times("stats"), (std::vector<std::int64_t>{start_ms + 2, start_ms + 2'001, start_ms + 9'101,
                                                                           start_ms + 10'001, start_ms + 12'001}));
}

TEST(ContainerPushers, EndpointsBeyondTheBoundAreIgnoredAndCounted) {
  World world;
  const std::vector<RedisUrl> stats(ContainerPushers::endpoints_max + 3, on_a("stats"));
  auto pushers = world.make({}, stats);
  EXPECT_EQ(pushers->totals().endpoints_ignored, 3u);
  EXPECT_EQ(pushers->sink_count(), 1u);
  EXPECT_EQ(pushers->counters().size(), 1u);
}

TEST(ContainerPushers, TheStatsStopForGoodWhenTheTaskIsGone) {
  World world;
  auto pushers = world.make({}, {on_a("stats")});
  pushers->start();
  world.run_for(2'500);  // Ticks at +1 ms and +2 s.
  world.runtime.gone = true;
  world.run_for(4'000);  // The tick at +4 s finds no task: the stats stop, as zos's loop returned.
  world.runtime.gone = false;
  world.run_for(10'000);  // The task is back (a restart): no stats again.
  const PushersTotals totals = pushers->totals();
  EXPECT_EQ(totals.stats_ticks, 3u);
  EXPECT_EQ(totals.stats_skipped, 1u);
  EXPECT_EQ(totals.targets.stats_ticks, 2u);
  EXPECT_EQ(world.redis.accepted_payloads(server_a, "stats").size(), 2u);
  bool recorded = false;
  for (const std::string& event : world.events.events) {
    recorded = recorded || event == "stats.stopped workload=7-1 error=no%20such%20container:%207-1";
  }
  EXPECT_TRUE(recorded);
}

TEST(ContainerPushers, StopPublishesTheLastLinesAndDrains) {
  World world;
  world.redis.server(server_a).reply_latency_ms = 300;
  auto pushers = world.make({{on_a("out"), on_a("err")}}, {on_a("stats")});
  pushers->start();
  world.run_for(2'100);
  pushers->on_output(OutputStream::out, "one\ntwo\nlast words");
  pushers->on_output(OutputStream::err, "panic: ");
  int done_calls = 0;
  pushers->stop(world.scheduler.now_ms() + 5'000, [&] { done_calls += 1; });
  EXPECT_FALSE(pushers->drained());
  pushers->on_output(OutputStream::out, "too late\n");  // Counted produced and dropped.
  world.run_for(1'000);
  EXPECT_TRUE(pushers->drained());
  EXPECT_EQ(done_calls, 1);
  EXPECT_EQ(world.redis.accepted_payloads(server_a, "out"), (std::vector<std::string>{"one\n", "two\n", "last words"}));
  EXPECT_EQ(world.redis.accepted_payloads(server_a, "err"), (std::vector<std::string>{"panic: "}));
  const PushersTotals totals = pushers->totals();
  EXPECT_EQ(totals.targets.lines_produced, 5u);
  EXPECT_EQ(totals.targets.lines_delivered, 4u);
  EXPECT_EQ(totals.targets.lines_dropped, 1u);
  EXPECT_EQ(totals.stats_ticks, 2u);  // At +1 ms and +2 s; no tick after stop.
  world.run_for(10'000);
  EXPECT_EQ(totals, pushers->totals());
  EXPECT_EQ(world.redis.open_connections(), 0u);
  EXPECT_EQ(world.scheduler.pending(), 0u);
}

TEST(ContainerPushers, StopDropsWhatTheDeadlineLeaves) {
  World world;
  world.redis.server(server_a).down = true;
  auto pushers = world.make({{on_a("out"), on_a("err")}}, {});
  pushers->start();
  pushers->on_output(OutputStream::out, "a\nb\nc\n");
  const std::int64_t deadline_ms = world.scheduler.now_ms() + 2'000;
  pushers->stop(deadline_ms);
  world.scheduler.run_until(deadline_ms);
  EXPECT_TRUE(pushers->drained());
  const auto c = pushers->counters().at("10.0.0.1:6379/out");
  EXPECT_EQ(c.lines_produced, 3u);
  EXPECT_EQ(c.lines_dropped, 3u);
  EXPECT_EQ(world.redis.open_connections(), 0u);
}

TEST(ContainerPushers, DestroyingRightAwayIsSafe) {
  World world;
  world.redis.server(server_a).reply_latency_ms = 100;
  auto pushers = world.make({{on_a("out"), on_b("err")}}, {on_a("stats")});
  pushers->start();
  world.run_for(2'050);  // Connected, one stats publish in flight.
  pushers->on_output(OutputStream::out, "in flight\nbuffered?\n");
  pushers->on_output(OutputStream::err, "partial");
  pushers.reset();
  EXPECT_EQ(world.redis.open_connections(), 0u);
  world.run_out();  // The fake's own replies find their connections closed; nothing reaches the pushers.
  EXPECT_EQ(world.redis.violations(), 0u);
}

TEST(ContainerPushers, DestroyingBeforeTheFirstConnectIsSafe) {
  World world;
  auto pushers = world.make({{on_a("out"), on_b("err")}}, {on_a("stats")});
  pushers->start();
  pushers->on_output(OutputStream::out, "x\n");
  pushers.reset();
  world.run_out();
  EXPECT_EQ(world.redis.open_connections(), 0u);
}

TEST(ContainerPushers, DoneMayDestroyThePushers) {
  World world;
  auto pushers = world.make({{on_a("out"), on_b("err")}}, {on_a("stats")});
  pushers->start();
  world.run_for(2'500);
  pushers->on_output(OutputStream::out, "bye\n");
  pushers->stop(world.scheduler.now_ms() + 1'000, [&] { pushers.reset(); });
  world.run_out();
  EXPECT_EQ(pushers, nullptr);
  EXPECT_EQ(world.redis.accepted_payloads(server_a, "out"), (std::vector<std::string>{"bye\n"}));
}

TEST(ContainerPushers, StopBeforeStartClosesAtOnce) {
  World world;
  auto pushers = world.make({{on_a("out"), on_a("err")}}, {on_a("stats")});
  pushers->on_output(OutputStream::out, "never sent\n");
  bool done = false;
  pushers->stop(world.scheduler.now_ms() + 1'000, [&] { done = true; });
  EXPECT_TRUE(pushers->drained());
  world.run_out();
  EXPECT_TRUE(done);
  EXPECT_EQ(pushers->counters().at("10.0.0.1:6379/out").lines_dropped, 1u);
  EXPECT_TRUE(world.redis.connect_times(server_a).empty());
}

// A publisher that stores nothing, so that only the pushers' own allocations are counted; the test
// answers its publishes itself, from the top level.
class CountingPublisher final : public Publisher {
 public:
  explicit CountingPublisher(Scheduler& scheduler) : scheduler_(scheduler) {}
  ConnectionId connect(const RedisUrl&, ConnectionObserver& observer) override {
    observers_.push_back(&observer);
    scheduler_.at(scheduler_.now_ms(), [&observer] { observer.on_connected(); });
    return observers_.size();
  }
  void publish(ConnectionId connection, std::string_view, std::string_view payload) override {
    pending_.at(connection - 1) += 1;
    bytes += payload.size();
  }
  void close(ConnectionId) override {}
  void answer_all() {
    for (std::size_t index = 0; index < observers_.size(); index += 1) {
      for (; pending_[index] > 0; pending_[index] -= 1) observers_[index]->on_reply(true);
    }
  }
  std::uint64_t bytes = 0;

 private:
  Scheduler& scheduler_;
  std::vector<ConnectionObserver*> observers_;
  std::vector<std::size_t> pending_ = std::vector<std::size_t>(8, 0);
};

TEST(ContainerPushers, TheHotPathAllocatesNothingInSteadyState) {
  kernel::VirtualScheduler scheduler(start_ms);
  kernel::Prng prng(1);
  CountingPublisher publisher(scheduler);
  StatsOnlyRuntime runtime;
  ContainerPushers pushers(scheduler, publisher, prng, runtime, "7-1", {{on_a("out"), on_b("err")}},
                           {on_a("stats"), on_b("stats")}, DeliveryLimits{.in_flight_lines_max = 2});
  pushers.start();
  // Few in flight, so that lines also pass through the sinks' rings, not only the direct path.
  const std::string long_line(5000, 'x');
  const auto round = [&] {
    pushers.on_output(OutputStream::out, "a line of the usual length\nand one in two ");
    pushers.on_output(OutputStream::err, "chunks\n");
    pushers.on_output(OutputStream::out, long_line);
    pushers.on_output(OutputStream::out, "\n");
    scheduler.run_until(scheduler.now_ms() + 2000);  // One stats tick.
    publisher.answer_all();
  };
  for (int warm_up = 0; warm_up < 10; warm_up += 1) round();
  counting_allocations = true;
  for (int index = 0; index < 1000; index += 1) round();
  counting_allocations = false;
  EXPECT_EQ(allocations_counted, 0u);
  const PushersTotals totals = pushers.totals();
  EXPECT_EQ(totals.stats_ticks, 1011u);  // The first at start, then one a round.
  EXPECT_EQ(totals.targets.stats_delivered, 2022u);
  EXPECT_EQ(totals.targets.lines_delivered, totals.targets.lines_produced);
  EXPECT_EQ(totals.lines_out, 1010u * 3);
}

// Random output and random faults on two servers; then stop. Every target accounts for every line
// exactly once, redis holds each target's delivered lines in order with none twice, stats
// counters add up, and nothing is left open or scheduled.
RC_GTEST_PROP(ContainerPushers, DeliveredPlusDroppedIsProducedUnderRandomFaults, ()) {
  World world;
  const DeliveryLimits limits{.buffer_lines_max = *rc::gen::inRange<std::size_t>(1, 50),
                              .in_flight_lines_max = *rc::gen::inRange<std::size_t>(1, 16),
                              .in_flight_stats_max = *rc::gen::inRange<std::size_t>(1, 3)};
  auto pushers = world.make({{on_a("out"), on_a("err")}, {on_b("out"), on_a("err2")}}, {on_a("stats"), on_b("stats")},
                            limits);
  pushers->start();
  std::string given_out;
  std::string given_err;
  std::string pending_out;
  std::string pending_err;
  int line_number = 0;
  const auto steps = *rc::gen::inRange(1, 400);
  for (int step = 0; step < steps; step += 1) {
    const std::string& server = *rc::gen::element(server_a, server_b);
    FakePublisher::Switches& switches = world.redis.server(server);
    switch (*rc::gen::inRange(0, 10)) {
      case 0: switches.down = !switches.down; break;
      case 1: switches.refusing = !switches.refusing; break;
      case 2: world.redis.drop_connections(server); break;
      case 3: switches.reply_latency_ms = *rc::gen::element<std::int64_t>(0, 1, 40, 700, 50'000); break;
      case 4: world.run_for(*rc::gen::inRange(0, 5'000)); break;
      case 5: world.runtime.gone = !world.runtime.gone; break;
      default: {
        const bool out = *rc::gen::arbitrary<bool>();
        std::string& pending = out ? pending_out : pending_err;
        if (*rc::gen::arbitrary<bool>()) pending += fmt::format("{}-{}\n", out ? "o" : "e", line_number++);
        const auto size = *rc::gen::inRange<std::size_t>(0, pending.size() + 1);
        pushers->on_output(out ? OutputStream::out : OutputStream::err, std::string_view(pending).substr(0, size));
        (out ? given_out : given_err) += pending.substr(0, size);
        pending.erase(0, size);
      }
    }
  }
  if (*rc::gen::arbitrary<bool>()) {
    world.redis.server(server_a) = FakePublisher::Switches{};
    world.redis.server(server_b) = FakePublisher::Switches{};
  }
  pushers->stop(world.scheduler.now_ms() + 20'000);
  world.run_out();
  RC_ASSERT(pushers->drained());
  RC_ASSERT(world.redis.open_connections() == 0u);
  RC_ASSERT(world.redis.violations() == 0u);
  RC_ASSERT(world.scheduler.pending() == 0u);
  const auto counters = pushers->counters();
  const std::vector<std::string> out_messages = expected_messages(given_out, limits.line_bytes_max);
  const std::vector<std::string> err_messages = expected_messages(given_err, limits.line_bytes_max);
  const struct {
    std::string key, address, channel;
    const std::vector<std::string>* messages;
  } log_targets[] = {{"10.0.0.1:6379/out", server_a, "out", &out_messages},
                     {"10.0.0.1:6379/err", server_a, "err", &err_messages},
                     {"10.0.0.2:6380/out", server_b, "out", &out_messages},
                     {"10.0.0.1:6379/err2", server_a, "err2", &err_messages}};
  for (const auto& target : log_targets) {
    const DeliveryCounters& c = counters.at(target.key);
    RC_ASSERT(c.lines_produced == target.messages->size());
    RC_ASSERT(c.lines_delivered + c.lines_dropped == c.lines_produced);
    const auto accepted = world.redis.accepted_payloads(target.address, target.channel);
    RC_ASSERT(accepted.size() == c.lines_delivered);
    std::size_t cursor = 0;  // In order and none twice: a subsequence of unique messages.
    for (const std::string& line : accepted) {
      while (cursor < target.messages->size() && (*target.messages)[cursor] != line) cursor += 1;
      RC_ASSERT(cursor < target.messages->size());
      cursor += 1;
    }
  }
  const PushersTotals totals = pushers->totals();
  for (const char* key : {"10.0.0.1:6379/stats", "10.0.0.2:6380/stats"}) {
    const DeliveryCounters& c = counters.at(key);
    RC_ASSERT(c.stats_ticks == totals.stats_ticks - totals.stats_skipped);
    RC_ASSERT(c.stats_published + c.stats_missed == c.stats_ticks);
    RC_ASSERT(c.stats_delivered + c.stats_failed == c.stats_published);
  }
  RC_TAG(totals.targets.lines_dropped > 0, totals.targets.stats_missed > 0, totals.stats_skipped > 0);
}

// Property: containers that tick from one node clock publish exactly what each publishes on a
// clock of its own, whatever their start and stop times: the same counters, the same messages on
// every channel. Start times come from a few values, so that phases are often shared.
RC_GTEST_PROP(ContainerPushers, ANodeClockTicksAsAClockPerContainer, ()) {
  const auto containers = *rc::gen::inRange<std::size_t>(1, 8);
  std::vector<std::int64_t> start_offsets_ms;
  std::vector<std::int64_t> stop_offsets_ms;
  for (std::size_t index = 0; index < containers; index += 1) {
    start_offsets_ms.push_back(*rc::gen::element<std::int64_t>(0, 0, 1, 500, 2000, 2001, 6000));
    stop_offsets_ms.push_back(start_offsets_ms.back() + *rc::gen::inRange<std::int64_t>(0, 20'000));
  }
  struct Outcome {
    std::vector<PushersTotals> totals;
    std::vector<std::vector<std::string>> messages;
  };
  const auto run = [&](bool node_clock) {
    World world;
    std::optional<StatsClock> clock;
    if (node_clock) clock.emplace(world.scheduler, 2000);
    std::vector<std::unique_ptr<ContainerPushers>> pushers(containers);
    for (std::size_t index = 0; index < containers; index += 1) {
      world.scheduler.at(start_ms + start_offsets_ms[index], [&, index] {
        pushers[index] = std::make_unique<ContainerPushers>(
            world.scheduler, world.redis, world.prng, world.runtime, fmt::format("c{}", index),
            std::vector<LogEndpointUrls>{}, std::vector<RedisUrl>{on_a(fmt::format("stats-{}", index))},
            DeliveryLimits{}, 2000, nullptr, clock ? &*clock : nullptr);
        pushers[index]->start();
      });
      world.scheduler.at(start_ms + stop_offsets_ms[index], [&, index] { pushers[index]->stop(world.scheduler.now_ms()); });
    }
    world.run_out();
    Outcome outcome;
    for (std::size_t index = 0; index < containers; index += 1) {
      RC_ASSERT(pushers[index]->drained());
      outcome.totals.push_back(pushers[index]->totals());
      outcome.messages.push_back(world.redis.accepted_payloads(server_a, fmt::format("stats-{}", index)));
    }
    pushers.clear();
    RC_ASSERT(world.scheduler.pending() == 0u);
    return outcome;
  };
  const Outcome on_node_clock = run(true);
  const Outcome on_own_clocks = run(false);
  RC_ASSERT(on_node_clock.totals == on_own_clocks.totals);
  RC_ASSERT(on_node_clock.messages == on_own_clocks.messages);
  std::uint64_t ticks = 0;
  for (const PushersTotals& totals : on_node_clock.totals) ticks += totals.stats_ticks;
  RC_TAG(ticks > 0);
}

}  // namespace
}  // namespace zsim::core
