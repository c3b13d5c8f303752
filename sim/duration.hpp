#pragma once
// Durations as people write them: "500ms", "2s", "10m", "1h", "1d", or a sum like "1h30m".

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace zsim::sim {

// A duration text longer than this is refused, by name: "invalid duration '...': longer than 64
// bytes (limit duration_text_bytes_max)"; every other mistake is "invalid duration 'TEXT', expected
// e.g. 500ms, 2s, 10m, 1h, 1d or 1h30m", TEXT escaped (core/untrusted_text.hpp).
inline constexpr std::size_t duration_text_bytes_max = 64;

core::Expected<std::int64_t> parse_duration_ms(std::string_view text);

}  // namespace zsim::sim

namespace zsim::sim {

// The inverse of parse_duration_ms: the shortest sum of units ("1h30m", "2s", "1500ms" as "1s500ms"),
// "0s" for zero. parse_duration_ms(format_duration(ms)) == ms for every 0 <= ms <= INT64_MAX / 4.
std::string format_duration(std::int64_t duration_ms);

}  // namespace zsim::sim
