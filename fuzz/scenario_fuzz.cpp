// The scenario loader on arbitrary bytes, as `zsim run` reads a file: an error is one line that
// names the file; a scenario that loads is written back by the scenario writer and loads again to
// the same text (the writer's fixed point, which the library's files are checked against too).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.hpp"
#include "sim/scenario.hpp"
#include "sim/scenario_writer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace zsim;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const core::Expected<sim::Scenario> scenario = sim::load_scenario_text(text, "fuzz.json");
  if (!scenario) {
    fuzz::require_one_line_error(scenario.error());
    fuzz::require(std::string_view(scenario.error()).starts_with("fuzz.json: "), "an error names the file",
                  scenario.error());
    return 0;
  }
  const std::string written = sim::format_scenario(scenario.value());
  const core::Expected<sim::Scenario> again = sim::load_scenario_text(written, "fuzz.json");
  fuzz::require(again.ok(), "a written scenario loads", again.ok() ? written : again.error());
  fuzz::require(sim::format_scenario(again.value()) == written, "writing is a fixed point", written);
  return 0;
}
