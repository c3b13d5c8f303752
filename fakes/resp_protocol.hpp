#pragma once
// The request side of RESP2 as the fake redis server reads it, apart from any socket so that it is
// tested and fuzzed on bytes alone: one request at a time (multibulk "*N\r\n$len\r\n..." or an
// inline line), and redis's glob match for PSUBSCRIBE patterns.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace zsim::fakes {

// Redis's PROTO_INLINE_MAX_SIZE: an inline request or a count line longer than this is an error.
inline constexpr std::size_t resp_inline_bytes_max = std::size_t{64} << 10;
// Redis refuses a multibulk count above 1024 * 1024 (without an authenticated client even lower).
inline constexpr std::int64_t resp_multibulk_count_max = std::int64_t{1} << 20;

enum class RespParse : std::uint8_t { complete, incomplete, error };

struct RespParseOutcome {
  RespParse status = RespParse::incomplete;
  std::size_t consumed = 0;  // Bytes of the request when complete (at least 1), else 0.
  std::string_view error;    // Redis's text, without "ERR ", when status is error.
};

// Reads the request at the start of input (not empty) into args, as redis's processMultibulkBuffer
// and processInlineBuffer do: a bulk longer than bulk_bytes_max is an error. args views point into
// input and stay valid while input is unchanged; an inline request may have no words (an empty
// line), which is complete with args empty.
RespParseOutcome parse_resp_request(std::string_view input, std::vector<std::string_view>& args,
                                    std::size_t bulk_bytes_max);

// Redis's glob match (stringmatchlen without nocase): * ? [set] [^set] [a-z] and \ escapes, an
// unclosed '[' ending at the end of the pattern. Iterative, in O(pattern × text) time and constant
// space whatever the pattern: redis's recursive version needed two fixes for patterns of many
// stars (CVE-2022-36021, and a stack overflow), which this one cannot have.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace zsim::fakes
