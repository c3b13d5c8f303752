#pragma once
// The inverse of the scenario loader: a Scenario written back as a format-1 file that
// load_scenario_text reads into the same scenario (the same world, steps and checks, so the same
// run and trace hash). The fuzzer writes every failing seed this way; `zsim run` replays the file.
//
// The text is canonical: a section per top-level key, one line per node, reservation, step and
// expectation, durations in their shortest unit sum ("1h30m", "1500ms"). Formatting a loaded file
// and loading the text again gives the same text (a fixed point), which the tests check on the
// whole library. Comments and "$schema" of a hand-written file are not kept.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "sim/scenario.hpp"

namespace zsim::sim {

// The scenario as the text of a file, ending with a newline.
std::string format_scenario(const Scenario& scenario);

// "<property>-seed<N>.json": where a campaign puts the minimal scenario of a failing seed.
std::string scenario_file_name(std::string_view property, std::uint64_t seed);

// Writes format_scenario(scenario) to path atomically (a temporary file beside it, then a rename),
// so a reader never sees half a file. Errors name the path and what failed.
core::Expected<void> write_scenario_file(const std::filesystem::path& path, const Scenario& scenario);

}  // namespace zsim::sim
