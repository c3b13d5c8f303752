#include "core/stats_clock.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kernel/scheduler.hpp"

namespace zsim::core {
namespace {

constexpr std::int64_t interval_ms = 2000;

// A ticker that writes "name@time" for each tick into a shared log, and may run an action on a tick.
class LoggingTicker final : public StatsTicker {
 public:
  LoggingTicker(std::string name, const Scheduler& scheduler, std::vector<std::string>& log)
      : name_(std::move(name)), scheduler_(scheduler), log_(log) {}
  void on_stats_tick() override {
    log_.push_back(name_ + "@" + std::to_string(scheduler_.now_ms()));
    if (on_tick) on_tick();
  }
  std::function<void()> on_tick;

 private:
  std::string name_;
  const Scheduler& scheduler_;
  std::vector<std::string>& log_;
};

TEST(StatsClock, TickersOfOnePhaseShareOneTimerAndTickInJoinOrder) {
  kernel::VirtualScheduler scheduler(1000);
  std::vector<std::string> log;
  StatsClock clock(scheduler, interval_ms);
  LoggingTicker a("a", scheduler, log);
  LoggingTicker b("b", scheduler, log);
  const StatsClock::Membership ma = clock.join(a);
  const StatsClock::Membership mb = clock.join(b);
  EXPECT_EQ(clock.groups(), 1u);
  EXPECT_EQ(scheduler.pending(), 1u);
  scheduler.run_until(5000);
  EXPECT_EQ(log, (std::vector<std::string>{"a@3000", "b@3000", "a@5000", "b@5000"}));
  clock.leave(ma);
  clock.leave(mb);
  EXPECT_EQ(clock.groups(), 0u);
  EXPECT_EQ(scheduler.pending(), 0u);
}

TEST(StatsClock, TickersOfTwoPhasesKeepTheirOwnGrids) {
  kernel::VirtualScheduler scheduler(0);
  std::vector<std::string> log;
  StatsClock clock(scheduler, interval_ms);
  LoggingTicker a("a", scheduler, log);
  LoggingTicker b("b", scheduler, log);
  const StatsClock::Membership ma = clock.join(a);
  scheduler.run_until(500);
  const StatsClock::Membership mb = clock.join(b);
  EXPECT_EQ(clock.groups(), 2u);
  scheduler.run_until(4500);
  EXPECT_EQ(log, (std::vector<std::string>{"a@2000", "b@2500", "a@4000", "b@4500"}));
  clock.leave(ma);
  clock.leave(mb);
}

TEST(StatsClock, ATickerJoiningWhenItsGroupIsDueTicksOneIntervalLater) {
  kernel::VirtualScheduler scheduler(0);
  std::vector<std::string> log;
  StatsClock clock(scheduler, interval_ms);
  LoggingTicker a("a", scheduler, log);
  LoggingTicker b("b", scheduler, log);
  std::optional<StatsClock::Membership> mb;
  // Scheduled before a joins, so it runs at 2000 before the group's tick of 2000.
  scheduler.at(2000, [&] { mb = clock.join(b); });
  const StatsClock::Membership ma = clock.join(a);
  scheduler.run_until(4000);
  EXPECT_EQ(log, (std::vector<std::string>{"a@2000", "a@4000", "b@4000"}));
  clock.leave(ma);
  clock.leave(*mb);
}

TEST(StatsClock, TickersMayLeaveFromInsideATick) {
  kernel::VirtualScheduler scheduler(0);
  std::vector<std::string> log;
  StatsClock clock(scheduler, interval_ms);
  LoggingTicker a("a", scheduler, log);
  LoggingTicker b("b", scheduler, log);
  LoggingTicker c("c", scheduler, log);
  const StatsClock::Membership ma = clock.join(a);
  const StatsClock::Membership mb = clock.join(b);
  const StatsClock::Membership mc = clock.join(c);
  // a's first tick removes c (not yet ticked in this round) and a itself.
  a.on_tick = [&] {
    clock.leave(mc);
    clock.leave(ma);
    a.on_tick = nullptr;
  };
  scheduler.run_until(4000);
  EXPECT_EQ(log, (std::vector<std::string>{"a@2000", "b@2000", "b@4000"}));
  EXPECT_EQ(clock.tickers(), 1u);
  clock.leave(mb);
  EXPECT_EQ(clock.groups(), 0u);
  EXPECT_EQ(scheduler.pending(), 0u);
}

TEST(StatsClock, AClockStepGivesOneLateTickThenTheGrid) {
  kernel::VirtualScheduler scheduler(0);
  std::vector<std::string> log;
  StatsClock clock(scheduler, interval_ms);
  LoggingTicker a("a", scheduler, log);
  const StatsClock::Membership ma = clock.join(a);
  scheduler.run_until(2000);
  scheduler.advance_to(9500);  // Jumps over 4000, 6000 and 8000.
  scheduler.run_until(12000);
  EXPECT_EQ(log, (std::vector<std::string>{"a@2000", "a@9500", "a@10000", "a@12000"}));
  clock.leave(ma);
}

// Property: whatever the join and leave times, every ticker ticks exactly at the times a timer of
// its own would: join + k * interval, k >= 1, before it leaves. Joins fall on multiples of 10 ms
// and leaves 5 ms after one, so no tick and leave share a millisecond (their order would then be
// the order of scheduling, which this property does not fix).
RC_GTEST_PROP(StatsClockProperty, TicksAsATimerPerTicker, (std::vector<std::pair<std::uint16_t, std::uint16_t>> spans)) {
  RC_PRE(spans.size() <= 64u);
  kernel::VirtualScheduler scheduler(0);
  std::vector<std::string> log;
  StatsClock clock(scheduler, interval_ms);
  std::vector<std::unique_ptr<LoggingTicker>> tickers;
  std::map<std::string, std::vector<std::int64_t>> expected;
  for (std::size_t index = 0; index < spans.size(); index += 1) {
    const std::int64_t join_ms = static_cast<std::int64_t>(spans[index].first % 1000) * 10;
    const std::int64_t leave_ms = join_ms + static_cast<std::int64_t>(spans[index].second % 1500) * 10 + 5;
    const std::string name = "t" + std::to_string(index);
    tickers.push_back(std::make_unique<LoggingTicker>(name, scheduler, log));
    LoggingTicker& ticker = *tickers.back();
    auto membership = std::make_shared<StatsClock::Membership>();
    scheduler.at(join_ms, [&clock, &ticker, membership] { *membership = clock.join(ticker); });
    scheduler.at(leave_ms, [&clock, membership] { clock.leave(*membership); });
    for (std::int64_t tick_ms = join_ms + interval_ms; tick_ms < leave_ms; tick_ms += interval_ms) {
      expected[name].push_back(tick_ms);
    }
  }
  scheduler.run_until(40'000);
  std::map<std::string, std::vector<std::int64_t>> seen;
  for (const std::string& entry : log) {
    const std::size_t at = entry.find('@');
    seen[entry.substr(0, at)].push_back(std::stoll(entry.substr(at + 1)));
  }
  RC_ASSERT(seen == expected);
  RC_ASSERT(clock.tickers() == 0u);
  RC_ASSERT(clock.groups() == 0u);
  RC_ASSERT(scheduler.pending() == 0u);
}

}  // namespace
}  // namespace zsim::core
