#pragma once
// The knobs of a node: the settings of its engine (poll, resync and expiry scan intervals), its
// container policy (restart delay, crash window, SIGTERM tries, drain deadline, stats interval)
// and its delivery limits (buffers, publishes in flight, line length, reconnect backoff), each once
// here with its default (the core's), its legal range, and what it changes. A scenario sets them
// per node ("knobs": {"crash_window_ms": 30000}); the swarm draws some of them within their ranges
// (swarm testing of configuration, as FoundationDB's knobs are randomised); the shrinker gives a
// knob back its default when the failure stays without it. Only knobs that differ from their
// default are kept, in name order, so a file says what is unusual about its node and nothing else.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "core/node.hpp"
#include "kernel/prng.hpp"

namespace zsim::sim {

struct NodeKnobInfo {
  std::string_view name;  // As a scenario writes it.
  std::int64_t default_value = 0;
  std::int64_t min = 0;   // The legal range, inclusive. The swarm draws within it.
  std::int64_t max = 0;
  std::string_view what;
};

inline constexpr std::size_t node_knob_count = 18;
const std::array<NodeKnobInfo, node_knob_count>& node_knobs();
// Null when no knob has that name.
const NodeKnobInfo* find_node_knob(std::string_view name);
// "poll_interval_ms, ...": the names, for the errors that refuse an unknown one.
std::string node_knob_list();

// Knob name -> value; only values that differ from the default.
using NodeKnobs = std::map<std::string, std::int64_t>;

// Checks every knob is known and in its range, and that the knobs agree with one another (a
// backoff's maximum is not below its start, a line fits its buffer). The error names the knob.
core::Status check_node_knobs(const NodeKnobs& knobs);
// Sets the knobs on a node's configuration; the knobs must have passed check_node_knobs.
void apply_node_knobs(const NodeKnobs& knobs, core::NodeConfig& config);
// "crash_window_ms=30000 poll_interval_ms=5000": for the trace ("" when every knob is default).
std::string format_node_knobs(const NodeKnobs& knobs);
// A few knobs (none to four) drawn within their legal ranges, always a set check_node_knobs takes.
NodeKnobs draw_swarm_knobs(kernel::Prng& prng);

}  // namespace zsim::sim
