#include "kernel/trace_line.hpp"

#include <algorithm>
#include <charconv>

namespace zsim::kernel {

std::optional<TraceLineView> parse_trace_line(std::string_view line) {
  const std::size_t first = line.find(' ');
  if (first == std::string_view::npos) return std::nullopt;
  const std::size_t second = line.find(' ', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const std::size_t third = std::min(line.find(' ', second + 1), line.size());
  TraceLineView view;
  const auto [end, ec] = std::from_chars(line.data(), line.data() + first, view.time_ms);
  if (ec != std::errc() || end != line.data() + first) return std::nullopt;
  view.node = line.substr(first + 1, second - first - 1);
  view.kind = line.substr(second + 1, third - second - 1);
  view.fields = third < line.size() ? line.substr(third + 1) : std::string_view{};
  return view;
}

std::string_view trace_field(std::string_view fields, std::string_view key) {
  std::size_t position = 0;
  // Each pass moves past one field, so the loop is bounded by the fields' length.
  while (position < fields.size()) {
    const std::size_t end = std::min(fields.find(' ', position), fields.size());
    const std::string_view pair = fields.substr(position, end - position);
    if (pair.size() > key.size() && pair.substr(0, key.size()) == key && pair[key.size()] == '=') {
      return pair.substr(key.size() + 1);
    }
    position = end + 1;
  }
  return {};
}

}  // namespace zsim::kernel
