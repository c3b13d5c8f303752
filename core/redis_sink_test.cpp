#include "core/redis_sink.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/fake_publisher_test.hpp"
#include "kernel/prng.hpp"
#include "kernel/scheduler.hpp"

namespace zsim::core {
namespace {

using testing::FakePublisher;
using testing::RecordingEventLog;

const std::string server_address = "10.0.0.1:6379";

RedisUrl server_url(std::string password = "") {
  return RedisUrl{.host = "10.0.0.1", .port = 6379, .password = std::move(password), .channel = "ignored"};
}

std::vector<std::string> numbered_lines(int first, int count) {
  std::vector<std::string> lines;
  for (int index = first; index < first + count; index += 1) lines.push_back(fmt::format("line {}", index));
  return lines;
}

void expect_balanced(const SinkChannelCounters& c) {
  EXPECT_EQ(c.lines_delivered + c.lines_dropped + c.lines_buffered + c.lines_in_flight, c.lines_produced);
  EXPECT_EQ(c.lines_dropped,
            c.lines_dropped_overflow + c.lines_dropped_refused + c.lines_dropped_lost + c.lines_dropped_at_close);
  EXPECT_EQ(c.stats_delivered + c.stats_failed + c.stats_in_flight, c.stats_published);
}

// The world of one sink: a virtual clock, a seeded PRNG and the fake redis.
struct World {
  kernel::VirtualScheduler scheduler{1'600'000'000'000};
  kernel::Prng prng{42};
  FakePublisher redis{scheduler};
  RecordingEventLog events;

  std::unique_ptr<RedisSink> make_sink(const DeliveryLimits& limits = {}, const std::string& password = "") {
    return std::make_unique<RedisSink>(scheduler, redis, prng, server_url(password), limits, &events);
  }
  void run_for(std::int64_t duration_ms) { scheduler.run_until(scheduler.now_ms() + duration_ms); }
};

TEST(LineRing, KeepsLinesInOrderAcrossWrapsAndGrowth) {
  LineRing ring(100, 64);
  std::deque<std::string> model;
  std::uint32_t next = 0;
  // Lines of 0..9 bytes pushed and popped so that the head walks around the ring many times.
  for (int step = 0; step < 2000; step += 1) {
    const std::string line(static_cast<std::size_t>(step % 10), static_cast<char>('a' + step % 26));
    if (ring.fits(line.size()) && step % 3 != 2) {
      ring.push(next, line);
      model.push_back(line);
      next += 1;
    } else if (!ring.empty()) {
      std::uint32_t channel = 0;
      EXPECT_EQ(ring.front(channel), model.front());
      ring.pop();
      model.pop_front();
    }
    ASSERT_EQ(ring.lines(), model.size());
    ASSERT_LE(ring.bytes(), 64u);
  }
}

TEST(RedisSink, DeliversLinesInOrderNoneTwice) {
  World world;
  auto sink = world.make_sink();
  const auto channel = sink->add_channel("stdout");
  const auto lines = numbered_lines(0, 300);
  // The first hundred wait in the buffer while the connection is made; the rest go out at once.
  for (int index = 0; index < 100; index += 1) sink->enqueue(channel, lines[index]);
  sink->start();
  world.run_for(10);
  EXPECT_EQ(sink->state(), RedisSink::State::up);
  for (int index = 100; index < 300; index += 1) sink->enqueue(channel, lines[index]);
  world.run_for(100);
  EXPECT_EQ(world.redis.accepted_payloads("stdout"), lines);
  const SinkChannelCounters& c = sink->counters(channel);
  EXPECT_EQ(c.lines_produced, 300u);
  EXPECT_EQ(c.lines_delivered, 300u);
  EXPECT_EQ(c.lines_dropped, 0u);
  expect_balanced(c);
}

TEST(RedisSink, FullBufferDropsTheOldestFirst) {
  World world;
  world.redis.server(server_address).down = true;
  auto sink = world.make_sink(DeliveryLimits{.buffer_lines_max = 5});
  const auto channel = sink->add_channel("stdout");
  sink->start();
  const auto lines = numbered_lines(0, 12);
  for (const std::string& line : lines) sink->enqueue(channel, line);
  EXPECT_EQ(sink->buffered_lines(), 5u);
  EXPECT_EQ(sink->counters(channel).lines_dropped_overflow, 7u);
  world.redis.server(server_address).down = false;
  world.run_for(20'000);
  EXPECT_EQ(world.redis.accepted_payloads("stdout"), numbered_lines(7, 5));
  expect_balanced(sink->counters(channel));
  EXPECT_EQ(sink->counters(channel).lines_delivered, 5u);
}

TEST(RedisSink, BufferIsBoundedInBytesToo) {
  World world;
  world.redis.server(server_address).down = true;
  auto sink = world.make_sink(DeliveryLimits{.buffer_bytes_max = 20, .line_bytes_max = 20});
  const auto channel = sink->add_channel("stdout");
  sink->start();
  for (int index = 0; index < 10; index += 1) sink->enqueue(channel, fmt::format("{:07}", index));  // 7 bytes.
  EXPECT_EQ(sink->buffered_lines(), 2u);
  EXPECT_LE(sink->buffered_bytes(), 20u);
  sink->enqueue(channel, std::string(21, 'x'));  // Can never fit: dropped at once, the buffer kept.
  EXPECT_EQ(sink->buffered_lines(), 2u);
  EXPECT_EQ(sink->counters(channel).lines_dropped_overflow, 9u);
  world.redis.server(server_address).down = false;
  world.run_for(20'000);
  EXPECT_EQ(world.redis.accepted_payloads("stdout"), (std::vector<std::string>{"0000008", "0000009"}));
}

TEST(RedisSink, BackoffDoublesToFiveSecondsWithinJitterAndResetsAfterAConnect) {
  World world;
  world.redis.server(server_address).down = true;
  auto sink = world.make_sink();
  sink->add_channel("stdout");
  sink->start();
  world.run_for(40'000);
  const std::vector<std::int64_t> bases{100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000};
  const auto& attempts = world.redis.connect_times(server_address);
  ASSERT_GT(attempts.size(), bases.size());
  bool jittered = false;
  for (std::size_t index = 0; index < bases.size(); index += 1) {
    // Between two attempts: the failed attempt's connect latency (1 ms), then the backoff delay.
    const std::int64_t delay_ms = attempts[index + 1] - attempts[index] - 1;
    EXPECT_GE(delay_ms, bases[index] * 8 / 10) << "attempt " << index;
    EXPECT_LE(delay_ms, bases[index] * 12 / 10) << "attempt " << index;
    jittered = jittered || delay_ms != bases[index];
  }
  EXPECT_TRUE(jittered);
  // Healed: the next attempt succeeds; a later drop starts again from 100 ms.
  world.redis.server(server_address).down = false;
  world.run_for(6'100);
  ASSERT_EQ(sink->state(), RedisSink::State::up);
  const std::size_t before = attempts.size();
  world.redis.drop_connections(server_address);
  const std::int64_t dropped_at_ms = world.scheduler.now_ms();
  world.run_for(1'000);
  ASSERT_EQ(attempts.size(), before + 1);
  EXPECT_GE(attempts.back() - dropped_at_ms, 80);
  EXPECT_LE(attempts.back() - dropped_at_ms, 120);
  EXPECT_EQ(sink->state(), RedisSink::State::up);
}

TEST(RedisSink, RefusedLinesAreCountedDropped) {
  World world;
  world.redis.server(server_address).refusing = true;
  auto sink = world.make_sink();
  const auto channel = sink->add_channel("stdout");
  sink->start();
  world.run_for(10);
  for (const std::string& line : numbered_lines(0, 10)) sink->enqueue(channel, line);
  world.run_for(100);
  EXPECT_TRUE(world.redis.accepted().empty());
  EXPECT_EQ(sink->counters(channel).lines_dropped_refused, 10u);
  EXPECT_EQ(sink->counters(channel).lines_delivered, 0u);
  expect_balanced(sink->counters(channel));
}

TEST(RedisSink, ALostConnectionDropsWhatWasInFlightAndNeverResendsIt) {
  World world;
  world.redis.server(server_address).reply_latency_ms = 50;
  auto sink = world.make_sink();
  const auto channel = sink->add_channel("stdout");
  sink->start();
  world.run_for(10);
  for (const std::string& line : numbered_lines(0, 10)) sink->enqueue(channel, line);
  EXPECT_EQ(sink->in_flight(), 10u);
  world.run_for(10);
  world.redis.drop_connections(server_address);
  world.run_for(1);
  EXPECT_EQ(sink->state(), RedisSink::State::backoff);
  EXPECT_EQ(sink->counters(channel).lines_dropped_lost, 10u);
  for (const std::string& line : numbered_lines(10, 5)) sink->enqueue(channel, line);
  world.run_for(1'000);
  // Only the lines enqueued after the drop reach redis: none of the lost ones is sent again.
  EXPECT_EQ(world.redis.accepted_payloads("stdout"), numbered_lines(10, 5));
  EXPECT_EQ(world.redis.publishes(), 15u);
  expect_balanced(sink->counters(channel));
}

TEST(RedisSink, InFlightIsBoundedAndTheRestWaitsInOrder) {
  World world;
  world.redis.server(server_address).reply_latency_ms = 100;
  auto sink = world.make_sink(DeliveryLimits{.in_flight_lines_max = 4});
  const auto channel = sink->add_channel("stdout");
  sink->start();
  world.run_for(10);
  const auto lines = numbered_lines(0, 10);
  for (const std::string& line : lines) sink->enqueue(channel, line);
  EXPECT_EQ(sink->in_flight(), 4u);
  EXPECT_EQ(sink->buffered_lines(), 6u);
  world.run_for(1'000);
  EXPECT_EQ(world.redis.accepted_payloads("stdout"), lines);
  EXPECT_EQ(sink->in_flight(), 0u);
}

TEST(RedisSink, StatsAreNeverBuffered) {
  World world;
  auto sink = world.make_sink();
  const auto channel = sink->add_channel("stats");
  sink->start();
  EXPECT_FALSE(sink->publish_stats(channel, "{\"early\":1}"));  // Still connecting.
  world.run_for(10);
  EXPECT_TRUE(sink->publish_stats(channel, "{\"up\":1}"));
  world.run_for(10);
  const SinkChannelCounters& c = sink->counters(channel);
  EXPECT_EQ(c.stats_missed, 1u);
  EXPECT_EQ(c.stats_published, 1u);
  EXPECT_EQ(c.stats_delivered, 1u);
  EXPECT_EQ(world.redis.accepted_payloads("stats"), (std::vector<std::string>{"{\"up\":1}"}));
}

// The stats bound is per channel: a tick to more channels than the bound, on a healthy server,
// misses nothing, while a channel whose own replies lag misses its ticks beyond the bound.
TEST(RedisSink, TheStatsInFlightBoundIsPerChannel) {
  World world;
  world.redis.server(server_address).reply_latency_ms = 100;
  auto sink = world.make_sink(DeliveryLimits{.in_flight_stats_max = 2});
  std::vector<RedisSink::ChannelIndex> channels;
  for (int index = 0; index < 5; index += 1) channels.push_back(sink->add_channel("stats-" + std::to_string(index)));
  sink->start();
  world.run_for(10);
  for (const auto channel : channels) EXPECT_TRUE(sink->publish_stats(channel, "{\"tick\":1}"));
  EXPECT_TRUE(sink->publish_stats(channels[0], "{\"tick\":2}"));
  EXPECT_FALSE(sink->publish_stats(channels[0], "{\"tick\":3}"));  // A third unanswered on stats-0.
  EXPECT_TRUE(sink->publish_stats(channels[1], "{\"tick\":2}"));
  world.run_for(1'000);
  EXPECT_EQ(sink->counters(channels[0]).stats_missed, 1u);
  EXPECT_EQ(sink->counters(channels[0]).stats_delivered, 2u);
  for (std::size_t index = 1; index < channels.size(); index += 1) {
    EXPECT_EQ(sink->counters(channels[index]).stats_missed, 0u);
  }
  EXPECT_EQ(sink->in_flight(), 0u);
}

TEST(RedisSink, DrainDeliversWhatIsPendingThenCloses) {
  World world;
  world.redis.server(server_address).down = true;
  auto sink = world.make_sink();
  const auto channel = sink->add_channel("stdout");
  int closed_calls = 0;
  sink->set_on_closed([&] { closed_calls += 1; });
  sink->start();
  const auto lines = numbered_lines(0, 20);
  for (const std::string& line : lines) sink->enqueue(channel, line);
  sink->close_after_drain(world.scheduler.now_ms() + 10'000);
  sink->enqueue(channel, "after the drain began");  // Not accepted: counted dropped.
  world.run_for(300);
  world.redis.server(server_address).down = false;
  world.run_for(20'000);
  EXPECT_TRUE(sink->closed());
  EXPECT_EQ(closed_calls, 1);
  EXPECT_EQ(world.redis.accepted_payloads("stdout"), lines);
  const SinkChannelCounters& c = sink->counters(channel);
  EXPECT_EQ(c.lines_delivered + c.lines_dropped, c.lines_produced);
  EXPECT_EQ(c.lines_dropped_at_close, 1u);
  EXPECT_EQ(world.redis.open_connections(), 0u);
  EXPECT_EQ(world.scheduler.pending(), 0u);
}

TEST(RedisSink, DrainDeadlineDropsTheRemainder) {
  World world;
  world.redis.server(server_address).down = true;
  auto sink = world.make_sink();
  const auto channel = sink->add_channel("stdout");
  sink->start();
  for (const std::string& line : numbered_lines(0, 20)) sink->enqueue(channel, line);
  const std::int64_t deadline_ms = world.scheduler.now_ms() + 3'000;
  sink->close_after_drain(deadline_ms);
  world.scheduler.run_until(deadline_ms - 1);
  EXPECT_FALSE(sink->closed());
  world.scheduler.run_until(deadline_ms);
  EXPECT_TRUE(sink->closed());
  EXPECT_EQ(sink->counters(channel).lines_dropped_at_close, 20u);
  EXPECT_EQ(world.redis.open_connections(), 0u);
  EXPECT_EQ(world.scheduler.pending(), 0u);
}

TEST(RedisSink, DestructionMidFlightCallsNothingBack) {
  World world;
  world.redis.server(server_address).reply_latency_ms = 500;
  auto sink = world.make_sink();
  const auto channel = sink->add_channel("stdout");
  sink->start();
  world.run_for(10);
  for (const std::string& line : numbered_lines(0, 10)) sink->enqueue(channel, line);
  world.redis.server(server_address).down = true;
  world.redis.drop_connections(server_address);  // An on_disconnected is now due for the sink.
  sink.reset();
  EXPECT_EQ(world.redis.open_connections(), 0u);
  world.run_for(60'000);  // Under ASan a callback into the destroyed sink would fail here.
  EXPECT_EQ(world.redis.violations(), 0u);
}

TEST(RedisSink, DestructionWhileWaitingToReconnectCancelsTheTimer) {
  World world;
  world.redis.server(server_address).down = true;
  auto sink = world.make_sink();
  sink->add_channel("stdout");
  sink->start();
  world.run_for(50);
  ASSERT_EQ(sink->state(), RedisSink::State::backoff);
  sink.reset();
  EXPECT_EQ(world.scheduler.pending(), 0u);
}

TEST(RedisSink, ThePasswordNeverReachesTheEventLog) {
  World world;
  world.redis.server(server_address).password = "the-right-one";
  auto sink = world.make_sink({}, "s3cr3t-passw0rd");
  sink->add_channel("stdout");
  sink->start();
  world.run_for(1'000);
  ASSERT_FALSE(world.events.events.empty());
  for (const std::string& event : world.events.events) {
    EXPECT_EQ(event.find("s3cr3t-passw0rd"), std::string::npos) << event;
  }
  EXPECT_NE(world.events.events.front().find("WRONGPASS"), std::string::npos);
}

// Random outputs and faults against one sink: every line is counted once, redis gets the
// delivered ones in order and none twice, and after the drain nothing is left over.
RC_GTEST_PROP(RedisSink, EveryLineCountedOnceUnderRandomFaults, ()) {
  World world;
  const DeliveryLimits limits{.buffer_lines_max = *rc::gen::inRange<std::size_t>(1, 40),
                              .buffer_bytes_max = 4096,
                              .in_flight_lines_max = *rc::gen::inRange<std::size_t>(1, 8)};
  auto sink = world.make_sink(limits);
  const auto out = sink->add_channel("out");
  const auto err = sink->add_channel("err");
  sink->start();
  FakePublisher::Switches& switches = world.redis.server(server_address);
  std::vector<std::string> produced_out;
  std::vector<std::string> produced_err;
  const auto steps = *rc::gen::inRange(1, 1000);
  for (int step = 0; step < steps; step += 1) {
    switch (*rc::gen::inRange(0, 8)) {
      case 0: switches.down = !switches.down; break;
      case 1: switches.refusing = !switches.refusing; break;
      case 2: world.redis.drop_connections(server_address); break;
      case 3: switches.reply_latency_ms = *rc::gen::element<std::int64_t>(0, 1, 50, 300, 100'000); break;
      case 4: world.run_for(*rc::gen::inRange(0, 2'000)); break;
      default: {
        const bool to_out = *rc::gen::arbitrary<bool>();
        std::vector<std::string>& produced = to_out ? produced_out : produced_err;
        produced.push_back(fmt::format("{} {}", to_out ? "out" : "err", produced.size()));
        sink->enqueue(to_out ? out : err, produced.back());
      }
    }
  }
  // Heal or not, then drain: an unhealed server leaves lines to drop at the deadline.
  if (*rc::gen::arbitrary<bool>()) switches = FakePublisher::Switches{};
  sink->close_after_drain(world.scheduler.now_ms() + 30'000);
  world.run_for(31'000);
  const SinkChannelCounters& o = sink->counters(out);
  RC_TAG(o.lines_dropped_overflow > 0, o.lines_dropped_refused > 0, o.lines_dropped_lost > 0, o.lines_dropped_at_close > 0);
  RC_ASSERT(sink->closed());
  RC_ASSERT(world.redis.open_connections() == 0u);
  // What the fake still has scheduled (stalled replies) finds its connections closed.
  for (int guard = 0; guard < 100'000 && world.scheduler.run_next(); guard += 1) {
  }
  RC_ASSERT(world.scheduler.pending() == 0u);
  RC_ASSERT(world.redis.violations() == 0u);
  for (const auto& [channel, produced] : {std::pair{out, &produced_out}, std::pair{err, &produced_err}}) {
    const SinkChannelCounters& c = sink->counters(channel);
    RC_ASSERT(c.lines_produced == produced->size());
    RC_ASSERT(c.lines_delivered + c.lines_dropped == c.lines_produced);
    const auto accepted = world.redis.accepted_payloads(sink->channel_name(channel));
    RC_ASSERT(accepted.size() == c.lines_delivered);
    // Delivered lines are a subsequence of the produced ones: in order, none twice.
    std::size_t cursor = 0;
    for (const std::string& line : accepted) {
      while (cursor < produced->size() && (*produced)[cursor] != line) cursor += 1;
      RC_ASSERT(cursor < produced->size());
      cursor += 1;
    }
  }
}

}  // namespace
}  // namespace zsim::core
