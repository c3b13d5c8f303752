#include "kernel/trace_line.hpp"

#include <gtest/gtest.h>

#include "kernel/trace.hpp"

namespace zsim::kernel {
namespace {

TEST(TraceLine, ReadsBackWhatTheTraceWrote) {
  Trace trace;
  trace.keep_lines(4);
  trace.record(1500, "node-1", "result", "workload=1-1 state=ok");
  trace.record(2000, "-", "heal_all", "");
  const std::optional<TraceLineView> first = parse_trace_line(trace.lines()[0]);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->time_ms, 1500);
  EXPECT_EQ(first->node, "node-1");
  EXPECT_EQ(first->kind, "result");
  EXPECT_EQ(trace_field(first->fields, "state"), "ok");
  EXPECT_EQ(trace_field(first->fields, "workload"), "1-1");
  EXPECT_EQ(trace_field(first->fields, "work"), "");
  const std::optional<TraceLineView> second = parse_trace_line(trace.lines()[1]);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->kind, "heal_all");
  EXPECT_TRUE(second->fields.empty());
}

TEST(TraceLine, RefusesWhatIsNotATraceLine) {
  EXPECT_FALSE(parse_trace_line("").has_value());
  EXPECT_FALSE(parse_trace_line("1500 node-1").has_value());
  EXPECT_FALSE(parse_trace_line("x1 node-1 kind").has_value());
}

}  // namespace
}  // namespace zsim::kernel
