#include "fakes/resp_protocol.hpp"

#include <cassert>
#include <charconv>
#include <utility>

namespace zsim::fakes {

namespace {

bool parse_integer(std::string_view text, std::int64_t& value) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  const auto [position, error] = std::from_chars(text.data(), end, value);
  return error == std::errc() && position == end;
}

// One multibulk request ("*N\r\n$len\r\nbytes\r\n..."), as redis's processMultibulkBuffer reads it.
RespParseOutcome parse_multibulk(std::string_view input, std::vector<std::string_view>& args, std::size_t bulk_max) {
  assert(!input.empty() && input[0] == '*');
  std::size_t line_end = input.find("\r\n");
  if (line_end == std::string_view::npos) {
    if (input.size() > resp_inline_bytes_max) {
      return {RespParse::error, 0, "Protocol error: too big mbulk count string"};
    }
    return {};
  }
  std::int64_t count = 0;
  if (!parse_integer(input.substr(1, line_end - 1), count) || count > resp_multibulk_count_max) {
    return {RespParse::error, 0, "Protocol error: invalid multibulk length"};
  }
  std::size_t position = line_end + 2;
  // Each iteration reads one argument or returns, so the loop is bounded by count.
  for (std::int64_t index = 0; index < count; ++index) {
    if (position >= input.size()) return {};
    if (input[position] != '$') return {RespParse::error, 0, "Protocol error: expected '$'"};
    line_end = input.find("\r\n", position);
    if (line_end == std::string_view::npos) {
      if (input.size() - position > resp_inline_bytes_max) {
        return {RespParse::error, 0, "Protocol error: too big bulk count string"};
      }
      return {};
    }
    std::int64_t length = 0;
    if (!parse_integer(input.substr(position + 1, line_end - position - 1), length) || length < 0 ||
        static_cast<std::uint64_t>(length) > bulk_max) {
      return {RespParse::error, 0, "Protocol error: invalid bulk length"};
    }
    const std::size_t start = line_end + 2;
    const std::size_t bulk_bytes = static_cast<std::size_t>(length);
    if (input.size() < start + bulk_bytes + 2) return {};
    args.push_back(input.substr(start, bulk_bytes));
    // Like redis, the two bytes after a bulk are taken to be CRLF without looking.
    position = start + bulk_bytes + 2;
  }
  assert(position <= input.size());
  return {RespParse::complete, position, {}};
}

// One inline request: words separated by spaces or tabs, ended by LF (CRLF accepted). Quoting, which
// redis's sdssplitargs also understands, is not: the node never sends inline requests.
RespParseOutcome parse_inline(std::string_view input, std::vector<std::string_view>& args) {
  const std::size_t line_end = input.find('\n');
  if (line_end == std::string_view::npos) {
    if (input.size() > resp_inline_bytes_max) return {RespParse::error, 0, "Protocol error: too big inline request"};
    return {};
  }
  std::string_view line = input.substr(0, line_end);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::size_t position = 0;
  // Each iteration consumes at least one byte of line.
  while (position < line.size()) {
    const std::size_t start = line.find_first_not_of(" \t", position);
    if (start == std::string_view::npos) break;
    std::size_t end = line.find_first_of(" \t", start);
    if (end == std::string_view::npos) end = line.size();
    args.push_back(line.substr(start, end - start));
    position = end;
  }
  return {RespParse::complete, line_end + 1, {}};
}

// Whether the one-byte token at pattern[p] (anything but '*') matches byte; next is where the token
// ends. Sets follow stringmatchlen: '\' escapes inside a set, "a-z" ranges either way round, and an
// unclosed set ends at the end of the pattern.
bool token_matches(std::string_view pattern, std::size_t p, char byte, std::size_t& next) {
  assert(p < pattern.size() && pattern[p] != '*');
  switch (pattern[p]) {
    case '?':
      next = p + 1;
      return true;
    case '[': {
      ++p;
      const bool negate = p < pattern.size() && pattern[p] == '^';
      if (negate) ++p;
      bool match = false;
      // Each iteration consumes at least one pattern byte.
      while (p < pattern.size() && pattern[p] != ']') {
        if (pattern[p] == '\\' && p + 1 < pattern.size()) {
          ++p;
          if (pattern[p] == byte) match = true;
        } else if (p + 2 < pattern.size() && pattern[p + 1] == '-') {
          char low = pattern[p];
          char high = pattern[p + 2];
          if (low > high) std::swap(low, high);
          if (byte >= low && byte <= high) match = true;
          p += 2;
        } else if (pattern[p] == byte) {
          match = true;
        }
        ++p;
      }
      next = p == pattern.size() ? p : p + 1;
      return negate ? !match : match;
    }
    case '\\':
      if (p + 1 < pattern.size()) ++p;
      [[fallthrough]];
    default:
      next = p + 1;
      return pattern[p] == byte;
  }
}

}  // namespace

RespParseOutcome parse_resp_request(std::string_view input, std::vector<std::string_view>& args,
                                    std::size_t bulk_bytes_max) {
  assert(!input.empty());
  const RespParseOutcome outcome =
      input[0] == '*' ? parse_multibulk(input, args, bulk_bytes_max) : parse_inline(input, args);
  assert(outcome.status != RespParse::complete || (outcome.consumed > 0 && outcome.consumed <= input.size()));
  return outcome;
}

// Every token but '*' matches exactly one byte, so the classic greedy match with one backtracking
// point is exact: on a mismatch, the last star takes one more byte and matching resumes after it.
// Earlier stars never need to take more, because the last star can absorb whatever they would.
bool glob_match(std::string_view pattern, std::string_view text) {
  constexpr std::size_t none = std::string_view::npos;
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star_p = none;  // The last star seen, and the text position its match ends at.
  std::size_t star_t = 0;
  // Each pass advances t, or advances p, or moves star_t forward (and p back to after the star):
  // at most (pattern + 1) × (text + 1) passes.
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = p;
      star_t = t;
      ++p;
      continue;
    }
    std::size_t next = 0;
    if (p < pattern.size() && token_matches(pattern, p, text[t], next)) {
      p = next;
      ++t;
      continue;
    }
    if (star_p == none) return false;
    p = star_p + 1;
    star_t += 1;
    t = star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace zsim::fakes
