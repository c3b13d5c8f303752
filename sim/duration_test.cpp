#include "sim/duration.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace zsim::sim {
namespace {

TEST(Duration, ParsesEveryUnitAndSums) {
  EXPECT_EQ(parse_duration_ms("500ms").value(), 500);
  EXPECT_EQ(parse_duration_ms("2s").value(), 2000);
  EXPECT_EQ(parse_duration_ms("10m").value(), 600'000);
  EXPECT_EQ(parse_duration_ms("1h").value(), 3'600'000);
  EXPECT_EQ(parse_duration_ms("1d").value(), 86'400'000);
  EXPECT_EQ(parse_duration_ms("1h30m").value(), 5'400'000);
  EXPECT_EQ(parse_duration_ms("0s").value(), 0);
}

TEST(Duration, RefusesWhatIsNotADuration) {
  for (const char* text : {"", "10", "m", "1x", "-1s", "1.5h", "1 h", "99999999999999999999d", "1h-"}) {
    const core::Expected<std::int64_t> parsed = parse_duration_ms(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_NE(parsed.error().find("invalid duration"), std::string::npos) << text;
  }
}

TEST(Duration, ErrorsAreOneShortLine) {
  EXPECT_EQ(parse_duration_ms("1s\n2s").error(),
            "invalid duration '1s\\n2s', expected e.g. 500ms, 2s, 10m, 1h, 1d or 1h30m");
  EXPECT_EQ(parse_duration_ms(std::string(4096, '1') + "s").error(),
            "invalid duration '1111111111111111... (4097 bytes)': longer than 64 bytes (limit duration_text_bytes_max)");
}

TEST(Duration, FormatsInTheShortestSumOfUnits) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(500), "500ms");
  EXPECT_EQ(format_duration(1500), "1s500ms");
  EXPECT_EQ(format_duration(5'400'000), "1h30m");
  EXPECT_EQ(format_duration(86'400'000 + 1), "1d1ms");
}

TEST(Duration, FormatThenParseIsTheIdentity) {
  // Values of every magnitude: each unit boundary, its neighbours, and a multiplicative walk to the top.
  std::vector<std::int64_t> values{0, 1, 999, 1000, 1001, 59'999, 60'000, 3'599'999, 3'600'000, 86'399'999,
                                   86'400'000, INT64_MAX / 4};
  for (std::int64_t value = 7; value < INT64_MAX / 40; value = value * 10 + 3) values.push_back(value);
  for (const std::int64_t value : values) {
    const std::string text = format_duration(value);
    const core::Expected<std::int64_t> parsed = parse_duration_ms(text);
    ASSERT_TRUE(parsed.ok()) << text;
    EXPECT_EQ(parsed.value(), value) << text;
  }
}

}  // namespace
}  // namespace zsim::sim
