#include "sim/swarm_faults.hpp"

#include <array>
#include <cassert>
#include <string_view>

namespace zsim::sim {

namespace {

enum class Target : std::uint8_t { none, server, flist, node };

struct SwarmKind {
  std::string_view kind;
  Target target;
  bool refuses_valid;  // May make a valid reservation end with an error.
};

// Every kind of the scenario format but runtime.cpu_limit_inverted, which reproduces a zos bug
// on purpose (the container's CPU limit is wrong by design, not by fault) and buggify, which the
// choice below handles with its points.
constexpr std::array<SwarmKind, 19> swarm_kinds{{
    {"hub.down", Target::none, true},           {"hub.slow", Target::none, false},
    {"hub.not_found", Target::flist, true},     {"hub.corrupt", Target::flist, true},
    {"hub.md5_mismatch", Target::flist, true},  {"hub.status", Target::flist, true},
    {"redis.down", Target::server, false},      {"redis.refusing", Target::server, false},
    {"redis.slow", Target::server, false},      {"redis.dropping", Target::server, false},
    {"explorer.down", Target::none, false},     {"explorer.slow", Target::none, false},
    {"explorer.result_failures", Target::none, false},
    {"fs_daemon.down", Target::node, true},     {"fs_daemon.dead", Target::node, true},
    {"runtime.fail_starts", Target::node, true}, {"runtime.mount_latency", Target::node, false},
    {"runtime.no_ipv6", Target::node, true},    {"clock.step", Target::none, false},
}};

constexpr std::array<std::string_view, 2> buggify_points{"container.mount", "container.start"};

}  // namespace

SwarmFaultChoice choose_swarm_faults(kernel::Prng& prng) {
  SwarmFaultChoice choice;
  for (const SwarmKind& kind : swarm_kinds) {
    if (!prng.chance(1, 3)) continue;
    SwarmFault fault;
    fault.spec.kind = std::string(kind.kind);
    fault.heals = kind.kind != "clock.step";
    choice.faults.push_back(fault);
    choice.may_refuse_valid = choice.may_refuse_valid || kind.refuses_valid;
  }
  if (prng.chance(1, 3)) {
    for (const std::string_view point : buggify_points) {
      SwarmFault fault;
      fault.spec.kind = "buggify";
      fault.spec.point = std::string(point);
      choice.faults.push_back(fault);
    }
    choice.may_refuse_valid = true;
  }
  choice.container_crashes = prng.chance(1, 2);
  choice.daemon_restarts = prng.chance(1, 2) ? 1 + prng.below(3) : 0;
  choice.reboots = prng.chance(1, 4) ? 1 : 0;
  // A reboot kills the containers; they come back, but a reservation that was mid-provision may
  // end with an error (the mount it was making is gone).
  choice.may_refuse_valid = choice.may_refuse_valid || choice.reboots > 0;
  return choice;
}

SwarmFault draw_swarm_fault_parameters(const SwarmFault& fault, const Scenario& scenario, kernel::Prng& prng) {
  assert(!scenario.nodes.empty() && !scenario.redis.empty() && !scenario.flists.empty());
  SwarmFault drawn = fault;
  FaultSpec& spec = drawn.spec;
  const std::string_view kind = spec.kind;
  for (const SwarmKind& known : swarm_kinds) {
    if (known.kind != kind) continue;
    if (known.target == Target::server) spec.target = scenario.redis[prng.below(scenario.redis.size())].address;
    if (known.target == Target::flist) spec.target = scenario.flists[prng.below(scenario.flists.size())].url;
    if (known.target == Target::node) spec.target = scenario.nodes[prng.below(scenario.nodes.size())].label;
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
  if (kind == "buggify") {
    spec.numerator = 1;
    spec.denominator = 2 + prng.below(99);
    spec.target = scenario.nodes[prng.below(scenario.nodes.size())].label;
  }
  return drawn;
}

}  // namespace zsim::sim
