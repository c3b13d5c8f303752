#include "kernel/scheduler.hpp"

#include <algorithm>
#include <cassert>
#include <limits>
#include <utility>

namespace zsim::kernel {

namespace {
constexpr std::uint64_t slot_mask = 0xffff'ffffULL;
// The FIFO gives back the room of taken entries once they are at least this many and at least
// half of it, so a chain that never lets it empty still keeps it within twice its live size.
constexpr std::size_t due_now_compact_min = 1024;
}  // namespace

VirtualScheduler::VirtualScheduler(std::int64_t start_ms) : now_ms_(start_ms) {}

core::TimerId VirtualScheduler::at(std::int64_t time_ms, core::TimerCallback callback) {
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
  assert(!slot.callback);
  slot.callback = std::move(callback);
  live_timers_ += 1;
  // A time in the past means now; the FIFO takes it, as every timer due now.
  if (time_ms <= now_ms_) {
    due_now_.push_back(Entry{now_ms_, next_sequence_, slot_index, slot.generation});
  } else {
    heap_push(Entry{time_ms, next_sequence_, slot_index, slot.generation});
  }
  next_sequence_ += 1;
  return (static_cast<std::uint64_t>(slot.generation) << 32) | slot_index;
}

bool VirtualScheduler::cancel(core::TimerId timer) {
  const std::uint64_t slot_index = timer & slot_mask;
  if (slot_index >= slots_.size()) return false;
  Slot& slot = slots_[slot_index];
  if (slot.generation != static_cast<std::uint32_t>(timer >> 32)) return false;
  assert(slot.callback);
  // The queue entry stays; it is skipped when it comes up because its generation is gone.
  slot.callback = nullptr;
  slot.generation += 1;
  free_slots_.push_back(static_cast<std::uint32_t>(slot_index));
  assert(live_timers_ > 0);
  live_timers_ -= 1;
  return true;
}

bool VirtualScheduler::live(const Entry& entry) const {
  assert(entry.slot < slots_.size());
  const Slot& slot = slots_[entry.slot];
  return slot.generation == entry.generation;
}

// Takes the earliest queued entry, live or cancelled, off its queue when it is due by end_ms.
// A cancelled entry is only skipped by the caller: checking liveness once, when an entry leaves
// its queue, is cheaper than keeping both fronts live.
bool VirtualScheduler::take_earliest(std::int64_t end_ms, Entry& entry) {
  const bool has_due_now = due_now_head_ < due_now_.size();
  if (has_due_now && (heap_.empty() || earlier(due_now_[due_now_head_], heap_.front()))) {
    if (due_now_[due_now_head_].time_ms > end_ms) return false;
    entry = due_now_[due_now_head_];
    due_now_pop();
    return true;
  }
  if (heap_.empty() || heap_.front().time_ms > end_ms) return false;
  entry = heap_.front();
  heap_pop();
  return true;
}

// Sift-up by hand, moving the hole rather than swapping, with the comparison inline.
void VirtualScheduler::heap_push(const Entry& entry) {
  heap_.push_back(entry);
  sift_up(heap_.size() - 1, entry);
}

// Moves the hole at `hole` up until `entry` fits there, and puts it there.
void VirtualScheduler::sift_up(std::size_t hole, const Entry& entry) {
  assert(hole < heap_.size());
  // Each iteration halves the index: at most log2(size) steps.
  while (hole > 0) {
    const std::size_t parent = (hole - 1) / 2;
    if (!earlier(entry, heap_[parent])) break;
    heap_[hole] = heap_[parent];
    hole = parent;
  }
  heap_[hole] = entry;
}

// Removes the top. The hole at the root goes down to a leaf along the earlier child (one comparison
// per level), then the last entry rises from there: it usually belongs near the bottom, so this
// takes fewer comparisons than sinking it from the root (the "bottom-up" heap pop).
void VirtualScheduler::heap_pop() {
  assert(!heap_.empty());
  const Entry last = heap_.back();
  heap_.pop_back();
  const std::size_t size = heap_.size();
  if (size == 0) return;
  std::size_t hole = 0;
  // Each iteration doubles the index: at most log2(size) steps.
  for (std::size_t child = 1; child < size; child = 2 * hole + 1) {
    // Which child is earlier is a coin flip to the branch predictor: add it, do not branch on it.
    if (child + 1 < size) child += static_cast<std::size_t>(earlier(heap_[child + 1], heap_[child]));
    heap_[hole] = heap_[child];
    hole = child;
  }
  sift_up(hole, last);
}

void VirtualScheduler::due_now_pop() {
  assert(due_now_head_ < due_now_.size());
  due_now_head_ += 1;
  if (due_now_head_ == due_now_.size()) {
    due_now_.clear();  // Keeps the capacity: a steady state allocates nothing.
    due_now_head_ = 0;
  } else if (due_now_head_ >= due_now_compact_min && due_now_head_ * 2 >= due_now_.size()) {
    due_now_.erase(due_now_.begin(), due_now_.begin() + static_cast<std::ptrdiff_t>(due_now_head_));
    due_now_head_ = 0;
  }
}

bool VirtualScheduler::run_next() {
  Entry entry{};
  // Each iteration takes one entry off a queue: bounded by the number of queued entries.
  while (take_earliest(std::numeric_limits<std::int64_t>::max(), entry)) {
    if (!live(entry)) continue;
    run(entry);
    return true;
  }
  assert(live_timers_ == 0);
  return false;
}

void VirtualScheduler::run(const Entry& entry) {
  Slot& slot = slots_[entry.slot];
  assert(slot.generation == entry.generation && slot.callback);
  // After a clock step (advance_to) an entry may be due before now: it runs now, in order.
  now_ms_ = std::max(now_ms_, entry.time_ms);
  // Moved out before the call: the callback may schedule timers, which may grow slots_.
  core::TimerCallback callback = std::move(slot.callback);
  slot.generation += 1;
  free_slots_.push_back(entry.slot);
  assert(live_timers_ > 0);
  live_timers_ -= 1;
  events_run_ += 1;
  callback();
}

std::int64_t VirtualScheduler::next_time_ms() const {
  std::int64_t next_ms = std::numeric_limits<std::int64_t>::max();
  if (!heap_.empty()) next_ms = heap_.front().time_ms;
  if (due_now_head_ < due_now_.size()) next_ms = std::min(next_ms, due_now_[due_now_head_].time_ms);
  return next_ms;
}

std::uint64_t VirtualScheduler::run_until(std::int64_t end_ms) {
  assert(end_ms >= now_ms_);
  std::uint64_t ran = 0;
  Entry entry{};
  // Each iteration takes one entry off a queue. A runaway chain of timers due now is bounded by
  // timers_max pending at once; the caller's end_ms bounds everything else.
  while (take_earliest(end_ms, entry)) {
    if (!live(entry)) continue;
    run(entry);
    ran += 1;
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
