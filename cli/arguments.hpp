#pragma once
// The command line's numbers and errors. Every number a subcommand reads — its flags, the ends of a
// seed range A..B, a shard I/N, the shard environment of a Kubernetes Indexed Job, a shard named in
// a summary file — goes through parse_whole_number, so every one refuses a sign, a fraction, an
// exponent, hex, spaces and overflow the same way, and says so naming the option and what it got:
//   --seed: expected an integer from 0 to 18446744073709551615, got '-1' (negative)
//   --reservations: expected an integer from 0 to 20000, got '1e3' (not an integer: digits only)

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace zsim::cli {

// Decimal digits only (leading zeros are fine), between min and max; the error is
// "expected an integer from MIN to MAX, got 'TEXT' (WHY)", TEXT escaped and cut.
core::Expected<std::uint64_t> parse_whole_number(std::string_view text, std::uint64_t min, std::uint64_t max);
// The same as a CLI11 check; CLI11 puts the option's name in front of the error.
CLI::Validator whole_number(std::uint64_t min, std::uint64_t max);

// CLI11's parse errors as zsim prints them: one line, escaped, naming the command
// ("zsim sim: --seed: expected ... (see zsim sim --help)"). An unknown option says
// so (CLI11 would say "FILE is required" for `zsim validate -x.json`) and tells how to name a file
// that starts with '-': after "--".
std::string parse_failure_message(const CLI::App* app, const CLI::Error& error);

}  // namespace zsim::cli
