#include "core/redis_sink.hpp"
#include "core/trace_value.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace zsim::core {

namespace {

// Sanity bounds on the limits themselves, so that a bad configuration fails at once.
constexpr std::size_t buffer_lines_limit = std::size_t{1} << 24;
constexpr std::size_t buffer_bytes_limit = std::size_t{1} << 32;
constexpr std::size_t in_flight_limit = std::size_t{1} << 20;
constexpr std::int64_t backoff_limit_ms = std::int64_t{24} * 3600 * 1000;
// The smallest steps a growing ring takes, so that a few short lines do not regrow it each time.
constexpr std::size_t ring_records_min = 16;
constexpr std::size_t ring_bytes_min = 4096;
// The first size of a sink's in-flight ring.
constexpr std::size_t in_flight_initial = 8;

// An index into a ring of `size`, for an index below twice the size: a subtraction rather than
// '%', whose division was a tenth of the cost of a stats message on the hot path.
std::size_t wrapped(std::size_t index, std::size_t size) {
  assert(size > 0 && index < 2 * size);
  return index >= size ? index - size : index;
}

// The `count` entries of a ring from `head` on, in order, at the start of a new ring of `size`.
template <class Entry>
std::vector<Entry> regrown(const std::vector<Entry>& ring, std::size_t head, std::size_t count, std::size_t size) {
  assert(count <= ring.size() && count <= size && (ring.empty() || head < ring.size()));
  std::vector<Entry> grown(size);
  // Bounded by count, at most the old ring's size.
  for (std::size_t index = 0; index < count; index += 1) grown[index] = ring[wrapped(head + index, ring.size())];
  return grown;
}

// A redis client may echo what it sent; the password must not reach the event log through it.
std::string scrub(std::string_view reason, const std::string& password) {
  std::string text(reason);
  if (password.empty()) return text;
  // Every replacement moves past the match, so the loop ends after at most text.size() steps.
  for (std::size_t at = text.find(password); at != std::string::npos; at = text.find(password, at + 3)) {
    text.replace(at, password.size(), "***");
  }
  return text;
}

}  // namespace

bool limits_valid(const DeliveryLimits& limits) {
  return limits.buffer_lines_max > 0 && limits.buffer_lines_max <= buffer_lines_limit &&
         limits.buffer_bytes_max > 0 && limits.buffer_bytes_max <= buffer_bytes_limit &&
         limits.in_flight_lines_max > 0 && limits.in_flight_lines_max <= in_flight_limit &&
         limits.in_flight_stats_max > 0 && limits.in_flight_stats_max <= in_flight_limit &&
         limits.line_bytes_max > 0 && limits.line_bytes_max <= limits.buffer_bytes_max &&
         limits.backoff_initial_ms > 0 && limits.backoff_initial_ms <= limits.backoff_max_ms &&
         limits.backoff_max_ms <= backoff_limit_ms && limits.backoff_jitter_percent >= 0 &&
         limits.backoff_jitter_percent < 100;
}

std::string_view to_string(RedisSink::State state) {
  switch (state) {
    case RedisSink::State::idle: return "idle";
    case RedisSink::State::connecting: return "connecting";
    case RedisSink::State::up: return "up";
    case RedisSink::State::backoff: return "backoff";
    case RedisSink::State::closed: return "closed";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------------------------
// LineRing

LineRing::LineRing(std::size_t lines_max, std::size_t bytes_max) : lines_max_(lines_max), bytes_max_(bytes_max) {
  assert(lines_max_ > 0 && lines_max_ <= buffer_lines_limit);
  assert(bytes_max_ > 0 && bytes_max_ <= buffer_bytes_limit);
}

bool LineRing::fits(std::size_t line_bytes) const {
  return lines_ < lines_max_ && line_bytes <= bytes_max_ - bytes_used_;
}

void LineRing::push(std::uint32_t channel, std::string_view line) {
  assert(fits(line.size()));
  if (lines_ == records_.size()) grow_records();
  if (bytes_used_ + line.size() > ring_.size()) grow_bytes(bytes_used_ + line.size());
  if (!line.empty()) {
    const std::size_t tail = wrapped(ring_head_ + bytes_used_, ring_.size());
    const std::size_t first = std::min(line.size(), ring_.size() - tail);
    std::memcpy(ring_.data() + tail, line.data(), first);
    std::memcpy(ring_.data(), line.data() + first, line.size() - first);
  }
  records_[wrapped(records_head_ + lines_, records_.size())] = Record{channel, static_cast<std::uint32_t>(line.size())};
  lines_ += 1;
  bytes_used_ += line.size();
  assert(lines_ <= lines_max_ && bytes_used_ <= bytes_max_ && bytes_used_ <= ring_.size());
}

std::string_view LineRing::front(std::uint32_t& channel) {
  assert(!empty());
  const Record record = records_[records_head_];
  channel = record.channel;
  if (record.length == 0) return {};
  if (ring_head_ + record.length <= ring_.size()) return {ring_.data() + ring_head_, record.length};
  // The line wraps around the end of the ring: read it whole from the scratch copy.
  const std::size_t first = ring_.size() - ring_head_;
  scratch_.assign(ring_.data() + ring_head_, first);
  scratch_.append(ring_.data(), record.length - first);
  return scratch_;
}

void LineRing::pop() {
  assert(!empty());
  const Record record = records_[records_head_];
  assert(record.length <= bytes_used_);
  records_head_ = wrapped(records_head_ + 1, records_.size());
  lines_ -= 1;
  bytes_used_ -= record.length;
  if (!ring_.empty()) ring_head_ = wrapped(ring_head_ + record.length, ring_.size());
  if (lines_ == 0) {
    // Starting over at offset 0 keeps the next lines contiguous: fewer wrapped reads.
    assert(bytes_used_ == 0);
    ring_head_ = 0;
    records_head_ = 0;
  }
}

void LineRing::grow_records() {
  assert(lines_ == records_.size() && lines_ < lines_max_);
  const std::size_t size = std::min(lines_max_, std::max(ring_records_min, records_.size() * 2));
  records_ = regrown(records_, records_head_, lines_, size);
  records_head_ = 0;
}

void LineRing::grow_bytes(std::size_t bytes_needed) {
  assert(bytes_needed <= bytes_max_ && bytes_needed > ring_.size());
  const std::size_t size = std::max(bytes_needed, std::min(bytes_max_, std::max(ring_bytes_min, ring_.size() * 2)));
  std::vector<char> grown(size);
  if (bytes_used_ > 0) {
    const std::size_t first = std::min(bytes_used_, ring_.size() - ring_head_);
    std::memcpy(grown.data(), ring_.data() + ring_head_, first);
    std::memcpy(grown.data() + first, ring_.data(), bytes_used_ - first);
  }
  ring_ = std::move(grown);
  ring_head_ = 0;
}

// ---------------------------------------------------------------------------------------------
// RedisSink: set-up, the caller's side, closing.

RedisSink::RedisSink(Scheduler& scheduler, Publisher& publisher, Rng& rng, const RedisUrl& server,
                     const DeliveryLimits& limits, EventLog* events)
    : scheduler_(scheduler),
      publisher_(publisher),
      rng_(rng),
      server_(server),
      address_(fmt::format("{}:{}", server.host, server.port)),
      limits_(limits),
      events_(events),
      buffer_(limits.buffer_lines_max, limits.buffer_bytes_max) {
  assert(limits_valid(limits_));
  assert(!server_.host.empty());
  // The channel is not part of the connection: keep only the server's identity.
  server_.channel.clear();
  channels_.reserve(4);
}

RedisSink::~RedisSink() {
  if (state_ == State::closed) return;
  cancel_timers();
  drop_everything_at_close();
  if (state_ == State::connecting || state_ == State::up) publisher_.close(connection_);
  state_ = State::closed;
}

RedisSink::ChannelIndex RedisSink::add_channel(std::string channel) {
  assert(state_ == State::idle && accepting_);
  assert(channels_.size() < channels_max);
  channels_.push_back(Channel{std::move(channel), SinkChannelCounters{}});
  return static_cast<ChannelIndex>(channels_.size() - 1);
}

void RedisSink::start() {
  assert(state_ == State::idle);
  assert(!channels_.empty() && accepting_);
  connect();
}

const std::string& RedisSink::channel_name(ChannelIndex channel) const {
  assert(channel < channels_.size());
  return channels_[channel].name;
}

const SinkChannelCounters& RedisSink::counters(ChannelIndex channel) const {
  assert(channel < channels_.size());
  return channels_[channel].counters;
}

void RedisSink::set_on_closed(std::function<void()> on_closed) { on_closed_ = std::move(on_closed); }

void RedisSink::set_on_first_connect(std::function<void()> on_first_connect) {
  on_first_connect_ = std::move(on_first_connect);
}

void RedisSink::first_connect_ended() {
  if (first_connect_ended_) return;
  first_connect_ended_ = true;
  if (on_first_connect_) on_first_connect_();
}

void RedisSink::enqueue(ChannelIndex channel, std::string_view line) {
  assert(channel < channels_.size());
  SinkChannelCounters& counters = channels_[channel].counters;
  counters.lines_produced += 1;
  if (!accepting_) {
    counters.lines_dropped += 1;
    counters.lines_dropped_at_close += 1;
  } else if (state_ == State::up && buffer_.empty() && in_flight_lines_ < limits_.in_flight_lines_max) {
    // The fast path: nothing older is waiting, so the line goes out at once without a copy.
    publish_line(channel, line);
  } else if (line.size() > limits_.buffer_bytes_max) {
    counters.lines_dropped += 1;
    counters.lines_dropped_overflow += 1;
  } else {
    // Each drop removes one line, so this ends within buffer_lines_max steps.
    while (!buffer_.fits(line.size())) drop_oldest_buffered();
    buffer_.push(channel, line);
    counters.lines_buffered += 1;
  }
  check_channel(channel);
}

bool RedisSink::publish_stats(ChannelIndex channel, std::string_view payload) {
  assert(channel < channels_.size());
  SinkChannelCounters& counters = channels_[channel].counters;
  // The bound is per channel: a container with many stats channels on one server publishes to all
  // of them every tick, and a healthy server must not make any of them miss.
  if (state_ != State::up || !accepting_ || counters.stats_in_flight >= limits_.in_flight_stats_max) {
    counters.stats_missed += 1;
    return false;
  }
  if (lose_next_stats_) {  // Planted bug: counted sent and delivered, never sent.
    lose_next_stats_ = false;
    counters.stats_published += 1;
    counters.stats_delivered += 1;
    check_channel(channel);
    return true;
  }
  publisher_.publish(connection_, channels_[channel].name, payload);
  push_in_flight(channel, true);
  counters.stats_published += 1;
  counters.stats_in_flight += 1;
  check_channel(channel);
  return true;
}

void RedisSink::close_after_drain(std::int64_t deadline_ms) {
  if (!accepting_ || state_ == State::closed) return;
  accepting_ = false;
  const bool nothing_pending = buffer_.empty() && in_flight_size_ == 0;
  // A sink that never started has no connection to drain through.
  if (nothing_pending || state_ == State::idle || deadline_ms <= scheduler_.now_ms()) {
    drop_everything_at_close();
    finish_close();
    return;
  }
  deadline_timer_ = scheduler_.at(deadline_ms, [this] {
    deadline_timer_.reset();
    drop_everything_at_close();
    finish_close();
  });
}

void RedisSink::maybe_finish_drain() {
  if (accepting_ || state_ == State::closed) return;
  if (buffer_.empty() && in_flight_size_ == 0) finish_close();
}

void RedisSink::finish_close() {
  assert(state_ != State::closed);
  assert(buffer_.empty() && in_flight_size_ == 0);
  cancel_timers();
  if (state_ == State::connecting || state_ == State::up) publisher_.close(connection_);
  state_ = State::closed;
  check_invariants();
  record("redis.closed", "address=" + trace_value(address_));
  std::function<void()> on_closed = std::move(on_closed_);
  on_closed_ = nullptr;
  if (on_closed) on_closed();
}

void RedisSink::cancel_timers() {
  if (reconnect_timer_) scheduler_.cancel(*reconnect_timer_);
  if (deadline_timer_) scheduler_.cancel(*deadline_timer_);
  reconnect_timer_.reset();
  deadline_timer_.reset();
}

// ---------------------------------------------------------------------------------------------
// RedisSink: the connection.

void RedisSink::connect() {
  assert(state_ == State::idle || state_ == State::backoff);
  assert(in_flight_size_ == 0);
  state_ = State::connecting;
  connects_started_ += 1;
  connection_ = publisher_.connect(server_, *this);
}

void RedisSink::on_connected() {
  assert(state_ == State::connecting);
  state_ = State::up;
  failed_attempts_ = 0;
  record("redis.connected", "address=" + trace_value(address_));
  if (disconnects_ > 0) plant_reconnect_bugs();
  pump();
  maybe_finish_drain();
  check_invariants();
  first_connect_ended();
}

// Test-only: the two planted bugs of a reconnect. Both keep every counter consistent, as real
// bugs of this kind would: only what reaches redis shows them.
void RedisSink::plant_reconnect_bugs() {
  if (limits_.planted.has(PlantedBug::stats_lost_after_reconnect)) lose_next_stats_ = true;
  if (limits_.planted.has(PlantedBug::log_line_twice_after_reconnect) && last_line_sent_ && accepting_) {
    const auto [channel, line] = *last_line_sent_;
    enqueue(channel, line);
  }
}

void RedisSink::on_disconnected(std::string_view reason) {
  assert(state_ == State::connecting || state_ == State::up);
  const std::size_t lost = in_flight_size_;
  disconnects_ += 1;
  drop_in_flight_lost();
  state_ = State::backoff;
  first_connect_ended();  // A first connect that failed ended as well (the sink lives on).
  if (!accepting_ && buffer_.empty()) {
    record("redis.disconnected", fmt::format("address={} in_flight_dropped={} reason={}", trace_value(address_), lost,
                                             trace_value(scrub(reason, server_.password))));
    finish_close();
    return;
  }
  const std::int64_t delay_ms = next_backoff_ms();
  reconnect_timer_ = scheduler_.at(scheduler_.now_ms() + delay_ms, [this] {
    reconnect_timer_.reset();
    connect();
  });
  record("redis.disconnected", fmt::format("address={} in_flight_dropped={} retry_in_ms={} reason={}",
                                           trace_value(address_), lost, delay_ms,
                                           trace_value(scrub(reason, server_.password))));
  check_invariants();
}

void RedisSink::on_reply(bool ok) {
  assert(state_ == State::up);
  const InFlight answered = pop_in_flight();
  SinkChannelCounters& counters = channels_[answered.channel].counters;
  if (answered.stats) {
    counters.stats_in_flight -= 1;
    (ok ? counters.stats_delivered : counters.stats_failed) += 1;
  } else {
    counters.lines_in_flight -= 1;
    if (ok) {
      counters.lines_delivered += 1;
    } else {
      counters.lines_dropped += 1;
      counters.lines_dropped_refused += 1;
    }
  }
  pump();
  maybe_finish_drain();
  check_channel(answered.channel);
}

std::int64_t RedisSink::next_backoff_ms() {
  // Doubling stops at the cap, so the loop runs at most log2(max / initial) + 1 times.
  std::int64_t base_ms = limits_.backoff_initial_ms;
  for (std::uint32_t step = 0; step < failed_attempts_ && base_ms < limits_.backoff_max_ms; step += 1) base_ms *= 2;
  base_ms = std::min(base_ms, limits_.backoff_max_ms);
  failed_attempts_ = std::min<std::uint32_t>(failed_attempts_ + 1, 64);
  const std::int64_t jitter_ms = base_ms * limits_.backoff_jitter_percent / 100;
  const auto offset_ms = static_cast<std::int64_t>(rng_.below(static_cast<std::uint64_t>(2 * jitter_ms + 1)));
  const std::int64_t delay_ms = base_ms - jitter_ms + offset_ms;
  assert(delay_ms > 0 && delay_ms >= base_ms - jitter_ms && delay_ms <= base_ms + jitter_ms);
  return delay_ms;
}

// ---------------------------------------------------------------------------------------------
// RedisSink: lines and the in-flight queue.

void RedisSink::pump() {
  if (state_ != State::up) return;
  // Each iteration moves one line from the buffer to in flight: bounded by in_flight_lines_max.
  while (!buffer_.empty() && in_flight_lines_ < limits_.in_flight_lines_max) {
    ChannelIndex channel = 0;
    const std::string_view line = buffer_.front(channel);
    channels_[channel].counters.lines_buffered -= 1;
    publish_line(channel, line);  // Before pop(): the view points into the buffer.
    buffer_.pop();
  }
}

void RedisSink::publish_line(ChannelIndex channel, std::string_view line) {
  assert(state_ == State::up && in_flight_lines_ < limits_.in_flight_lines_max);
  publisher_.publish(connection_, channels_[channel].name, line);
  push_in_flight(channel, false);
  channels_[channel].counters.lines_in_flight += 1;
  if (limits_.planted.has(PlantedBug::log_line_twice_after_reconnect)) last_line_sent_.emplace(channel, std::string(line));
}

void RedisSink::push_in_flight(ChannelIndex channel, bool stats) {
  if (in_flight_size_ == in_flight_.size()) grow_in_flight();
  assert(in_flight_size_ < in_flight_.size());
  in_flight_[wrapped(in_flight_head_ + in_flight_size_, in_flight_.size())] = InFlight{channel, stats};
  in_flight_size_ += 1;
  (stats ? in_flight_stats_ : in_flight_lines_) += 1;
}

// The ring grows by doubling to its high-water mark, never past the two in-flight bounds together:
// a sink sized for its worst case at once held 8 KiB that a stats-only container never used, and a
// node's thousand sinks then no longer fit the cache (bench/pusher_bench.cpp, 1024 containers).
void RedisSink::grow_in_flight() {
  const std::size_t capacity_max = limits_.in_flight_lines_max + limits_.in_flight_stats_max * channels_.size();
  assert(in_flight_.size() < capacity_max);
  const std::size_t capacity = std::min(capacity_max, std::max(in_flight_initial, in_flight_.size() * 2));
  in_flight_ = regrown(in_flight_, in_flight_head_, in_flight_size_, capacity);
  in_flight_head_ = 0;
}

RedisSink::InFlight RedisSink::pop_in_flight() {
  assert(in_flight_size_ > 0);
  const InFlight oldest = in_flight_[in_flight_head_];
  in_flight_head_ = wrapped(in_flight_head_ + 1, in_flight_.size());
  in_flight_size_ -= 1;
  std::size_t& kind_count = oldest.stats ? in_flight_stats_ : in_flight_lines_;
  assert(kind_count > 0);
  kind_count -= 1;
  return oldest;
}

// The connection went down: whatever redis had not answered is lost with it, never re-sent.
void RedisSink::drop_in_flight_lost() { drop_in_flight(&SinkChannelCounters::lines_dropped_lost); }

// Every publish not yet answered counts as failed (stats) or dropped for the reason given (lines).
void RedisSink::drop_in_flight(std::uint64_t SinkChannelCounters::*reason) {
  // Each iteration answers one entry: bounded by the in-flight ring's capacity.
  while (in_flight_size_ > 0) {
    const InFlight pending = pop_in_flight();
    SinkChannelCounters& counters = channels_[pending.channel].counters;
    if (pending.stats) {
      counters.stats_in_flight -= 1;
      counters.stats_failed += 1;
    } else {
      counters.lines_in_flight -= 1;
      counters.lines_dropped += 1;
      counters.*reason += 1;
    }
  }
  in_flight_head_ = 0;
}

void RedisSink::drop_oldest_buffered() {
  ChannelIndex channel = 0;
  (void)buffer_.front(channel);
  buffer_.pop();
  SinkChannelCounters& counters = channels_[channel].counters;
  counters.lines_buffered -= 1;
  counters.lines_dropped += 1;
  counters.lines_dropped_overflow += 1;
}

void RedisSink::drop_everything_at_close() {
  // Bounded by the buffer's line count and the in-flight ring's capacity.
  while (!buffer_.empty()) {
    ChannelIndex channel = 0;
    (void)buffer_.front(channel);
    buffer_.pop();
    SinkChannelCounters& counters = channels_[channel].counters;
    counters.lines_buffered -= 1;
    counters.lines_dropped += 1;
    counters.lines_dropped_at_close += 1;
  }
  drop_in_flight(&SinkChannelCounters::lines_dropped_at_close);
}

void RedisSink::record(std::string_view kind, const std::string& detail) {
  if (events_ != nullptr) events_->record(kind, detail);
}

// Every channel, and the sink's totals against their sum: after each change of state. A publish or
// a reply checks only its own channel (check_channel), so that a message costs the same on a sink
// of 64 channels as on a sink of one.
void RedisSink::check_invariants() const {
#ifndef NDEBUG
  std::uint64_t buffered = 0;
  std::uint64_t lines_in_flight = 0;
  std::uint64_t stats_in_flight = 0;
  for (ChannelIndex channel = 0; channel < channels_.size(); channel += 1) {
    check_channel(channel);
    const SinkChannelCounters& c = channels_[channel].counters;
    buffered += c.lines_buffered;
    lines_in_flight += c.lines_in_flight;
    stats_in_flight += c.stats_in_flight;
  }
  assert(buffered == buffer_.lines());
  assert(lines_in_flight == in_flight_lines_);
  assert(stats_in_flight == in_flight_stats_);
#endif
}

// One channel's counters, and the sink-wide facts that take no loop.
void RedisSink::check_channel(ChannelIndex channel) const {
#ifndef NDEBUG
  assert(channel < channels_.size());
  const SinkChannelCounters& c = channels_[channel].counters;
  assert(c.lines_delivered + c.lines_dropped + c.lines_buffered + c.lines_in_flight == c.lines_produced);
  assert(c.lines_dropped ==
         c.lines_dropped_overflow + c.lines_dropped_refused + c.lines_dropped_lost + c.lines_dropped_at_close);
  assert(c.stats_delivered + c.stats_failed + c.stats_in_flight == c.stats_published);
  assert(c.stats_in_flight <= limits_.in_flight_stats_max && c.stats_in_flight <= in_flight_stats_);
  assert(c.lines_in_flight <= in_flight_lines_ && c.lines_buffered <= buffer_.lines());
  assert(in_flight_lines_ <= limits_.in_flight_lines_max);
  assert(in_flight_stats_ <= limits_.in_flight_stats_max * channels_.size());
  assert(in_flight_lines_ + in_flight_stats_ == in_flight_size_);
  assert(state_ == State::up || in_flight_size_ == 0);
  assert(state_ != State::closed || (buffer_.empty() && !reconnect_timer_ && !deadline_timer_));
  assert(accepting_ || state_ == State::closed || buffer_.lines() + in_flight_size_ > 0 || state_ == State::idle);
#else
  (void)channel;
#endif
}

}  // namespace zsim::core
