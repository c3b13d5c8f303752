#pragma once
// `zsim run --explain`: the trace of a run told as a timeline a person can follow — time from the
// start (+mm:ss.mmm), who (a node's label, the explorer, the hub, redis, the scenario), and what
// happened in words. Routine traffic is summarised rather than listed: redis publishes are counted
// per channel between two other events, polls that find nothing new are left out, and a line that
// repeats (a reconnect loop, a failing poll) is shown once with how many times it came.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace zsim::sim {

// trace_lines: "<time_ms> <node> <kind> <fields>"; node_labels: node id -> label (explorer lines
// name nodes by id); start_ms: the virtual time the scenario started at.
std::vector<std::string> explain_timeline(const std::vector<std::string>& trace_lines,
                                          const std::map<std::string, std::string>& node_labels,
                                          std::int64_t start_ms);

}  // namespace zsim::sim
