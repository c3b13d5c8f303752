#pragma once
// The checker watches a world while it runs and judges it at the end against the properties of
// DESIGN.md: exactly one terminal result and one "deleted" per workload, exact error messages,
// capacity back to zero, everything released, delivery counters that add up, log lines in order
// and never twice, no secret in plaintext anywhere, the same IPs after a reboot, stats every 2 s.

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "kernel/trace_line.hpp"
#include "sim/secret_scanner.hpp"
#include "sim/world.hpp"

namespace zsim::sim {

struct Violation {
  std::string property;  // e.g. "results_sequence"
  std::string detail;
  std::int64_t time_ms = 0;
};

class Checker {
 public:
  // Installs its observers on the world's trace; call before the world runs.
  explicit Checker(World& world);
  ~Checker();
  Checker(const Checker&) = delete;
  Checker& operator=(const Checker&) = delete;

  // Subscribes to every channel of a redis server of the world, to watch what is published.
  void watch_redis_server(const std::string& address);
  // The workload must end with this exact error message.
  void expect_error(const std::string& workload_id, std::string message);
  // This plaintext must never be seen: not in the trace, results, or anything published.
  void add_secret(std::string plaintext);
  // The workload's stats channel must get a message every interval_ms (its node's stats interval)
  // while it runs (the world promises the endpoint stays reachable).
  void expect_stats_cadence(const std::string& workload_id, const std::string& address, const std::string& channel,
                            std::int64_t interval_ms = 2'000);
  // At at_ms, every live container of the node must run again with its own IP (after a reboot).
  void check_running_after_reboot(std::size_t node_index, std::int64_t at_ms);

  // Judges the end state; the world must have healed every fault and let every reservation end.
  std::vector<Violation> finish();
  const std::vector<Violation>& violations() const { return violations_; }

  // Coverage, counted as the lines go by (a fuzz campaign reports it without keeping the trace):
  // lines per trace event kind, and "fault_point_fired" lines per fault point.
  using Counts = std::map<std::string, std::uint64_t, std::less<>>;
  const Counts& trace_kinds() const { return trace_kinds_; }
  const Counts& points_fired() const { return points_fired_; }

 private:
  static void count(Counts& counts, std::string_view key);
  void count_trace_kind(std::string_view kind);
  const std::optional<core::CapacityUsage>& asked_capacity_of(const std::string& workload_id);
  void on_trace_line(std::string_view line);
  void on_published(const std::string& address, std::string_view channel, std::string_view payload);
  void check_log_order(const std::string& address, std::string_view channel, std::string_view payload);
  void count_cadence_message(const std::string& address, std::string_view channel);
  void check_secrets(std::string_view where, std::string_view text);
  void check_results();
  void check_released();
  void check_delivery();
  void check_stats_cadence();
  void check_delivery_honest();
  void check_crash_policy(const kernel::TraceLineView& line);
  void check_ip_unique(const kernel::TraceLineView& line);
  void check_capacity_charged(const std::string& node, std::string_view fields);
  const World::NodeSlot* node_slot(std::string_view label);
  void check_reboot(std::size_t node_index);
  void violate(std::string property, std::string detail);

  World& world_;
  std::vector<Violation> violations_;
  std::map<std::string, std::optional<core::CapacityUsage>, std::less<>> asked_capacity_;  // By workload id.
  Counts trace_kinds_;
  // Entries of trace_kinds_ by a hash of the kind, direct-mapped: a few dozen kinds repeat all run
  // long, and a map lookup per trace line cost a fiftieth of a fuzz seed. Map entries never move.
  std::array<Counts::value_type*, 64> kind_slots_{};
  Counts points_fired_;
  std::map<std::string, std::string> expected_errors_;
  SecretScanner secrets_;
  struct Cadence {
    std::string address;
    std::string channel;
    std::int64_t interval_ms = 2'000;
    std::uint64_t messages = 0;  // Published before the container's first exit.
    bool exited = false;         // The container's process has exited once (first_exit_ms_ holds when).
  };
  std::map<std::string, Cadence> cadences_;            // By workload id.
  // "address/channel" -> its cadence in cadences_ (whose nodes never move). Looked up at every
  // message of a world and never iterated, so hashed: ordered maps of these long keys, which share
  // the redis address as a prefix, made every comparison a memcmp.
  std::unordered_map<std::string, Cadence*> cadence_channels_;
  std::map<std::string, std::int64_t> first_exit_ms_;  // Per container name: its process's first exit.
  struct CrashWindow {
    std::int64_t start_ms = 0;
    std::uint32_t exits = 0;
    bool stopping = false;
    std::int64_t last_exit_ms = 0;
  };
  std::map<std::string, std::map<std::string, CrashWindow>> crash_windows_;  // node -> workload -> window.
  std::int64_t clock_stepped_ms_ = -1;  // When the clock last jumped (a scenario's clock.step).
  std::map<std::string, std::map<std::string, std::string>> addresses_;  // node -> "network ip" -> container.
  // Per workload on its node: provisioned and not yet released (for "never provisioned twice").
  std::map<std::string, std::set<std::string>> provisioned_;  // node label -> workload ids.
  // Per channel key (address/channel), the last line number seen from each container.
  struct LogPosition {
    std::uint64_t last = 0;           // The number of the last line seen.
    std::uint64_t restarts_seen = 0;  // Restarts observed on this key (a line number that began again).
  };
  std::unordered_map<std::string, LogPosition> log_positions_;  // By "address/channel/container name"; never iterated.
  std::map<std::string, std::uint64_t, std::less<>> starts_;       // Per container name: incarnations started.
  std::string key_buffer_;  // Scratch for map keys built per message (no allocation once grown).
  std::uint64_t lines_checked_ = 0;
  std::size_t violations_max_ = 1000;
};

}  // namespace zsim::sim
