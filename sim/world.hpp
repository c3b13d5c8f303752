#pragma once
// The simulated world: N nodes, each running the real provisioning core (core::Node) on its own
// fake runtime and store, around one fake explorer, one fake flist hub and one fake redis, all on
// one virtual-time scheduler and one trace. Daemon restarts and node reboots replace a node's
// core::Node object the way a real restart replaces the process.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/identity.hpp"
#include "core/node.hpp"
#include "core/planted_bugs.hpp"
#include "core/result_signing.hpp"
#include "core/secret_env.hpp"
#include "fakes/fake_explorer.hpp"
#include "fakes/fake_hub.hpp"
#include "fakes/fake_redis.hpp"
#include "fakes/fake_runtime.hpp"
#include "fakes/memory_store.hpp"
#include "fakes/signature_ledger.hpp"
#include "kernel/prng.hpp"
#include "kernel/scheduler.hpp"
#include "kernel/trace.hpp"
#include "sim/node_knobs.hpp"

namespace zsim::sim {

// Virtual time starts at 2020-11-01 00:00:00 UTC, the era of zos v0.4.5, so result epochs and stats
// timestamps look like the real ones.
inline constexpr std::int64_t world_epoch_ms = 1'604'188'800'000;

// The core's narration goes into the trace under the node's label.
class TraceEventLog final : public core::EventLog {
 public:
  TraceEventLog(core::Scheduler& scheduler, kernel::Trace& trace, std::string label)
      : scheduler_(scheduler), trace_(trace), label_(std::move(label)) {}
  void record(std::string_view kind, std::string_view detail) override {
    trace_.record(scheduler_.now_ms(), label_, kind, detail);
  }

 private:
  core::Scheduler& scheduler_;
  kernel::Trace& trace_;
  std::string label_;
};

// BUGGIFY: a fault point fires with the rate the run enabled for it, decided by the seeded PRNG.
// With self-activation on (fuzz runs), a point nobody enabled decides the first time it is
// reached whether it is on for the rest of the run, and how often it fires: as FoundationDB's
// BUGGIFY, a new point in the core takes part in fuzzing without anyone wiring it.
class SimFaultPoints final : public core::FaultPoints {
 public:
  using OnFire = std::function<void(std::string_view point)>;
  explicit SimFaultPoints(kernel::Prng prng, OnFire on_fire = {}) : prng_(prng), on_fire_(std::move(on_fire)) {}
  void enable(const std::string& point, std::uint64_t numerator, std::uint64_t denominator);
  // Off: every point off, self-activation too (the liveness phase of a run).
  void disable_all() {
    rates_.clear();
    self_activation_ = false;
  }
  void set_self_activation(bool on) { self_activation_ = on; }
  bool fire(std::string_view point) override;
  std::uint64_t fired() const { return fired_; }
  // Per point: how many times it fired (a point absent here never fired).
  const std::map<std::string, std::uint64_t, std::less<>>& fired_per_point() const { return fired_per_point_; }

 private:
  kernel::Prng prng_;
  OnFire on_fire_;
  bool self_activation_ = false;
  // Per point: its rate (numerator, denominator); {0, 1} is a point that decided to stay off.
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>, std::less<>> rates_;
  std::map<std::string, std::uint64_t, std::less<>> fired_per_point_;
  std::uint64_t fired_ = 0;
};

struct NodeSetup {
  std::string label;  // "node-1": how the trace and scenarios name the node.
  core::CapacityUsage totals{16, 64 * 1024, 1024 * 1024, 4 * 1024 * 1024};
  bool ipv4_only = false;
  NodeKnobs knobs;              // Settings other than the core's defaults (sim/node_knobs.hpp).
  core::PlantedBugs planted{};  // Test-only: bugs planted in this node's core.
};

class World {
 public:
  struct NodeSlot {
    NodeSetup setup;
    core::NodeConfig config;
    std::unique_ptr<fakes::FakeRuntime> runtime;
    std::unique_ptr<fakes::MemoryStore> store;
    std::unique_ptr<kernel::Prng> rng;
    std::unique_ptr<TraceEventLog> events;
    std::unique_ptr<SimFaultPoints> faults;
    std::unique_ptr<core::Node> node;  // Null while the daemon is down.
    std::string node_id;
    core::Identity identity;  // From config.identity_seed, derived once (a keypair costs an ed25519 scalar multiplication).
    // Delivery counters of daemons that have stopped (restarts, reboots); what they still held
    // counts as dropped.
    core::PushersTotals delivery_retired;
    std::uint64_t daemon_restarts = 0;
    bool crash_pending = false;  // A fault point killed the daemon; the new one starts next.
    std::uint64_t reboots = 0;
  };

  // publisher: where the nodes' logs and stats go. Null (the default) is the world's FakeRedis; a
  // caller may plug in another core::Publisher (a real redis), which must outlive the world.
  explicit World(std::uint64_t seed, core::Publisher* publisher = nullptr);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Adds a node and starts its daemon now.
  std::size_t add_node(const NodeSetup& setup);
  // The daemon stops and starts again on the same cache; containers keep running.
  void restart_daemon(std::size_t index);
  // The daemon dies (a fault point that kills it fired) and a new one starts daemon_respawn_ms
  // later; the trace says "daemon_crash".
  void crash_daemon(std::size_t index);
  static constexpr std::int64_t daemon_respawn_ms = 1'000;
  // The node reboots: containers and mounts die, the reservation cache is wiped; volumes and flists are kept.
  void reboot_node(std::size_t index);
  // Stops every daemon (containers keep running); the destructor does it too.
  void stop_daemons();

  void run_until(std::int64_t time_ms);

  // Routes every node's publishing to another Publisher (a real redis through adapters/) instead
  // of the fake redis. Call before the first add_node; the publisher must outlive the world.
  void use_publisher(core::Publisher& publisher);
  // Called before each event with the event's virtual time: a real-time run sleeps there until
  // the wall clock catches up, and a run with a real publisher lets its I/O make progress.
  void set_pacer(std::function<void(std::int64_t next_event_ms)> pacer) { pacer_ = std::move(pacer); }
  bool uses_fake_redis() const { return publisher_ == redis_.get(); }
  std::int64_t now_ms() const { return scheduler_.now_ms(); }

  // A user's identity, derived from the seed and the user id, for secret encryption. Derived once
  // per user and kept: a world asks for it at every workload it submits.
  const core::Identity& user_identity(const std::string& user_id) const;
  // What a user does to put a secret in a reservation for this node (core::encrypt_secret), with
  // the shared key of each (user, node) pair computed once per world.
  std::string encrypt_secret(const std::string& user_id, const core::Identity& node, std::uint32_t version,
                             std::string_view plaintext, std::uint64_t nonce_seed);

  kernel::VirtualScheduler& scheduler() { return scheduler_; }
  // What the nodes sign with (a daemon a test builds by hand takes it too).
  core::Signer& signer() { return signatures_; }
  kernel::Trace& trace() { return trace_; }
  fakes::FakeExplorer& explorer() { return *explorer_; }
  fakes::FakeHub& hub() { return *hub_; }
  fakes::FakeRedis& redis() { return *redis_; }
  std::size_t node_count() const { return nodes_.size(); }
  NodeSlot& node(std::size_t index) { return *nodes_.at(index); }
  const NodeSlot& node(std::size_t index) const { return *nodes_.at(index); }
  // Delivery counters of the node over every daemon it ran.
  core::PushersTotals delivery_totals(std::size_t index) const;
  // The index of the node with that label or node id; node_count() when there is none.
  std::size_t find_node(std::string_view label_or_id) const;
  // The index of the node with this label, or node_count().
  std::size_t find_label(std::string_view label) const;
  std::uint64_t seed() const { return seed_; }
  kernel::Prng& prng() { return prng_; }

 private:
  void start_daemon(NodeSlot& slot);
  void stop_daemon(NodeSlot& slot);

  std::uint64_t seed_;
  kernel::Prng prng_;
  kernel::VirtualScheduler scheduler_;
  kernel::Trace trace_;
  // Every daemon signs through the ledger, which the explorer consults before it verifies
  // (fakes/signature_ledger.hpp). Declared before the nodes, so that it outlives them.
  core::KeySigner key_signer_;
  fakes::SignatureLedger signatures_{key_signer_};
  std::unique_ptr<fakes::FakeExplorer> explorer_;
  std::unique_ptr<fakes::FakeHub> hub_;
  std::unique_ptr<fakes::FakeRedis> redis_;
  core::Publisher* publisher_;
  std::vector<std::unique_ptr<NodeSlot>> nodes_;
  std::function<void(std::int64_t)> pacer_;
  mutable std::map<std::string, core::Identity, std::less<>> user_identities_;
  core::SecretEncryptor secret_encryptor_;
  std::map<std::string, std::size_t, std::less<>> node_by_name_;   // Label or node id -> index.
  std::map<std::string, std::size_t, std::less<>> node_by_label_;  // Label -> index.  // By user id, derived on first use.
};

}  // namespace zsim::sim
