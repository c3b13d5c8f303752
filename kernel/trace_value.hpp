#pragma once
// Values in trace lines hold no spaces, newlines or '%': such bytes (and every byte outside
// printable ASCII) become %XX, so a line splits on spaces and every value reads back exactly.

#include <cstddef>
#include <string>
#include <string_view>

namespace zsim::kernel {

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
std::string trace_value(std::string_view value, std::size_t bytes_max);

}  // namespace zsim::kernel
