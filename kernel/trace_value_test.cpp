#include "kernel/trace_value.hpp"

#include <gtest/gtest.h>

namespace zsim::kernel {
namespace {

TEST(TraceValue, EscapesSpacesNewlinesPercentAndNonAscii) {
  EXPECT_EQ(trace_value("a b\nc%d\xff", 100), "a%20b%0Ac%25d%FF");
  EXPECT_EQ(trace_value("plain-value", 100), "plain-value");
  EXPECT_EQ(trace_value("", 100), "\"\"");
}

TEST(TraceValue, CutsLongValuesWithAMark) {
  EXPECT_EQ(trace_value("abcdefgh", 4), "abcd~");
  EXPECT_EQ(trace_value("a bcdef", 4), "a%20~");  // The cut never splits a %XX.
}

TEST(TraceValue, AppendsToAnyBuffer) {
  std::string out = "x=";
  append_trace_escaped(out, "1 2");
  EXPECT_EQ(out, "x=1%202");
}

}  // namespace
}  // namespace zsim::kernel
