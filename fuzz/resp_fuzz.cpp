// The fake redis server's request parser on arbitrary bytes, read as a connection reads them: one
// request after another until one is incomplete or an error. Every complete request consumes bytes
// and its arguments lie inside it. Requests of three arguments are also read as PSUBSCRIBE pattern
// and PUBLISH channel: glob_match must agree with redis's recursive stringmatchlen (kept here as
// the reference, run only where its exponential worst case is small).

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fakes/resp_protocol.hpp"
#include "fuzz/fuzz_check.hpp"

namespace {

using namespace zsim;

// Redis 7.0's stringmatchlen, without nocase and without its later fixes.
bool reference_glob(std::string_view pattern, std::string_view text) {
  std::size_t p = 0;
  std::size_t t = 0;
  while (p < pattern.size()) {
    switch (pattern[p]) {
      case '*': {
        while (p + 1 < pattern.size() && pattern[p + 1] == '*') ++p;
        if (p + 1 == pattern.size()) return true;
        for (std::size_t start = t; start <= text.size(); ++start) {
          if (reference_glob(pattern.substr(p + 1), text.substr(start))) return true;
        }
        return false;
      }
      case '?':
        if (t >= text.size()) return false;
        ++t;
        break;
      case '[': {
        if (t >= text.size()) return false;
        ++p;
        const bool negate = p < pattern.size() && pattern[p] == '^';
        if (negate) ++p;
        bool match = false;
        while (p < pattern.size() && pattern[p] != ']') {
          if (pattern[p] == '\\' && p + 1 < pattern.size()) {
            ++p;
            if (pattern[p] == text[t]) match = true;
          } else if (p + 2 < pattern.size() && pattern[p + 1] == '-') {
            char low = pattern[p];
            char high = pattern[p + 2];
            if (low > high) std::swap(low, high);
            if (text[t] >= low && text[t] <= high) match = true;
            p += 2;
          } else if (pattern[p] == text[t]) {
            match = true;
          }
          ++p;
        }
        if (p == pattern.size()) --p;
        if (negate) match = !match;
        if (!match) return false;
        ++t;
        break;
      }
      case '\\':
        if (p + 1 < pattern.size()) ++p;
        [[fallthrough]];
      default:
        if (t >= text.size() || pattern[p] != text[t]) return false;
        ++t;
        break;
    }
    ++p;
  }
  return t == text.size();
}

std::size_t stars(std::string_view pattern) {
  std::size_t count = 0;
  for (const char c : pattern) count += c == '*' ? 1 : 0;
  return count;
}

void check_glob(std::string_view pattern, std::string_view text) {
  const bool match = fakes::glob_match(pattern, text);
  if (stars(pattern) <= 4 && text.size() <= 48) {
    fuzz::require(match == reference_glob(pattern, text), "glob_match agrees with redis's stringmatchlen", pattern);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  constexpr std::size_t bulk_bytes_max = std::size_t{1} << 20;
  std::vector<std::string_view> args;
  std::size_t offset = 0;
  // Each pass consumes at least one byte or leaves the loop.
  while (offset < input.size()) {
    const std::string_view rest = input.substr(offset);
    args.clear();
    const fakes::RespParseOutcome outcome = fakes::parse_resp_request(rest, args, bulk_bytes_max);
    if (outcome.status != fakes::RespParse::complete) {
      fuzz::require(outcome.status == fakes::RespParse::incomplete || !outcome.error.empty(), "an error has a text");
      fuzz::require(args.size() <= rest.size(), "no more arguments than bytes");
      break;
    }
    fuzz::require(outcome.consumed > 0 && outcome.consumed <= rest.size(), "a request consumes bytes it has");
    for (const std::string_view arg : args) {
      fuzz::require(arg.data() >= rest.data() && arg.data() + arg.size() <= rest.data() + outcome.consumed,
                    "an argument lies inside its request");
    }
    if (args.size() == 3) check_glob(args[1], args[2]);
    offset += outcome.consumed;
  }
  return 0;
}
