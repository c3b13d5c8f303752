#pragma once
// A small simulated world for the engine and container tests: the real provisioning core on one or
// more nodes, the fakes around them, virtual time. Every node has two user networks installed
// (net-1 of user-1 at 10.1.<n>.0/24 and net-2 of user-2 at 10.2.<n>.0/24, n = node index + 1), the
// hub serves two flists (one with a default entrypoint, one without), and two redis servers exist.
// Tests hand workloads to the fake explorer with deliver_*() and watch what the node does through
// the explorer's results, the fake runtime, the fake redis and the trace (every line is kept).

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ports.hpp"
#include "fakes/fake_redis.hpp"
#include "sim/world.hpp"

namespace zsim::tests {

// An flist whose .startup.toml gives the entrypoint "/sbin/my_init" and PATH.
inline constexpr std::string_view ubuntu_flist = "https://hub.grid.tf/zsim/ubuntu.flist";
inline constexpr std::string_view ubuntu_entrypoint = "/sbin/my_init";
// An flist without a default entrypoint.
inline constexpr std::string_view busybox_flist = "https://hub.grid.tf/zsim/busybox.flist";
inline constexpr std::string_view redis_a = "10.1.0.1:6379";
inline constexpr std::string_view redis_b = "10.1.0.2:6379";
inline constexpr std::int64_t poll_interval_ms = 10'000;

// Collects every payload published on one channel of the fake redis, from its subscription on.
class ChannelRecorder {
 public:
  ChannelRecorder(fakes::FakeRedis& redis, std::string_view address, std::string_view channel) {
    redis.subscribe(address, channel, [this](std::string_view payload) { payloads.emplace_back(payload); });
  }
  std::vector<std::string> payloads;
};

struct TestWorldOptions {
  std::uint64_t seed = 7;
  std::size_t nodes = 1;
  core::CapacityUsage totals{16, 64 * 1024, 1024 * 1024, 4 * 1024 * 1024};
  bool ipv4_only = false;
};

// How a workload reaches the explorer.
struct Delivery {
  std::string user = "user-1";
  std::size_t node = 0;
  std::int64_t deploy_delay_ms = 0;        // Paid (visible to the node) this long after now.
  std::int64_t duration_ms = 3'600'000;
  std::optional<std::uint64_t> reservation_id;  // Default: the next id.
  std::uint32_t workload_number = 1;       // The id is "<reservation id>-<workload number>".
  std::uint32_t version = 1;               // Secret environment encryption version.
  std::optional<std::int64_t> created_s;   // Default: now.
  core::WorkloadType type = core::WorkloadType::container;
};

// One line of the trace, split.
struct TraceLine {
  std::int64_t time_ms = 0;
  std::string node;
  std::string kind;
  std::string fields;
  // The value of "key=value" in fields, or "" when absent.
  std::string field(std::string_view key) const;
};

class TestWorld {
 public:
  explicit TestWorld(TestWorldOptions options = {});
  TestWorld(const TestWorld&) = delete;
  TestWorld& operator=(const TestWorld&) = delete;

  sim::World& world() { return world_; }
  fakes::FakeExplorer& explorer() { return world_.explorer(); }
  fakes::FakeHub& hub() { return world_.hub(); }
  fakes::FakeRedis& redis() { return world_.redis(); }
  fakes::FakeRuntime& runtime(std::size_t node = 0) { return *world_.node(node).runtime; }
  // The running daemon of the node (asserts that it runs).
  core::Node& node(std::size_t node = 0);
  const std::string& node_id(std::size_t node = 0) const { return world_.node(node).node_id; }
  core::Identity node_identity(std::size_t node = 0) const;
  std::int64_t now_ms() const { return world_.now_ms(); }

  // A valid container payload for the user's network on that node, with the next free address
  // (10.<user>.<node + 1>.<10, 11, ...>), the ubuntu flist, 1 CPU, 512 MiB, a 1024 MiB SSD root disk.
  nlohmann::json container_payload(std::size_t node = 0, const std::string& user = "user-1");
  // Hands a workload to the explorer and returns its id.
  std::string deliver(const std::string& payload_json, const Delivery& delivery = {});
  std::string deliver_container(const nlohmann::json& payload, Delivery delivery = {});
  std::string deliver_volume(std::uint64_t size_gib, std::string_view disk_type, Delivery delivery = {});
  std::string deliver_network(const std::string& name, const std::string& subnet, Delivery delivery = {});
  // The hex ciphertext a client puts in secret_environment for that node.
  std::string secret_for(const std::string& user, std::size_t node, std::uint32_t version, std::string_view plaintext);
  std::uint64_t next_reservation_id() { return next_reservation_id_++; }

  void run_for(std::int64_t duration_ms);
  // Runs until the workload has at least count accepted results, at most max_ms more; true when it has.
  bool run_until_results(const std::string& workload_id, std::size_t count, std::int64_t max_ms = 120'000);
  // Runs until the next poll of the node's engine has been answered (polls run every 10 s).
  void run_past_next_poll();

  const std::vector<core::ProvisionResult>& results(const std::string& workload_id) const {
    return world_.explorer().results(workload_id);
  }
  std::vector<core::ResultState> states(const std::string& workload_id) const;
  // Trace lines of that kind (and of that node label, when given), in order.
  std::vector<TraceLine> trace(std::string_view kind, std::string_view node_label = "") const;
  // Every kept trace line, whole, for scanning.
  const std::deque<std::string>& trace_text() const { return world_.trace().lines(); }

 private:
  mutable sim::World world_;  // Its queries are not const; reading them changes nothing.
  std::uint64_t next_reservation_id_ = 1;
  std::map<std::pair<std::string, std::size_t>, std::uint32_t> next_host_;  // Per (user, node).
};

}  // namespace zsim::tests
