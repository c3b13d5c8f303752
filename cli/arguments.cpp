#include "cli/arguments.hpp"

#include <fmt/format.h>

#include <charconv>

#include "cli/untrusted_text.hpp"

namespace zsim::cli {

namespace {

// Enough to show what was typed; a longer argument is cut.
constexpr std::size_t echoed_bytes_max = 64;

std::string_view why_not_whole(std::string_view text) {
  if (text.empty()) return "empty";
  if (text[0] == '-' || text[0] == '+') {
    const bool zero = text.find_first_not_of('0', 1) == std::string_view::npos && text.size() > 1;
    if (text[0] == '-' && !zero && text.find_first_not_of("0123456789", 1) == std::string_view::npos) return "negative";
    return "no sign allowed";
  }
  return "not an integer: digits only";
}

}  // namespace

core::Expected<std::uint64_t> parse_whole_number(std::string_view text, std::uint64_t min, std::uint64_t max) {
  const auto refuse = [&](std::string_view why) {
    return core::Error{fmt::format("expected an integer from {} to {}, got '{}' ({})", min, max,
                                   printable_line(text, echoed_bytes_max), why)};
  };
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return refuse(why_not_whole(text));
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [parsed_to, error] = std::from_chars(text.data(), end, value);
  if (error == std::errc::result_out_of_range) return refuse("too large");
  if (error != std::errc{} || parsed_to != end) return refuse("not an integer: digits only");
  if (value < min) return refuse("too small");
  if (value > max) return refuse("too large");
  return value;
}

CLI::Validator whole_number(std::uint64_t min, std::uint64_t max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        const core::Expected<std::uint64_t> parsed = parse_whole_number(text, min, max);
        return parsed ? std::string() : parsed.error();
      },
      fmt::format("INT in [{} - {}]", min, max), "whole number");
}

std::string parse_failure_message(const CLI::App* app, const CLI::Error& error) {
  std::string message = printable_line(error.what());
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) {
    std::string unknown;
    for (const std::string& argument : app->remaining(true)) {
      if (argument.size() > 1 && argument[0] == '-' && argument != "--") {
        unknown = printable_line(argument, echoed_bytes_max);
        break;
      }
    }
    if (!unknown.empty()) {
      message = fmt::format("unknown option '{}' (a file whose name starts with '-' goes after --, as in -- {})",
                            unknown, unknown);
    }
  }
  // The command that was being parsed, e.g. "zsim fuzz merge", so the one line says where to look.
  std::string command = "zsim";
  const CLI::App* current = app;
  for (int depth = 0; depth < 8 && current != nullptr; depth += 1) {
    const std::vector<const CLI::App*> chosen = current->get_subcommands([](const CLI::App* sub) { return sub->parsed(); });
    current = chosen.empty() ? nullptr : chosen.front();
    if (current != nullptr) command += " " + current->get_name();
  }
  return fmt::format("{}: {} (see {} --help)\n", command, message, command);
}

}  // namespace zsim::cli
