#pragma once
// The virtual-time scheduler. Timers run in (time, insertion sequence) order, so timers due at the
// same time run first-in first-out, never by address or hash. Time moves only when the next timer
// runs.
//
// Two queues hold the pending timers, and the earlier of their two fronts runs next:
// - due_now_, a FIFO of the timers scheduled for the current time or the past (a reply "now", the
//   next step of a chain). Their time is the clock's time when they were scheduled, which never
//   decreases, and their sequence always increases, so the FIFO is sorted by construction and costs
//   no heap operation at all.
// - heap_, a binary min-heap of the timers scheduled for later.
// Merging the two fronts by (time, sequence) gives exactly the order one heap of everything would.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/ports.hpp"

namespace zsim::kernel {

class VirtualScheduler final : public core::Scheduler {
 public:
  // A bound on pending timers: a world that schedules more than this has a runaway loop.
  static constexpr std::size_t timers_max = std::size_t{1} << 26;

  explicit VirtualScheduler(std::int64_t start_ms = 0);

  std::int64_t now_ms() const override { return now_ms_; }
  core::TimerId at(std::int64_t time_ms, core::TimerCallback callback) override;
  bool cancel(core::TimerId timer) override;

  // Runs the earliest pending timer; false when none is pending.
  bool run_next();
  // Runs every timer due at or before end_ms, then sets the clock to end_ms. Returns how many ran.
  std::uint64_t run_until(std::int64_t end_ms);
  // Moves the clock forward without running anything (a clock step fault); never backwards.
  void advance_to(std::int64_t time_ms);

  std::size_t pending() const { return live_timers_; }
  std::uint64_t events_run() const { return events_run_; }
  // Time of the earliest pending timer, or INT64_MAX. A cancelled timer may still be counted: the
  // estimate is then early, never late.
  std::int64_t next_time_ms() const;

 private:
  // A timer id is (generation << 32 | slot). A slot is reused after its timer ran or was cancelled,
  // and its generation moves on at that moment: an id or queue entry of an older generation is
  // stale, and the slot's current generation is that of its pending timer, if it has one.
  struct Entry {
    std::int64_t time_ms;
    std::uint64_t sequence;
    std::uint32_t slot;
    std::uint32_t generation;
  };
  struct Slot {
    core::TimerCallback callback;
    std::uint32_t generation = 1;  // Never 0, so that no timer id is 0.
  };

  // Without branches: which of two timers comes first is what a heap cannot predict.
  static bool earlier(const Entry& a, const Entry& b) {
    return (a.time_ms < b.time_ms) | ((a.time_ms == b.time_ms) & (a.sequence < b.sequence));
  }
  bool live(const Entry& entry) const;
  bool take_earliest(std::int64_t end_ms, Entry& entry);
  void run(const Entry& entry);
  void heap_push(const Entry& entry);
  void sift_up(std::size_t hole, const Entry& entry);
  void heap_pop();
  void due_now_pop();

  std::int64_t now_ms_;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t events_run_ = 0;
  std::size_t live_timers_ = 0;
  std::vector<Entry> heap_;
  std::vector<Entry> due_now_;  // A FIFO: entries before due_now_head_ have been taken.
  std::size_t due_now_head_ = 0;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
};

}  // namespace zsim::kernel
