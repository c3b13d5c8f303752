#include "core/stats_encoder.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

namespace zsim::core {
namespace {

// The reference: what a JSON library writes for the same fields in the same order.
std::string reference_dump(std::int64_t timestamp_s, const ContainerStats& stats) {
  nlohmann::ordered_json message;
  message["timestamp"] = timestamp_s;
  message["memory_usage"] = stats.memory_usage_bytes;
  message["memory_limit"] = stats.memory_limit_bytes;
  message["memory_cache"] = stats.memory_cache_bytes;
  message["cpu_usage"] = stats.cpu_usage_ns;
  message["pids_current"] = stats.pids_current;
  return message.dump();
}

// Values near the edges of the integer types turn up often, not once in 2^64 draws.
rc::Gen<std::uint64_t> interesting_u64() {
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  return rc::gen::oneOf(rc::gen::arbitrary<std::uint64_t>(),
                        rc::gen::element<std::uint64_t>(0, 1, 9, 10, 99, 100, max, max - 1,
                                                        std::uint64_t{1} << 63, (std::uint64_t{1} << 63) - 1,
                                                        std::uint64_t{4294967295}, std::uint64_t{4294967296}));
}

rc::Gen<std::int64_t> interesting_i64() {
  constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t min = std::numeric_limits<std::int64_t>::min();
  return rc::gen::oneOf(rc::gen::arbitrary<std::int64_t>(),
                        rc::gen::element<std::int64_t>(0, 1, -1, 1'600'000'000, 4'102'444'800, max, min, min + 1));
}

TEST(StatsEncoder, WritesTheFieldsInOrderWithNoSpaces) {
  StatsBuffer buffer{};
  const ContainerStats stats{.memory_usage_bytes = 1, .memory_limit_bytes = 2, .memory_cache_bytes = 3,
                             .cpu_usage_ns = 4, .pids_current = 5};
  EXPECT_EQ(encode_stats(1'600'000'000, stats, buffer),
            "{\"timestamp\":1600000000,\"memory_usage\":1,\"memory_limit\":2,\"memory_cache\":3,"
            "\"cpu_usage\":4,\"pids_current\":5}");
}

TEST(StatsEncoder, TheLongestMessageFits) {
  StatsBuffer buffer{};
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  const ContainerStats stats{max, max, max, max, max};
  const std::string_view message = encode_stats(std::numeric_limits<std::int64_t>::min(), stats, buffer);
  EXPECT_EQ(message, reference_dump(std::numeric_limits<std::int64_t>::min(), stats));
  EXPECT_EQ(message.size(), 211u);
  EXPECT_LE(message.size(), stats_json_bytes_max);
}

TEST(StatsEncoder, ReusingTheBufferLeavesNoTrailOfTheLongerMessage) {
  StatsBuffer buffer{};
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  (void)encode_stats(1, ContainerStats{max, max, max, max, max}, buffer);
  const ContainerStats small{};
  EXPECT_EQ(encode_stats(0, small, buffer), reference_dump(0, small));
}

RC_GTEST_PROP(StatsEncoder, EqualsNlohmannOrderedJsonDump, ()) {
  const auto timestamp_s = *interesting_i64();
  ContainerStats stats;
  stats.memory_usage_bytes = *interesting_u64();
  stats.memory_limit_bytes = *interesting_u64();
  stats.memory_cache_bytes = *interesting_u64();
  stats.cpu_usage_ns = *interesting_u64();
  stats.pids_current = *interesting_u64();
  StatsBuffer buffer{};
  const std::string_view message = encode_stats(timestamp_s, stats, buffer);
  RC_ASSERT(std::string(message) == reference_dump(timestamp_s, stats));
  // The message parses back to the same numbers (a second, independent check of the encoding).
  const auto parsed = nlohmann::json::parse(message);
  RC_ASSERT(parsed.at("timestamp").get<std::int64_t>() == timestamp_s);
  RC_ASSERT(parsed.at("memory_usage").get<std::uint64_t>() == stats.memory_usage_bytes);
  RC_ASSERT(parsed.at("pids_current").get<std::uint64_t>() == stats.pids_current);
}

}  // namespace
}  // namespace zsim::core
