#include "kernel/scheduler.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <utility>
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

// A reference queue for the property below: every timer in one list, the next one found by a
// linear scan for the smallest (time, sequence). Slow and obviously right.
class ReferenceScheduler {
 public:
  std::int64_t now_ms() const { return now_ms_; }
  std::size_t at(std::int64_t time_ms) {
    timers_.push_back(Timer{std::max(time_ms, now_ms_), timers_.size(), true});
    return timers_.size() - 1;
  }
  void cancel(std::size_t id) { timers_.at(id).live = false; }
  // The id of the next timer to run, or SIZE_MAX.
  std::size_t take_next() {
    std::size_t best = SIZE_MAX;
    for (const Timer& timer : timers_) {
      if (timer.live && (best == SIZE_MAX || std::pair(timer.time_ms, timer.sequence) <
                                                 std::pair(timers_[best].time_ms, timers_[best].sequence))) {
        best = timer.sequence;
      }
    }
    if (best == SIZE_MAX) return best;
    timers_[best].live = false;
    now_ms_ = std::max(now_ms_, timers_[best].time_ms);
    return best;
  }

 private:
  struct Timer {
    std::int64_t time_ms;
    std::size_t sequence;
    bool live;
  };
  std::int64_t now_ms_ = 0;
  std::vector<Timer> timers_;
};

// What a timer does when it runs, the same for both schedulers: it takes the next delay of the
// script and schedules one timer that far ahead (0 often: due now, the FIFO's case), a second one
// when the delay is odd, and cancels the oldest pending timer when the script says so.
struct Script {
  std::vector<std::uint8_t> delays;
  std::vector<bool> cancels;
  std::size_t cursor = 0;

  struct Actions {
    std::vector<std::int64_t> delays_ms;
    bool cancel_oldest = false;
  };
  Actions next() {
    Actions actions;
    if (cursor >= delays.size()) return actions;
    const std::int64_t delay_ms = delays[cursor] % 5;
    actions.delays_ms.push_back(delay_ms);
    if (delay_ms % 2 == 1) actions.delays_ms.push_back(delay_ms + 1);
    actions.cancel_oldest = cursor < cancels.size() && cancels[cursor];
    cursor += 1;
    return actions;
  }
};

// Property: with timers scheduled from inside callbacks, for now and for later, and cancelled on
// the way, the scheduler runs exactly what the reference runs, in the same order, at the same times.
RC_GTEST_PROP(VirtualSchedulerProperty, MatchesAReferenceQueue,
              (std::vector<std::uint8_t> delays, std::vector<bool> cancels)) {
  constexpr std::size_t roots = 4;
  // The real scheduler: ids are the order of at() calls, as the reference's.
  VirtualScheduler scheduler;
  Script script{delays, cancels};
  std::vector<core::TimerId> timers;
  std::vector<bool> pending;
  std::vector<std::pair<std::size_t, std::int64_t>> ran;
  std::function<void(std::int64_t)> schedule = [&](std::int64_t time_ms) {
    const std::size_t id = timers.size();
    pending.push_back(true);
    timers.push_back(scheduler.at(time_ms, [&, id] {
      pending[id] = false;
      ran.emplace_back(id, scheduler.now_ms());
      const Script::Actions actions = script.next();
      for (const std::int64_t delay_ms : actions.delays_ms) schedule(scheduler.now_ms() + delay_ms);
      const auto oldest = std::find(pending.begin(), pending.end(), true);
      if (actions.cancel_oldest && oldest != pending.end()) {
        *oldest = false;
        RC_ASSERT(scheduler.cancel(timers[static_cast<std::size_t>(oldest - pending.begin())]));
      }
    }));
  };
  for (std::size_t root = 0; root < roots; root += 1) schedule(static_cast<std::int64_t>(root % 2));
  scheduler.run_until(1'000'000);

  // The reference, driven by the same script.
  ReferenceScheduler reference;
  Script reference_script{delays, cancels};
  std::vector<bool> reference_pending;
  std::vector<std::pair<std::size_t, std::int64_t>> reference_ran;
  for (std::size_t root = 0; root < roots; root += 1) {
    reference.at(static_cast<std::int64_t>(root % 2));
    reference_pending.push_back(true);
  }
  // Each turn runs one timer; every timer runs at most once.
  for (std::size_t id = reference.take_next(); id != SIZE_MAX; id = reference.take_next()) {
    reference_pending[id] = false;
    reference_ran.emplace_back(id, reference.now_ms());
    const Script::Actions actions = reference_script.next();
    for (const std::int64_t delay_ms : actions.delays_ms) {
      reference.at(reference.now_ms() + delay_ms);
      reference_pending.push_back(true);
    }
    const auto oldest = std::find(reference_pending.begin(), reference_pending.end(), true);
    if (actions.cancel_oldest && oldest != reference_pending.end()) {
      *oldest = false;
      reference.cancel(static_cast<std::size_t>(oldest - reference_pending.begin()));
    }
  }
  RC_ASSERT(ran == reference_ran);
  RC_ASSERT(scheduler.pending() == 0u);
}

TEST(VirtualScheduler, DueNowTimersRunAfterEarlierScheduledTimersOfTheSameTime) {
  VirtualScheduler scheduler;
  std::vector<int> order;
  // Scheduled at 0 for 10: in the heap, with the smaller sequence.
  scheduler.at(10, [&] {
    order.push_back(1);
    scheduler.at(10, [&] { order.push_back(3); });  // Due now: the FIFO, after 2.
  });
  scheduler.at(10, [&] { order.push_back(2); });
  scheduler.run_until(10);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(VirtualScheduler, ALongChainOfDueNowTimersKeepsItsOrderAndEnds) {
  VirtualScheduler scheduler;
  std::uint64_t ran = 0;
  std::function<void()> step = [&] {
    ran += 1;
    if (ran < 5000) scheduler.at(scheduler.now_ms(), step);
  };
  scheduler.at(0, step);
  EXPECT_EQ(scheduler.run_until(0), 5000u);
  EXPECT_EQ(scheduler.pending(), 0u);
}

}  // namespace
}  // namespace zsim::kernel
