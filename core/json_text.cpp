#include "core/json_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <vector>

#include "core/untrusted_text.hpp"

namespace zsim::core {

namespace {

using nlohmann::json;

// nlohmann reports the byte offset of the last character it read. The line and column are
// computed here rather than taken from its message, because its column is 0 when that character is
// a newline and it counts bytes, not characters.
struct TextPosition {
  std::size_t line = 1;
  std::size_t column = 1;
};

TextPosition position_of(std::string_view text, std::size_t byte_1based) {
  const std::size_t offset = std::min(byte_1based == 0 ? 0 : byte_1based - 1, text.size());
  // Count the characters before the last one read; when that one is a newline, the error is
  // reported at the end of its line rather than at column 0 of the next.
  TextPosition position;
  for (std::size_t i = 0; i < offset; i++) {
    if (text[i] == '\n') {
      position.line++;
      position.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U) {
      // UTF-8 continuation bytes do not start a new character.
      position.column++;
    }
  }
  assert(position.line >= 1 && position.column >= 1);
  assert(position.line <= offset + 1 && position.column <= offset + 1);
  return position;
}

// nlohmann's message less its own prefix, position and "last read" excerpt: the excerpt would
// repeat the text being parsed, which may be a secret value.
std::string short_reason(std::string_view what) {
  if (const auto column = what.find(", column "); column != std::string_view::npos) {
    if (const auto colon = what.find(": ", column); colon != std::string_view::npos) {
      what.remove_prefix(colon + 2);
    }
  }
  if (const auto dash = what.find(" - "); what.starts_with("syntax error") && dash != std::string_view::npos) {
    what.remove_prefix(dash + 3);
  }
  if (const auto last_read = what.find("; last read:"); last_read != std::string_view::npos) {
    what = what.substr(0, last_read);
  }
  return escape_untrusted(what, 256);
}

// nlohmann's DOM builder behind the limits, keeping the JSON path of the value being read so that a
// refusal can name it. Every value event first counts the value in its array (value_starts).
class LimitedDomBuilder {
 public:
  LimitedDomBuilder(std::string_view text, json& root, const JsonTextLimits& limits)
      : text_(text), dom_(root, false), limits_(limits) {}

  bool null() { return value_starts() && dom_.null(); }
  bool boolean(bool value) { return value_starts() && dom_.boolean(value); }
  bool number_integer(json::number_integer_t value) { return value_starts() && dom_.number_integer(value); }
  bool number_unsigned(json::number_unsigned_t value) { return value_starts() && dom_.number_unsigned(value); }
  bool number_float(json::number_float_t value, const json::string_t& text) {
    return value_starts() && dom_.number_float(value, text);
  }
  bool binary(json::binary_t& value) { return value_starts() && dom_.binary(value); }
  bool string(json::string_t& value) {
    value_starts();
    if (value.size() > limits_.string_bytes_max) {
      return refuse(path(frames_.size()), fmt::format("a string longer than {} bytes (limit json_string_bytes_max)",
                                                      limits_.string_bytes_max));
    }
    return dom_.string(value);
  }
  bool start_object(std::size_t elements) { return start(false) && dom_.start_object(elements); }
  bool start_array(std::size_t elements) { return start(true) && dom_.start_array(elements); }
  bool key(json::string_t& name) {
    assert(!frames_.empty() && !frames_.back().array);
    if (name.size() > limits_.string_bytes_max) {
      return refuse(path(frames_.size() - 1), fmt::format("a field name longer than {} bytes (limit json_string_bytes_max)",
                                                          limits_.string_bytes_max));
    }
    frames_.back().key = name;
    return dom_.key(name);
  }
  bool end_object() { return end() && dom_.end_object(); }
  bool end_array() { return end() && dom_.end_array(); }

  template <class Exception>
  bool parse_error(std::size_t byte, const std::string& /*last_token*/, const Exception& error) {
    const TextPosition at = position_of(text_, byte);
    // 406 is nlohmann's "number overflow parsing '<the number>'": the number is not repeated, as it
    // may be a secret value, but its place is named.
    if (error.id == 406) {
      return refuse(path(frames_.size(), true),
                    fmt::format("invalid JSON at line {}, column {}: a number beyond the range of a double (about "
                                "1.8e308)",
                                at.line, at.column));
    }
    return refuse("", describe_json_parse_error(text_, byte, error.what()));
  }

  const std::optional<JsonTextError>& error() const { return error_; }

 private:
  struct Frame {
    bool array = false;
    std::size_t count = 0;  // Array: values started so far.
    std::string key;        // Object: the field being read.
  };

  bool value_starts() {
    if (!frames_.empty() && frames_.back().array) frames_.back().count += 1;
    return true;
  }
  bool start(bool array) {
    value_starts();
    if (frames_.size() >= limits_.depth_max) {
      return refuse(path(frames_.size()),
                    fmt::format("nested deeper than {} levels (limit json_depth_max)", limits_.depth_max));
    }
    frames_.push_back(Frame{array, 0, {}});
    return true;
  }
  bool end() {
    assert(!frames_.empty());
    frames_.pop_back();
    return true;
  }
  bool refuse(std::string path, std::string message) {
    if (!error_) error_ = JsonTextError{std::move(path), std::move(message)};
    return false;
  }
  // The path through the first levels frames. pending: the last array's value being read has not
  // been counted yet (a number that failed to parse).
  std::string path(std::size_t levels, bool pending = false) const {
    assert(levels <= frames_.size());
    std::string text;
    for (std::size_t index = 0; index < levels; index += 1) {
      const Frame& frame = frames_[index];
      if (frame.array) {
        const bool last = index + 1 == levels;
        const std::size_t element = pending && last ? frame.count : frame.count - 1;
        fmt::format_to(std::back_inserter(text), "[{}]", element);
      } else {
        if (!text.empty()) text.push_back('.');
        text += escape_untrusted(frame.key, 64);
      }
    }
    return shorten_path(std::move(text));
  }

  // 64 levels of long field names would make a path of kilobytes: the middle goes, the start and
  // the end (where the value is) stay, cut between characters.
  static std::string shorten_path(std::string text) {
    constexpr std::size_t keep_bytes = 240;
    if (text.size() <= 2 * keep_bytes + 16) return text;
    const auto continuation = [&](std::size_t at) { return (static_cast<unsigned char>(text[at]) & 0xC0U) == 0x80U; };
    std::size_t head = keep_bytes;
    while (head > 0 && continuation(head)) head -= 1;
    std::size_t tail = text.size() - keep_bytes;
    while (tail < text.size() && continuation(tail)) tail += 1;
    return text.substr(0, head) + "..." + text.substr(tail);
  }

  std::string_view text_;
  nlohmann::detail::json_sax_dom_parser<json> dom_;
  JsonTextLimits limits_;
  std::vector<Frame> frames_;  // At most depth_max deep.
  std::optional<JsonTextError> error_;
};

}  // namespace

std::string describe_json_parse_error(std::string_view text, std::size_t byte, std::string_view what) {
  const TextPosition position = position_of(text, byte);
  return fmt::format("invalid JSON at line {}, column {}: {}", position.line, position.column, short_reason(what));
}

std::optional<JsonTextError> parse_json_text(std::string_view text, json& out, const JsonTextLimits& limits) {
  assert(limits.depth_max >= 1);
  out = json();
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    const TextPosition at = position_of(text, nul + 1);
    return JsonTextError{"", fmt::format("invalid JSON at line {}, column {}: a NUL byte, which JSON text cannot hold",
                                         at.line, at.column)};
  }
  LimitedDomBuilder builder(text, out, limits);
  const bool parsed = json::sax_parse(text.begin(), text.end(), &builder);
  if (!parsed) {
    out = json();
    assert(builder.error().has_value());
    return builder.error();
  }
  assert(!builder.error().has_value());
  return std::nullopt;
}

}  // namespace zsim::core
