#pragma once
// The stats message of the real node, encoded without building a JSON object:
//   {"timestamp":<unix s>,"memory_usage":N,"memory_limit":N,"memory_cache":N,"cpu_usage":N,"pids_current":N}
// exactly that field order, no spaces, the numbers in decimal as std::to_chars writes them. The
// result is byte-for-byte what nlohmann::ordered_json::dump() gives for the same fields (the test
// checks it), at a fraction of the cost: the caller owns one StatsBuffer and reuses it for every
// message, so a stats tick allocates nothing.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/ports.hpp"

namespace zsim::core {

// The longest message: six keys and their punctuation (91 bytes) plus six numbers of at most
// 20 characters each (INT64_MIN is "-9223372036854775808", UINT64_MAX has 20 digits): 211 bytes.
inline constexpr std::size_t stats_json_bytes_max = 256;
using StatsBuffer = std::array<char, stats_json_bytes_max>;

// Writes the message into buffer and returns a view of it; the view stays valid until the buffer
// is written again. timestamp_s is Unix seconds.
std::string_view encode_stats(std::int64_t timestamp_s, const ContainerStats& stats, StatsBuffer& buffer);

}  // namespace zsim::core
