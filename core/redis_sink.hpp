#pragma once
// One connection to one redis server, used by one container for one or more channels: its log
// lines (buffered, pipelined, at most once) and its stats messages (never buffered).
//
// The real node lost lines, hung, or killed the container when redis misbehaved (zos #943, #1236).
// This sink never blocks its caller and never re-sends: every line handed to it ends up counted
// exactly once as delivered (redis answered the PUBLISH) or dropped (the buffer overflowed, redis
// refused it, the connection was lost before redis answered, or the drain deadline passed). A line
// whose answer was lost with the connection is counted dropped even though redis may have taken
// it: re-sending it could deliver it twice, and "none twice" comes first.
//
// Connection states: idle -> connecting -> up -> backoff -> connecting ... -> closed. The delay
// before a reconnect starts at backoff_initial_ms, doubles after every failed attempt up to
// backoff_max_ms, and goes back to backoff_initial_ms once a connection succeeds. Each delay gets
// a uniform jitter of +-backoff_jitter_percent of itself (from the Rng port), so with the defaults
// the delays are 100, 200, 400, 800, 1600, 3200, 5000, 5000 ... ms, each within +-20% (at most 6 s).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/planted_bugs.hpp"
#include "core/ports.hpp"

namespace zsim::core {

struct DeliveryLimits {
  // The pending-line buffer of one sink; the oldest line is dropped first when either bound is hit.
  std::size_t buffer_lines_max = 10'000;
  std::size_t buffer_bytes_max = std::size_t{4} << 20;
  // Log publishes sent and not yet answered; the rest wait in the buffer.
  std::size_t in_flight_lines_max = 1024;
  // Stats publishes of one channel not yet answered; a tick beyond this is counted missed on that
  // channel (redis is that slow).
  std::size_t in_flight_stats_max = 8;
  // The per-stream line buffer of a container (see ContainerPushers): longer lines go out in pieces.
  std::size_t line_bytes_max = 4096;
  std::int64_t backoff_initial_ms = 100;
  std::int64_t backoff_max_ms = 5000;
  std::int64_t backoff_jitter_percent = 20;
  PlantedBugs planted{};  // Test-only (core/planted_bugs.hpp).
};

// True when every bound is positive and the bounds agree with one another.
bool limits_valid(const DeliveryLimits& limits);

// Counters of one channel of one sink. Invariant at every step:
//   lines_delivered + lines_dropped + lines_buffered + lines_in_flight == lines_produced,
//   lines_dropped is the sum of its four causes,
//   stats_delivered + stats_failed + stats_in_flight == stats_published.
// Once the sink is closed nothing is buffered or in flight.
struct SinkChannelCounters {
  std::uint64_t lines_produced = 0;
  std::uint64_t lines_delivered = 0;
  std::uint64_t lines_dropped = 0;
  std::uint64_t lines_buffered = 0;
  std::uint64_t lines_in_flight = 0;
  std::uint64_t lines_dropped_overflow = 0;    // The buffer was full; the oldest line went.
  std::uint64_t lines_dropped_refused = 0;     // Redis answered the PUBLISH with an error.
  std::uint64_t lines_dropped_lost = 0;        // The connection went down before redis answered.
  std::uint64_t lines_dropped_at_close = 0;    // Still pending at the drain deadline, or after it.
  std::uint64_t stats_published = 0;
  std::uint64_t stats_delivered = 0;
  std::uint64_t stats_failed = 0;              // Refused, or lost with the connection.
  std::uint64_t stats_in_flight = 0;
  std::uint64_t stats_missed = 0;              // Not up (or too many in flight): not sent, not queued.
  bool operator==(const SinkChannelCounters&) const = default;
};

// A FIFO of lines in one growing byte ring: no allocation per line, and none at all once the
// ring has grown to its high-water mark. Lines are stored back to back; a line that wraps around
// the end of the ring is copied to a scratch string (which keeps its capacity) to be read whole.
class LineRing {
 public:
  LineRing(std::size_t lines_max, std::size_t bytes_max);

  // Precondition: fits(line.size()).
  void push(std::uint32_t channel, std::string_view line);
  bool fits(std::size_t line_bytes) const;
  // The oldest line; valid until the next push or pop.
  std::string_view front(std::uint32_t& channel);
  void pop();

  bool empty() const { return lines_ == 0; }
  std::size_t lines() const { return lines_; }
  std::size_t bytes() const { return bytes_used_; }

 private:
  struct Record {
    std::uint32_t channel;
    std::uint32_t length;
  };
  void grow_records();
  void grow_bytes(std::size_t bytes_needed);

  std::size_t lines_max_;
  std::size_t bytes_max_;
  std::vector<Record> records_;  // A ring: records_head_ is the oldest of lines_ records.
  std::size_t records_head_ = 0;
  std::size_t lines_ = 0;
  std::vector<char> ring_;  // A ring: ring_head_ is the first byte of the oldest line.
  std::size_t ring_head_ = 0;
  std::size_t bytes_used_ = 0;
  std::string scratch_;
};

class RedisSink final : public ConnectionObserver {
 public:
  enum class State : std::uint8_t { idle, connecting, up, backoff, closed };
  using ChannelIndex = std::uint32_t;
  // A sink serves at most this many channels (each endpoint of a container adds one or two).
  static constexpr std::size_t channels_max = 256;

  // server.host, server.port and server.password identify the server; server.channel is ignored
  // (channels are added with add_channel()). Every reference must outlive the sink. events may be null.
  RedisSink(Scheduler& scheduler, Publisher& publisher, Rng& rng, const RedisUrl& server,
            const DeliveryLimits& limits, EventLog* events = nullptr);
  // Safe at any moment: closes the connection, cancels the timers, and calls nothing back.
  ~RedisSink() override;
  RedisSink(const RedisSink&) = delete;
  RedisSink& operator=(const RedisSink&) = delete;

  // Before start(). Returns the index that enqueue() and publish_stats() take.
  ChannelIndex add_channel(std::string channel);
  // Begins connecting. Lines enqueued before it wait in the buffer.
  void start();
  // Never waits: publishes at once when up (and few enough in flight), otherwise buffers the line
  // (dropping the oldest when full). After close_after_drain() the line is counted dropped.
  void enqueue(ChannelIndex channel, std::string_view line);
  // Publishes a stats message when up; otherwise counts it missed. Returns true when published.
  bool publish_stats(ChannelIndex channel, std::string_view payload);
  // Stops accepting. Closes once nothing is buffered or in flight, or at deadline_ms (virtual time,
  // absolute) counting what remains as dropped, whichever comes first. on_closed runs then.
  void close_after_drain(std::int64_t deadline_ms);
  // Called once when the sink closes (from inside the sink's own calls or callbacks; it must not
  // destroy the sink). Never called from the destructor.
  void set_on_closed(std::function<void()> on_closed);
  // Called once, when the first connect attempt ends (connected or failed), from inside the sink's
  // callbacks: it must only schedule work, never call the sink. Never called from the destructor.
  void set_on_first_connect(std::function<void()> on_first_connect);

  State state() const { return state_; }
  bool closed() const { return state_ == State::closed; }
  bool accepting() const { return accepting_; }
  std::size_t channel_count() const { return channels_.size(); }
  const std::string& channel_name(ChannelIndex channel) const;
  const SinkChannelCounters& counters(ChannelIndex channel) const;
  std::size_t buffered_lines() const { return buffer_.lines(); }
  std::size_t buffered_bytes() const { return buffer_.bytes(); }
  std::size_t in_flight() const { return in_flight_size_; }
  std::uint64_t connects_started() const { return connects_started_; }
  std::uint64_t disconnects() const { return disconnects_; }
  // "host:port", never the password.
  const std::string& address() const { return address_; }

  void on_connected() override;
  void on_disconnected(std::string_view reason) override;
  void on_reply(bool ok) override;

 private:
  struct Channel {
    std::string name;
    SinkChannelCounters counters;
  };
  // One unanswered publish, in the order redis answers them.
  struct InFlight {
    ChannelIndex channel;
    bool stats;
  };

  void connect();
  void first_connect_ended();
  void schedule_reconnect();
  std::int64_t next_backoff_ms();
  void pump();
  void plant_reconnect_bugs();
  void publish_line(ChannelIndex channel, std::string_view line);
  void push_in_flight(ChannelIndex channel, bool stats);
  void grow_in_flight();
  InFlight pop_in_flight();
  void drop_in_flight_lost();
  void drop_in_flight(std::uint64_t SinkChannelCounters::*reason);
  void drop_oldest_buffered();
  void drop_everything_at_close();
  void maybe_finish_drain();
  void finish_close();
  void cancel_timers();
  void record(std::string_view kind, const std::string& detail);
  void check_invariants() const;
  void check_channel(ChannelIndex channel) const;

  Scheduler& scheduler_;
  Publisher& publisher_;
  Rng& rng_;
  RedisUrl server_;
  std::string address_;
  DeliveryLimits limits_;
  EventLog* events_;
  std::vector<Channel> channels_;
  LineRing buffer_;
  // A ring, grown on demand up to in_flight_lines_max + in_flight_stats_max per channel.
  std::vector<InFlight> in_flight_;
  std::size_t in_flight_head_ = 0;
  std::size_t in_flight_size_ = 0;
  std::size_t in_flight_lines_ = 0;
  std::size_t in_flight_stats_ = 0;
  State state_ = State::idle;
  bool accepting_ = true;
  ConnectionId connection_ = 0;  // Meaningful while connecting or up.
  std::uint32_t failed_attempts_ = 0;  // Since the last successful connect.
  std::optional<TimerId> reconnect_timer_;
  std::optional<TimerId> deadline_timer_;
  std::function<void()> on_closed_;
  std::function<void()> on_first_connect_;
  bool first_connect_ended_ = false;
  std::uint64_t connects_started_ = 0;
  std::uint64_t disconnects_ = 0;
  // Planted bugs only (core/planted_bugs.hpp): the last line sent, and a stats tick to lose.
  std::optional<std::pair<ChannelIndex, std::string>> last_line_sent_;
  bool lose_next_stats_ = false;
};

std::string_view to_string(RedisSink::State state);

}  // namespace zsim::core
