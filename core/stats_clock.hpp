#pragma once
// The stats clock of a node: one scheduler timer for every stats ticker that shares a phase.
//
// Every container ticks on its own grid, start + k * interval (k >= 1), as the real node's per-
// container ticker does. Containers whose start times are equal modulo the interval share a grid
// point at every tick, and this clock fires them from one timer instead of one timer each. A node
// that starts many containers together (a deployment, a reboot that re-provisions them all, the
// benchmark) then pays one scheduler event per tick, not one per container: the event queue was
// two-fifths of the in-process stats path (bench/pusher_bench.cpp). Containers on different phases
// cost what they did before: one group, one timer each.
//
// Semantics, the same as a timer per ticker:
// - A ticker that joins at time J ticks first at J + interval, then every interval.
// - Tickers of one group tick in the order they joined.
// - When the clock jumps over several grid points (a clock step), the overdue tick runs once, late,
//   and the next one is the next grid point after it: skipped ticks are never made up for.
//
// Tickers may join or leave at any time, also from inside a tick. Every ticker must leave before
// the clock is destroyed.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "core/ports.hpp"

namespace zsim::core {

class StatsTicker {
 public:
  virtual ~StatsTicker() = default;
  // A tick of the ticker's grid. May join or leave the clock, never destroy it.
  virtual void on_stats_tick() = 0;
};

class StatsClock {
 public:
  // A bound on tickers per clock (one per running container of a node).
  static constexpr std::size_t tickers_max = std::size_t{1} << 20;

  // What join() returns and leave() takes.
  struct Membership {
    std::int64_t phase_ms = 0;
    std::uint64_t id = 0;
  };

  StatsClock(Scheduler& scheduler, std::int64_t interval_ms);
  ~StatsClock();
  StatsClock(const StatsClock&) = delete;
  StatsClock& operator=(const StatsClock&) = delete;

  // Ticks `ticker` one interval from now, then every interval, until leave().
  Membership join(StatsTicker& ticker);
  void leave(const Membership& membership);

  std::int64_t interval_ms() const { return interval_ms_; }
  std::size_t tickers() const { return tickers_; }
  // Groups of tickers on one phase; each has one pending timer.
  std::size_t groups() const { return groups_.size(); }

 private:
  struct Member {
    StatsTicker* ticker;  // Null once it left during a tick of its group; removed after the tick.
    std::uint64_t id;
    std::int64_t first_tick_ms;
  };
  struct Group {
    std::int64_t phase_ms = 0;
    std::int64_t next_tick_ms = 0;
    TimerId timer = 0;
    std::vector<Member> members;  // In join order, so ids ascend.
    bool firing = false;
    bool left_while_firing = false;  // Some member left during the tick: remove it after.
  };

  void schedule(Group& group);
  void fire(Group& group);
  void remove_left(Group& group);
  void drop_if_empty(Group& group);

  Scheduler& scheduler_;
  std::int64_t interval_ms_;
  std::map<std::int64_t, Group> groups_;  // By phase: the grid's offset within an interval.
  std::uint64_t next_id_ = 1;
  std::size_t tickers_ = 0;
};

}  // namespace zsim::core
