#pragma once
// The one escaper of trace values. Every event is "<time_ms> <node> <kind> <key=value ...>", and a
// value holds no spaces, newlines or '%': such bytes (and every byte outside printable ASCII)
// become %XX, so a line splits on spaces and every value reads back exactly (trace_unescaped).
// The core narrates its events with it (EventLog details); kernel/trace_value.hpp re-exports it
// for the fakes and the world, since the core sees no module above it.

#include <cstddef>
#include <string>
#include <string_view>

namespace zsim::core {

// A bound on one escaped value of the core's events: an error that quotes a long input stays one
// readable line, and its cut is marked.
inline constexpr std::size_t event_value_bytes_max = 1024;

// Appends value, escaped, to any buffer with push_back(char) (std::string, fmt::memory_buffer).
template <class Buffer>
void append_trace_escaped(Buffer& out, std::string_view value) {
  static constexpr char hex_digits[] = "0123456789ABCDEF";
  for (const char character : value) {
    const auto byte = static_cast<unsigned char>(character);
    if (byte > 0x20 && byte < 0x7f && byte != '%') {
      out.push_back(character);
    } else {
      out.push_back('%');
      out.push_back(hex_digits[byte >> 4]);
      out.push_back(hex_digits[byte & 0xf]);
    }
  }
}

// The value escaped; cut after bytes_max bytes and marked with a final '~'; "" for an empty value
// so that "key=" never looks like a missing field.
std::string trace_value(std::string_view value, std::size_t bytes_max = event_value_bytes_max);

// The inverse of trace_value for a value read back from a line: %XX decoded, "" read as empty. A
// '%' not followed by two hex digits is kept as it is (a line written by something else).
std::string trace_unescaped(std::string_view value);

}  // namespace zsim::core
