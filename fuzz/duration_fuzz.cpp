// The duration parser on arbitrary bytes: an error is one line; a duration that parses is within
// its bound and written back by format_duration to a text that parses to the same value.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.hpp"
#include "sim/duration.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace zsim;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const core::Expected<std::int64_t> parsed = sim::parse_duration_ms(text);
  if (!parsed) {
    fuzz::require_one_line_error(parsed.error());
    return 0;
  }
  const std::int64_t duration_ms = parsed.value();
  fuzz::require(duration_ms >= 0 && duration_ms <= INT64_MAX / 4, "a duration is within its bound", text);
  const std::string written = sim::format_duration(duration_ms);
  const core::Expected<std::int64_t> again = sim::parse_duration_ms(written);
  fuzz::require(again.ok() && again.value() == duration_ms, "format_duration reads back", written);
  return 0;
}
