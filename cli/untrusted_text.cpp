#include "cli/untrusted_text.hpp"

#include <fmt/format.h>

#include <cassert>
#include <cstdint>

namespace zsim::cli {

namespace {

// Length of the valid UTF-8 sequence at the start of text (1 to 4), or 0 when it is not one:
// overlong forms, surrogates and code points above U+10FFFF are not valid (RFC 3629).
std::size_t utf8_length(std::string_view text, std::uint32_t& code_point) {
  assert(!text.empty());
  const auto byte = [&text](std::size_t index) { return static_cast<unsigned char>(text[index]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  }
  // The lead byte gives the length, its payload bits and the smallest code point of that length.
  struct Form {
    unsigned char first;
    unsigned char last;
    std::size_t length;
    unsigned char payload_mask;
    std::uint32_t minimum;
  };
  static constexpr Form forms[] = {{0xC2, 0xDF, 2, 0x1F, 0x80}, {0xE0, 0xEF, 3, 0x0F, 0x800}, {0xF0, 0xF4, 4, 0x07, 0x10000}};
  const Form* form = nullptr;
  for (const Form& candidate : forms) {
    if (lead >= candidate.first && lead <= candidate.last) form = &candidate;
  }
  if (form == nullptr) return 0;
  const std::size_t length = form->length;
  const std::uint32_t minimum = form->minimum;
  code_point = lead & form->payload_mask;
  if (text.size() < length) return 0;
  for (std::size_t index = 1; index < length; index += 1) {
    if ((byte(index) & 0xC0U) != 0x80U) return 0;
    code_point = (code_point << 6U) | (byte(index) & 0x3FU);
  }
  if (code_point < minimum || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) return 0;
  return length;
}

bool is_format_control(std::uint32_t code_point) {
  return (code_point >= 0x80 && code_point <= 0x9F) || (code_point >= 0x202A && code_point <= 0x202E) ||
         (code_point >= 0x2066 && code_point <= 0x2069);
}

// The escaped form of the character at the start of text, and how many input bytes it covers.
std::size_t append_one(std::string& out, std::string_view text) {
  std::uint32_t code_point = 0;
  const std::size_t length = utf8_length(text, code_point);
  if (length == 0) {
    out += fmt::format("\\x{:02X}", static_cast<unsigned char>(text[0]));
    return 1;
  }
  if (length == 1 && (code_point < 0x20 || code_point == 0x7F)) {
    switch (code_point) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += fmt::format("\\x{:02X}", code_point);
    }
    return 1;
  }
  if (is_format_control(code_point)) {
    out += fmt::format("\\u{:04X}", code_point);
    return length;
  }
  out.append(text.substr(0, length));
  return length;
}

}  // namespace

void append_printable(std::string& out, std::string_view text) {
  std::size_t index = 0;
  while (index < text.size()) index += append_one(out, text.substr(index));
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_printable(out, text);
  return out;
}

std::string printable_line(std::string_view text, std::size_t bytes_max) {
  std::string out;
  out.reserve(std::min(text.size(), bytes_max) + 32);
  std::size_t index = 0;
  while (index < text.size()) {
    const std::size_t before = out.size();
    const std::size_t taken = append_one(out, text.substr(index));
    if (out.size() > bytes_max) {
      out.resize(before);
      out += fmt::format(" ... ({} more bytes)", text.size() - index);
      return out;
    }
    index += taken;
  }
  return out;
}

bool is_printable(std::string_view text) { return printable(text) == text; }

}  // namespace zsim::cli
