#pragma once
// Which faults one swarm run switches on. Swarm testing (Groce et al., as FoundationDB and
// TigerBeetle use it): each seed enables a random subset of the fault kinds, so that a run is not
// drowned in every fault at once and rare interleavings of a few get explored.

#include <cstdint>
#include <vector>

#include "kernel/prng.hpp"
#include "sim/scenario.hpp"

namespace zsim::sim {

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
  bool buggify = false;
};

SwarmFaultChoice choose_swarm_faults(kernel::Prng& prng);
// The fault of one window: a target (a server, an flist, a node) and parameters within range.
SwarmFault draw_swarm_fault_parameters(const SwarmFault& fault, const Scenario& scenario, kernel::Prng& prng);

}  // namespace zsim::sim
