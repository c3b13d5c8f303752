#include "fakes/container_program.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <charconv>

namespace zsim::fakes {

namespace {
constexpr std::string_view padding_alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
// A day of virtual time is far longer than any single delay a program asks for.
constexpr std::int64_t program_delay_max_ms = std::int64_t{365} * 24 * 3600 * 1000;

bool every_nth(std::uint32_t n, std::uint64_t line_number) {
  return n != 0 && line_number % n == 0;
}

bool printable(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}
}  // namespace

bool ContainerProgram::valid() const {
  return banner.size() <= banner_bytes_max && printable(banner) && line_interval_ms >= 0 &&
         line_interval_ms <= program_delay_max_ms && line_bytes >= 1 && line_bytes <= line_bytes_max &&
         memory_start_bytes <= memory_bytes_max && memory_growth_bytes_per_s <= memory_bytes_max &&
         memory_cache_bytes <= memory_bytes_max && cpu_millicores <= cpu_millicores_max && pids >= 1 &&
         pids <= pids_max && exit_after_ms >= 0 && exit_after_ms <= program_delay_max_ms &&
         exit_code >= 0 && exit_code <= 255 && sigterm_exit_delay_ms >= 0 &&
         sigterm_exit_delay_ms <= program_delay_max_ms && chunk_split >= 1 && chunk_split <= chunk_split_max;
}

std::string ContainerProgram::describe() const {
  assert(valid());
  return fmt::format(
      "banner={} interval_ms={} line_bytes={} stderr_every={} long_every={} memory_start={} "
      "memory_growth_per_s={} memory_cache={} cpu_millicores={} pids={} exit_after_ms={} exit_code={} "
      "crash={} ignores_sigterm={} sigterm_delay_ms={} chunk_split={}",
      banner.empty() ? "no" : "yes", line_interval_ms, line_bytes, stderr_every_n_lines, long_line_every_n_lines,
      memory_start_bytes, memory_growth_bytes_per_s, memory_cache_bytes, cpu_millicores, pids, exit_after_ms,
      exit_code, crash, ignores_sigterm, sigterm_exit_delay_ms, chunk_split);
}

ContainerProgram ContainerProgram::corex() {
  ContainerProgram program;
  program.banner = "corex listening on :7681";
  program.line_interval_ms = 0;
  program.memory_start_bytes = 6 * mib_bytes;
  program.memory_cache_bytes = 512 * 1024;
  program.cpu_millicores = 10;
  program.sigterm_exit_delay_ms = 50;
  assert(program.valid());
  return program;
}

core::OutputStream line_stream(const ContainerProgram& program, std::uint64_t line_number) {
  assert(line_number >= 1);
  return every_nth(program.stderr_every_n_lines, line_number) ? core::OutputStream::err : core::OutputStream::out;
}

bool line_is_long(const ContainerProgram& program, std::uint64_t line_number) {
  assert(line_number >= 1);
  return every_nth(program.long_line_every_n_lines, line_number);
}

std::string line_text(const ContainerProgram& program, std::string_view container_name, std::uint64_t line_number) {
  assert(program.valid());
  assert(line_number >= 1);
  assert(printable(container_name));
  const bool to_stderr = line_stream(program, line_number) == core::OutputStream::err;
  // The prefix is what "{} {} {} " formats (name, word, number); it is put together by hand
  // because fmt parsing its format string was most of the cost of a line in a grid run.
  char digits[24];
  const auto converted = std::to_chars(digits, digits + sizeof digits, line_number);
  assert(converted.ec == std::errc());
  const std::string_view word = to_stderr ? "error" : "line";
  const std::size_t prefix_bytes =
      container_name.size() + 1 + word.size() + 1 + static_cast<std::size_t>(converted.ptr - digits) + 1;
  const std::size_t target_bytes = line_is_long(program, line_number) ? long_line_bytes : program.line_bytes;
  const std::size_t size_bytes = std::max(target_bytes, prefix_bytes + 1);
  std::string text;
  text.reserve(size_bytes);
  text.append(container_name).append(1, ' ').append(word).append(1, ' ');
  text.append(digits, converted.ptr).append(1, ' ');
  assert(text.size() == prefix_bytes);
  // The padding starts at a point that depends on the line number, so lines differ beyond their
  // prefix and a checker comparing content catches a line delivered in the wrong place.
  // It is appended a run of the alphabet at a time (a byte at a time was a hot spot of fuzz runs).
  std::size_t next = line_number % padding_alphabet.size();
  std::size_t padding_bytes = size_bytes - 1 - text.size();
  while (padding_bytes > 0) {
    const std::size_t run_bytes = std::min(padding_bytes, padding_alphabet.size() - next);
    text.append(padding_alphabet.substr(next, run_bytes));
    padding_bytes -= run_bytes;
    next = 0;
  }
  text.push_back('\n');
  assert(text.size() == size_bytes);
  return text;
}

std::string banner_text(const ContainerProgram& program) {
  assert(program.banner.size() <= banner_bytes_max);
  if (program.banner.empty()) return {};
  return program.banner + "\n";
}

std::vector<std::string_view> split_into_chunks(std::string_view line, std::uint32_t chunk_split, kernel::Prng& prng) {
  assert(!line.empty());
  assert(chunk_split >= 1 && chunk_split <= chunk_split_max);
  // Cut points are drawn (possibly repeated), then sorted and deduplicated: at most chunk_split
  // pieces, and the number of draws does not depend on the line's content.
  std::vector<std::string_view> chunks;
  if (chunk_split == 1 && line.size() <= output_chunk_bytes_max) {
    // Most programs never split their output: no cut is drawn, and the line is its one chunk.
    chunks.push_back(line);
    return chunks;
  }
  std::vector<std::size_t> cuts;
  cuts.reserve(chunk_split);
  if (line.size() > 1) {
    for (std::uint32_t draw = 1; draw < chunk_split; draw += 1) {
      cuts.push_back(1 + static_cast<std::size_t>(prng.below(line.size() - 1)));
    }
  }
  cuts.push_back(line.size());
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());

  std::size_t begin = 0;
  for (const std::size_t end : cuts) {
    assert(end > begin && end <= line.size());
    for (std::size_t piece = begin; piece < end; piece += output_chunk_bytes_max) {
      chunks.push_back(line.substr(piece, std::min(output_chunk_bytes_max, end - piece)));
    }
    begin = end;
  }
  assert(begin == line.size());
  assert(!chunks.empty());
  return chunks;
}

std::uint64_t memory_resident_bytes(const ContainerProgram& program, std::int64_t elapsed_ms) {
  assert(program.valid());
  assert(elapsed_ms >= 0);
  const auto elapsed = static_cast<std::uint64_t>(elapsed_ms);
  const std::uint64_t growth = program.memory_growth_bytes_per_s;
  std::uint64_t grown = 0;
  // growth <= 2^44, so growth * 999 cannot overflow; only the whole seconds need the check.
  if (__builtin_mul_overflow(growth, elapsed / 1000, &grown)) return memory_bytes_max;
  grown += growth * (elapsed % 1000) / 1000;
  return std::min(memory_bytes_max, program.memory_start_bytes + std::min(grown, memory_bytes_max));
}

std::int64_t oom_after_ms(const ContainerProgram& program, std::uint64_t limit_bytes) {
  assert(program.valid());
  assert(limit_bytes <= memory_bytes_max);
  if (program.memory_start_bytes > limit_bytes) return 0;
  if (program.memory_growth_bytes_per_s == 0) return -1;
  // The first t with start + floor(growth * t / 1000) > limit: growth * t >= 1000 * (limit - start + 1).
  const std::uint64_t deficit_bytes = limit_bytes - program.memory_start_bytes + 1;
  const std::uint64_t growth = program.memory_growth_bytes_per_s;
  const std::uint64_t after_ms = (deficit_bytes * 1000 + growth - 1) / growth;
  assert(memory_resident_bytes(program, static_cast<std::int64_t>(after_ms)) > limit_bytes);
  assert(after_ms == 0 || memory_resident_bytes(program, static_cast<std::int64_t>(after_ms - 1)) <= limit_bytes);
  return static_cast<std::int64_t>(after_ms);
}

int natural_exit_code(const ContainerProgram& program) {
  return program.crash ? exit_code_crash : program.exit_code;
}

}  // namespace zsim::fakes
