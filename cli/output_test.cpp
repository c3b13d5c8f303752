#include "cli/output.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

namespace zsim::cli {
namespace {

TEST(Output, JsonTextIsValidUtf8WithEveryStringEscaped) {
  nlohmann::ordered_json document{{"file", "bad\xff.json"}, {"list", {"a\nb"}}, {"k\x1b", 1}};
  const std::string text = json_text(document);
  EXPECT_EQ(text, R"({"file":"bad\\xFF.json","list":["a\\nb"],"k\\x1B":1})");
  EXPECT_TRUE(nlohmann::json::accept(text));
}

TEST(Output, WritesAFileThroughATemporaryAndARename) {
  const std::string path = ::testing::TempDir() + "zsim_output_test.txt";
  ASSERT_TRUE(write_output_file(path, "text\n"));
  std::ifstream in(path, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "text\n");
  std::ifstream partial(path + ".partial");
  EXPECT_FALSE(partial.good());
  std::remove(path.c_str());
}

TEST(Output, AFullDiskIsAnErrorNamingTheFile) {
  const core::Expected<void> written = write_output_file("/dev/full", "text\n");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error(), std::string("cannot write /dev/full: ") + std::strerror(ENOSPC));
  EXPECT_FALSE(write_output_file(::testing::TempDir(), "x"));
}

}  // namespace
}  // namespace zsim::cli
