#include "sim/duration.hpp"

#include <fmt/format.h>

#include <cassert>
#include <charconv>

#include "core/untrusted_text.hpp"

namespace zsim::sim {

core::Expected<std::int64_t> parse_duration_ms(std::string_view text) {
  const auto invalid = [&] {
    return core::Error{fmt::format("invalid duration '{}', expected e.g. 500ms, 2s, 10m, 1h, 1d or 1h30m",
                                   core::escape_untrusted(text))};
  };
  if (text.size() > duration_text_bytes_max) {
    return core::Error{fmt::format("invalid duration '{}': longer than {} bytes (limit duration_text_bytes_max)",
                                   core::escape_untrusted(text, 16), duration_text_bytes_max)};
  }
  if (text.empty()) return invalid();
  std::int64_t total_ms = 0;
  std::size_t position = 0;
  // Each pass consumes at least one character, so the loop is bounded by the text's length.
  while (position < text.size()) {
    std::int64_t amount = 0;
    const auto [end, ec] = std::from_chars(text.data() + position, text.data() + text.size(), amount);
    if (ec != std::errc() || end == text.data() + position || amount < 0) return invalid();
    position = static_cast<std::size_t>(end - text.data());
    std::size_t unit_end = position;
    while (unit_end < text.size() && text[unit_end] >= 'a' && text[unit_end] <= 'z') unit_end += 1;
    const std::string_view unit = text.substr(position, unit_end - position);
    std::int64_t unit_ms = 0;
    if (unit == "ms") unit_ms = 1;
    else if (unit == "s") unit_ms = 1000;
    else if (unit == "m") unit_ms = 60'000;
    else if (unit == "h") unit_ms = 3'600'000;
    else if (unit == "d") unit_ms = 86'400'000;
    else return invalid();
    if (amount > (INT64_MAX / 4) / unit_ms) return invalid();
    total_ms += amount * unit_ms;
    if (total_ms > INT64_MAX / 4) return invalid();
    position = unit_end;
  }
  return total_ms;
}

}  // namespace zsim::sim

namespace zsim::sim {

std::string format_duration(std::int64_t duration_ms) {
  assert(duration_ms >= 0);
  if (duration_ms == 0) return "0s";
  struct Unit {
    const char* name;
    std::int64_t ms;
  };
  static constexpr Unit units[] = {{"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}, {"ms", 1}};
  std::string text;
  std::int64_t left_ms = duration_ms;
  for (const Unit& unit : units) {
    const std::int64_t amount = left_ms / unit.ms;
    if (amount == 0) continue;
    text += fmt::format("{}{}", amount, unit.name);
    left_ms -= amount * unit.ms;
  }
  assert(left_ms == 0 && !text.empty());
  return text;
}

}  // namespace zsim::sim
