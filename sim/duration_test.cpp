#include "sim/duration.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace zsim::sim
