#pragma once
// JSON text from a file or a payload, read with limits: the depth of nesting and the length of a
// string are bounded while the text is parsed, before anything walks the value (nlohmann copies,
// compares and prints values recursively: a value nested 60,000 levels overflows the stack), and
// every failure is one line that never quotes the text (it may hold secrets).
//
// Errors, exactly (path is the JSON path of the value, "" for the text as a whole):
//   "invalid JSON at line L, column C: REASON"      nlohmann's reason, without its excerpt of the text
//   "invalid JSON at line L, column C: a NUL byte, which JSON text cannot hold"
//                                                    (nlohmann ends the input silently at a NUL byte)
//   "invalid JSON at line L, column C: a number beyond the range of a double (about 1.8e308)"
//                                                    (with the number's path; the number is not shown)
//   "nested deeper than 64 levels (limit json_depth_max)"
//   "a string longer than 4096 bytes (limit json_string_bytes_max)"
//   "a field name longer than 4096 bytes (limit json_string_bytes_max)"  (path: its object)

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace zsim::core {

// The top-level value is level 1; the library's deepest file uses 12.
inline constexpr std::size_t json_depth_max = 64;
// Strings and field names; the library's longest string is a description of about 1 KB.
inline constexpr std::size_t json_string_bytes_max = 4096;

struct JsonTextLimits {
  std::size_t depth_max = json_depth_max;
  std::size_t string_bytes_max = json_string_bytes_max;
};

struct JsonTextError {
  std::string path;  // "" for the text as a whole; else "a.b[2].c", field names escaped and cut.
  std::string message;
};

// Parses text as one JSON value into out (left null on an error).
std::optional<JsonTextError> parse_json_text(std::string_view text, nlohmann::json& out,
                                             const JsonTextLimits& limits = {});

// "invalid JSON at line L, column C: <reason>" for an nlohmann parse error at byte (1-based, as
// nlohmann counts) of text; the column counts UTF-8 characters. The reason never quotes the text
// itself (nlohmann's "last read" excerpt could hold a secret).
std::string describe_json_parse_error(std::string_view text, std::size_t byte, std::string_view what);

}  // namespace zsim::core
