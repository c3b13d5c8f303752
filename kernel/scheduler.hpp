#pragma once
// The virtual-time scheduler: a binary heap of timers ordered by (time, insertion sequence), so
// timers due at the same time run first-in first-out, never by address or hash. Time moves only
// when the next timer runs.

#include <cstdint>
#include <functional>
#include <vector>

#include "core/ports.hpp"

namespace zsim::kernel {

class VirtualScheduler final : public core::Scheduler {
 public:
  explicit VirtualScheduler(std::int64_t start_ms = 0);

  std::int64_t now_ms() const override { return now_ms_; }
  core::TimerId at(std::int64_t time_ms, std::function<void()> callback) override;
  bool cancel(core::TimerId timer) override;

  // Runs the earliest pending timer; false when none is pending.
  bool run_next();
  // Runs every timer due at or before end_ms, then sets the clock to end_ms. Returns how many ran.
  std::uint64_t run_until(std::int64_t end_ms);
  // Moves the clock forward without running anything (a clock step fault); never backwards.
  void advance_to(std::int64_t time_ms);

  std::size_t pending() const { return live_timers_; }
  std::uint64_t events_run() const { return events_run_; }
  // Time of the earliest pending timer, or INT64_MAX.
  std::int64_t next_time_ms() const;

 private:
  struct Entry {
    std::int64_t time_ms;
    std::uint64_t sequence;
    core::TimerId id;
  };
  // Implementation detail chosen by the implementer; see scheduler.cpp.
  std::int64_t now_ms_;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t events_run_ = 0;
  std::size_t live_timers_ = 0;
  std::vector<Entry> heap_;
  // Callbacks by timer id, in a slot table reused without allocation in steady state.
  std::vector<std::function<void()>> callbacks_;
  std::vector<std::uint64_t> free_slots_;
};

}  // namespace zsim::kernel
