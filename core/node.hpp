#pragma once
// The node engine: the provisioning daemon of one Zero-OS node. It polls the explorer every 10 s
// from the last reservation id seen, processes workloads one at a time in type order, scans for
// expired workloads every 20 s, and answers every workload with exactly one result (ok or error),
// and a decommissioned one with exactly one "deleted". It keeps its cache in the Store, so a
// daemon restart (destroying this object and making a new one on the same Store) re-attaches to
// running containers and re-sends results, and a node reboot provisions everything again.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/capacity.hpp"
#include "core/container_manager.hpp"
#include "core/flist_cache.hpp"
#include "core/identity.hpp"
#include "core/lifetime_guard.hpp"
#include "core/network_registry.hpp"
#include "core/ports.hpp"
#include "core/result_sender.hpp"
#include "core/volume_manager.hpp"

namespace zsim::core {

struct NodeConfig {
  Seed32 identity_seed{};
  CapacityUsage totals;
  bool ipv4_only = false;
  std::int64_t poll_interval_ms = 10'000;
  std::int64_t expiry_scan_interval_ms = 20'000;
  // zos #672: a reservation with an id below the cursor that became deployable late was never seen
  // until a restart. Every resync interval the engine polls from 0 again.
  std::int64_t resync_interval_ms = 60'000;
  // A creation date further than this in the future is "wrong" (clock skew allowance).
  std::int64_t creation_skew_max_s = 300;
  std::size_t queue_max = 1'000'000;
  ContainerPolicy container;
  // Test-only: bugs planted in this node's core (core/planted_bugs.hpp), handed to its parts.
  PlantedBugs planted{};
};

struct NodePorts {
  Scheduler& scheduler;
  Explorer& explorer;
  FlistHub& hub;
  ContainerRuntime& runtime;
  Publisher& publisher;
  Store& store;
  Rng& rng;
  EventLog& events;
  FaultPoints& faults;
  Signer& signer;
};

struct NodeCounters {
  std::uint64_t polls = 0;
  std::uint64_t polls_failed = 0;
  std::uint64_t provisioned = 0;      // ok results first sent.
  std::uint64_t provision_errors = 0; // error results first sent.
  std::uint64_t decommissioned = 0;
  std::uint64_t results_resent = 0;   // Cached results sent again on re-delivery.
  std::uint64_t self_decommissions = 0;
};

class Node {
 public:
  Node(NodeConfig config, NodePorts ports);
  // The daemon stops: timers cancelled, containers left running (detached), nothing decommissioned.
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Restores the cache, then polls at once and every poll interval.
  void start();

  const std::string& id() const { return node_id_; }
  const Identity& identity() const { return identity_; }
  const CapacityUsage& used() const { return ledger_.used(); }
  // What each workload holds, by workload id (the sum is used()).
  const std::map<std::string, CapacityUsage>& capacity_held() const { return ledger_.held(); }
  // What the node reports to the explorer: used(), less what provisions still in flight hold.
  CapacityUsage reported_usage() const;
  const CapacityUsage& totals() const { return ledger_.totals(); }
  const NodeCounters& counters() const { return counters_; }
  const ResultSenderCounters& result_counters() const { return results_.counters(); }
  PushersTotals delivery_totals() const { return containers_.delivery_totals(); }
  const NetworkRegistry& networks() const { return networks_; }
  std::size_t containers_running() const { return containers_.running(); }
  std::vector<std::string> cached_workloads() const;
  // True when nothing is queued, processing or waiting to be sent.
  bool idle() const;

 private:
  struct Cached {
    Workload workload;
    ResultState state = ResultState::ok;
    std::string data_json;
  };
  struct Job {
    Workload workload;
    bool resend = false;  // A cache hit on this job re-sends the cached result.
  };

  void restore();
  void schedule_poll(std::int64_t delay_ms);
  void poll();
  void on_polled(Expected<std::vector<Workload>> workloads, bool resend);
  std::set<std::string> promises_to_restore(const std::vector<Workload>& listing);
  void enqueue(const Workload& workload, bool resend);
  void process_next();
  void process(Job job);
  void provision(const Workload& workload);
  void decommission(const Workload& workload);
  Status check_engine_rules(const Workload& workload) const;
  void provisioned(const Workload& workload, const std::string& data_json);
  void failed(const Workload& workload, const std::string& message);
  void decommission_deferred(const Workload& workload, const Status& why);
  void decommissioned(const std::string& workload_id);
  void mark_ended(const std::string& workload_id, std::optional<Workload> workload = std::nullopt);
  void on_self_decommissioned(const std::string& workload_id, const std::string& message);
  void on_result_accepted(const ProvisionResult& result);
  void scan_expired();
  void job_done();
  void save(const Cached& cached);
  void forget(const std::string& workload_id);
  void report_capacity();

  NodeConfig config_;
  NodePorts ports_;
  Identity identity_;
  std::string node_id_;
  CapacityLedger ledger_;
  NetworkRegistry networks_;
  VolumeManager volumes_;
  FlistCache flists_;
  ResultSender results_;
  ContainerManager containers_;
  NodeCounters counters_;

  std::map<std::string, Cached> cache_;
  std::deque<Job> queue_;
  std::set<std::string> queued_;  // Job keys: the workload id, with "#delete" for deletes.
  bool processing_ = false;
  std::uint64_t cursor_ = 0;
  bool poll_in_flight_ = false;
  bool first_poll_ = true;
  std::int64_t last_resync_ms_ = 0;
  TimerId poll_timer_ = 0;
  TimerId expiry_timer_ = 0;
  bool started_ = false;
  // Last, so destroyed first: no port's completion runs into a half-destroyed object.
  LifetimeGuard lifetime_;
};

std::string_view to_string(WorkloadType type);
// The order zos processes workloads in: network, network_resource, zdb, volume, container, kubernetes.
int type_order(WorkloadType type);
std::string workload_to_json(const Workload& workload);
Expected<Workload> workload_from_json(std::string_view text);

}  // namespace zsim::core
