#include "core/flist_image.hpp"

#include <cassert>
#include <charconv>
#include <cstddef>

#include <fmt/format.h>

#include "core/md5.hpp"

// The encoding, one field a line, every line ending in '\n':
//
//   zflist 1
//   name=<text>
//   size_mib=<decimal>
//   entrypoint=<text>
//   env=<text>=<text>        (zero or more, in order)
//   body <decimal length>
//   <length raw bytes>
//   checksum <md5 hex of every byte before this line>
//
// <text> is percent-encoded: '%', '=' and every byte outside printable ASCII (space included) is
// written %XX with upper-case hex, everything else as itself. Exactly one spelling is accepted for
// every image, so encode(decode(bytes)) == bytes whenever decode succeeds, and the first '=' of an
// env line always separates the key from the value.

namespace zsim::core {

namespace {

constexpr std::string_view magic_line = "zflist 1";
constexpr std::string_view checksum_prefix = "checksum ";
constexpr std::size_t md5_hex_size = 32;
constexpr std::size_t checksum_line_size = checksum_prefix.size() + md5_hex_size + 1;
constexpr char upper_hex_digits[] = "0123456789ABCDEF";

Error corrupt(std::string_view why) { return Error{fmt::format("corrupt flist: {}", why)}; }

bool needs_escape(unsigned char byte) { return byte <= 0x20 || byte >= 0x7f || byte == '%' || byte == '='; }

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (needs_escape(byte)) {
      out.push_back('%');
      out.push_back(upper_hex_digits[byte >> 4]);
      out.push_back(upper_hex_digits[byte & 0x0fU]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

int upper_hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The inverse of escape(), refusing every spelling escape() would not have written.
bool unescape(std::string_view text, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte != '%') {
      if (needs_escape(byte)) return false;
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return false;
    const int high = upper_hex_value(text[i + 1]);
    const int low = upper_hex_value(text[i + 2]);
    if (high < 0 || low < 0) return false;
    const auto decoded = static_cast<unsigned char>((high << 4) | low);
    if (!needs_escape(decoded)) return false;
    out.push_back(static_cast<char>(decoded));
    i += 2;
  }
  return true;
}

// A decimal without sign or leading zeros that fits in 64 bits.
bool parse_decimal(std::string_view text, std::uint64_t& value_out) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return false;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value_out);
  return error == std::errc{} && stop == end;
}

// Reads the covered part of an encoded flist from front to back.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}

  // The next line without its '\n'; false when no complete line is left.
  bool line(std::string_view& out) {
    const std::size_t end = rest_.find('\n');
    if (end == std::string_view::npos) return false;
    out = rest_.substr(0, end);
    rest_.remove_prefix(end + 1);
    return true;
  }
  // The value of a line "<key>=<value>", or false when the next line is not one.
  bool field(std::string_view key, std::string_view& value_out) {
    const std::string_view saved = rest_;
    std::string_view text;
    if (line(text) && text.size() > key.size() && text.substr(0, key.size()) == key && text[key.size()] == '=') {
      value_out = text.substr(key.size() + 1);
      return true;
    }
    rest_ = saved;
    return false;
  }
  bool bytes(std::size_t count, std::string_view& out) {
    if (count > rest_.size()) return false;
    out = rest_.substr(0, count);
    rest_.remove_prefix(count);
    return true;
  }
  bool starts_with(std::string_view prefix) const { return rest_.substr(0, prefix.size()) == prefix; }
  bool at_end() const { return rest_.empty(); }
  std::size_t remaining() const { return rest_.size(); }

 private:
  std::string_view rest_;
};

// Checks the checksum line at the end and returns the bytes it covers.
Expected<std::string_view> checked_content(std::string_view bytes) {
  if (bytes.size() < magic_line.size() + 1 + checksum_line_size) return corrupt("truncated");
  const std::string_view content = bytes.substr(0, bytes.size() - checksum_line_size);
  const std::string_view checksum_line = bytes.substr(content.size());
  if (checksum_line.substr(0, checksum_prefix.size()) != checksum_prefix || checksum_line.back() != '\n') {
    return corrupt("missing checksum line");
  }
  const std::string_view digest = checksum_line.substr(checksum_prefix.size(), md5_hex_size);
  if (digest != md5_hex(content)) return corrupt("checksum mismatch");
  return content;
}

Status read_header(Reader& reader, FlistImage& image) {
  std::string_view text;
  if (!reader.line(text) || text != magic_line) return corrupt("bad magic line");
  if (!reader.field("name", text) || !unescape(text, image.name)) return corrupt("bad field 'name'");
  if (!reader.field("size_mib", text) || !parse_decimal(text, image.size_mib)) return corrupt("bad field 'size_mib'");
  if (!reader.field("entrypoint", text) || !unescape(text, image.entrypoint)) {
    return corrupt("bad field 'entrypoint'");
  }
  return {};
}

Status read_environment(Reader& reader, FlistImage& image) {
  // Every env line takes at least five bytes, so the remaining size bounds the loop.
  const std::size_t lines_max = reader.remaining();
  for (std::size_t count = 0; count <= lines_max && reader.starts_with("env="); ++count) {
    std::string_view text;
    const bool read = reader.field("env", text);
    assert(read);
    (void)read;
    const std::size_t separator = text.find('=');
    std::string key;
    std::string value;
    if (separator == std::string_view::npos || !unescape(text.substr(0, separator), key) ||
        !unescape(text.substr(separator + 1), value)) {
      return corrupt("bad field 'env'");
    }
    image.environment.emplace_back(std::move(key), std::move(value));
  }
  return {};
}

Status read_body(Reader& reader, FlistImage& image) {
  std::string_view text;
  std::uint64_t length = 0;
  if (!reader.line(text) || text.substr(0, 5) != "body " || !parse_decimal(text.substr(5), length)) {
    return corrupt("bad body line");
  }
  std::string_view body;
  std::string_view end;
  if (length > reader.remaining() || !reader.bytes(static_cast<std::size_t>(length), body)) {
    return corrupt("body is truncated");
  }
  if (!reader.line(end) || !end.empty() || !reader.at_end()) return corrupt("unexpected bytes after the body");
  image.body = std::string(body);
  return {};
}

}  // namespace

std::string encode_flist(const FlistImage& image) {
  std::string out;
  out.reserve(image.body.size() + 128);
  out.append(magic_line).push_back('\n');
  out.append("name=").append(escape(image.name)).push_back('\n');
  out.append(fmt::format("size_mib={}\n", image.size_mib));
  out.append("entrypoint=").append(escape(image.entrypoint)).push_back('\n');
  for (const auto& [key, value] : image.environment) {
    out.append("env=").append(escape(key)).append("=").append(escape(value)).push_back('\n');
  }
  out.append(fmt::format("body {}\n", image.body.size()));
  out.append(image.body).push_back('\n');
  const std::string digest = md5_hex(out);
  out.append(checksum_prefix).append(digest).push_back('\n');
  assert(decode_flist(out).ok() && decode_flist(out).value() == image);
  return out;
}

Expected<FlistImage> decode_flist(std::string_view bytes) {
  const Expected<std::string_view> content = checked_content(bytes);
  if (!content) return Error{content.error()};
  Reader reader(content.value());
  FlistImage image;
  if (Status status = read_header(reader, image); !status) return Error{status.error()};
  if (Status status = read_environment(reader, image); !status) return Error{status.error()};
  if (Status status = read_body(reader, image); !status) return Error{status.error()};
  assert(reader.at_end());
  return image;
}

}  // namespace zsim::core
