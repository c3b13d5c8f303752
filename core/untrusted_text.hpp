#pragma once
// Text from a file, a payload or a stream, put into a message for people: every error that quotes
// input goes through escape_untrusted, so that an error stays one short line whatever the input
// holds (a 1 MiB value, a newline and a forged "other.json: ok", terminal escape codes).

#include <cstddef>
#include <string>
#include <string_view>

namespace zsim::core {

// How much of one untrusted value a message shows, in bytes of the value.
inline constexpr std::size_t untrusted_text_bytes_max = 128;

// The text as it may be printed: valid UTF-8 other than control characters is kept; control
// characters become \n, \r, \t or \xNN (C1 controls and the bidirectional and line-separator
// characters U+2028-U+202E and U+2066-U+2069 become \u{XXXX}), bytes that are not UTF-8 become
// \xNN, and '\' becomes "\\" so that what is shown reads back unambiguously. A text longer than
// bytes_max is cut at a character boundary at most bytes_max bytes in and ends with
// "... (N bytes)", N its whole length.
std::string escape_untrusted(std::string_view text, std::size_t bytes_max = untrusted_text_bytes_max);

}  // namespace zsim::core
