#pragma once
// The fault points of the core (BUGGIFY): every place where the real node can fail between two
// steps of its work, each named once here. The core asks `FaultPoints::fire(name)` at the point;
// outside simulation nothing fires. In simulation a point fires when a scenario switched it on
// ("buggify" steps) or, in a fuzz run, when it switched itself on the first time it was reached
// (sim/world.hpp, SimFaultPoints). Whatever fires, the properties must still hold: a fault point
// is a way in which the world may fail, never a licence for the core to misbehave.

#include <array>
#include <string_view>

namespace zsim::core {

struct FaultPointInfo {
  std::string_view name;
  std::string_view what;  // What fails, and what the core must do about it.
  // The daemon dies at this point: the core does nothing more after it fires (it returns at
  // once), and the world starts a new daemon on the node at the same moment.
  bool kills_daemon = false;
};

inline constexpr std::array<FaultPointInfo, 7> fault_points{{
    {"container.network_join", "the container's network namespace cannot be made: the provision fails and is rolled back"},
    {"container.mount", "the flist cannot be mounted: the provision fails and is rolled back"},
    {"container.mounted", "the mount is made but the step after it fails: the mount must be undone with the rest"},
    {"container.start", "the container's process cannot start: the provision fails and is rolled back"},
    {"container.sigterm_lost", "a SIGTERM of a decommission is lost: the decommission must still end, by SIGKILL"},
    {"container.decommission", "the container daemon does not answer a decommission: it is deferred, tried again at the next poll or expiry scan, and ends with one \"deleted\""},
    {"node.before_result_saved", "the daemon dies after a provision completed, before its record and result are saved: the next daemon must not leave the container running unowned, and the workload still ends with one result", true},
}};

inline constexpr const FaultPointInfo* find_fault_point(std::string_view name) {
  for (const FaultPointInfo& point : fault_points) {
    if (point.name == name) return &point;
  }
  return nullptr;
}

inline constexpr bool is_fault_point(std::string_view name) { return find_fault_point(name) != nullptr; }

}  // namespace zsim::core
