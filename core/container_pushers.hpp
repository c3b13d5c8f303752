#pragma once
// Everything one container ships to redis: its stdout and stderr lines to every logs endpoint, and
// a stats message every 2 s to every stats endpoint (docs/ZOS.md, "Logs" and "Stats").
//
// Servers are shared: one RedisSink (one connection) per distinct (host, port, password) of this
// container, carrying all the channels the container uses on that server. A target is one
// (server, password, channel); the same URL listed twice is one target, so a line goes to it once.
//
// What is published for the container's output, exactly:
// - Each stream (stdout, stderr) is cut into lines at '\n'. A line is published with its '\n', as
//   zos's shim-logs did (docs/ZOS.md, "Logs"), as raw bytes (a '\r' before the '\n' is kept), with
//   no envelope: PUBLISH <channel> <line>\n. An empty line is published as "\n".
// - A line longer than line_bytes_max (4096) bytes, not counting its '\n', is published in pieces
//   as it arrives: every full 4096 bytes that are followed by more bytes of the same line go out
//   as one message (without a '\n'), and the rest of the line (1..4096 bytes) goes out with its
//   '\n' when it comes. A line of L > 0 bytes is thus ceil(L / 4096) messages, and a line of
//   exactly 4096 bytes is one of 4097. Nothing ever waits for a newline that does not come: the
//   real node hung on such lines (zos #1236).
// - At stop(), an unterminated last line of each stream is published as it is, without a '\n' (a
//   crashing program's last words often lack the newline).
// - Stats ticks run at start() and then every stats_interval_ms (docs/ZOS.md, "Stats"): the first
//   as soon as the first connect of every stats server has ended (zos dialled, then wrote at once),
//   the others on the grid start + k * interval; a tick
//   reads runtime.stats(), encodes the message once, and publishes it to every stats target that is
//   up. A target that is not up misses the tick (counted); nothing is queued, so a reconnect is
//   followed by the next regular tick, never by a burst. An error from the runtime (the container's
//   task is gone) stops the stats for good, as in zos (counted as skipped, traced "stats.stopped");
//   the logs go on. Ticks stay on the grid start + k * interval; when the clock
//   jumps over several grid points (a clock step), the overdue tick runs once, late, and the next
//   one is the next grid point after it: skipped ticks are never made up for.
// - The ticks come from a StatsClock: the node's, shared by its containers so that containers on
//   the same phase cost one timer together, or one of the pushers' own when none is given.
// - Output after stop() is counted produced and dropped at every target it would have gone to.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ports.hpp"
#include "core/redis_sink.hpp"
#include "core/stats_clock.hpp"
#include "core/stats_encoder.hpp"

namespace zsim::core {

// One logs endpoint of the reservation, its URLs already parsed; a stream without a URL is not
// shipped (its URL was skipped, see usable_endpoints()).
struct LogEndpointUrls {
  std::optional<RedisUrl> stdout_url;
  std::optional<RedisUrl> stderr_url;
};

// What happened on one target (server and channel). Invariants:
//   lines_delivered + lines_dropped + lines_buffered + lines_in_flight == lines_produced,
//   stats_published + stats_missed == stats_ticks,
//   stats_delivered + stats_failed <= stats_published (equal once drained).
struct DeliveryCounters {
  std::uint64_t lines_produced = 0;
  std::uint64_t lines_delivered = 0;
  std::uint64_t lines_dropped = 0;
  std::uint64_t lines_buffered = 0;
  std::uint64_t lines_in_flight = 0;
  std::uint64_t stats_ticks = 0;
  std::uint64_t stats_published = 0;
  std::uint64_t stats_delivered = 0;
  std::uint64_t stats_failed = 0;
  std::uint64_t stats_missed = 0;
  DeliveryCounters& operator+=(const DeliveryCounters& other);
  bool operator==(const DeliveryCounters&) const = default;
};

struct PushersTotals {
  DeliveryCounters targets;             // Summed over every target.
  std::uint64_t stats_ticks = 0;        // Ticks of the container's stats clock.
  std::uint64_t stats_skipped = 0;      // Ticks the runtime had no stats for (the task gone: they stop).
  std::uint64_t lines_out = 0;          // Messages cut from stdout (pieces of long lines included).
  std::uint64_t lines_err = 0;          // Messages cut from stderr.
  std::uint64_t long_line_pieces = 0;   // Pieces sent because a line filled the line buffer.
  std::uint64_t endpoints_ignored = 0;  // Endpoints beyond endpoints_max.
  bool operator==(const PushersTotals&) const = default;
};

class ContainerPushers final : private StatsTicker {
 public:
  // Endpoints of each kind beyond this are ignored (and counted): a bound on connections per container.
  static constexpr std::size_t endpoints_max = 64;

  // Every reference must outlive the object; events and clock may be null. A clock given has an
  // interval of stats_interval_ms. Nothing happens before start().
  ContainerPushers(Scheduler& scheduler, Publisher& publisher, Rng& rng, ContainerRuntime& runtime,
                   std::string container_name, const std::vector<LogEndpointUrls>& logs,
                   const std::vector<RedisUrl>& stats, const DeliveryLimits& limits = {},
                   std::int64_t stats_interval_ms = 2000, EventLog* events = nullptr, StatsClock* clock = nullptr);
  // Safe at any moment: closes every connection, cancels every timer, calls nothing back.
  ~ContainerPushers() override;
  ContainerPushers(const ContainerPushers&) = delete;
  ContainerPushers& operator=(const ContainerPushers&) = delete;

  // Connects the sinks and starts the stats clock. Output before start() waits in the buffers.
  void start();
  // A chunk of the container's output (any size, not necessarily whole lines). Never waits.
  void on_output(OutputStream stream, std::string_view chunk);
  // Stops the stats clock, publishes unterminated last lines, and drains every sink until nothing
  // is pending or until drain_deadline_ms (absolute, the scheduler's time), dropping what remains.
  // done (optional) runs from the scheduler once drained(); it may destroy this object.
  void stop(std::int64_t drain_deadline_ms, std::function<void()> done = {});

  bool started() const { return started_; }
  bool stopping() const { return stopping_; }
  // Stopped and every connection closed: nothing more will happen.
  bool drained() const;

  // Per target, keyed "host:port/channel" (a "#2", "#3"... suffix tells apart targets that differ
  // only by password). Deterministic order.
  std::map<std::string, DeliveryCounters> counters() const;
  PushersTotals totals() const;
  const std::string& name() const { return name_; }
  std::size_t sink_count() const { return sinks_.size(); }
  const RedisSink& sink(std::size_t index) const { return *sinks_.at(index); }

 private:
  struct Target {
    std::size_t sink;
    RedisSink::ChannelIndex channel;
    std::string key;
    std::uint64_t stats_ticks = 0;
  };
  struct LineBuffer {
    std::vector<char> bytes;  // line_bytes_max + 1 long (a piece and its '\n'), allocated at the first partial line.
    std::size_t size = 0;
  };
  // Prefixes the container name to what the sinks narrate.
  class NamedEvents final : public EventLog {
   public:
    NamedEvents(EventLog& events, const std::string& name) : events_(events), name_(name) {}
    void record(std::string_view kind, std::string_view detail) override;

   private:
    EventLog& events_;
    const std::string& name_;
  };

  std::size_t target_for(const RedisUrl& url);
  static void add_unique(std::vector<std::size_t>& targets, std::size_t target);
  LineBuffer& line_buffer(OutputStream stream);
  const std::vector<std::size_t>& stream_targets(OutputStream stream) const;
  void append(OutputStream stream, std::string_view text);
  void emit(OutputStream stream, std::string_view line);
  void on_stats_tick() override;
  void leave_clock();
  void schedule_first_tick();
  void on_sink_closed();
  void record(std::string_view kind, std::string_view detail);

  Scheduler& scheduler_;
  Publisher& publisher_;
  Rng& rng_;
  ContainerRuntime& runtime_;
  std::string name_;
  DeliveryLimits limits_;
  EventLog* events_;
  // The pushers' own clock when none was given; clock_ points at the one in use.
  std::optional<StatsClock> own_clock_;
  StatsClock* clock_;
  std::optional<StatsClock::Membership> clock_membership_;
  std::optional<NamedEvents> named_events_;
  std::vector<RedisUrl> servers_;  // The identity (host, port, password) of sinks_[i], channel empty.
  std::vector<Target> targets_;
  std::vector<std::size_t> stdout_targets_;
  std::vector<std::size_t> stderr_targets_;
  std::vector<std::size_t> stats_targets_;
  LineBuffer out_line_;
  LineBuffer err_line_;
  StatsBuffer stats_buffer_{};
  std::optional<TimerId> done_timer_;
  std::optional<TimerId> first_tick_timer_;  // The tick at start, before the clock's first.
  std::size_t first_connects_pending_ = 0;    // Stats servers whose first connect has not ended.
  std::function<void()> done_;
  bool started_ = false;
  bool stopping_ = false;
  PushersTotals totals_;  // Only the container-level fields; targets are summed on demand.
  // Last: destroyed first, while everything they might touch still exists.
  std::vector<std::unique_ptr<RedisSink>> sinks_;
};

}  // namespace zsim::core
