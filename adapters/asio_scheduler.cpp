#include "adapters/asio_scheduler.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

namespace zsim::adapters {

namespace {

// A bound on pending callbacks: a process that schedules more than this has a runaway loop.
constexpr std::size_t callbacks_pending_max = std::size_t{1} << 24;
// A bound on a timer's delay (ten years), so that "far in the future" (even INT64_MAX) cannot
// overflow the steady clock's nanoseconds; such a timer still sorts by its own time_ms.
constexpr std::int64_t delay_max_ms = std::int64_t{10} * 366 * 24 * 3600 * 1000;

std::chrono::milliseconds to_duration(std::int64_t duration_ms) {
  return std::chrono::milliseconds(std::max<std::int64_t>(duration_ms, 0));
}

}  // namespace

bool run_io_until(boost::asio::io_context& io, const std::function<bool()>& done, std::int64_t timeout_ms) {
  assert(done);
  assert(timeout_ms >= 0);
  const auto deadline = std::chrono::steady_clock::now() + to_duration(timeout_ms);
  // Each iteration runs at most one handler or ends by the deadline, so the loop ends by the
  // deadline at the latest.
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    if (io.stopped()) io.restart();
    const std::size_t ran = io.run_one_for(deadline - now);
    if (ran == 0 && io.stopped()) return done();  // No work left: nothing can change done().
  }
  return true;
}

AsioScheduler::AsioScheduler(boost::asio::io_context& io)
    : io_(io), timer_(io), alive_(std::make_shared<bool>(true)) {}

AsioScheduler::~AsioScheduler() {
  *alive_ = false;
  timer_.cancel();
}

std::int64_t AsioScheduler::now_ms() const {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count();
}

core::TimerId AsioScheduler::at(std::int64_t time_ms, core::TimerCallback callback) {
  assert(callback);
  assert(queue_.size() < callbacks_pending_max);
  const std::int64_t now = now_ms();
  // Past times are clamped to now, as in the virtual scheduler, so that "due now" entries keep
  // their scheduling order among themselves.
  const std::int64_t key_ms = std::max(time_ms, now);
  const SteadyTime deadline = std::chrono::steady_clock::now() + to_duration(std::min(key_ms - now, delay_max_ms));
  const std::uint64_t sequence = next_sequence_++;
  const auto [position, inserted] = queue_.emplace(Key{key_ms, sequence}, Entry{deadline, std::move(callback)});
  assert(inserted);
  time_by_timer_.emplace(sequence, key_ms);
  assert(queue_.size() == time_by_timer_.size());
  if (position == queue_.begin()) arm();
  return sequence;
}

bool AsioScheduler::cancel(core::TimerId timer) {
  const auto found = time_by_timer_.find(timer);
  if (found == time_by_timer_.end()) return false;
  const bool was_head = queue_.begin()->first == Key{found->second, timer};
  const std::size_t erased = queue_.erase(Key{found->second, timer});
  assert(erased == 1);
  time_by_timer_.erase(found);
  assert(queue_.size() == time_by_timer_.size());
  // Re-arming for the new head (or disarming when empty) lets an idle io_context stop.
  if (was_head) arm();
  return true;
}

void AsioScheduler::arm() {
  if (queue_.empty()) {
    if (armed_) {
      armed_ = false;
      arm_generation_ += 1;
      timer_.cancel();
    }
    return;
  }
  const SteadyTime deadline = queue_.begin()->second.deadline;
  if (armed_ && deadline == armed_deadline_) return;
  // expires_at() cancels a wait in progress; that handler then carries a stale generation.
  arm_generation_ += 1;
  armed_ = true;
  armed_deadline_ = deadline;
  timer_.expires_at(deadline);
  timer_.async_wait([this, alive = alive_, generation = arm_generation_](const boost::system::error_code&) {
    if (!*alive) return;
    if (generation != arm_generation_) return;
    on_timer();
  });
}

void AsioScheduler::on_timer() {
  armed_ = false;
  run_due();
  arm();
}

void AsioScheduler::run_due() {
  const SteadyTime now = std::chrono::steady_clock::now();
  // Callbacks scheduled by these callbacks wait for the next turn of the io_context, so that a
  // callback rescheduling itself "now" cannot starve sockets; the budget bounds this loop.
  std::size_t budget = queue_.size();
  while (budget > 0 && !queue_.empty()) {
    const auto head = queue_.begin();
    if (head->second.deadline > now) break;
    core::TimerCallback callback = std::move(head->second.callback);
    time_by_timer_.erase(head->first.sequence);
    queue_.erase(head);
    assert(queue_.size() == time_by_timer_.size());
    budget -= 1;
    callbacks_run_ += 1;
    callback();
  }
}

std::size_t AsioScheduler::run_for(std::int64_t duration_ms) {
  assert(duration_ms >= 0);
  io_.restart();
  return io_.run_for(to_duration(duration_ms));
}

bool AsioScheduler::run_until_idle(std::int64_t timeout_ms) {
  assert(timeout_ms >= 0);
  io_.restart();
  io_.run_for(to_duration(timeout_ms));
  // run_for() returns before the timeout only when io ran out of work, which stops it.
  return io_.stopped() && queue_.empty();
}

bool AsioScheduler::run_until(const std::function<bool()>& done, std::int64_t timeout_ms) {
  return run_io_until(io_, done, timeout_ms);
}

}  // namespace zsim::adapters
