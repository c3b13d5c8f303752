#include "cli/input_file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace zsim::cli {
namespace {

std::string temporary_path(const std::string& name) { return ::testing::TempDir() + "zsim_input_file_test_" + name; }

TEST(InputFile, ReadsARegularFileWhole) {
  const std::string path = temporary_path("whole.json");
  std::ofstream(path, std::ios::binary) << "{\"a\": 1}";
  EXPECT_EQ(read_input_file(path, 100, "a test file").value(), "{\"a\": 1}");
  std::remove(path.c_str());
}

TEST(InputFile, RefusesARegularFileOverTheLimitFromItsSize) {
  const std::string path = temporary_path("large.json");
  std::ofstream(path, std::ios::binary) << std::string(101, ' ');
  const core::Expected<std::string> read = read_input_file(path, 100, "a test file");
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error(), "is 101 bytes, larger than the limit of 100 bytes for a test file");
  EXPECT_TRUE(read_input_file(path, 101, "a test file"));
  std::remove(path.c_str());
}

TEST(InputFile, ReadsAPipeOnceAndBoundsAStream) {
  int ends[2];
  ASSERT_EQ(::pipe(ends), 0);
  ASSERT_EQ(::write(ends[1], "[1, 2]", 6), 6);
  ::close(ends[1]);
  const std::string path = "/dev/fd/" + std::to_string(ends[0]);
  EXPECT_EQ(read_input_file(path, 100, "a test file").value(), "[1, 2]");
  ::close(ends[0]);
  const core::Expected<std::string> zeros = read_input_file("/dev/zero", 1000, "a test file");
  ASSERT_FALSE(zeros);
  EXPECT_EQ(zeros.error(), "larger than the limit of 1000 bytes for a test file");
}

TEST(InputFile, NamesWhatCannotBeRead) {
  EXPECT_EQ(read_input_file(temporary_path("missing"), 10, "x").error(), "No such file or directory");
  EXPECT_EQ(read_input_file(::testing::TempDir(), 10, "x").error(), "Is a directory");
}

TEST(InputFile, ANulByteIsNamedByItsOffset) {
  EXPECT_TRUE(check_no_nul("{}"));
  const core::Status nul = check_no_nul(std::string("{}\0x", 4));
  ASSERT_FALSE(nul);
  EXPECT_EQ(nul.error(), "byte 2 is a NUL byte; JSON holds none (the text would end there)");
}

}  // namespace
}  // namespace zsim::cli
