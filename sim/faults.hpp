#pragma once
// The fault catalogue: every fault kind zsim can inject, once. Each entry says what the kind
// targets (a redis server, an flist, a node), which parameter it takes, whether it heals, whether
// it may make a valid reservation fail, and how often a swarm run enables it. The scenario loader
// reads fault steps through it, the scenario runner applies and heals faults through apply_fault,
// the swarm draws from it and the random world of `zsim sim` applies its faults with it too, so a
// kind a scenario can write is a kind the fuzzer draws (FoundationDB's simulator keeps its fault
// injection in one place for the same reason).
//
// Fault points in the core (BUGGIFY) are listed apart, in core/fault_points.hpp: the "buggify"
// kind switches one on explicitly; a swarm run lets them switch themselves on (sim/world.hpp).

#include <cstdint>
#include <string_view>
#include <vector>

#include "kernel/prng.hpp"
#include "sim/scenario.hpp"
#include "sim/world.hpp"

namespace zsim::sim {

// What a fault step names besides its kind.
enum class FaultTarget : std::uint8_t {
  none,            // The whole hub, the explorer, the clock.
  server,          // "server": a redis server of "redis".
  flist,           // "flist": an flist of "flists".
  flist_or_all,    // "flist" optional: without it, every request (hub.status).
  node,            // "node": a node label.
  node_or_all,     // "node" optional: without it, every node (buggify).
};

// The parameter a fault step gives when it injects (a heal gives none).
enum class FaultParameter : std::uint8_t { none, latency, rate, rate_or_count, count, point_and_rate, by, status };

struct FaultKindInfo {
  std::string_view name;  // As written in scenario files: "hub.down".
  FaultTarget target;
  FaultParameter parameter;
  bool heals;          // false: a one-off event (a clock step), never "healed".
  bool refuses_valid;  // May make a valid reservation end with an error.
  // Percent of swarm runs that enable this kind; 0: the swarm never draws it (a zos bug
  // reproduced on purpose is not a fault to explore).
  std::uint32_t swarm_percent;
  std::string_view what;  // One line for --help and docs.
};

const std::vector<FaultKindInfo>& fault_catalogue();
const FaultKindInfo* find_fault_kind(std::string_view name);
// The kinds a swarm run may draw (swarm_percent > 0), in catalogue order: the kinds a campaign's
// coverage report expects to see.
std::vector<std::string> swarm_fault_kinds();

// Injects (on) or heals (off) one fault in the world, on every node it targets.
void apply_fault(World& world, const FaultSpec& fault, bool on);

// Which faults one swarm run switches on. Swarm testing (Groce et al., as FoundationDB and
// TigerBeetle use it): each seed enables a random subset of the kinds, so that a run is not drowned
// in every fault at once and rare interleavings of a few get explored.
struct SwarmFault {
  FaultSpec spec;     // Kind; the target and parameters are drawn per window.
  bool heals = true;  // false: a one-off event (a clock step).
};

struct SwarmFaultChoice {
  std::vector<SwarmFault> faults;
  // True when an enabled kind may make a valid reservation fail (the hub breaks an flist, starts
  // fail, IPv6 never comes...): then no valid reservation is expected to end ok.
  bool may_refuse_valid = false;
  bool container_crashes = false;
  std::uint64_t daemon_restarts = 0;
  std::uint64_t reboots = 0;
  // The core's fault points switch themselves on when first reached (BUGGIFY).
  bool buggify = false;
};

SwarmFaultChoice choose_swarm_faults(kernel::Prng& prng);
// The fault of one window: a target (a server, an flist, a node) and parameters within range.
SwarmFault draw_swarm_fault_parameters(const SwarmFault& fault, const Scenario& scenario, kernel::Prng& prng);

}  // namespace zsim::sim
