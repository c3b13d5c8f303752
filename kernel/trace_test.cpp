#include "kernel/trace.hpp"

#include <gtest/gtest.h>
#include <xxhash.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

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

TEST(Trace, KeepsLinesWithinABoundOnBytesDroppingTheOldest) {
  Trace trace;
  trace.keep_lines(1000, 40);
  for (int index = 0; index < 10; index += 1) trace.record(index, "n", "k", "x=" + std::to_string(index));
  // Each line is "I n k x=I", 9 bytes: four fit in 40 bytes, the oldest six were dropped.
  ASSERT_EQ(trace.lines().size(), 4u);
  EXPECT_EQ(trace.lines().front(), "6 n k x=6");
  EXPECT_EQ(trace.lines().back(), "9 n k x=9");
  EXPECT_EQ(trace.lines_dropped(), 6u);
  EXPECT_EQ(trace.events(), 10u);
}

TEST(Trace, KeepsTheNewestLineEvenWhenItAloneIsOverTheByteBound) {
  Trace trace;
  trace.keep_lines(10, 4);
  trace.record(1, "n", "k", "a-long-value");
  trace.record(2, "n", "k", "another-long-value");
  ASSERT_EQ(trace.lines().size(), 1u);
  EXPECT_EQ(trace.lines().front(), "2 n k another-long-value");
}

TEST(Trace, TakeLinesMovesThemOutInOrder) {
  Trace trace;
  trace.keep_lines(3);
  for (int index = 0; index < 5; index += 1) trace.record(index, "n", "k", "");
  const std::vector<std::string> taken = trace.take_lines();
  EXPECT_EQ(taken, (std::vector<std::string>{"2 n k", "3 n k", "4 n k"}));
  EXPECT_TRUE(trace.lines().empty());
}

TEST(Trace, AWriteThatFailsIsReportedWhenTheFileCloses) {
  Trace trace;
  ASSERT_TRUE(trace.write_to("/dev/full"));
  // More than a stdio buffer, so that a write fails during record() and not only at the end.
  for (int index = 0; index < 2000; index += 1) trace.record(index, "node-1", "event", std::string(40, 'x'));
  EXPECT_EQ(trace.file_error(), std::strerror(ENOSPC));
  EXPECT_EQ(trace.close_file(), std::strerror(ENOSPC));
  EXPECT_EQ(trace.events(), 2000u);
}

TEST(Trace, AFileThatTookEveryLineClosesWithoutError) {
  const std::string path = ::testing::TempDir() + "zsim_trace_close_test.txt";
  Trace trace;
  ASSERT_TRUE(trace.write_to(path));
  trace.record(1, "n", "k", "");
  EXPECT_EQ(trace.close_file(), "");
  trace.record(2, "n", "k", "");  // After the close, lines are still hashed, not written.
  std::ifstream file(path);
  std::stringstream content;
  content << file.rdbuf();
  EXPECT_EQ(content.str(), "1 n k\n");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace zsim::kernel
