#pragma once
// The real-world Scheduler: callbacks run on a boost::asio::io_context at wall-clock times.
//
// Clocks. now_ms() is the system clock in Unix milliseconds, so that what the core stamps (stats
// timestamps, result epochs) is a real date. Timers, however, wait for steady-clock durations:
// at(time_ms) turns time_ms - now_ms() into a steady-clock deadline at the moment it is called, so
// a step of the system clock (NTP, an operator) never fires a pending timer early and never holds
// it back by the size of the step.
//
// Order. Pending callbacks live in our own queue ordered by (time_ms, scheduling sequence), and one
// asio steady_timer is armed for the queue's head. Callbacks due at the same time_ms therefore run
// in the order they were scheduled, which one asio timer per callback would not guarantee (asio
// orders expired timers by deadline only). Only the head may run: an entry whose steady deadline
// passed before the head's (possible only when the system clock stepped forward between the two
// at() calls) waits for the head, so it is late by at most the step and the order is never broken.
//
// A delay is capped at ten years of steady time (so INT64_MAX means "practically never").
// Everything runs on the one thread that runs the io_context; nothing here is thread-safe.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "core/ports.hpp"

namespace zsim::adapters {

// Runs io's handlers on the calling thread until done() holds or timeout_ms of wall time passed;
// returns done(). Returns early, false, when io has no work left (nothing could make done() true).
bool run_io_until(boost::asio::io_context& io, const std::function<bool()>& done, std::int64_t timeout_ms);

class AsioScheduler final : public core::Scheduler {
 public:
  explicit AsioScheduler(boost::asio::io_context& io);
  // Pending callbacks are dropped; none runs after the destructor, even if io runs on.
  ~AsioScheduler() override;
  AsioScheduler(const AsioScheduler&) = delete;
  AsioScheduler& operator=(const AsioScheduler&) = delete;

  // The system clock, Unix milliseconds.
  std::int64_t now_ms() const override;
  // Runs callback once at time_ms (Unix ms; a time in the past means now), never from inside at().
  core::TimerId at(std::int64_t time_ms, core::TimerCallback callback) override;
  // True when the timer was pending; its callback will not run.
  bool cancel(core::TimerId timer) override;

  std::size_t pending() const { return queue_.size(); }
  std::uint64_t callbacks_run() const { return callbacks_run_; }
  boost::asio::io_context& io() { return io_; }

  // Test helpers; each runs the io_context (every handler on it, not only ours) on this thread.
  // Runs for duration_ms of wall time; returns how many handlers ran.
  std::size_t run_for(std::int64_t duration_ms);
  // Runs until no callback is pending and io has no other work; false when timeout_ms passed first.
  bool run_until_idle(std::int64_t timeout_ms);
  // run_io_until on this scheduler's io_context.
  bool run_until(const std::function<bool()>& done, std::int64_t timeout_ms);

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  struct Key {
    std::int64_t time_ms;
    std::uint64_t sequence;
    auto operator<=>(const Key&) const = default;
  };
  struct Entry {
    SteadyTime deadline;
    core::TimerCallback callback;
  };

  void arm();
  void on_timer();
  void run_due();

  boost::asio::io_context& io_;
  boost::asio::steady_timer timer_;
  // Shared with the timer's handler so that a handler outliving this scheduler (io_context runs on
  // after the destructor) sees false and touches nothing.
  std::shared_ptr<bool> alive_;
  // Bumped whenever the timer is re-armed: a handler carrying an older number is stale.
  std::uint64_t arm_generation_ = 0;
  bool armed_ = false;
  SteadyTime armed_deadline_{};

  std::map<Key, Entry> queue_;
  // TimerId -> time_ms, to find an entry's key on cancel. The TimerId is the sequence number.
  std::map<core::TimerId, std::int64_t> time_by_timer_;
  std::uint64_t next_sequence_ = 1;
  std::uint64_t callbacks_run_ = 0;
};

}  // namespace zsim::adapters
