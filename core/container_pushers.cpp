#include "core/container_pushers.hpp"
#include "core/trace_value.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace zsim::core {

DeliveryCounters& DeliveryCounters::operator+=(const DeliveryCounters& other) {
  lines_produced += other.lines_produced;
  lines_delivered += other.lines_delivered;
  lines_dropped += other.lines_dropped;
  lines_buffered += other.lines_buffered;
  lines_in_flight += other.lines_in_flight;
  stats_ticks += other.stats_ticks;
  stats_published += other.stats_published;
  stats_delivered += other.stats_delivered;
  stats_failed += other.stats_failed;
  stats_missed += other.stats_missed;
  return *this;
}

void ContainerPushers::NamedEvents::record(std::string_view kind, std::string_view detail) {
  events_.record(kind, fmt::format("workload={} {}", trace_value(name_), detail));
}

// ---------------------------------------------------------------------------------------------
// Set-up: one sink per server, one target per (server, channel).

ContainerPushers::ContainerPushers(Scheduler& scheduler, Publisher& publisher, Rng& rng, ContainerRuntime& runtime,
                                   std::string container_name, const std::vector<LogEndpointUrls>& logs,
                                   const std::vector<RedisUrl>& stats, const DeliveryLimits& limits,
                                   std::int64_t stats_interval_ms, EventLog* events, StatsClock* clock)
    : scheduler_(scheduler),
      publisher_(publisher),
      rng_(rng),
      runtime_(runtime),
      name_(std::move(container_name)),
      limits_(limits),
      events_(events),
      clock_(clock) {
  assert(limits_valid(limits_));
  assert(stats_interval_ms > 0);
  assert(clock_ == nullptr || clock_->interval_ms() == stats_interval_ms);
  if (clock_ == nullptr) clock_ = &own_clock_.emplace(scheduler_, stats_interval_ms);
  if (events_ != nullptr) named_events_.emplace(*events_, name_);
  const std::size_t logs_used = std::min(logs.size(), endpoints_max);
  const std::size_t stats_used = std::min(stats.size(), endpoints_max);
  for (std::size_t index = 0; index < logs_used; index += 1) {
    if (logs[index].stdout_url) add_unique(stdout_targets_, target_for(*logs[index].stdout_url));
    if (logs[index].stderr_url) add_unique(stderr_targets_, target_for(*logs[index].stderr_url));
  }
  for (std::size_t index = 0; index < stats_used; index += 1) add_unique(stats_targets_, target_for(stats[index]));
  totals_.endpoints_ignored = (logs.size() - logs_used) + (stats.size() - stats_used);
  if (totals_.endpoints_ignored > 0) {
    record("delivery.endpoints_ignored",
           fmt::format("workload={} ignored={}", trace_value(name_), totals_.endpoints_ignored));
  }
  assert(sinks_.size() == servers_.size());
  assert(targets_.size() <= 3 * endpoints_max);
}

ContainerPushers::~ContainerPushers() {
  leave_clock();
  if (done_timer_) scheduler_.cancel(*done_timer_);
  // Each sink closes its connection and cancels its timers; none calls back from its destructor.
  sinks_.clear();
}

std::size_t ContainerPushers::target_for(const RedisUrl& url) {
  // Linear searches: at most 3 * endpoints_max targets, once per container.
  std::size_t sink = 0;
  while (sink < servers_.size() && !(servers_[sink].host == url.host && servers_[sink].port == url.port &&
                                     servers_[sink].password == url.password)) {
    sink += 1;
  }
  if (sink == servers_.size()) {
    RedisUrl server = url;
    server.channel.clear();
    servers_.push_back(server);
    sinks_.push_back(std::make_unique<RedisSink>(scheduler_, publisher_, rng_, server, limits_,
                                                 named_events_ ? &*named_events_ : nullptr));
    sinks_.back()->set_on_closed([this] { on_sink_closed(); });
  }
  for (std::size_t target = 0; target < targets_.size(); target += 1) {
    if (targets_[target].sink == sink && sinks_[sink]->channel_name(targets_[target].channel) == url.channel) {
      return target;
    }
  }
  // The key names the server and channel, never the password; a suffix tells apart targets on the
  // same server and channel with different passwords.
  const std::string base = fmt::format("{}:{}/{}", url.host, url.port, url.channel);
  std::string key = base;
  for (std::size_t suffix = 2; std::any_of(targets_.begin(), targets_.end(), [&](const Target& t) { return t.key == key; });
       suffix += 1) {
    key = fmt::format("{}#{}", base, suffix);
  }
  targets_.push_back(Target{sink, sinks_[sink]->add_channel(url.channel), key});
  return targets_.size() - 1;
}

void ContainerPushers::add_unique(std::vector<std::size_t>& targets, std::size_t target) {
  if (std::find(targets.begin(), targets.end(), target) == targets.end()) targets.push_back(target);
}

void ContainerPushers::start() {
  assert(!started_ && !stopping_);
  started_ = true;
  for (const auto& sink : sinks_) sink->start();
  if (stats_targets_.empty()) return;
  clock_membership_ = clock_->join(*this);
  // zos dialled each stats server, then fetched and wrote at once and slept 2 s: the first message
  // goes out as soon as the first connect of every stats server has ended (up, or failed and so
  // missed), and the clock gives the rest, start + k * 2 s.
  std::vector<std::size_t> stats_sinks;
  for (const std::size_t index : stats_targets_) add_unique(stats_sinks, targets_[index].sink);
  first_connects_pending_ = stats_sinks.size();
  for (const std::size_t sink : stats_sinks) {
    sinks_[sink]->set_on_first_connect([this] {
      assert(first_connects_pending_ > 0);
      first_connects_pending_ -= 1;
      if (first_connects_pending_ == 0) schedule_first_tick();
    });
  }
}

void ContainerPushers::schedule_first_tick() {
  assert(!first_tick_timer_);
  first_tick_timer_ = scheduler_.at(scheduler_.now_ms(), [this] {
    first_tick_timer_.reset();
    // A connect slower than the interval: the clock's ticks have begun, and the first is not made up.
    if (clock_membership_ && totals_.stats_ticks == 0) on_stats_tick();
  });
}

void ContainerPushers::leave_clock() {
  if (first_tick_timer_) scheduler_.cancel(*first_tick_timer_);
  first_tick_timer_.reset();
  if (clock_membership_) clock_->leave(*clock_membership_);
  clock_membership_.reset();
}

// ---------------------------------------------------------------------------------------------
// Logs.

ContainerPushers::LineBuffer& ContainerPushers::line_buffer(OutputStream stream) {
  return stream == OutputStream::out ? out_line_ : err_line_;
}

const std::vector<std::size_t>& ContainerPushers::stream_targets(OutputStream stream) const {
  return stream == OutputStream::out ? stdout_targets_ : stderr_targets_;
}

void ContainerPushers::on_output(OutputStream stream, std::string_view chunk) {
  LineBuffer& line = line_buffer(stream);
  // Each iteration consumes one '\n' or ends the loop: bounded by the chunk's size.
  while (!chunk.empty()) {
    const std::size_t newline = chunk.find('\n');
    const std::string_view text = chunk.substr(0, newline);
    if (newline != std::string_view::npos && line.size == 0 && text.size() <= limits_.line_bytes_max) {
      // A whole line inside the chunk: published from it, with its '\n' as shim-logs did, without a copy.
      emit(stream, chunk.substr(0, newline + 1));
    } else {
      append(stream, text);
      if (newline != std::string_view::npos) {
        // The buffer holds line_bytes_max + 1 bytes: room for the '\n' after a full piece.
        assert(!line.bytes.empty() && line.size < line.bytes.size());
        line.bytes[line.size] = '\n';
        emit(stream, std::string_view(line.bytes.data(), line.size + 1));
        line.size = 0;
      }
    }
    if (newline == std::string_view::npos) break;
    chunk.remove_prefix(newline + 1);
  }
  assert(line.size <= limits_.line_bytes_max);
}

// Adds text (no '\n' in it) to the stream's line buffer. A full buffer is published as a piece only
// when more bytes of the same line arrive, so a line of exactly line_bytes_max is one message.
void ContainerPushers::append(OutputStream stream, std::string_view text) {
  assert(text.find('\n') == std::string_view::npos);
  LineBuffer& line = line_buffer(stream);
  // Allocated at the first partial line, not up front: most lines go out straight from the chunk,
  // and two idle 4 KiB buffers per container crowd a node's working set out of the cache.
  if (line.bytes.empty() && !text.empty()) line.bytes.resize(limits_.line_bytes_max + 1);
  // Each iteration copies at least one byte: bounded by text.size().
  while (!text.empty()) {
    if (line.size == limits_.line_bytes_max) {
      totals_.long_line_pieces += 1;
      emit(stream, std::string_view(line.bytes.data(), line.size));
      line.size = 0;
    }
    const std::size_t count = std::min(text.size(), limits_.line_bytes_max - line.size);
    std::memcpy(line.bytes.data() + line.size, text.data(), count);
    line.size += count;
    text.remove_prefix(count);
  }
}

void ContainerPushers::emit(OutputStream stream, std::string_view line) {
  assert(line.size() <= limits_.line_bytes_max + 1);  // A full piece and its '\n'.
  (stream == OutputStream::out ? totals_.lines_out : totals_.lines_err) += 1;
  for (const std::size_t target : stream_targets(stream)) {
    sinks_[targets_[target].sink]->enqueue(targets_[target].channel, line);
  }
}

// ---------------------------------------------------------------------------------------------
// Stats.

void ContainerPushers::on_stats_tick() {
  assert(started_ && !stopping_ && clock_membership_);
  totals_.stats_ticks += 1;
  const Expected<ContainerStats> stats = runtime_.stats(name_);
  if (!stats) {
    // zos's stats loop ended for good when the container's task was gone (stats.go): a restarted
    // container ships no stats again until it is provisioned or restored anew.
    totals_.stats_skipped += 1;
    record("stats.stopped", fmt::format("workload={} error={}", trace_value(name_), trace_value(stats.error())));
    leave_clock();
    return;
  }
  const std::int64_t now_ms = scheduler_.now_ms();
  assert(now_ms >= 0);
  const std::string_view payload = encode_stats(now_ms / 1000, stats.value(), stats_buffer_);
  for (const std::size_t index : stats_targets_) {
    Target& target = targets_[index];
    target.stats_ticks += 1;
    (void)sinks_[target.sink]->publish_stats(target.channel, payload);
  }
}

// ---------------------------------------------------------------------------------------------
// Stopping.

void ContainerPushers::stop(std::int64_t drain_deadline_ms, std::function<void()> done) {
  assert(!stopping_);
  stopping_ = true;
  done_ = std::move(done);
  leave_clock();
  for (const OutputStream stream : {OutputStream::out, OutputStream::err}) {
    LineBuffer& line = line_buffer(stream);
    if (line.size > 0) emit(stream, std::string_view(line.bytes.data(), line.size));
    line.size = 0;
  }
  for (const auto& sink : sinks_) sink->close_after_drain(drain_deadline_ms);
  on_sink_closed();  // With no sinks, or all closed at once, nothing else would notice.
}

bool ContainerPushers::drained() const {
  return stopping_ && std::all_of(sinks_.begin(), sinks_.end(), [](const auto& sink) { return sink->closed(); });
}

void ContainerPushers::on_sink_closed() {
  // Called from inside a sink: only schedule, so that done may destroy this object safely.
  if (!drained() || !done_ || done_timer_) return;
  done_timer_ = scheduler_.at(scheduler_.now_ms(), [this] {
    done_timer_.reset();
    std::function<void()> done = std::move(done_);
    done_ = nullptr;
    done();  // Last: it may destroy this object.
  });
}

// ---------------------------------------------------------------------------------------------
// Counters.

std::map<std::string, DeliveryCounters> ContainerPushers::counters() const {
  std::map<std::string, DeliveryCounters> result;
  for (const Target& target : targets_) {
    const SinkChannelCounters& c = sinks_[target.sink]->counters(target.channel);
    DeliveryCounters counters{.lines_produced = c.lines_produced,
                              .lines_delivered = c.lines_delivered,
                              .lines_dropped = c.lines_dropped,
                              .lines_buffered = c.lines_buffered,
                              .lines_in_flight = c.lines_in_flight,
                              .stats_ticks = target.stats_ticks,
                              .stats_published = c.stats_published,
                              .stats_delivered = c.stats_delivered,
                              .stats_failed = c.stats_failed,
                              .stats_missed = c.stats_missed};
    assert(counters.stats_published + counters.stats_missed == counters.stats_ticks);
    const bool inserted = result.emplace(target.key, counters).second;
    assert(inserted);
    (void)inserted;
  }
  return result;
}

PushersTotals ContainerPushers::totals() const {
  PushersTotals totals = totals_;
  for (const auto& [key, counters] : this->counters()) totals.targets += counters;
  return totals;
}

void ContainerPushers::record(std::string_view kind, std::string_view detail) {
  if (events_ != nullptr) events_->record(kind, detail);
}

}  // namespace zsim::core
