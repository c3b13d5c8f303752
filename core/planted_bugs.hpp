#pragma once
// Bugs the fuzzer must find: a test-only switch that plants realistic mistakes in the core, so the
// test suite can prove that `zsim fuzz` finds each (and shrinks it to a short scenario). Nothing
// plants a bug unless a scenario or a fuzz campaign asks by name ("plant_bugs", --plant-bug);
// outside tests every switch is off. Each bug is one a provisioning engine could really have.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zsim::core {

enum class PlantedBug : std::uint8_t {
  hdd_never_released,          // An HDD volume's capacity is never given back.
  stats_lost_after_reconnect,  // After a redis reconnect, one stats tick is counted delivered but never sent.
  log_line_twice_after_reconnect,  // After a redis reconnect, the last delivered line goes out again.
  crash_limit_off_by_one,      // The crash policy gives up at the 5th exit of a window, not the 4th.
  ip_check_skipped_in_poll,    // The second container provisioned in one poll skips the IP uniqueness check.
  hdd_root_disk_charged_as_ssd,  // A container's HDD root disk is charged to SSD (and given back there).
};

struct PlantedBugInfo {
  PlantedBug bug;
  std::string_view name;
};

inline constexpr std::array<PlantedBugInfo, 6> planted_bug_names{{
    {PlantedBug::hdd_never_released, "hdd_never_released"},
    {PlantedBug::stats_lost_after_reconnect, "stats_lost_after_reconnect"},
    {PlantedBug::log_line_twice_after_reconnect, "log_line_twice_after_reconnect"},
    {PlantedBug::crash_limit_off_by_one, "crash_limit_off_by_one"},
    {PlantedBug::ip_check_skipped_in_poll, "ip_check_skipped_in_poll"},
    {PlantedBug::hdd_root_disk_charged_as_ssd, "hdd_root_disk_charged_as_ssd"},
}};

inline constexpr std::optional<PlantedBug> find_planted_bug(std::string_view name) {
  for (const PlantedBugInfo& info : planted_bug_names) {
    if (info.name == name) return info.bug;
  }
  return std::nullopt;
}

// "hdd_never_released, ...": the names, for the errors that refuse an unknown one.
inline std::string planted_bug_list() {
  std::string names;
  for (const PlantedBugInfo& info : planted_bug_names) names += (names.empty() ? "" : ", ") + std::string(info.name);
  return names;
}

// A set of planted bugs; empty (the real core) by default.
class PlantedBugs {
 public:
  void plant(PlantedBug bug) { mask_ |= bit(bug); }
  bool has(PlantedBug bug) const { return (mask_ & bit(bug)) != 0; }
  bool empty() const { return mask_ == 0; }
  bool operator==(const PlantedBugs&) const = default;

 private:
  static constexpr std::uint32_t bit(PlantedBug bug) { return std::uint32_t{1} << static_cast<std::uint8_t>(bug); }
  std::uint32_t mask_ = 0;
};

}  // namespace zsim::core
