#pragma once
// Text that came from outside zsim — file names, and messages that quote a file's content — made
// safe to print: whatever a terminal would act on (control characters, escape sequences, C1 codes,
// bidirectional overrides) and whatever is not UTF-8 becomes a visible escape, so a printed line is
// exactly one line and a file cannot forge another file's verdict (`other.json: ok`).
//
// The escapes: \n, \r and \t for those three; \xNN for every other C0 control, DEL and each byte
// that is not part of valid UTF-8; \uNNNN for the C1 controls (U+0080..U+009F) and the bidi
// controls (U+202A..U+202E, U+2066..U+2069). A backslash is left as it is, so escaping is
// idempotent: text escaped at one layer and again when printed reads the same.

#include <cstddef>
#include <string>
#include <string_view>

namespace zsim::cli {

// A printed line is cut after this many bytes (of its escaped form): no input makes a line longer.
inline constexpr std::size_t printed_line_bytes_max = 16 * 1024;

// Appends text, escaped, to out.
void append_printable(std::string& out, std::string_view text);
// The text escaped as above.
std::string printable(std::string_view text);
// The text escaped and cut after bytes_max bytes with " ... (N more bytes)" (N counts input bytes);
// the cut never splits an escape or a UTF-8 character.
std::string printable_line(std::string_view text, std::size_t bytes_max = printed_line_bytes_max);
// True when text is printed as it is (printable(text) == text).
bool is_printable(std::string_view text);

}  // namespace zsim::cli
