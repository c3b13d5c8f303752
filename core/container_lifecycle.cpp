// A container's life after provisioning: output to its pushers, the crash policy (restart after
// 2 s, self-decommission at 4 exits within a minute), decommission (SIGTERM up to 3 times 1 s
// apart, then SIGKILL; unmount; leave the network; release capacity; stop the pushers), and
// recovery after a daemon restart. Anything already gone does not fail a decommission (zos #403,
// #312 and #1024 did).

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

#include "core/container_manager_internal.hpp"
#include "core/flist_image.hpp"
#include "core/md5.hpp"

namespace zsim::core {

namespace {
// After SIGKILL the runtime reports the exit at once; this is how long teardown waits before it
// gives up on the runtime and releases everything anyway.
constexpr std::int64_t kill_wait_max_ms = 10'000;
// Pushers still draining at once; beyond this the oldest is closed without waiting.
constexpr std::size_t draining_max = 4096;
}  // namespace

ContainerManager::ContainerManager(Ports ports, const Identity& identity, bool ipv4_only, ContainerPolicy policy,
                                   CapacityLedger& ledger, NetworkRegistry& networks, VolumeManager& volumes,
                                   FlistCache& flists, SelfDecommissioned self_decommissioned)
    : ports_(ports),
      identity_(identity),
      ipv4_only_(ipv4_only),
      policy_(policy),
      ledger_(ledger),
      networks_(networks),
      volumes_(volumes),
      flists_(flists),
      self_decommissioned_(std::move(self_decommissioned)),
      stats_clock_(ports_.scheduler, policy_.stats_interval_ms) {
  assert(policy_.crashes_max > 0);
  assert(policy_.sigterm_tries > 0);
}

ContainerManager::~ContainerManager() { detach_all(); }

void ContainerManager::detach_all() {
  for (auto& [workload_id, container] : containers_) {
    cancel_timer(*container);
    cancel_ipv6_timer(*container);
    if (container->started) ports_.runtime.detach(workload_id);
  }
  containers_.clear();
  draining_.clear();
}

bool ContainerManager::busy(const std::string& workload_id) const {
  const auto found = containers_.find(workload_id);
  if (found == containers_.end()) return false;
  const Container::State state = found->second->state;
  return state == Container::State::provisioning || state == Container::State::restoring ||
         state == Container::State::stopping;
}

std::vector<std::string> ContainerManager::names() const {
  std::vector<std::string> names;
  for (const auto& [workload_id, container] : containers_) names.push_back(workload_id);
  return names;
}

void ContainerManager::Observer::on_output(OutputStream stream, std::string_view chunk) {
  manager_.on_output(workload_id_, stream, chunk);
}

void ContainerManager::Observer::on_exit(int exit_code) { manager_.on_exit(workload_id_, exit_code); }

void ContainerManager::on_output(const std::string& workload_id, OutputStream stream, std::string_view chunk) {
  const auto found = containers_.find(workload_id);
  if (found == containers_.end() || !found->second->pushers) return;
  found->second->pushers->on_output(stream, chunk);
}

void ContainerManager::on_exit(const std::string& workload_id, int exit_code) {
  const auto found = containers_.find(workload_id);
  if (found == containers_.end()) return;
  const Settled settled(*this, workload_id);
  Container& container = *found->second;
  container.exited = true;
  ports_.events.record("container_exited", fmt::format("workload={} code={}", trace_value(workload_id), exit_code));
  if (container.state == Container::State::stopping) return finish(workload_id);
  count_exit(container, ports_.scheduler.now_ms());
  if (container.crash_count >= crashes_max()) {
    return self_decommission(workload_id, "deleting container due to so many crashes");
  }
  // A process that exits while its provision waits for the public IPv6 is restarted as at any other
  // time (zos's watcher knew nothing of provisions); one still being restored is restarted once
  // the restore ends.
  if (container.state == Container::State::running || container.state == Container::State::provisioning) {
    schedule_restart(workload_id);
  }
}

// zos keeps a container's exits in a cache entry made at the first exit of a burst, with a fixed
// expiry a minute later that later exits do not push back; the entry is gone only once now is
// past the expiry, so an exit at exactly one minute still counts (docs/ZOS.md, "Crashes").
void ContainerManager::count_exit(Container& container, std::int64_t now_ms) const {
  const bool window_open = container.crash_count > 0 && now_ms <= container.crash_window_start_ms + policy_.crash_window_ms;
  if (!window_open) {
    container.crash_window_start_ms = now_ms;
    container.crash_count = 0;
  }
  container.crash_count += 1;
  assert(container.crash_count <= crashes_max());
  assert(now_ms >= container.crash_window_start_ms);
}

std::uint32_t ContainerManager::crashes_max() const {
  return policy_.crashes_max + (policy_.planted.has(PlantedBug::crash_limit_off_by_one) ? 1 : 0);
}

void ContainerManager::schedule_restart(const std::string& workload_id) {
  Container& container = *containers_.at(workload_id);
  assert(container.exited);
  // A provision in progress stays one: its answer is still to come, and the restart does not give it.
  if (container.state != Container::State::provisioning) container.state = Container::State::restarting;
  cancel_timer(container);
  arm_timer(workload_id, policy_.restart_delay_ms, [this, workload_id] { restart(workload_id); });
}

void ContainerManager::restart(const std::string& workload_id) {
  Container& container = *containers_.at(workload_id);
  const bool provisioning = container.state == Container::State::provisioning;
  assert(container.state == Container::State::restarting || provisioning);
  (void)ports_.runtime.remove(workload_id);
  container.started = false;
  const Status started = ports_.runtime.start(container.spec, *container.observer);
  if (started) {
    container.started = true;
    container.exited = false;
    if (!provisioning) container.state = Container::State::running;
    ports_.events.record("container_restarted", fmt::format("workload={}", trace_value(workload_id)));
    return;
  }
  // A provision still waiting for its address fails with the start's error, as its first start
  // would have.
  if (provisioning) return fail(workload_id, "error starting container: " + started.error());
  // zos #1017/#1268: after the filesystem daemon died the mount was stale and every restart
  // failed. Mount the flist again and start on the fresh mount.
  ports_.events.record("container_remount",
                       fmt::format("workload={} error={}", trace_value(workload_id), trace_value(started.error())));
  remount_and_start(workload_id);
}

void ContainerManager::remount_and_start(const std::string& workload_id) {
  Container& container = *containers_.at(workload_id);
  if (container.mounted) (void)ports_.runtime.unmount(workload_id);
  container.mounted = false;
  flists_.fetch(container.reservation.flist, lifetime_.guard([this, workload_id](Expected<std::string> bytes) {
    if (!has(workload_id)) return;
    const Settled settled(*this, workload_id);
    if (!bytes) return self_decommission(workload_id, "error starting container: " + bytes.error());
    Container& remounting = *containers_.at(workload_id);
    remounting.flist_md5 = md5_hex(bytes.value());
    const RootDisk disk = root_disk(remounting.reservation);
    ports_.runtime.mount_flist(workload_id, bytes.value(), disk.size_mib, disk.type,
                               lifetime_.guard([this, workload_id](Expected<std::string> mount) {
                                 if (!has(workload_id)) {
                                   // Decommissioned while this mount was pending: nothing will
                                   // use it or unmount it later, so undo it now.
                                   if (mount) (void)ports_.runtime.unmount(workload_id);
                                   return;
                                 }
                                 const Settled settled(*this, workload_id);
                                 if (!mount) {
                                   return self_decommission(workload_id,
                                                            "error starting container: failed to mount flist: " +
                                                                mount.error());
                                 }
                                 Container& mounted = *containers_.at(workload_id);
                                 mounted.mount = std::move(mount).value();
                                 mounted.mounted = true;
                                 mounted.spec.root_mount = mounted.mount;
                                 remember_mount(mounted);
                                 start_again(workload_id);
                               }));
  }));
}

void ContainerManager::start_again(const std::string& workload_id) {
  Container& container = *containers_.at(workload_id);
  (void)ports_.runtime.remove(workload_id);
  const Status started = ports_.runtime.start(container.spec, *container.observer);
  if (!started) return self_decommission(workload_id, "error starting container: " + started.error());
  container.started = true;
  container.exited = false;
  container.state = Container::State::running;
  if (!container.pushers->started()) container.pushers->start();
  ports_.events.record("container_restarted", fmt::format("workload={} remounted=true", trace_value(workload_id)));
}

void ContainerManager::self_decommission(const std::string& workload_id, std::string message) {
  Container& container = *containers_.at(workload_id);
  if (container.state == Container::State::stopping) return;
  ports_.events.record("self_decommission", fmt::format("workload={} reason={}", trace_value(workload_id), trace_value(message)));
  container.self_decommission = true;
  container.failure_message = std::move(message);
  if (container.state == Container::State::restoring) adopt_for_teardown(container);
  teardown(workload_id, /*graceful=*/false);
}

// A restore that fails before it attached still owns the process that outlived the daemon: attach
// to it so the teardown kills and removes it, as reap() does for an unfinished provision (a fuzz
// seed found the process left running, its mount busy, after a restore failed).
void ContainerManager::adopt_for_teardown(Container& container) {
  assert(container.state == Container::State::restoring && !container.started);
  if (!container.observer) container.observer = std::make_unique<Observer>(*this, container.workload.id);
  const bool running = ports_.runtime.attach(container.workload.id, *container.observer).ok();
  container.started = true;  // So that finish() removes whatever exited under this name.
  container.exited = !running;
}

void ContainerManager::decommission(const std::string& workload_id, Done done) {
  const auto found = containers_.find(workload_id);
  if (found == containers_.end()) {
    // Nothing of it runs here (never provisioned, already gone, or lost in a reboot): that is done.
    done(ContainerOutcome{true, "", ""});
    return;
  }
  const Settled settled(*this, workload_id);
  Container& container = *found->second;
  assert(container.state == Container::State::running || container.state == Container::State::restarting);
  if (ports_.faults.fire("container.decommission")) {
    // Nothing was touched: the container runs on, and the engine tries again later.
    done(ContainerOutcome{false, "failed to delete container: injected fault", ""});
    return;
  }
  ports_.events.record("decommission_start", fmt::format("workload={}", trace_value(workload_id)));
  container.decommission_done = std::move(done);
  teardown(workload_id, /*graceful=*/true);
}

void ContainerManager::teardown(const std::string& workload_id, bool graceful) {
  Container& container = *containers_.at(workload_id);
  container.state = Container::State::stopping;
  cancel_timer(container);
  cancel_ipv6_timer(container);
  if (!container.started || container.exited) return finish(workload_id);
  if (graceful) return stop_step(workload_id, 0);
  const Status killed = ports_.runtime.signal(workload_id, Signal::kill);
  if (!killed) return finish(workload_id);  // Already gone.
  arm_timer(workload_id, kill_wait_max_ms, [this, workload_id] {
    ports_.events.record("kill_timeout", fmt::format("workload={}", trace_value(workload_id)));
    finish(workload_id);
  });
}

// SIGTERM, 1 s, SIGTERM, 1 s, SIGTERM, 1 s, SIGKILL. The exit ends this sequence through on_exit.
void ContainerManager::stop_step(const std::string& workload_id, std::uint32_t sigterms_sent) {
  Container& container = *containers_.at(workload_id);
  assert(container.state == Container::State::stopping);
  if (sigterms_sent >= policy_.sigterm_tries) return teardown(workload_id, /*graceful=*/false);
  // A lost SIGTERM is one the process never saw: the sequence goes on to the next one, then SIGKILL.
  if (!ports_.faults.fire("container.sigterm_lost")) {
    const Status signalled = ports_.runtime.signal(workload_id, Signal::term);
    if (!signalled) return finish(workload_id);  // Already gone: not an error.
  }
  arm_timer(workload_id, policy_.sigterm_interval_ms,
            [this, workload_id, sigterms_sent] { stop_step(workload_id, sigterms_sent + 1); });
}

void ContainerManager::finish(const std::string& workload_id) {
  const auto found = containers_.find(workload_id);
  assert(found != containers_.end());
  std::unique_ptr<Container> container = std::move(found->second);
  containers_.erase(found);
  cancel_timer(*container);
  cancel_ipv6_timer(*container);
  if (container->started) {
    ports_.runtime.detach(workload_id);
    (void)ports_.runtime.remove(workload_id);
  }
  if (container->pushers) retire_pushers(std::move(container->pushers));
  if (container->mounted) (void)ports_.runtime.unmount(workload_id);
  forget_mount(workload_id);
  if (container->namespace_joined) ports_.runtime.leave_network(workload_id);
  if (container->network_joined) {
    const NetworkConnection& connection = container->reservation.network_connection.front();
    (void)networks_.leave(connection.network_id, connection.ipaddress, workload_id);
  }
  if (container->capacity_held) ledger_.release(workload_id);
  ports_.store.erase(unfinished_key(workload_id));
  ports_.events.record("container_released", fmt::format("workload={}", trace_value(workload_id)));
  if (container->provision_done) {
    container->provision_done(ContainerOutcome{false, container->failure_message, ""});
  } else if (container->self_decommission) {
    self_decommissioned_(workload_id, container->failure_message);
  } else if (container->decommission_done) {
    container->decommission_done(ContainerOutcome{true, "", ""});
  }
}

// The container's one timer, armed by a restart delay, a kill wait, a SIGTERM interval or a reap's
// mount wait. It runs `action` only while this manager and the container still exist, with the timer
// already marked unset (the action may arm it again) and inside a Settled scope, whose checks follow.
void ContainerManager::arm_timer(const std::string& workload_id, std::int64_t delay_ms, TimerCallback action) {
  Container& container = *containers_.at(workload_id);
  assert(!container.timer_set && "a timer already armed would be lost");
  assert(delay_ms > 0);
  container.timer = ports_.scheduler.at(ports_.scheduler.now_ms() + delay_ms,
                                        lifetime_.guard([this, workload_id, action = std::move(action)]() mutable {
                                          if (!has(workload_id)) return;
                                          const Settled settled(*this, workload_id);
                                          containers_.at(workload_id)->timer_set = false;
                                          action();
                                        }));
  container.timer_set = true;
}

void ContainerManager::cancel_timer(Container& container) {
  if (container.timer_set) ports_.scheduler.cancel(container.timer);
  container.timer_set = false;
}

void ContainerManager::cancel_ipv6_timer(Container& container) {
  if (container.ipv6_timer_set) ports_.scheduler.cancel(container.ipv6_timer);
  container.ipv6_timer_set = false;
}

void ContainerManager::check_invariants(const std::string& workload_id) const {
  const auto found = containers_.find(workload_id);
  if (found != containers_.end()) check_invariants(*found->second);
}

// What must hold of a container between two events, whatever its state. Checked when every event
// that can move a container has run to its end (Settled), so never in the middle of a transition.
void ContainerManager::check_invariants(const Container& container) const {
  using State = Container::State;
  const State state = container.state;
  const bool live = state == State::running || state == State::restarting;
  // The one timer waits for a restart (only of a process that exited) or for the teardown's signals.
  assert(!container.timer_set || state == State::provisioning || state == State::restarting || state == State::stopping);
  assert(!container.timer_set || state == State::stopping || container.exited);
  // The public IPv6 is awaited only by a provision that asked for one.
  assert(!container.ipv6_timer_set || (state == State::provisioning && container.spec.public_ip6));
  // A running container has a process that has not exited, started on a mount, observed, with its
  // pushers; a restarting one is waiting because its process exited.
  assert(state != State::running ||
         (container.started && !container.exited && container.mounted && container.observer && container.pushers));
  assert(state != State::restarting || container.exited);
  // A live container holds its capacity, its address (unless the planted bug skipped it) and its
  // network namespace, all released by finish() only.
  assert(!live || (container.capacity_held && (container.network_joined || container.ip_unregistered) &&
                   container.namespace_joined && container.observer && container.pushers));
  assert(!container.ip_unregistered || policy_.planted.has(PlantedBug::ip_check_skipped_in_poll));
  // A restore attaches or restarts within its event; until then nothing of this daemon runs or waits.
  assert(state != State::restoring || (!container.started && !container.timer_set && !container.ipv6_timer_set));
  // Acquisition follows the steps' order: capacity, then the address, then a process on a mount.
  assert(!container.network_joined || container.capacity_held);
  assert(!container.started || container.observer);
  assert(state != State::provisioning || !container.started || (container.mounted && container.namespace_joined));
  // Exactly who hears the end: the provision while it lasts (and its rollback), a decommission only
  // while stopping, never both; a self-decommission is always a teardown.
  assert(state != State::provisioning || container.provision_done);
  assert(!container.provision_done || state == State::provisioning || state == State::stopping);
  assert(!container.decommission_done || (state == State::stopping && !container.provision_done));
  assert(!container.self_decommission || state == State::stopping);
  assert(!live || (!container.provision_done && !container.decommission_done && container.failure_message.empty()));
  // The crash window counts at most the policy's limit, and was opened in the past.
  assert(container.crash_count <= crashes_max());
  assert(container.crash_count == 0 || container.crash_window_start_ms <= ports_.scheduler.now_ms());
  (void)live;
}

std::unique_ptr<ContainerPushers> ContainerManager::make_pushers(const std::string& name,
                                                                 const ContainerReservation& reservation) {
  UsableEndpoints usable = usable_endpoints(reservation);
  // A bad endpoint never fails the container, as in zos: it is skipped, and the trace says so.
  for (const std::string& skipped : usable.skipped) {
    ports_.events.record("endpoint_skipped", fmt::format("workload={} reason={}", trace_value(name), trace_value(skipped)));
  }
  std::vector<LogEndpointUrls> logs;
  logs.reserve(usable.logs.size());
  for (UsableEndpoints::Logs& endpoint : usable.logs) {
    logs.push_back(LogEndpointUrls{std::move(endpoint.stdout_url), std::move(endpoint.stderr_url)});
  }
  const std::vector<RedisUrl>& stats = usable.stats;
  return std::make_unique<ContainerPushers>(ports_.scheduler, ports_.publisher, ports_.rng, ports_.runtime, name,
                                            logs, stats, policy_.delivery, policy_.stats_interval_ms, &ports_.events,
                                            &stats_clock_);
}

void ContainerManager::retire_pushers(std::unique_ptr<ContainerPushers> pushers) {
  if (draining_.size() >= draining_max) {
    // Too many still draining: the oldest is abandoned and what it still holds counts as dropped.
    accumulate(retired_totals_, draining_.front()->totals(), /*abandoned=*/true);
    draining_.erase(draining_.begin());
  }
  ContainerPushers* raw = pushers.get();
  draining_.push_back(std::move(pushers));
  raw->stop(ports_.scheduler.now_ms() + policy_.drain_deadline_ms, lifetime_.guard([this, raw] {
    const auto found = std::find_if(draining_.begin(), draining_.end(),
                                    [raw](const std::unique_ptr<ContainerPushers>& draining) { return draining.get() == raw; });
    if (found == draining_.end()) return;
    accumulate(retired_totals_, raw->totals());
    draining_.erase(found);
  }));
}

CapacityUsage ContainerManager::in_flight_usage() const {
  CapacityUsage in_flight;
  for (const auto& [workload_id, container] : containers_) {
    if (!container->capacity_held || !container->provision_done) continue;
    in_flight.cpu += container->need.cpu;
    in_flight.memory_mib += container->need.memory_mib;
    in_flight.ssd_mib += container->need.ssd_mib;
    in_flight.hdd_mib += container->need.hdd_mib;
  }
  return in_flight;
}

PushersTotals ContainerManager::delivery_totals() const {
  PushersTotals totals = retired_totals_;
  for (const auto& draining : draining_) accumulate(totals, draining->totals());
  for (const auto& [workload_id, container] : containers_) {
    if (container->pushers) accumulate(totals, container->pushers->totals());
  }
  return totals;
}

void accumulate(PushersTotals& into, const PushersTotals& from, bool abandoned) {
  DeliveryCounters counters = from.targets;
  if (abandoned) {
    counters.lines_dropped += counters.lines_buffered + counters.lines_in_flight;
    counters.lines_buffered = 0;
    counters.lines_in_flight = 0;
  }
  into.targets += counters;
  into.stats_ticks += from.stats_ticks;
  into.stats_skipped += from.stats_skipped;
  into.lines_out += from.lines_out;
  into.lines_err += from.lines_err;
  into.long_line_pieces += from.long_line_pieces;
  into.endpoints_ignored += from.endpoints_ignored;
}

}  // namespace zsim::core
