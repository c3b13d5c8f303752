#include "sim/node_knobs.hpp"

#include <fmt/format.h>

#include <cassert>

#include "core/redis_sink.hpp"

namespace zsim::sim {

namespace {

using Setter = void (*)(core::NodeConfig&, std::int64_t);

struct Knob {
  NodeKnobInfo info;
  Setter set;
};

template <typename T>
T as(std::int64_t value) {
  assert(value >= 0);
  return static_cast<T>(value);
}

// The ranges keep a run meaningful and convergent: every interval is long enough that the world
// does something between two ticks and short enough that the liveness phase (the runner's
// wind-down of up to 30 simulated minutes) sees every reservation converge. The resync interval
// stays within 2 minutes because the swarm judges "ends ok" at the end of its fault phase, 5
// minutes after its last reservation: a reservation paid late below the poll cursor is seen only
// at the next resync (zos #672), and a fuzz campaign found 5-minute resyncs missing that deadline.
constexpr std::array<Knob, node_knob_count> knob_table{{
    {{"poll_interval_ms", 10'000, 1'000, 30'000, "how often the engine polls the explorer"},
     [](core::NodeConfig& c, std::int64_t v) { c.poll_interval_ms = v; }},
    {{"resync_interval_ms", 60'000, 20'000, 120'000, "how often the engine polls from reservation 0 again"},
     [](core::NodeConfig& c, std::int64_t v) { c.resync_interval_ms = v; }},
    {{"expiry_scan_interval_ms", 20'000, 5'000, 60'000, "how often expired workloads are looked for"},
     [](core::NodeConfig& c, std::int64_t v) { c.expiry_scan_interval_ms = v; }},
    {{"restart_delay_ms", 2'000, 100, 10'000, "the wait before a crashed container starts again"},
     [](core::NodeConfig& c, std::int64_t v) { c.container.restart_delay_ms = v; }},
    {{"crashes_max", 4, 1, 8, "the exit of one crash window that ends the container"},
     [](core::NodeConfig& c, std::int64_t v) { c.container.crashes_max = as<std::uint32_t>(v); }},
    {{"crash_window_ms", 60'000, 5'000, 300'000, "how long a crash window stays open after its first exit"},
     [](core::NodeConfig& c, std::int64_t v) { c.container.crash_window_ms = v; }},
    {{"sigterm_tries", 3, 1, 5, "SIGTERMs sent before the SIGKILL of a decommission"},
     [](core::NodeConfig& c, std::int64_t v) { c.container.sigterm_tries = as<std::uint32_t>(v); }},
    {{"sigterm_interval_ms", 1'000, 100, 5'000, "the wait between two SIGTERMs"},
     [](core::NodeConfig& c, std::int64_t v) { c.container.sigterm_interval_ms = v; }},
    {{"drain_deadline_ms", 5'000, 100, 30'000, "how long the pushers may drain at a decommission"},
     [](core::NodeConfig& c, std::int64_t v) { c.container.drain_deadline_ms = v; }},
    {{"stats_interval_ms", 2'000, 500, 10'000, "the stats period of every container"},
     [](core::NodeConfig& c, std::int64_t v) { c.container.stats_interval_ms = v; }},
    {{"buffer_lines_max", 10'000, 1, 100'000, "log lines one sink buffers before it drops the oldest"},
     [](core::NodeConfig& c, std::int64_t v) { c.container.delivery.buffer_lines_max = as<std::size_t>(v); }},
    {{"buffer_bytes_max", 4 << 20, 4'096, 64 << 20, "bytes one sink buffers before it drops the oldest line"},
     [](core::NodeConfig& c, std::int64_t v) { c.container.delivery.buffer_bytes_max = as<std::size_t>(v); }},
    {{"in_flight_lines_max", 1'024, 1, 4'096, "log publishes of one sink sent and not yet answered"},
     [](core::NodeConfig& c, std::int64_t v) { c.container.delivery.in_flight_lines_max = as<std::size_t>(v); }},
    {{"in_flight_stats_max", 8, 1, 64, "stats publishes of one channel not yet answered"},
     [](core::NodeConfig& c, std::int64_t v) { c.container.delivery.in_flight_stats_max = as<std::size_t>(v); }},
    {{"line_bytes_max", 4'096, 16, 65'536, "a log line longer than this goes out in pieces"},
     [](core::NodeConfig& c, std::int64_t v) { c.container.delivery.line_bytes_max = as<std::size_t>(v); }},
    {{"backoff_initial_ms", 100, 1, 5'000, "the first wait of a redis reconnect"},
     [](core::NodeConfig& c, std::int64_t v) { c.container.delivery.backoff_initial_ms = v; }},
    {{"backoff_max_ms", 5'000, 10, 60'000, "the longest wait of a redis reconnect"},
     [](core::NodeConfig& c, std::int64_t v) { c.container.delivery.backoff_max_ms = v; }},
    {{"backoff_jitter_percent", 20, 0, 99, "how far a reconnect wait is drawn from its nominal value"},
     [](core::NodeConfig& c, std::int64_t v) { c.container.delivery.backoff_jitter_percent = v; }},
}};

const std::array<NodeKnobInfo, node_knob_count> info_table = [] {
  std::array<NodeKnobInfo, node_knob_count> infos{};
  for (std::size_t index = 0; index < node_knob_count; index += 1) infos[index] = knob_table[index].info;
  return infos;
}();

const Knob* find_knob(std::string_view name) {
  for (const Knob& knob : knob_table) {
    if (knob.info.name == name) return &knob;
  }
  return nullptr;
}

std::int64_t value_of(const NodeKnobs& knobs, std::string_view name) {
  const auto found = knobs.find(std::string(name));
  if (found != knobs.end()) return found->second;
  const Knob* knob = find_knob(name);
  assert(knob != nullptr);
  return knob->info.default_value;
}

}  // namespace

const std::array<NodeKnobInfo, node_knob_count>& node_knobs() { return info_table; }

const NodeKnobInfo* find_node_knob(std::string_view name) {
  const Knob* knob = find_knob(name);
  return knob == nullptr ? nullptr : &knob->info;
}

std::string node_knob_list() {
  std::string names;
  for (const NodeKnobInfo& info : info_table) names += (names.empty() ? "" : ", ") + std::string(info.name);
  return names;
}

core::Status check_node_knobs(const NodeKnobs& knobs) {
  for (const auto& [name, value] : knobs) {
    const NodeKnobInfo* info = find_node_knob(name);
    if (info == nullptr) return core::Error{fmt::format("unknown knob \"{}\" (known: {})", name, node_knob_list())};
    if (value < info->min || value > info->max) {
      return core::Error{fmt::format("{}: {} is out of its range {}..{}", name, value, info->min, info->max)};
    }
  }
  if (value_of(knobs, "backoff_max_ms") < value_of(knobs, "backoff_initial_ms")) {
    return core::Error{"backoff_max_ms: must not be below backoff_initial_ms"};
  }
  if (value_of(knobs, "line_bytes_max") > value_of(knobs, "buffer_bytes_max")) {
    return core::Error{"line_bytes_max: must not be above buffer_bytes_max"};
  }
  return {};
}

void apply_node_knobs(const NodeKnobs& knobs, core::NodeConfig& config) {
  assert(check_node_knobs(knobs).ok());
  for (const auto& [name, value] : knobs) find_knob(name)->set(config, value);
  assert(core::limits_valid(config.container.delivery));
}

std::string format_node_knobs(const NodeKnobs& knobs) {
  std::string text;
  for (const auto& [name, value] : knobs) text += fmt::format("{}{}={}", text.empty() ? "" : " ", name, value);
  return text;
}

// Most drawn values sit at the ends of their range, where the boundary bugs live; the rest are
// uniform within it. A draw that the cross checks refuse is dropped, so the set is always legal.
NodeKnobs draw_swarm_knobs(kernel::Prng& prng) {
  NodeKnobs knobs;
  const std::uint64_t count = prng.below(5);
  for (std::uint64_t draw = 0; draw < count; draw += 1) {
    const NodeKnobInfo& info = knob_table[prng.below(node_knob_count)].info;
    const std::uint64_t span = static_cast<std::uint64_t>(info.max - info.min);
    const std::uint64_t how = prng.below(4);
    const std::int64_t value = how == 0 ? info.min : how == 1 ? info.max
                                                            : info.min + static_cast<std::int64_t>(prng.below(span + 1));
    NodeKnobs trial = knobs;
    if (value == info.default_value) {
      trial.erase(std::string(info.name));
    } else {
      trial[std::string(info.name)] = value;
    }
    if (check_node_knobs(trial).ok()) knobs = std::move(trial);
  }
  assert(check_node_knobs(knobs).ok());
  return knobs;
}

}  // namespace zsim::sim
