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
    core::TimerId timer;
  };
  // A timer id is (generation << 32 | slot): a slot is reused after its timer ran or was cancelled,
  // and the generation tells a stale id (or a stale heap entry) from the live one.
  struct Slot {
    std::function<void()> callback;
    std::uint32_t generation = 0;
    bool live = false;
  };
  static bool later(const Entry& a, const Entry& b);
  Slot* live_slot(core::TimerId timer);
  void pop_front();
  void drop_cancelled_front();

  std::int64_t now_ms_;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t events_run_ = 0;
  std::size_t live_timers_ = 0;
  std::vector<Entry> heap_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
};

}  // namespace zsim::kernel
