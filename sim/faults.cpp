#include "sim/faults.hpp"

#include <array>
#include <cassert>
#include <string>

#include "fakes/fake_runtime.hpp"

namespace zsim::sim {

namespace {
constexpr std::int64_t mount_latency_default_ms = fakes::FakeRuntimeConfig{}.mount_latency_ms;
}  // namespace

const std::vector<FaultKindInfo>& fault_catalogue() {
  using T = FaultTarget;
  using P = FaultParameter;
  // In the order the README lists them. Swarm percentages: about one kind in three per run, the
  // kinds that refuse valid reservations a little less often so that "valid ends ok" keeps
  // being checked in many runs.
  static const std::vector<FaultKindInfo> kinds{
      {"hub.down", T::none, P::none, true, true, 30, "the flist hub is unreachable"},
      {"hub.slow", T::none, P::latency, true, false, 33, "the hub answers after a latency"},
      {"hub.not_found", T::flist, P::none, true, true, 25, "the hub answers 404 for one flist"},
      {"hub.corrupt", T::flist, P::none, true, true, 25, "the hub serves a corrupt copy of one flist (its md5 matches)"},
      {"hub.md5_mismatch", T::flist, P::none, true, true, 25, "one flist's .md5 does not match its content"},
      {"redis.down", T::server, P::none, true, false, 33, "a redis server is unreachable"},
      {"redis.refusing", T::server, P::none, true, false, 33, "a redis server refuses connections"},
      {"redis.slow", T::server, P::latency, true, false, 33, "a redis server answers after a latency"},
      {"redis.dropping", T::server, P::rate, true, false, 33, "a redis server drops a share of connections"},
      {"explorer.down", T::none, P::none, true, false, 33, "the explorer is unreachable"},
      {"explorer.slow", T::none, P::latency, true, false, 33, "the explorer answers after a latency"},
      {"explorer.result_failures", T::none, P::rate_or_count, true, false, 33, "result submissions fail (a rate or the next N)"},
      {"fs_daemon.down", T::node, P::none, true, true, 25, "a node's filesystem daemon does not answer"},
      {"fs_daemon.dead", T::node, P::none, true, true, 25, "a node's filesystem daemon dies; its mounts go stale"},
      {"runtime.fail_starts", T::node, P::count, true, true, 25, "a node's next N container starts fail"},
      {"runtime.mount_latency", T::node, P::latency, true, false, 33, "a node's mounts take longer"},
      {"runtime.cpu_limit_inverted", T::node, P::none, true, false, 0,
       "the CPU limit is computed as zos did before PR #1214 (a zos bug reproduced, never drawn by the swarm)"},
      {"runtime.no_ipv6", T::node, P::none, true, true, 25, "a node's router never gives a public IPv6"},
      {"buggify", T::node_or_all, P::point_and_rate, true, true, 0,
       "a fault point of the core fires at a rate (the swarm lets points switch themselves on instead)"},
      {"clock.step", T::none, P::by, false, false, 25, "the clock jumps forward"},
      {"hub.status", T::flist_or_all, P::status, true, true, 25, "the hub answers an HTTP status for one flist or for all"},
  };
  return kinds;
}

const FaultKindInfo* find_fault_kind(std::string_view name) {
  for (const FaultKindInfo& info : fault_catalogue()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

std::vector<std::string> swarm_fault_kinds() {
  std::vector<std::string> kinds;
  for (const FaultKindInfo& info : fault_catalogue()) {
    if (info.swarm_percent > 0) kinds.emplace_back(info.name);
  }
  return kinds;
}

namespace {

void apply_hub_fault(World& world, const FaultSpec& fault, bool on) {
  fakes::FakeHub& hub = world.hub();
  if (fault.kind == "hub.down") hub.set_down(on);
  if (fault.kind == "hub.slow") hub.set_latency_ms(on ? fault.latency_ms : 0);
  if (fault.kind == "hub.not_found") hub.set_not_found(fault.target, on);
  if (fault.kind == "hub.corrupt") hub.set_corrupt(fault.target, on);
  if (fault.kind == "hub.md5_mismatch") hub.set_md5_mismatch(fault.target, on);
  if (fault.kind != "hub.status") return;
  if (fault.target.empty()) return hub.set_status_all(on ? fault.status : 0);
  hub.set_status(fault.target, on ? fault.status : 0);
}

void apply_redis_fault(World& world, const FaultSpec& fault, bool on) {
  fakes::FakeRedis& redis = world.redis();
  if (fault.kind == "redis.down") redis.set_down(fault.target, on);
  if (fault.kind == "redis.refusing") redis.set_refusing(fault.target, on);
  if (fault.kind == "redis.slow") redis.set_latency_ms(fault.target, on ? fault.latency_ms : 0);
  if (fault.kind == "redis.dropping") redis.set_drop_rate(fault.target, on ? fault.numerator : 0, on ? fault.denominator : 1);
}

void apply_explorer_fault(World& world, const FaultSpec& fault, bool on) {
  fakes::FakeExplorer& explorer = world.explorer();
  if (fault.kind == "explorer.down") explorer.set_down(on);
  if (fault.kind == "explorer.slow") explorer.set_latency_ms(on ? fault.latency_ms : 0);
  if (fault.kind != "explorer.result_failures") return;
  if (fault.numerator > 0 || !on) explorer.set_submit_failure_rate(on ? fault.numerator : 0, on ? fault.denominator : 1);
  if (fault.numerator == 0 || !on) explorer.set_submit_failures(on ? fault.count : 0);
}

void apply_node_fault(const FaultSpec& fault, bool on, World::NodeSlot& slot) {
  fakes::FakeRuntime& runtime = *slot.runtime;
  if (fault.kind == "fs_daemon.down") runtime.set_fs_daemon_down(on);
  if (fault.kind == "fs_daemon.dead") on ? runtime.kill_fs_daemon() : runtime.restart_fs_daemon();
  if (fault.kind == "runtime.fail_starts") runtime.fail_next_starts(on ? fault.count : 0);
  if (fault.kind == "runtime.mount_latency") runtime.set_mount_latency_ms(on ? fault.latency_ms : mount_latency_default_ms);
  if (fault.kind == "runtime.cpu_limit_inverted") runtime.set_cpu_limit_inverted(on);
  if (fault.kind == "runtime.no_ipv6") runtime.set_no_ipv6(on);
  if (fault.kind == "buggify") slot.faults->enable(fault.point, on ? fault.numerator : 0, on ? fault.denominator : 1);
}

}  // namespace

void apply_fault(World& world, const FaultSpec& fault, bool on) {
  const FaultKindInfo* info = find_fault_kind(fault.kind);
  assert(info != nullptr);
  assert(on || info->heals);
  if (fault.kind.rfind("hub.", 0) == 0) return apply_hub_fault(world, fault, on);
  if (fault.kind.rfind("redis.", 0) == 0) return apply_redis_fault(world, fault, on);
  if (fault.kind.rfind("explorer.", 0) == 0) return apply_explorer_fault(world, fault, on);
  if (fault.kind == "clock.step") return world.scheduler().advance_to(world.now_ms() + fault.by_ms);
  assert(info->target == FaultTarget::node || info->target == FaultTarget::node_or_all);
  for (std::size_t index = 0; index < world.node_count(); index += 1) {
    if (fault.target.empty() || world.node(index).setup.label == fault.target) apply_node_fault(fault, on, world.node(index));
  }
}

SwarmFaultChoice choose_swarm_faults(kernel::Prng& prng) {
  SwarmFaultChoice choice;
  for (const FaultKindInfo& kind : fault_catalogue()) {
    if (kind.swarm_percent == 0 || !prng.chance(kind.swarm_percent, 100)) continue;
    SwarmFault fault;
    fault.spec.kind = std::string(kind.name);
    fault.heals = kind.heals;
    choice.faults.push_back(fault);
    choice.may_refuse_valid = choice.may_refuse_valid || kind.refuses_valid;
  }
  // The core's fault points switch themselves on in one run in three (BUGGIFY).
  choice.buggify = prng.chance(1, 3);
  choice.may_refuse_valid = choice.may_refuse_valid || choice.buggify;
  choice.container_crashes = prng.chance(1, 2);
  choice.daemon_restarts = prng.chance(1, 2) ? 1 + prng.below(3) : 0;
  choice.reboots = prng.chance(1, 4) ? 1 : 0;
  // A reboot kills the containers; they come back, but a reservation that was mid-provision may
  // end with an error (the mount it was making is gone).
  choice.may_refuse_valid = choice.may_refuse_valid || choice.reboots > 0;
  return choice;
}

// Parameters within the ranges the fakes model faithfully: latencies a real network shows,
// rates that leave some traffic through, statuses a hub really answers.
SwarmFault draw_swarm_fault_parameters(const SwarmFault& fault, const Scenario& scenario, kernel::Prng& prng) {
  assert(!scenario.nodes.empty() && !scenario.redis.empty() && !scenario.flists.empty());
  SwarmFault drawn = fault;
  FaultSpec& spec = drawn.spec;
  const FaultKindInfo* info = find_fault_kind(spec.kind);
  assert(info != nullptr);
  const std::string_view kind = spec.kind;
  if (info->target == FaultTarget::server) spec.target = scenario.redis[prng.below(scenario.redis.size())].address;
  if (info->target == FaultTarget::flist || info->target == FaultTarget::flist_or_all) {
    spec.target = scenario.flists[prng.below(scenario.flists.size())].url;
  }
  if (info->target == FaultTarget::node || info->target == FaultTarget::node_or_all) {
    spec.target = scenario.nodes[prng.below(scenario.nodes.size())].label;
  }
  if (kind == "hub.slow" || kind == "explorer.slow" || kind == "runtime.mount_latency") {
    spec.latency_ms = 500 + static_cast<std::int64_t>(prng.below(4500));
  }
  if (kind == "redis.slow") spec.latency_ms = 50 + static_cast<std::int64_t>(prng.below(500));
  if (kind == "redis.dropping" || kind == "explorer.result_failures") {
    spec.numerator = 1;
    spec.denominator = 2 + prng.below(19);
  }
  if (kind == "runtime.fail_starts") spec.count = 1 + prng.below(3);
  if (kind == "hub.status") {
    constexpr std::array<int, 5> statuses{403, 404, 500, 502, 503};
    spec.status = statuses[prng.below(statuses.size())];
    if (prng.chance(1, 3)) spec.target.clear();  // The whole hub answers with it.
  }
  if (kind == "clock.step") spec.by_ms = 1000 + static_cast<std::int64_t>(prng.below(30'000));
  return drawn;
}

}  // namespace zsim::sim
