#include "adapters/asio_scheduler.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <string>
#include <vector>

namespace zsim::adapters {
namespace {

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(AsioScheduler, NowIsTheSystemClockInUnixMilliseconds) {
  boost::asio::io_context io;
  AsioScheduler scheduler(io);
  const std::int64_t before = system_ms();
  const std::int64_t now = scheduler.now_ms();
  const std::int64_t after = system_ms();
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
  EXPECT_GT(now, std::int64_t{1'600'000'000'000});  // After September 2020: a real date.
}

TEST(AsioScheduler, RunsCallbacksInTimeOrderAndNotBeforeTheirTime) {
  boost::asio::io_context io;
  AsioScheduler scheduler(io);
  std::vector<int> order;
  std::vector<std::int64_t> ran_at_ms;
  const std::int64_t now = scheduler.now_ms();
  for (const int delay : {60, 20, 40, 0}) {
    scheduler.at(now + delay, [&, delay] {
      order.push_back(delay);
      ran_at_ms.push_back(scheduler.now_ms());
    });
  }
  EXPECT_EQ(scheduler.pending(), 4U);
  ASSERT_TRUE(scheduler.run_until_idle(2000));
  EXPECT_EQ(order, (std::vector<int>{0, 20, 40, 60}));
  ASSERT_EQ(ran_at_ms.size(), 4U);
  // The wall clock has reached each callback's time when it runs (no clock step during a test).
  for (std::size_t index = 0; index < order.size(); ++index) EXPECT_GE(ran_at_ms[index], now + order[index]);
  EXPECT_EQ(scheduler.pending(), 0U);
  EXPECT_EQ(scheduler.callbacks_run(), 4U);
}

TEST(AsioScheduler, CallbacksDueAtTheSameTimeRunInSchedulingOrder) {
  boost::asio::io_context io;
  AsioScheduler scheduler(io);
  std::vector<int> order;
  // 500 ties at one future time, interleaved with ties at a past time (clamped to now, run first)
  // and scheduled from different moments of the wall clock. The margin keeps "due" in the future
  // while all are scheduled, even on a loaded machine under sanitizers.
  const std::int64_t due = scheduler.now_ms() + 100;
  for (int index = 0; index < 500; ++index) {
    scheduler.at(due, [&order, index] { order.push_back(index); });
    if (index % 100 == 0) scheduler.at(due - 100'000, [&order, index] { order.push_back(-1 - index); });
  }
  ASSERT_TRUE(scheduler.run_until_idle(2000));
  ASSERT_EQ(order.size(), 505U);
  EXPECT_EQ((std::vector<int>(order.begin(), order.begin() + 5)), (std::vector<int>{-1, -101, -201, -301, -401}));
  for (int index = 0; index < 500; ++index) EXPECT_EQ(order[5 + static_cast<std::size_t>(index)], index);
}

TEST(AsioScheduler, NeverRunsACallbackInsideAt) {
  boost::asio::io_context io;
  AsioScheduler scheduler(io);
  bool ran = false;
  scheduler.at(scheduler.now_ms() - 1000, [&] { ran = true; });
  scheduler.at(scheduler.now_ms(), [&] { ran = true; });
  EXPECT_FALSE(ran);
  ASSERT_TRUE(scheduler.run_until([&] { return ran; }, 1000));
}

TEST(AsioScheduler, CancelledCallbacksNeverRun) {
  boost::asio::io_context io;
  AsioScheduler scheduler(io);
  std::vector<std::string> ran;
  const std::int64_t now = scheduler.now_ms();
  const core::TimerId head = scheduler.at(now + 10, [&] { ran.emplace_back("head"); });
  const core::TimerId middle = scheduler.at(now + 20, [&] { ran.emplace_back("middle"); });
  scheduler.at(now + 30, [&] { ran.emplace_back("last"); });
  EXPECT_TRUE(scheduler.cancel(head));
  EXPECT_FALSE(scheduler.cancel(head));
  EXPECT_TRUE(scheduler.cancel(middle));
  EXPECT_EQ(scheduler.pending(), 1U);
  ASSERT_TRUE(scheduler.run_until_idle(2000));
  EXPECT_EQ(ran, (std::vector<std::string>{"last"}));
  EXPECT_FALSE(scheduler.cancel(middle));
  EXPECT_FALSE(scheduler.cancel(12345));
}

TEST(AsioScheduler, ACallbackMayCancelAndScheduleOthers) {
  boost::asio::io_context io;
  AsioScheduler scheduler(io);
  std::vector<std::string> ran;
  const std::int64_t now = scheduler.now_ms();
  core::TimerId victim = 0;
  scheduler.at(now, [&] {
    ran.emplace_back("first");
    EXPECT_TRUE(scheduler.cancel(victim));
    scheduler.at(scheduler.now_ms(), [&] { ran.emplace_back("scheduled from a callback"); });
  });
  victim = scheduler.at(now, [&] { ran.emplace_back("victim"); });
  ASSERT_TRUE(scheduler.run_until_idle(2000));
  EXPECT_EQ(ran, (std::vector<std::string>{"first", "scheduled from a callback"}));
}

TEST(AsioScheduler, AnEarlierTimerScheduledLaterStillRunsFirst) {
  boost::asio::io_context io;
  AsioScheduler scheduler(io);
  std::vector<std::string> ran;
  const std::int64_t now = scheduler.now_ms();
  scheduler.at(now + 200, [&] { ran.emplace_back("late"); });
  scheduler.at(now + 5, [&] { ran.emplace_back("early"); });
  ASSERT_TRUE(scheduler.run_until([&] { return ran.size() == 1; }, 150));
  EXPECT_EQ(ran, (std::vector<std::string>{"early"}));
  ASSERT_TRUE(scheduler.run_until_idle(2000));
  EXPECT_EQ(ran, (std::vector<std::string>{"early", "late"}));
}

TEST(AsioScheduler, SelfReschedulingCallbacksDoNotStarveOtherHandlers) {
  boost::asio::io_context io;
  AsioScheduler scheduler(io);
  int ticks = 0;
  bool posted_ran = false;
  std::function<void()> tick = [&] {
    ticks += 1;
    if (ticks < 1000) scheduler.at(scheduler.now_ms(), tick);
  };
  scheduler.at(scheduler.now_ms(), tick);
  boost::asio::post(io, [&] { posted_ran = true; });
  ASSERT_TRUE(scheduler.run_until([&] { return posted_ran; }, 1000));
  EXPECT_LT(ticks, 1000);
  ASSERT_TRUE(scheduler.run_until_idle(2000));
  EXPECT_EQ(ticks, 1000);
}

TEST(AsioScheduler, NothingRunsAfterTheSchedulerIsGone) {
  boost::asio::io_context io;
  bool ran = false;
  {
    AsioScheduler scheduler(io);
    scheduler.at(scheduler.now_ms(), [&] { ran = true; });
  }
  io.restart();
  io.run_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(ran);
}

TEST(AsioScheduler, AFarFutureTimerWaitsAndCanBeCancelled) {
  boost::asio::io_context io;
  AsioScheduler scheduler(io);
  bool far_ran = false;
  bool near_ran = false;
  const core::TimerId far = scheduler.at(std::numeric_limits<std::int64_t>::max(), [&] { far_ran = true; });
  scheduler.at(scheduler.now_ms() + 5, [&] { near_ran = true; });
  ASSERT_TRUE(scheduler.run_until([&] { return near_ran; }, 1000));
  EXPECT_FALSE(far_ran);
  EXPECT_TRUE(scheduler.cancel(far));
  EXPECT_TRUE(scheduler.run_until_idle(1000));
  EXPECT_FALSE(far_ran);
}

TEST(AsioScheduler, RunForReturnsAfterTheDuration) {
  boost::asio::io_context io;
  AsioScheduler scheduler(io);
  int ran = 0;
  const std::int64_t now = scheduler.now_ms();
  scheduler.at(now + 10, [&] { ran += 1; });
  scheduler.at(now + 5000, [&] { ran += 100; });
  const std::int64_t start = steady_ms();
  scheduler.run_for(50);
  EXPECT_GE(steady_ms() - start, 50);
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(scheduler.pending(), 1U);
  EXPECT_FALSE(scheduler.run_until_idle(20));
}

}  // namespace
}  // namespace zsim::adapters
