#include "kernel/scheduler.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace zsim::kernel {
namespace {

TEST(VirtualScheduler, RunsTimersInTimeOrder) {
  VirtualScheduler scheduler(1000);
  std::vector<int> order;
  scheduler.at(3000, [&] { order.push_back(3); });
  scheduler.at(1500, [&] { order.push_back(1); });
  scheduler.at(2000, [&] { order.push_back(2); });
  EXPECT_EQ(scheduler.run_until(5000), 3u);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(scheduler.now_ms(), 5000);
}

TEST(VirtualScheduler, TiesRunInInsertionOrder) {
  VirtualScheduler scheduler;
  std::vector<int> order;
  for (int index = 0; index < 100; index += 1) {
    scheduler.at(10, [&order, index] { order.push_back(index); });
  }
  scheduler.run_until(10);
  ASSERT_EQ(order.size(), 100u);
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
}

TEST(VirtualScheduler, CancelledTimerDoesNotRun) {
  VirtualScheduler scheduler;
  bool ran = false;
  const core::TimerId timer = scheduler.at(10, [&] { ran = true; });
  EXPECT_EQ(scheduler.pending(), 1u);
  EXPECT_TRUE(scheduler.cancel(timer));
  EXPECT_FALSE(scheduler.cancel(timer));
  EXPECT_EQ(scheduler.pending(), 0u);
  EXPECT_EQ(scheduler.run_until(100), 0u);
  EXPECT_FALSE(ran);
}

TEST(VirtualScheduler, StaleIdDoesNotCancelTheSlotsNewTimer) {
  VirtualScheduler scheduler;
  const core::TimerId first = scheduler.at(10, [] {});
  scheduler.run_until(10);
  bool ran = false;
  const core::TimerId second = scheduler.at(20, [&] { ran = true; });
  EXPECT_NE(first, second);
  EXPECT_FALSE(scheduler.cancel(first));
  scheduler.run_until(20);
  EXPECT_TRUE(ran);
}

TEST(VirtualScheduler, PastTimeRunsNowAndCallbacksMaySchedule) {
  VirtualScheduler scheduler(500);
  std::vector<std::int64_t> times;
  scheduler.at(100, [&] {
    times.push_back(scheduler.now_ms());
    scheduler.at(scheduler.now_ms() + 50, [&] { times.push_back(scheduler.now_ms()); });
  });
  scheduler.run_until(1000);
  EXPECT_EQ(times, (std::vector<std::int64_t>{500, 550}));
}

TEST(VirtualScheduler, RunUntilStopsBeforeLaterTimerEvenAfterCancelledOnes) {
  VirtualScheduler scheduler;
  bool late_ran = false;
  const core::TimerId cancelled = scheduler.at(5, [] {});
  scheduler.at(50, [&] { late_ran = true; });
  scheduler.cancel(cancelled);
  EXPECT_EQ(scheduler.run_until(10), 0u);
  EXPECT_FALSE(late_ran);
  EXPECT_EQ(scheduler.now_ms(), 10);
  EXPECT_EQ(scheduler.next_time_ms(), 50);
}

TEST(VirtualScheduler, ClockStepKeepsOrderOfOverdueTimers) {
  VirtualScheduler scheduler;
  std::vector<int> order;
  scheduler.at(20, [&] { order.push_back(2); });
  scheduler.at(10, [&] { order.push_back(1); });
  scheduler.advance_to(1000);
  scheduler.run_until(1000);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_EQ(scheduler.now_ms(), 1000);
}

// Property: whatever the times and cancellations, timers run sorted by (time, scheduling order),
// and exactly the ones not cancelled run.
RC_GTEST_PROP(VirtualSchedulerProperty, RunsByTimeThenSequence, (std::vector<std::uint16_t> times, std::vector<bool> cancels)) {
  VirtualScheduler scheduler;
  std::vector<std::pair<std::int64_t, std::size_t>> ran;
  std::vector<core::TimerId> timers;
  for (std::size_t index = 0; index < times.size(); index += 1) {
    const std::int64_t time_ms = times[index];
    timers.push_back(scheduler.at(time_ms, [&ran, time_ms, index] { ran.emplace_back(time_ms, index); }));
  }
  std::vector<std::pair<std::int64_t, std::size_t>> expected;
  for (std::size_t index = 0; index < times.size(); index += 1) {
    const bool cancel = index < cancels.size() && cancels[index];
    if (cancel) {
      RC_ASSERT(scheduler.cancel(timers[index]));
    } else {
      expected.emplace_back(times[index], index);
    }
  }
  std::sort(expected.begin(), expected.end());
  scheduler.run_until(70000);
  RC_ASSERT(ran == expected);
  RC_ASSERT(scheduler.pending() == 0u);
}

}  // namespace
}  // namespace zsim::kernel
