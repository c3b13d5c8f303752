#include "kernel/trace.hpp"

#include <gtest/gtest.h>
#include <xxhash.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace zsim::kernel {
namespace {

TEST(Trace, EmptyTraceHashIsXxHash64OfNothing) {
  Trace trace;
  EXPECT_EQ(trace.hash(), 0xef46db3751d8e999ULL);
  EXPECT_EQ(trace.hash_hex(), "ef46db3751d8e999");
  EXPECT_EQ(trace.events(), 0u);
}

TEST(Trace, HashCoversTheExactLines) {
  Trace trace;
  trace.keep_lines(10);
  trace.record(1500, "node-1", "result", "workload=1-1 state=ok");
  trace.record(2000, "-", "advance", "");
  const std::string text = "1500 node-1 result workload=1-1 state=ok\n2000 - advance\n";
  EXPECT_EQ(trace.hash(), XXH64(text.data(), text.size(), 0));
  ASSERT_EQ(trace.lines().size(), 2u);
  EXPECT_EQ(trace.lines()[0], "1500 node-1 result workload=1-1 state=ok");
  EXPECT_EQ(trace.events(), 2u);
}

TEST(Trace, DifferentEventsGiveDifferentHashes) {
  Trace first;
  Trace second;
  first.record(1, "n", "k", "a");
  second.record(1, "n", "k", "b");
  EXPECT_NE(first.hash(), second.hash());
}

TEST(Trace, KeepsOnlyTheNewestLinesButHashesAll) {
  Trace bounded;
  Trace unbounded;
  bounded.keep_lines(2);
  for (int index = 0; index < 5; index += 1) {
    bounded.record(index, "n", "k", std::to_string(index));
    unbounded.record(index, "n", "k", std::to_string(index));
  }
  ASSERT_EQ(bounded.lines().size(), 2u);
  EXPECT_EQ(bounded.lines()[1], "4 n k 4");
  EXPECT_EQ(bounded.hash(), unbounded.hash());
}

TEST(Trace, StreamsToAFile) {
  const std::string path = ::testing::TempDir() + "zsim_trace_test.txt";
  {
    Trace trace;
    ASSERT_TRUE(trace.write_to(path));
    trace.record(7, "n", "k", "x=1");
  }
  std::ifstream file(path);
  std::stringstream content;
  content << file.rdbuf();
  EXPECT_EQ(content.str(), "7 n k x=1\n");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace zsim::kernel
