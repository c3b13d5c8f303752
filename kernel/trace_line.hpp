#pragma once
// Reading trace lines back: "<time_ms> <node> <kind> <key=value ...>", as Trace::record writes them.
// The checker, the scenario runner, the timeline of --explain and the tests all read them this way.

#include <cstdint>
#include <optional>
#include <string_view>

namespace zsim::kernel {

struct TraceLineView {
  std::int64_t time_ms = 0;
  std::string_view node;
  std::string_view kind;
  std::string_view fields;  // Empty when the line has none.
};

// Views into line, which must outlive them; nullopt when the line is not of that form.
std::optional<TraceLineView> parse_trace_line(std::string_view line);
// The value of "key=value" among space-separated fields, as written (still escaped); empty when absent.
std::string_view trace_field(std::string_view fields, std::string_view key);

}  // namespace zsim::kernel
