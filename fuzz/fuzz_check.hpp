#pragma once
// What every fuzz target checks beyond "no crash": a property that fails prints what was expected
// and aborts, so libFuzzer keeps the input as a crash artifact.

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace zsim::fuzz {

// Errors are read by people and printed on one line of a terminal: bounded, without control bytes.
inline constexpr std::size_t error_bytes_max = 2048;

[[noreturn]] inline void fail(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "fuzz property failed: %.*s\n  detail: %.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(detail.size() > 4096 ? 4096 : detail.size()), detail.data());
  std::abort();
}

inline void require(bool condition, std::string_view what, std::string_view detail = {}) {
  if (!condition) fail(what, detail);
}

// One line, at most error_bytes_max bytes, no byte below 0x20 and no DEL: untrusted text in it was
// escaped and cut.
inline void require_one_line_error(std::string_view error) {
  require(!error.empty(), "an error says something");
  require(error.size() <= error_bytes_max, "an error is at most error_bytes_max bytes", error.substr(0, 512));
  for (const char character : error) {
    const auto byte = static_cast<unsigned char>(character);
    require(byte >= 0x20 && byte != 0x7f, "an error has no control byte", error);
  }
}

}  // namespace zsim::fuzz
