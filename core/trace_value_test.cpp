#include "core/trace_value.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <string>

namespace zsim::core {
namespace {

TEST(TraceValue, EscapesSpacesNewlinesPercentAndNonAscii) {
  EXPECT_EQ(trace_value("a b\nc%d\xff", 100), "a%20b%0Ac%25d%FF");
  EXPECT_EQ(trace_value("plain-value", 100), "plain-value");
  EXPECT_EQ(trace_value("", 100), "\"\"");
}

TEST(TraceValue, CutsLongValuesWithAMark) {
  EXPECT_EQ(trace_value("abcdefgh", 4), "abcd~");
  EXPECT_EQ(trace_value("a bcdef", 4), "a%20~");  // The cut never splits a %XX.
  EXPECT_EQ(trace_value(std::string(5000, 'x')).size(), event_value_bytes_max + 1);
}

TEST(TraceValue, AppendsToAnyBuffer) {
  std::string out = "x=";
  append_trace_escaped(out, "1 2");
  EXPECT_EQ(out, "x=1%202");
}

TEST(TraceValue, UnescapesWhatItEscaped) {
  EXPECT_EQ(trace_unescaped("a%20b%0Ac%25d%FF"), "a b\nc%d\xff");
  EXPECT_EQ(trace_unescaped("\"\""), "");
  EXPECT_EQ(trace_unescaped("no%2"), "no%2");    // A '%' without two hex digits stays.
  EXPECT_EQ(trace_unescaped("100%zz"), "100%zz");
}

// Any bytes at all read back exactly, and the escaped form holds no space, newline or control byte.
RC_GTEST_PROP(TraceValue, RoundTripsAnyBytes, (const std::string& value)) {
  const std::string escaped = trace_value(value, SIZE_MAX);
  for (const char character : escaped) {
    const auto byte = static_cast<unsigned char>(character);
    RC_ASSERT(byte > 0x20 && byte < 0x7f);
  }
  RC_ASSERT(trace_unescaped(escaped) == value);
}

}  // namespace
}  // namespace zsim::core
