#pragma once
// Durations as people write them: "500ms", "2s", "10m", "1h", "1d", or a sum like "1h30m".

#include <cstdint>
#include <string_view>

#include "core/expected.hpp"

namespace zsim::sim {

core::Expected<std::int64_t> parse_duration_ms(std::string_view text);

}  // namespace zsim::sim
