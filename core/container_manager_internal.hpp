#pragma once
// The parts of ContainerManager shared by its two source files (provisioning and lifecycle).
// Not for use outside core/container_*.cpp.

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "core/container_manager.hpp"
#include "core/secret_env.hpp"
#include "core/trace_value.hpp"

namespace zsim::core {

struct ContainerManager::Container {
  enum class State : std::uint8_t { provisioning, restoring, running, restarting, stopping };

  Container() = default;
  Container(const Container&) = delete;
  Container& operator=(const Container&) = delete;
  // The decrypted secrets die with the container, overwritten.
  ~Container() {
    wipe_secret_values(spec.environment);
    wipe_secret_values(secrets);
  }

  Workload workload;
  ContainerReservation reservation;
  ContainerSpec spec;  // Holds decrypted secrets: memory only, never stored or traced.
  std::vector<std::pair<std::string, std::string>> secrets;
  std::string image_entrypoint;
  std::vector<std::pair<std::string, std::string>> image_environment;
  std::string mount;
  std::string flist_md5;  // Of the flist bytes the mount was made from (what a restore re-reads).
  std::string data_json;
  CapacityUsage need;
  State state = State::provisioning;

  // What has been acquired, so that teardown releases exactly that.
  bool capacity_held = false;
  bool network_joined = false;
  bool ip_unregistered = false;  // Planted bug ip_check_skipped_in_poll only.
  bool namespace_joined = false;  // The runtime's network namespace (and pub interface) is made.
  bool mounted = false;
  bool started = false;
  bool exited = false;

  std::unique_ptr<Observer> observer;
  std::unique_ptr<ContainerPushers> pushers;
  // The crash window of zos's failure cache (docs/ZOS.md, "Crashes"): opened at the first exit of
  // a burst, closed a crash_window_ms later whatever exits follow.
  std::int64_t crash_window_start_ms = 0;
  std::uint32_t crash_count = 0;  // Exits in the open window; 0 when none is open.
  TimerId timer = 0;
  bool timer_set = false;
  // The wait for the public IPv6 (step 10) has a timer of its own: the process may exit and be
  // restarted meanwhile, on `timer`.
  TimerId ipv6_timer = 0;
  bool ipv6_timer_set = false;
  std::int64_t ipv6_wait_started_ms = 0;
  std::int64_t ipv6_interval_ms = 0;  // The backoff interval before jitter.

  // How the teardown ends: a provision that failed, a decommission, or a self-decommission.
  Done provision_done;
  Done decommission_done;
  std::string failure_message;
  bool self_decommission = false;
};

class ContainerManager::Observer final : public ContainerObserver {
 public:
  Observer(ContainerManager& manager, std::string workload_id)
      : manager_(manager), workload_id_(std::move(workload_id)) {}
  void on_output(OutputStream stream, std::string_view chunk) override;
  void on_exit(int exit_code) override;

 private:
  ContainerManager& manager_;
  std::string workload_id_;
};

// Checks a container's invariants once the event that moved it (an entry point, a timer, a port's
// answer) has run to its end, its tail calls included: every state transition happens inside one
// such event, and in the middle of one the fields are changed one at a time. The id is copied: the
// event may destroy the container, and with it the observer whose id an exit arrives with.
class ContainerManager::Settled {
 public:
  Settled(const ContainerManager& manager, std::string workload_id)
      : manager_(manager), workload_id_(std::move(workload_id)) {}
  Settled(const Settled&) = delete;
  Settled& operator=(const Settled&) = delete;
  ~Settled() { manager_.check_invariants(workload_id_); }

 private:
  const ContainerManager& manager_;
  std::string workload_id_;
};

CapacityUsage capacity_of(const ContainerReservation& reservation, const PlantedBugs& planted);
// The Store key that marks a container provision as unfinished.
std::string unfinished_key(const std::string& workload_id);

}  // namespace zsim::core
