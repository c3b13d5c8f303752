#pragma once
// The deterministic behaviour of a fake container: how often it prints, what, on which stream, how
// its memory and CPU demand evolve, when and how it exits, and how it answers SIGTERM. The fake
// runtime (fake_runtime.hpp) plays a program in virtual time; the functions here are pure, so tests
// and checkers can recompute exactly what a container must have printed.
//
// Line content is generated from the container's name and the line number only. It never contains
// environment values (the runtime never even keeps them), so a secret cannot leak through output.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/ports.hpp"
#include "kernel/prng.hpp"

namespace zsim::fakes {

inline constexpr std::uint64_t mib_bytes = 1024 * 1024;
// A line longer than the 4096-byte buffer of the log shim (zos #1236 hung on such lines).
inline constexpr std::uint32_t long_line_bytes = 10000;
inline constexpr std::uint32_t line_bytes_max = 64 * 1024;
// A read from the container's pipe returns at most this many bytes: every chunk handed to an
// observer is at most this long, so a long line always arrives in several chunks.
inline constexpr std::size_t output_chunk_bytes_max = 4096;
inline constexpr std::uint32_t chunk_split_max = 64;
inline constexpr std::size_t banner_bytes_max = 1024;
// Bounds that keep every figure of the memory and CPU model far from 64-bit overflow.
inline constexpr std::uint64_t memory_bytes_max = std::uint64_t{1} << 44;  // 16 TiB.
inline constexpr std::uint32_t cpu_millicores_max = 1024 * 1000;
inline constexpr std::uint32_t pids_max = 1 << 22;

// Exit codes as containerd reports them for a process killed by a signal (128 + signal number).
inline constexpr int exit_code_sigterm = 128 + 15;
inline constexpr int exit_code_sigkill = 128 + 9;
inline constexpr int exit_code_oom = 128 + 9;  // The OOM killer sends SIGKILL.
inline constexpr int exit_code_crash = 128 + 11;  // SIGSEGV.

struct ContainerProgram {
  // Printed once on stdout when the process starts (coreX announces its port); empty: nothing.
  std::string banner;
  // A numbered line every interval; 0 prints no numbered lines at all.
  std::int64_t line_interval_ms = 1000;
  // Length of a line, newline included (a line is never shorter than its "<name> line <n> " prefix).
  std::uint32_t line_bytes = 80;
  std::uint32_t stderr_every_n_lines = 0;     // 0: never.
  std::uint32_t long_line_every_n_lines = 0;  // 0: never; such a line is long_line_bytes long.
  std::uint64_t memory_start_bytes = 16 * mib_bytes;
  std::uint64_t memory_growth_bytes_per_s = 0;
  std::uint64_t memory_cache_bytes = 1 * mib_bytes;
  std::uint32_t cpu_millicores = 250;  // Demand; the runtime grants at most the CPU limit.
  std::uint32_t pids = 1;
  std::int64_t exit_after_ms = 0;  // 0: runs until signalled.
  int exit_code = 0;               // Of the exit after exit_after_ms, unless crash.
  bool crash = false;              // The exit after exit_after_ms is a segfault (139).
  bool ignores_sigterm = false;
  std::int64_t sigterm_exit_delay_ms = 200;
  // Each line reaches the observer in up to this many chunks (cut at seeded points); 1: whole lines.
  std::uint32_t chunk_split = 1;

  // True when every field is within its bounds.
  bool valid() const;
  // "key=value" pairs separated by single spaces, for trace lines.
  std::string describe() const;
  // What an interactive container runs: coreX, announcing its web console, then quiet.
  static ContainerProgram corex();
  bool operator==(const ContainerProgram&) const = default;
};

// Line numbers start at 1. Every stderr_every_n_lines-th line goes to stderr.
core::OutputStream line_stream(const ContainerProgram& program, std::uint64_t line_number);
bool line_is_long(const ContainerProgram& program, std::uint64_t line_number);
// The full text of a numbered line, newline-terminated, printable ASCII otherwise.
std::string line_text(const ContainerProgram& program, std::string_view container_name, std::uint64_t line_number);
// The banner as printed (with its newline), or "" when the program has none.
std::string banner_text(const ContainerProgram& program);

// Cuts a line into at most chunk_split pieces at points drawn from prng, then cuts any piece longer
// than output_chunk_bytes_max. The pieces are non-empty and concatenate to the line.
std::vector<std::string_view> split_into_chunks(std::string_view line, std::uint32_t chunk_split, kernel::Prng& prng);

// Resident memory after elapsed_ms of running (saturating, never above memory_bytes_max).
std::uint64_t memory_resident_bytes(const ContainerProgram& program, std::int64_t elapsed_ms);
// When the resident memory first exceeds limit_bytes, in ms after start; -1 when never.
std::int64_t oom_after_ms(const ContainerProgram& program, std::uint64_t limit_bytes);
// The exit code of the program's own exit (after exit_after_ms).
int natural_exit_code(const ContainerProgram& program);

}  // namespace zsim::fakes
