#include "fakes/container_program.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>

namespace zsim::fakes {
namespace {

bool all_printable(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

TEST(ContainerProgram, DefaultsAndCorexAreValid) {
  EXPECT_TRUE(ContainerProgram{}.valid());
  const ContainerProgram corex = ContainerProgram::corex();
  EXPECT_TRUE(corex.valid());
  EXPECT_EQ(banner_text(corex), "corex listening on :7681\n");
  EXPECT_EQ(corex.line_interval_ms, 0);
  EXPECT_EQ(banner_text(ContainerProgram{}), "");
}

TEST(ContainerProgram, ValidRejectsOutOfBoundFields) {
  ContainerProgram program;
  program.line_bytes = line_bytes_max + 1;
  EXPECT_FALSE(program.valid());
  program = {};
  program.chunk_split = 0;
  EXPECT_FALSE(program.valid());
  program = {};
  program.exit_code = 256;
  EXPECT_FALSE(program.valid());
  program = {};
  program.banner = "two\nlines";
  EXPECT_FALSE(program.valid());
  program = {};
  program.pids = 0;
  EXPECT_FALSE(program.valid());
}

TEST(ContainerProgram, DescribeIsOneTraceLineOfPairs) {
  ContainerProgram program;
  program.crash = true;
  program.exit_after_ms = 1234;
  const std::string text = program.describe();
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_NE(text.find("exit_after_ms=1234"), std::string::npos);
  EXPECT_NE(text.find("crash=true"), std::string::npos);
}

TEST(ContainerProgram, LinesHaveExactLengthNameNumberAndNewline) {
  ContainerProgram program;
  program.line_bytes = 60;
  const std::string line = line_text(program, "12-1", 7);
  EXPECT_EQ(line.size(), 60u);
  EXPECT_EQ(line.rfind("12-1 line 7 ", 0), 0u);
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  EXPECT_TRUE(all_printable(line.substr(0, line.size() - 1)));
  EXPECT_EQ(line, line_text(program, "12-1", 7));
  EXPECT_NE(line, line_text(program, "12-1", 8));
}

TEST(ContainerProgram, ShortLineBytesNeverCutThePrefix) {
  ContainerProgram program;
  program.line_bytes = 1;
  const std::string line = line_text(program, "name", 123456);
  EXPECT_EQ(line, "name line 123456 \n");
}

TEST(ContainerProgram, StderrAndLongLinesFollowTheirPeriods) {
  ContainerProgram program;
  program.stderr_every_n_lines = 3;
  program.long_line_every_n_lines = 4;
  for (std::uint64_t n = 1; n <= 24; n += 1) {
    const bool err = n % 3 == 0;
    EXPECT_EQ(line_stream(program, n), err ? core::OutputStream::err : core::OutputStream::out) << n;
    const std::string line = line_text(program, "c", n);
    EXPECT_EQ(line.size(), n % 4 == 0 ? long_line_bytes : program.line_bytes) << n;
    EXPECT_EQ(line.rfind(err ? "c error " : "c line ", 0), 0u) << n;
  }
  EXPECT_GT(long_line_bytes, output_chunk_bytes_max);
}

TEST(ContainerProgram, OneChunkPerShortLineWithoutSplit) {
  kernel::Prng prng(1);
  const std::vector<std::string_view> chunks = split_into_chunks("hello\n", 1, prng);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0], "hello\n");
}

TEST(ContainerProgram, LongLineIsCutAtTheReadBufferSize) {
  kernel::Prng prng(1);
  ContainerProgram program;
  program.long_line_every_n_lines = 1;
  const std::string line = line_text(program, "c", 1);
  const std::vector<std::string_view> chunks = split_into_chunks(line, 1, prng);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].size(), output_chunk_bytes_max);
  EXPECT_EQ(chunks[1].size(), output_chunk_bytes_max);
  EXPECT_EQ(chunks[2].size(), long_line_bytes - 2 * output_chunk_bytes_max);
}

TEST(ContainerProgram, SameSeedSameCuts) {
  const std::string line(500, 'x');
  kernel::Prng first(42);
  kernel::Prng second(42);
  kernel::Prng other(43);
  const auto a = split_into_chunks(line, 8, first);
  const auto b = split_into_chunks(line, 8, second);
  const auto c = split_into_chunks(line, 8, other);
  std::vector<std::size_t> sizes_a, sizes_b, sizes_c;
  for (auto chunk : a) sizes_a.push_back(chunk.size());
  for (auto chunk : b) sizes_b.push_back(chunk.size());
  for (auto chunk : c) sizes_c.push_back(chunk.size());
  EXPECT_EQ(sizes_a, sizes_b);
  EXPECT_NE(sizes_a, sizes_c);
}

RC_GTEST_PROP(ContainerProgramProperty, ChunksConcatenateToTheLineAndRespectBounds,
              (std::uint64_t seed, std::uint32_t split_raw, std::uint32_t size_raw)) {
  const std::uint32_t chunk_split = 1 + split_raw % chunk_split_max;
  const std::size_t size = 1 + size_raw % 20000;
  std::string line(size, 'a');
  for (std::size_t index = 0; index < size; index += 1) line[index] = static_cast<char>('a' + index % 26);
  kernel::Prng prng(seed);
  const std::vector<std::string_view> chunks = split_into_chunks(line, chunk_split, prng);
  std::string joined;
  for (const std::string_view chunk : chunks) {
    RC_ASSERT(!chunk.empty());
    RC_ASSERT(chunk.size() <= output_chunk_bytes_max);
    joined += chunk;
  }
  RC_ASSERT(joined == line);
  const std::size_t buffer_cuts = (size + output_chunk_bytes_max - 1) / output_chunk_bytes_max;
  RC_ASSERT(chunks.size() <= chunk_split + buffer_cuts);
}

TEST(ContainerProgram, MemoryGrowsLinearlyAndSaturates) {
  ContainerProgram program;
  program.memory_start_bytes = 1000;
  program.memory_growth_bytes_per_s = 2000;
  EXPECT_EQ(memory_resident_bytes(program, 0), 1000u);
  EXPECT_EQ(memory_resident_bytes(program, 500), 2000u);
  EXPECT_EQ(memory_resident_bytes(program, 1500), 4000u);
  program.memory_growth_bytes_per_s = memory_bytes_max;
  EXPECT_EQ(memory_resident_bytes(program, std::int64_t{1} << 60), memory_bytes_max);
}

TEST(ContainerProgram, OomTimes) {
  ContainerProgram program;
  program.memory_start_bytes = 16 * mib_bytes;
  program.memory_growth_bytes_per_s = 0;
  EXPECT_EQ(oom_after_ms(program, 64 * mib_bytes), -1);
  EXPECT_EQ(oom_after_ms(program, 8 * mib_bytes), 0);
  program.memory_growth_bytes_per_s = 16 * mib_bytes;
  // 48 MiB of headroom at 16 MiB/s: the limit is reached at 3000 ms and exceeded the next ms.
  EXPECT_EQ(oom_after_ms(program, 64 * mib_bytes), 3001);
}

RC_GTEST_PROP(ContainerProgramProperty, OomIsTheFirstMillisecondAboveTheLimit,
              (std::uint32_t start_raw, std::uint32_t growth_raw, std::uint32_t limit_raw)) {
  ContainerProgram program;
  program.memory_start_bytes = start_raw % (std::uint64_t{1} << 31);
  program.memory_growth_bytes_per_s = 1 + growth_raw % (std::uint64_t{1} << 30);
  const std::uint64_t limit = limit_raw % (std::uint64_t{1} << 32);
  const std::int64_t at = oom_after_ms(program, limit);
  RC_ASSERT(at >= 0);
  RC_ASSERT(memory_resident_bytes(program, at) > limit);
  if (at > 0) RC_ASSERT(memory_resident_bytes(program, at - 1) <= limit);
}

TEST(ContainerProgram, NaturalExitCode) {
  ContainerProgram program;
  program.exit_code = 3;
  EXPECT_EQ(natural_exit_code(program), 3);
  program.crash = true;
  EXPECT_EQ(natural_exit_code(program), 139);
}

}  // namespace
}  // namespace zsim::fakes
