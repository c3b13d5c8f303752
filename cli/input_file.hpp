#pragma once
// Reading what `zsim run` and `zsim validate` are given: once, whole, into memory, with a bound on
// bytes. A regular file larger than the bound is refused from its size, before reading a byte.
// Pipes and other streams (`zsim run /dev/stdin`, `zsim run <(cat f)`) are read once, up to the
// bound, however slowly they arrive; a stream that sends nothing for input_idle_timeout_ms (a FIFO
// that no writer opens, a terminal nobody types in) is refused instead of waiting forever.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace zsim::cli {

// Wall time a stream may stay silent before it is refused.
inline constexpr int input_idle_timeout_ms = 10'000;

// The whole content of path. The error (without the path) is one line, e.g.
// "is 209715200 bytes, larger than the limit of 4194304 bytes for a scenario file".
core::Expected<std::string> read_input_file(const std::string& path, std::size_t bytes_max, std::string_view what);
// A NUL byte is malformed JSON, and a parser that reads a C string would stop there and pass
// `{valid}\0garbage`: the error names its offset.
core::Status check_no_nul(std::string_view text);

}  // namespace zsim::cli
