#include "kernel/scheduler.hpp"

#include <algorithm>
#include <cassert>
#include <limits>
#include <utility>

namespace zsim::kernel {

namespace {
// A bound on pending timers: a world that schedules more than this has a runaway loop.
constexpr std::size_t timers_max = std::size_t{1} << 26;
constexpr std::uint64_t slot_mask = 0xffff'ffffULL;
}  // namespace

VirtualScheduler::VirtualScheduler(std::int64_t start_ms) : now_ms_(start_ms) {}

// std::push_heap builds a max-heap; "later" as the comparison puts the earliest entry on top.
// Ties in time are broken by the insertion sequence, which makes same-time timers FIFO.
bool VirtualScheduler::later(const Entry& a, const Entry& b) {
  if (a.time_ms != b.time_ms) return a.time_ms > b.time_ms;
  return a.sequence > b.sequence;
}

core::TimerId VirtualScheduler::at(std::int64_t time_ms, std::function<void()> callback) {
  assert(callback);
  assert(live_timers_ < timers_max);
  std::uint32_t slot_index = 0;
  if (!free_slots_.empty()) {
    slot_index = free_slots_.back();
    free_slots_.pop_back();
  } else {
    assert(slots_.size() < slot_mask);
    slot_index = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& slot = slots_[slot_index];
  assert(!slot.live);
  slot.generation += 1;
  slot.live = true;
  slot.callback = std::move(callback);
  const core::TimerId timer = (static_cast<std::uint64_t>(slot.generation) << 32) | slot_index;
  heap_.push_back(Entry{std::max(time_ms, now_ms_), next_sequence_++, timer});
  std::push_heap(heap_.begin(), heap_.end(), later);
  live_timers_ += 1;
  return timer;
}

VirtualScheduler::Slot* VirtualScheduler::live_slot(core::TimerId timer) {
  const std::uint64_t slot_index = timer & slot_mask;
  if (slot_index >= slots_.size()) return nullptr;
  Slot& slot = slots_[slot_index];
  if (!slot.live || slot.generation != static_cast<std::uint32_t>(timer >> 32)) return nullptr;
  return &slot;
}

bool VirtualScheduler::cancel(core::TimerId timer) {
  Slot* slot = live_slot(timer);
  if (slot == nullptr) return false;
  // The heap entry stays; it is skipped when it comes up because the slot is no longer live.
  slot->callback = nullptr;
  slot->live = false;
  free_slots_.push_back(static_cast<std::uint32_t>(timer & slot_mask));
  assert(live_timers_ > 0);
  live_timers_ -= 1;
  return true;
}

void VirtualScheduler::pop_front() {
  std::pop_heap(heap_.begin(), heap_.end(), later);
  heap_.pop_back();
}

void VirtualScheduler::drop_cancelled_front() {
  // Each iteration removes one heap entry, so the loop is bounded by the heap's size.
  while (!heap_.empty() && live_slot(heap_.front().timer) == nullptr) pop_front();
}

bool VirtualScheduler::run_next() {
  drop_cancelled_front();
  if (heap_.empty()) {
    assert(live_timers_ == 0);
    return false;
  }
  const Entry entry = heap_.front();
  pop_front();
  Slot* slot = live_slot(entry.timer);
  assert(slot != nullptr);
  // After a clock step (advance_to) an entry may be due before now: it runs now, in order.
  now_ms_ = std::max(now_ms_, entry.time_ms);
  std::function<void()> callback = std::move(slot->callback);
  slot->callback = nullptr;
  slot->live = false;
  free_slots_.push_back(static_cast<std::uint32_t>(entry.timer & slot_mask));
  assert(live_timers_ > 0);
  live_timers_ -= 1;
  events_run_ += 1;
  callback();
  return true;
}

std::int64_t VirtualScheduler::next_time_ms() const {
  // A cancelled entry may sit on top: this is then an early estimate, never a late one.
  if (heap_.empty()) return std::numeric_limits<std::int64_t>::max();
  return heap_.front().time_ms;
}

std::uint64_t VirtualScheduler::run_until(std::int64_t end_ms) {
  assert(end_ms >= now_ms_);
  std::uint64_t ran = 0;
  drop_cancelled_front();
  while (!heap_.empty() && heap_.front().time_ms <= end_ms) {
    const bool ran_one = run_next();
    assert(ran_one);
    ran += ran_one ? 1 : 0;
    drop_cancelled_front();
  }
  now_ms_ = std::max(now_ms_, end_ms);
  return ran;
}

void VirtualScheduler::advance_to(std::int64_t time_ms) {
  assert(time_ms >= now_ms_);
  // Timers already due before the jump keep their place: they run at the new time, in order.
  now_ms_ = time_ms;
}

}  // namespace zsim::kernel
