#pragma once
// The container primitive on one node: provisioning (steps 1-11 of docs/ZOS.md, "The container
// primitive", with every "ours" difference listed there), the crash policy, decommission, and recovery after a daemon restart. Each running
// container has its log and stats pushers. Every provisioning failure is rolled back step by step.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/capacity.hpp"
#include "core/container_pushers.hpp"
#include "core/flist_cache.hpp"
#include "core/flist_image.hpp"
#include "core/identity.hpp"
#include "core/lifetime_guard.hpp"
#include "core/network_registry.hpp"
#include "core/ports.hpp"
#include "core/reservation.hpp"
#include "core/stats_clock.hpp"
#include "core/volume_manager.hpp"

namespace zsim::core {

// Adds from to into. With abandoned, lines still buffered or in flight count as dropped: their
// pushers are going away (a daemon restart) and nothing will deliver them.
void accumulate(PushersTotals& into, const PushersTotals& from, bool abandoned = false);

struct ContainerPolicy {
  std::int64_t restart_delay_ms = 2'000;
  // Exits that end the container when they fall in one crash window: a window opens at the first
  // exit of a burst and closes crash_window_ms later, inclusive, however many exits follow.
  std::uint32_t crashes_max = 4;
  std::int64_t crash_window_ms = 60'000;
  std::uint32_t sigterm_tries = 3;          // SIGTERM this many times, 1 s apart, then SIGKILL.
  std::int64_t sigterm_interval_ms = 1'000;
  // The wait for a public IPv6: zos's randomised exponential backoff (cenkalti/backoff with
  // MaxInterval 20 s and MaxElapsedTime 2 min): the interval starts at 500 ms and grows by half
  // each try up to 20 s, each wait drawn within +-50 % of it, and the wait gives up at the first
  // failed try past 2 minutes.
  std::int64_t ipv6_wait_max_ms = 120'000;
  std::int64_t ipv6_interval_initial_ms = 500;
  std::int64_t ipv6_interval_max_ms = 20'000;
  std::int64_t drain_deadline_ms = 5'000;   // How long pushers may drain at decommission.
  std::int64_t stats_interval_ms = 2'000;
  DeliveryLimits delivery;
  PlantedBugs planted{};  // Test-only (core/planted_bugs.hpp).
};

// What the manager tells the engine when a provision or decommission ends.
struct ContainerOutcome {
  bool ok = false;
  std::string message;    // Error text when !ok.
  std::string data_json;  // Result data when ok.
};

class ContainerManager {
 public:
  using Done = std::function<void(ContainerOutcome)>;
  // Self-decommission (too many crashes, a restart that cannot start): the engine sends "deleted"
  // and then the error result, in zos's order.
  using SelfDecommissioned = std::function<void(const std::string& workload_id, const std::string& message)>;

  struct Ports {
    Scheduler& scheduler;
    ContainerRuntime& runtime;
    Publisher& publisher;
    Store& store;
    Rng& rng;
    EventLog& events;
    FaultPoints& faults;
  };

  ContainerManager(Ports ports, const Identity& identity, bool ipv4_only, ContainerPolicy policy,
                   CapacityLedger& ledger, NetworkRegistry& networks, VolumeManager& volumes, FlistCache& flists,
                   SelfDecommissioned self_decommissioned);
  ~ContainerManager();
  ContainerManager(const ContainerManager&) = delete;
  ContainerManager& operator=(const ContainerManager&) = delete;

  void provision(const Workload& workload, Done done);
  // The engine saved the record of a provisioned container: its "unfinished" marker may go. Until
  // then a daemon that dies leaves the marker, and the next one reaps the container.
  void commit(const std::string& workload_id);
  // Stops the container and releases everything it held; an already-gone container is fine.
  void decommission(const std::string& workload_id, Done done);
  // After a daemon restart: re-attaches to containers that still run, restarts those that died.
  // A poll's batch begins (the planted bug ip_check_skipped_in_poll counts containers per batch).
  void begin_poll() { ip_checks_in_poll_ = 0; }
  void restore(const Workload& workload, const std::string& data_json);
  // The daemon is going away: forget containers without stopping them.
  void detach_all();
  // After a daemon restart: removes what a provision left half done when the previous daemon
  // stopped in the middle of it (its container, its mount); the explorer delivers the workload
  // again and it is provisioned from the start.
  void reap_unfinished();

  bool has(const std::string& workload_id) const { return containers_.count(workload_id) != 0; }
  bool busy(const std::string& workload_id) const;
  std::size_t running() const { return containers_.size(); }
  std::vector<std::string> names() const;
  // What the containers whose provision has not answered yet hold (reserved, not yet reported).
  CapacityUsage in_flight_usage() const;
  // Delivery counters of every pusher this manager ran, live and retired.
  PushersTotals delivery_totals() const;

 private:
  struct Container;
  class Observer;
  class Settled;

  // Asserts what must hold of a container between two events (each invariant is documented at its
  // assert in container_lifecycle.cpp); the second form checks the workload's container if it is
  // still held, since the event may have ended it.
  void check_invariants(const Container& container) const;
  void check_invariants(const std::string& workload_id) const;

  // Provisioning steps, in order; each calls the next or fail() (container_provision.cpp).
  void step_check(const std::string& workload_id);
  void step_flist(const std::string& workload_id);
  void step_mount(const std::string& workload_id, std::string flist_bytes);
  void step_start(const std::string& workload_id);
  void step_ipv6(const std::string& workload_id);
  void try_ipv6(const std::string& workload_id);
  void succeed(const std::string& workload_id, std::string ipv6);
  void fail(const std::string& workload_id, std::string message);
  Expected<std::vector<std::pair<std::string, std::string>>> decrypt_secrets(
      const Workload& workload, const ContainerReservation& reservation) const;
  Expected<ContainerSpec> build_spec(const Container& container) const;
  void adopt_for_teardown(Container& container);
  std::uint32_t crashes_max() const;
  bool ip_check_skipped(Container& container, const Status& can_join, bool same_poll);
  void restore_attach(const std::string& workload_id, const Expected<FlistImage>& image);
  void reap(const std::string& workload_id);
  void remember_mount(const Container& container);
  void forget_mount(const std::string& workload_id);

  // Lifecycle (container_lifecycle.cpp).
  void on_output(const std::string& workload_id, OutputStream stream, std::string_view chunk);
  void on_exit(const std::string& workload_id, int exit_code);
  void count_exit(Container& container, std::int64_t now_ms) const;
  void schedule_restart(const std::string& workload_id);
  void restart(const std::string& workload_id);
  void remount_and_start(const std::string& workload_id);
  void start_again(const std::string& workload_id);
  void self_decommission(const std::string& workload_id, std::string message);
  void teardown(const std::string& workload_id, bool graceful);
  void stop_step(const std::string& workload_id, std::uint32_t sigterms_sent);
  void finish(const std::string& workload_id);
  void arm_timer(const std::string& workload_id, std::int64_t delay_ms, TimerCallback action);
  void cancel_timer(Container& container);
  void cancel_ipv6_timer(Container& container);
  void retire_pushers(std::unique_ptr<ContainerPushers> pushers);
  std::unique_ptr<ContainerPushers> make_pushers(const std::string& name, const ContainerReservation& reservation);

  Ports ports_;
  const Identity& identity_;
  bool ipv4_only_;
  ContainerPolicy policy_;
  CapacityLedger& ledger_;
  NetworkRegistry& networks_;
  VolumeManager& volumes_;
  FlistCache& flists_;
  SelfDecommissioned self_decommissioned_;
  // Shared by the pushers of every container of this node; declared before them, so it outlives them.
  StatsClock stats_clock_;
  std::map<std::string, std::unique_ptr<Container>> containers_;
  std::vector<std::unique_ptr<ContainerPushers>> draining_;  // Bounded: drained ones are freed.
  PushersTotals retired_totals_;
  std::uint64_t ip_checks_in_poll_ = 0;  // For the planted bug ip_check_skipped_in_poll.
  // Last, so destroyed first: no port's completion runs into a half-destroyed object.
  LifetimeGuard lifetime_;
};

}  // namespace zsim::core
