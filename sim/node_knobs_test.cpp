#include "sim/node_knobs.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

namespace zsim::sim {
namespace {

// Two configurations differ in some field a knob sets (the knobs' fields, compared one by one).
std::vector<std::int64_t> knob_fields(const core::NodeConfig& config) {
  const core::ContainerPolicy& policy = config.container;
  const core::DeliveryLimits& limits = policy.delivery;
  return {config.poll_interval_ms,
          config.resync_interval_ms,
          config.expiry_scan_interval_ms,
          policy.restart_delay_ms,
          static_cast<std::int64_t>(policy.crashes_max),
          policy.crash_window_ms,
          static_cast<std::int64_t>(policy.sigterm_tries),
          policy.sigterm_interval_ms,
          policy.drain_deadline_ms,
          policy.stats_interval_ms,
          static_cast<std::int64_t>(limits.buffer_lines_max),
          static_cast<std::int64_t>(limits.buffer_bytes_max),
          static_cast<std::int64_t>(limits.in_flight_lines_max),
          static_cast<std::int64_t>(limits.in_flight_stats_max),
          static_cast<std::int64_t>(limits.line_bytes_max),
          limits.backoff_initial_ms,
          limits.backoff_max_ms,
          limits.backoff_jitter_percent};
}

TEST(NodeKnobs, EachDefaultIsTheCoresAndEachKnobSetsItsOwnField) {
  const std::vector<std::int64_t> defaults = knob_fields(core::NodeConfig{});
  ASSERT_EQ(defaults.size(), node_knob_count);
  for (std::size_t index = 0; index < node_knob_count; index += 1) {
    const NodeKnobInfo& info = node_knobs()[index];
    SCOPED_TRACE(std::string(info.name));
    EXPECT_EQ(info.default_value, defaults[index]) << "the table and the core disagree on the default";
    EXPECT_LE(info.min, info.default_value);
    EXPECT_GE(info.max, info.default_value);
    EXPECT_LT(info.min, info.max);
    // The range's far end from the default, unless the cross checks refuse it on its own.
    const std::int64_t value = info.max - info.default_value > info.default_value - info.min ? info.max : info.min;
    NodeKnobs knobs{{std::string(info.name), value}};
    if (!check_node_knobs(knobs).ok()) continue;
    core::NodeConfig config;
    apply_node_knobs(knobs, config);
    std::vector<std::int64_t> want = defaults;
    want[index] = value;
    EXPECT_EQ(knob_fields(config), want) << "the knob sets exactly its own field";
  }
}

TEST(NodeKnobs, OutOfRangeUnknownAndDisagreeingKnobsAreRefusedByName) {
  EXPECT_TRUE(check_node_knobs({}).ok());
  const core::Status low = check_node_knobs({{"crashes_max", 0}});
  ASSERT_FALSE(low.ok());
  EXPECT_EQ(low.error(), "crashes_max: 0 is out of its range 1..8");
  const core::Status unknown = check_node_knobs({{"crash_max", 3}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().find("unknown knob \"crash_max\""), std::string::npos) << unknown.error();
  EXPECT_NE(unknown.error().find("crashes_max"), std::string::npos) << "the error lists the known knobs";
  const core::Status backoff = check_node_knobs({{"backoff_initial_ms", 4000}, {"backoff_max_ms", 1000}});
  ASSERT_FALSE(backoff.ok());
  EXPECT_EQ(backoff.error(), "backoff_max_ms: must not be below backoff_initial_ms");
  const core::Status line = check_node_knobs({{"buffer_bytes_max", 4096}, {"line_bytes_max", 8192}});
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.error(), "line_bytes_max: must not be above buffer_bytes_max");
}

TEST(NodeKnobs, SwarmDrawsAreLegalVariedAndReachEveryKnobAndBothEnds) {
  std::set<std::string> drawn;
  std::set<std::string> at_min;
  std::set<std::string> at_max;
  std::size_t empty = 0;
  for (std::uint64_t seed = 1; seed <= 2000; seed += 1) {
    kernel::Prng prng(seed);
    const NodeKnobs knobs = draw_swarm_knobs(prng);
    ASSERT_TRUE(check_node_knobs(knobs).ok()) << "seed " << seed << ": " << format_node_knobs(knobs);
    EXPECT_LE(knobs.size(), 4u);
    if (knobs.empty()) empty += 1;
    for (const auto& [name, value] : knobs) {
      const NodeKnobInfo* info = find_node_knob(name);
      ASSERT_NE(info, nullptr);
      EXPECT_NE(value, info->default_value) << "a default is never written";
      drawn.insert(name);
      if (value == info->min) at_min.insert(name);
      if (value == info->max) at_max.insert(name);
    }
  }
  EXPECT_EQ(drawn.size(), node_knob_count) << "every knob is drawn somewhere";
  EXPECT_EQ(at_min.size(), node_knob_count) << "every knob is tried at its minimum";
  EXPECT_GE(at_max.size(), node_knob_count - 1) << "and at its maximum (one may be refused by a cross check)";
  EXPECT_GT(empty, 200u) << "many nodes keep every default";
  EXPECT_LT(empty, 800u);
}

TEST(NodeKnobs, TheSameSeedDrawsTheSameKnobs) {
  kernel::Prng first(42);
  kernel::Prng second(42);
  EXPECT_EQ(draw_swarm_knobs(first), draw_swarm_knobs(second));
}

TEST(NodeKnobs, FormatIsSpaceSeparatedKeyValueInNameOrder) {
  EXPECT_EQ(format_node_knobs({}), "");
  EXPECT_EQ(format_node_knobs({{"poll_interval_ms", 5000}, {"crashes_max", 2}}), "crashes_max=2 poll_interval_ms=5000");
}

// scenarios/schema.json lists every knob with the same range, so editors and check_schema.py
// accept what the loader accepts (a fuzz seed's scenario with knobs once failed the schema test).
TEST(NodeKnobs, SchemaListsEveryKnobWithItsRange) {
  const char* source = std::getenv("ZSIM_SOURCE_DIR");
  ASSERT_NE(source, nullptr) << "ZSIM_SOURCE_DIR must point at the source tree";
  std::ifstream file(std::string(source) + "/scenarios/schema.json");
  ASSERT_TRUE(file.good());
  const nlohmann::json schema = nlohmann::json::parse(file);
  const nlohmann::json& knobs = schema.at("$defs").at("node").at("properties").at("knobs").at("properties");
  EXPECT_EQ(knobs.size(), node_knob_count);
  for (const NodeKnobInfo& info : node_knobs()) {
    const std::string name(info.name);
    ASSERT_TRUE(knobs.contains(name)) << name;
    EXPECT_EQ(knobs.at(name).at("minimum").get<std::int64_t>(), info.min) << name;
    EXPECT_EQ(knobs.at(name).at("maximum").get<std::int64_t>(), info.max) << name;
  }
}

}  // namespace
}  // namespace zsim::sim
