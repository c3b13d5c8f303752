#pragma once
// A model of one Zero-OS node for the rapidcheck stateful test (node_model_test.cpp), and the
// system under test it is compared with: a sim::World with one node running the real provisioning
// core, the fake explorer, the fake hub and the fake redis.
//
// The model is a plain struct that predicts, from the commands alone, what the node must answer:
// per workload the terminal result (ok, or the exact error), whether a delete is taken, whether the
// crash policy gives up; the capacity the node holds; which containers run with which IP. Where it
// cannot know (the hub failing at an unknown moment of a provision window), a prediction holds every
// possible answer, and what depends on it (capacity, a later IP conflict or capacity refusal)
// becomes a range. Every answer must still be one of them, and exactly one terminal result.

#include <cstdint>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/container_pushers.hpp"
#include "core/ports.hpp"
#include "kernel/prng.hpp"
#include "sim/checker.hpp"
#include "sim/world.hpp"

namespace zsim::properties {

// How long the world runs after each kind of command before the model is compared with it. The node
// polls every 10 s; a provision or a decommission then takes well under a second (100 ms mounts,
// SIGTERM answered in 200 ms), so 15 s always covers one poll and its work. A crashed container is
// started again 2 s after its exit.
inline constexpr std::int64_t setup_settle_ms = 15'000;
inline constexpr std::int64_t deliver_settle_ms = 15'000;
inline constexpr std::int64_t delete_settle_ms = 15'000;
inline constexpr std::int64_t crash_settle_ms = 3'000;
inline constexpr std::int64_t restart_settle_ms = 15'000;
inline constexpr std::int64_t reboot_settle_ms = 20'000;
inline constexpr std::int64_t toggle_settle_ms = 1'000;
// After redis has been reachable this long, every sink has reconnected (backoff at most 5 s +20%)
// and flushed what it buffered.
inline constexpr std::int64_t redis_flush_ms = 10'000;
// A container whose logs flow must have produced lines over a command at least this long.
inline constexpr std::int64_t lines_growth_min_ms = 5'000;

inline constexpr std::uint32_t flists_count = 2;  // 0: chatty (a line a second), 1: quiet.
inline constexpr std::uint32_t host_first = 2;    // Containers of user-1 use 10.1.1.2 to 10.1.1.7,
inline constexpr std::uint32_t host_last = 7;     // few enough that addresses collide.
inline constexpr std::uint64_t volume_mib = 1024;  // user-1's SSD volume, held from the start.
inline constexpr std::string_view gave_up_message = "deleting container due to so many crashes";

std::string flist_url(std::uint32_t flist);

// The invalid containers whose exact error is known (sim/swarm.cpp's kinds).
enum class Invalid : std::uint8_t {
  none, cpu_zero, memory_low, network_empty, flist_missing, disk_type, network_unknown, ip_outside,
  volume_not_owner, secret_version, ipv6_on_ipv4_only
};
std::string_view to_string(Invalid invalid);

// What a deliver command hands to the explorer.
struct Ask {
  Invalid invalid = Invalid::none;
  std::uint64_t cpu = 1;
  std::uint64_t memory_mib = 256;
  std::uint64_t disk_mib = 0;  // 0: the default root disk.
  std::string disk_type;       // As the payload spells it: "", "SSD" or "hdd".
  std::uint32_t flist = 0;
  std::uint32_t host = host_first;
  bool logs = false;
  bool stats = false;
  bool secret = false;
  // The hub fails this long after the delivery (while the hub was up); negative: it is left alone.
  std::int64_t hub_fails_after_ms = -1;
};

struct Shape {
  std::uint64_t seed = 1;
  core::CapacityUsage totals;
  bool ipv4_only = false;
};
// rapidcheck prints a counterexample's values with showValue, found by argument-dependent lookup.
void showValue(const Shape& shape, std::ostream& os);

// Every answer a provision may have given.
struct Prediction {
  bool may_ok = false;
  std::set<std::string> errors;     // Exact messages.
  bool any_capacity_error = false;  // "not enough ...", with figures the model cannot know.
  bool may_error() const { return !errors.empty() || any_capacity_error; }
  bool surely_ok() const { return may_ok && !may_error(); }
  bool allows_error(const std::string& message) const;
};

struct ModelWorkload {
  std::string id;  // "<reservation id>-1"
  Ask ask;
  std::string ip;
  core::CapacityUsage need;
  Prediction prediction;
  bool delete_requested = false;  // The explorer took (or, for an uncertain one, may have taken) a delete.
  bool gave_up = false;           // The crash policy ended it.
  std::int64_t crash_window_start_ms = 0;
  std::uint32_t crash_count = 0;
  bool may_hold() const { return prediction.may_ok && !delete_requested && !gave_up; }
  bool surely_holds() const { return prediction.surely_ok() && !delete_requested && !gave_up; }
};

enum class Cached : std::uint8_t { no, maybe, yes };
enum class Taken : std::uint8_t { no, maybe, yes };  // Does the explorer take a delete?

struct NodeModel {
  Shape shape;
  std::int64_t now_ms = setup_settle_ms;  // Virtual time since the world began.
  bool hub_down = false;
  bool redis_down = false;
  std::int64_t redis_up_since_ms = 0;
  bool lossless = true;  // No redis outage and no stopped daemon yet: no log line may be dropped.
  std::vector<Cached> flists = std::vector<Cached>(flists_count, Cached::no);
  std::vector<ModelWorkload> workloads;

  static NodeModel initial(const Shape& shape);
  std::string next_id() const { return std::to_string(workloads.size() + 1) + "-1"; }
  Prediction predict(const Ask& ask) const;
  void deliver(const Ask& ask);
  Taken delete_taken(std::size_t index) const;
  void request_delete(std::size_t index);
  void crash(std::size_t index);
  void daemon_stopped();  // A daemon restart or a reboot: crash windows start again.
  void set_redis_down(bool down);
  void advance(std::int64_t ms) { now_ms += ms; }
  core::CapacityUsage surely_used() const;
  core::CapacityUsage maybe_used() const;

 private:
  void predict_ip(const Ask& ask, const std::string& ip, Prediction& out, bool& ip_surely_taken) const;
  void predict_capacity(const core::CapacityUsage& need, Prediction& out, bool& surely_refused) const;
  void predict_hub(const Ask& ask, Prediction& out) const;
};

core::CapacityUsage need_of(const Ask& ask);
std::string ip_of(const Ask& ask);

// The system under test.
class NodeWorld {
 public:
  explicit NodeWorld(const Shape& shape);
  NodeWorld(const NodeWorld&) = delete;
  NodeWorld& operator=(const NodeWorld&) = delete;

  // exact_error: the error the Checker must see at the end, when the model knows it exactly.
  void deliver(const std::string& id, const Ask& ask, const std::optional<std::string>& exact_error);
  core::Status request_delete(const std::string& id);
  core::Status crash(const std::string& id);
  void restart_daemon() { world_.restart_daemon(0); }
  void reboot() { world_.reboot_node(0); }
  void set_hub_down(bool down) { world_.hub().set_down(down); }
  void set_redis_down(bool down);
  void run_for(std::int64_t ms) { world_.run_until(world_.now_ms() + ms); }
  std::int64_t elapsed_ms() const { return world_.now_ms() - sim::world_epoch_ms; }

  // Every way the world differs from the model, as one line each; lines_grow asks that log lines
  // were produced and delivered since the last comparison.
  std::vector<std::string> differences(const NodeModel& model, bool lines_grow);
  // Heals the hub and redis, deletes everything alive, runs until it has all ended, and returns the
  // Checker's violations and every workload that did not end with exactly one "deleted".
  std::vector<std::string> wind_down(const NodeModel& model);

 private:
  void add_setup_workloads();
  std::string payload_for(const std::string& id, const Ask& ask);
  void differences_in_results(const NodeModel& model, std::vector<std::string>& out);
  void differences_in_capacity(const NodeModel& model, std::vector<std::string>& out);
  void differences_in_containers(const NodeModel& model, std::vector<std::string>& out);
  void differences_in_delivery(const NodeModel& model, bool lines_grow, std::vector<std::string>& out);

  sim::World world_;
  sim::Checker checker_;
  kernel::Prng nonces_;
  core::DeliveryCounters last_counters_;
};

}  // namespace zsim::properties
