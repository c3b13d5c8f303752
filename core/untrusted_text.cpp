#include "core/untrusted_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <iterator>

namespace zsim::core {

namespace {

// The length of the UTF-8 sequence at text[index] and its code point, or 0 when the bytes there are
// not well-formed UTF-8 (overlong forms, surrogates and values beyond U+10FFFF included).
std::size_t utf8_sequence(std::string_view text, std::size_t index, std::uint32_t& code_point) {
  const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
  const unsigned char lead = byte(index);
  std::size_t length = 0;
  std::uint32_t minimum = 0;
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  }
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, minimum = 0x80, code_point = lead & 0x1FU;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, minimum = 0x800, code_point = lead & 0x0FU;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, minimum = 0x10000, code_point = lead & 0x07U;
  } else {
    return 0;
  }
  if (index + length > text.size()) return 0;
  for (std::size_t offset = 1; offset < length; offset += 1) {
    if ((byte(index + offset) & 0xC0U) != 0x80U) return 0;
    code_point = (code_point << 6) | (byte(index + offset) & 0x3FU);
  }
  const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
  if (code_point < minimum || code_point > 0x10FFFF || surrogate) return 0;
  return length;
}

// Characters that move the cursor, end a line or reorder what a terminal shows.
bool hidden_control(std::uint32_t code_point) {
  return (code_point >= 0x80 && code_point <= 0x9F) || (code_point >= 0x2028 && code_point <= 0x202E) ||
         (code_point >= 0x2066 && code_point <= 0x2069);
}

void append_escaped_ascii(std::string& out, unsigned char byte) {
  switch (byte) {
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    case '\\': out += "\\\\"; return;
    default: break;
  }
  if (byte < 0x20 || byte == 0x7F) {
    fmt::format_to(std::back_inserter(out), "\\x{:02X}", byte);
  } else {
    out.push_back(static_cast<char>(byte));
  }
}

}  // namespace

std::string escape_untrusted(std::string_view text, std::size_t bytes_max) {
  std::string out;
  out.reserve(std::min(text.size(), bytes_max) + 16);
  std::size_t index = 0;
  // Each pass consumes at least one byte of text.
  while (index < text.size()) {
    std::uint32_t code_point = 0;
    const std::size_t length = utf8_sequence(text, index, code_point);
    const std::size_t consumed = length == 0 ? 1 : length;
    if (index + consumed > bytes_max) break;
    if (length == 0) {
      fmt::format_to(std::back_inserter(out), "\\x{:02X}", static_cast<unsigned char>(text[index]));
    } else if (length == 1) {
      append_escaped_ascii(out, static_cast<unsigned char>(text[index]));
    } else if (hidden_control(code_point)) {
      fmt::format_to(std::back_inserter(out), "\\u{{{:04X}}}", code_point);
    } else {
      out.append(text.substr(index, length));
    }
    index += consumed;
  }
  if (index < text.size()) fmt::format_to(std::back_inserter(out), "... ({} bytes)", text.size());
  // Every input byte became at most 10 output bytes (\u{XXXX} for a 2-byte C1 control is 8).
  assert(out.size() <= std::min(text.size(), bytes_max) * 4 + 32);
  return out;
}

}  // namespace zsim::core
