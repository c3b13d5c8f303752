#pragma once
// Everything the zsim command prints goes through here: each line escaped (cli/untrusted_text.hpp)
// and cut, each write checked, nothing thrown (fmt::print throws std::system_error on a full disk).
// A failed write to stdout is remembered; finish_output() reports it in one line on stderr and turns
// the exit code into 2, so that no command exits 0 with its output lost.

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/expected.hpp"

namespace zsim::cli {

// The exit code of every command whose input cannot be read or whose output cannot be written
// (and of usage errors).
inline constexpr int exit_unusable = 2;
// The exit code when zsim itself failed: memory exhausted, or an exception nothing expected.
inline constexpr int exit_internal = 3;

// One line, escaped and cut, then '\n'. err_line flushes stdout first, so that a terminal shows
// both streams in the order they were written.
void out_line(std::string_view line);
void err_line(std::string_view line);
template <typename... Args>
void out(fmt::format_string<Args...> format, Args&&... args) {
  out_line(fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void err(fmt::format_string<Args...> format, Args&&... args) {
  err_line(fmt::format(format, std::forward<Args>(args)...));
}
// Sends what stdout holds now (a line per scenario reaches a pipe as it is decided).
void flush_out();
// Bytes as they are, for text zsim made itself (a progress bar's control codes, a JSON document).
void out_raw(std::string_view bytes);
void err_raw(std::string_view bytes);

// JSON on one line: every string (keys too) escaped as printed lines are, so the document is valid
// UTF-8 whatever the files held.
std::string json_text(const nlohmann::ordered_json& document, int indent = -1);

// Test support: while set (non-null), out_*() and err_*() append to these strings instead of
// writing stdout and stderr, so a fuzzer of the command line (fuzz/cli_arguments_fuzz.cpp) sees
// every line it would print. Both or neither; nullptr, nullptr writes the streams again.
void capture_output(std::string* out_text, std::string* err_text);

// Flushes and closes stdout. When a write to it failed, prints "zsim: cannot write standard
// output: REASON" and returns exit_unusable; otherwise returns exit_code.
int finish_output(int exit_code);

// Writes a whole file and closes it, checking each call: "cannot write FILE: REASON". A regular
// file (or a new one) is written to FILE.partial and renamed, so a reader never sees half of it;
// anything else (a pipe, /dev/stdout, a device) is written in place.
core::Expected<void> write_output_file(const std::filesystem::path& path, std::string_view text);

}  // namespace zsim::cli
