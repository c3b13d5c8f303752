// The zsim command line on arbitrary arguments: the input is split into argv (at NUL bytes when
// it has any, else at newlines, so that seeds are one argument a line), and the command line is
// parsed by the zsim command's own parser (cli/command_line.cpp) with every subcommand's
// arguments checked as the command checks them before it runs (CommandAction::check), so no file
// is read, no server contacted and no world simulated. Checked besides "no crash":
//   - nothing but CLI11's parse errors is thrown, and the exit code is 0 or 2;
//   - exit 2 prints exactly one error line, "zsim...", of at most 2048 printable bytes (untrusted
//     text escaped and cut), on stderr; exit 0 prints no error at all;
//   - checking prints nothing on stdout (only --help and --version print, to their own stream).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command_line.hpp"
#include "cli/output.hpp"
#include "fuzz/fuzz_check.hpp"

namespace {

// More arguments than any real command line has; the rest of the input is ignored.
constexpr std::size_t arguments_max = 64;

std::vector<std::string> split_arguments(std::string_view input) {
  const char separator = input.find('\0') != std::string_view::npos ? '\0' : '\n';
  std::vector<std::string> arguments{"zsim"};
  while (!input.empty() && arguments.size() < arguments_max) {
    const std::size_t end = input.find(separator);
    arguments.emplace_back(input.substr(0, end));
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + 1);
  }
  return arguments;
}

void require_error_line(std::string_view text) {
  zsim::fuzz::require(!text.empty() && text.back() == '\n', "an error line ends with a newline", text);
  const std::string_view line = text.substr(0, text.size() - 1);
  zsim::fuzz::require(line.find('\n') == std::string_view::npos, "an error is exactly one line", text);
  zsim::fuzz::require_one_line_error(line);
  zsim::fuzz::require(line.substr(0, 4) == "zsim", "an error names zsim (and its command)", line);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The Kubernetes shard variables would change what `zsim fuzz` accepts from run to run.
  unsetenv("JOB_COMPLETION_INDEX");
  unsetenv("ZSIM_FUZZ_SHARDS");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace zsim;
  const std::vector<std::string> arguments =
      split_arguments(std::string_view(reinterpret_cast<const char*>(data), size));
  std::vector<const char*> argv;
  for (const std::string& argument : arguments) argv.push_back(argument.c_str());
  argv.push_back(nullptr);

  std::string out_text;
  std::string err_text;
  std::ostringstream help_out;
  std::ostringstream help_err;
  cli::capture_output(&out_text, &err_text);
  const int exit_code = cli::run_command_line(static_cast<int>(arguments.size()), argv.data(),
                                              cli::CommandAction::check, help_out, help_err);
  cli::capture_output(nullptr, nullptr);

  const std::string errors = err_text + help_err.str();
  fuzz::require(exit_code == 0 || exit_code == cli::exit_unusable, "checking exits 0 or 2", errors);
  fuzz::require(out_text.empty(), "checking prints nothing on stdout", out_text);
  if (exit_code == 0) {
    fuzz::require(errors.empty(), "exit 0 prints no error", errors);
  } else {
    require_error_line(errors);
  }
  return 0;
}
