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
};

inline constexpr std::array<FaultPointInfo, 5> fault_points{{
    {"container.network_join", "the container's network namespace cannot be made: the provision fails and is rolled back"},
    {"container.mount", "the flist cannot be mounted: the provision fails and is rolled back"},
    {"container.mounted", "the mount is made but the step after it fails: the mount must be undone with the rest"},
    {"container.start", "the container's process cannot start: the provision fails and is rolled back"},
    {"container.sigterm_lost", "a SIGTERM of a decommission is lost: the decommission must still end, by SIGKILL"},
}};

inline constexpr bool is_fault_point(std::string_view name) {
  for (const FaultPointInfo& point : fault_points) {
    if (point.name == name) return true;
  }
  return false;
}

}  // namespace zsim::core
