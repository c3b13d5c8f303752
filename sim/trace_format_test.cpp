// Every event of the trace is "<time_ms> <node> <kind> <key=value ...>", each value escaped by the
// one escaper (core/trace_value.hpp): no positional field, no bare space or quote inside a value.
// Checked over a fuzz-sized swarm campaign and over the whole scenario library, whose scenarios
// reach the events a swarm run rarely writes (redis reconnects, stats that stop, deferred deletes).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/trace_line.hpp"
#include "sim/scenario.hpp"
#include "sim/scenario_runner.hpp"
#include "sim/swarm.hpp"

namespace zsim::sim {
namespace {

bool is_key_character(char character) {
  return (character >= 'a' && character <= 'z') || (character >= '0' && character <= '9') || character == '_' ||
         character == '.';
}

// Why the line is not key=value ("" when it is).
std::string format_error(std::string_view line) {
  const std::optional<kernel::TraceLineView> parsed = kernel::parse_trace_line(line);
  if (!parsed) return "not <time_ms> <node> <kind>";
  if (parsed->node.empty() || parsed->kind.empty()) return "an empty node or kind";
  std::string_view fields = parsed->fields;
  // Each pass consumes one field: bounded by the line's length.
  while (!fields.empty()) {
    const std::size_t end = std::min(fields.find(' '), fields.size());
    const std::string_view pair = fields.substr(0, end);
    const std::size_t equals = pair.find('=');
    if (equals == std::string_view::npos || equals == 0) return "a field without a key: '" + std::string(pair) + "'";
    if (!std::all_of(pair.begin(), pair.begin() + static_cast<std::ptrdiff_t>(equals), is_key_character)) {
      return "a key outside [a-z0-9_.]: '" + std::string(pair) + "'";
    }
    if (equals + 1 == pair.size()) return "an empty value (written \"\"): '" + std::string(pair) + "'";
    const std::string_view value = pair.substr(equals + 1);
    if (value != "\"\"" && value.find('"') == 0) return "a quoted value: '" + std::string(pair) + "'";
    if (kernel::trace_field(parsed->fields, pair.substr(0, equals)).empty()) return "a field trace_field misses";
    fields = end < fields.size() ? fields.substr(end + 1) : std::string_view{};
  }
  return "";
}

TEST(TraceFormat, TheCheckerOfThisTestRefusesPositionalAndQuotedFields) {
  EXPECT_EQ(format_error("1 node-1 provision workload=1-1 type=container"), "");
  EXPECT_EQ(format_error("1 node-1 heal_all"), "");
  EXPECT_NE(format_error("1 node-1 redis.connected 1-1 10.0.0.1:6379"), "");
  EXPECT_NE(format_error("1 node-1 poll_failed error=\"explorer down\""), "");
  EXPECT_NE(format_error("1 node-1 x a=1  b=2"), "");
  EXPECT_NE(format_error("1 node-1 x a="), "");
}

void expect_key_value_lines(const std::vector<std::string>& lines, const std::string& what,
                            std::set<std::string>& kinds) {
  for (const std::string& line : lines) {
    const std::string error = format_error(line);
    ASSERT_EQ(error, "") << what << ": " << line;
    kinds.insert(std::string(kernel::parse_trace_line(line)->kind));
  }
}

// A fuzz campaign's size: the small profile's seeds with every fault of the catalogue in reach.
TEST(TraceFormat, EveryEventOfAFuzzCampaignIsKeyValue) {
  std::set<std::string> kinds;
  std::size_t lines = 0;
  for (std::uint64_t seed = 1; seed <= 12; seed += 1) {
    SwarmOptions options;
    options.seed = seed;
    options.profile = *find_swarm_profile("small");
    const ScenarioRun run = run_scenario(generate_swarm_scenario(options));
    ASSERT_FALSE(run.trace_lines.empty());
    expect_key_value_lines(run.trace_lines, "seed " + std::to_string(seed), kinds);
    lines += run.trace_lines.size();
  }
  EXPECT_GT(lines, 10'000u);
  EXPECT_GT(kinds.size(), 40u);
}

TEST(TraceFormat, EveryEventOfTheScenarioLibraryIsKeyValue) {
  const char* source = std::getenv("ZSIM_SOURCE_DIR");
  ASSERT_NE(source, nullptr) << "ZSIM_SOURCE_DIR must point at the source tree";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(source) / "scenarios")) {
    if (entry.path().extension() == ".json" && entry.path().filename() != "schema.json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 20u);
  std::set<std::string> kinds;
  for (const std::filesystem::path& file : files) {
    const core::Expected<Scenario> scenario = load_scenario_file(file.string());
    ASSERT_TRUE(scenario.ok()) << file << ": " << scenario.error();
    const ScenarioRun run = run_scenario(scenario.value());
    expect_key_value_lines(run.trace_lines, file.filename().string(), kinds);
  }
  // The events that were positional or quoted before are among those checked.
  for (const char* kind : {"redis.connected", "redis.disconnected", "redis.closed", "stats.stopped", "poll_failed",
                           "decommission_deferred", "provision_error", "self_decommission", "program"}) {
    EXPECT_EQ(kinds.count(kind), 1u) << kind << " never written by the scenario library";
  }
}

}  // namespace
}  // namespace zsim::sim
