#include "kernel/trace_value.hpp"

#include <gtest/gtest.h>

#include <string>

namespace zsim::kernel {
namespace {

// The kernel's escaper is the core's, re-exported (core/trace_value_test.cpp tests it): the fakes'
// values and the core's read back the same way.
TEST(TraceValue, IsTheCoresEscaper) {
  EXPECT_EQ(trace_value("a b", 100), core::trace_value("a b", 100));
  EXPECT_EQ(trace_unescaped(trace_value("x y\n", 100)), "x y\n");
  std::string out;
  append_trace_escaped(out, "%");
  EXPECT_EQ(out, "%25");
}

}  // namespace
}  // namespace zsim::kernel
