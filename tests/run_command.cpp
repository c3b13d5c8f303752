#include "tests/run_command.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace zsim::tests {

namespace {
std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

CommandResult run_command(const std::string& command) {
  // Output goes to files rather than pipes, so a command that prints a lot never blocks.
  const std::filesystem::path base =
      std::filesystem::temp_directory_path() / ("zsim-run-" + std::to_string(::getpid()));
  const std::filesystem::path out = base.string() + ".out";
  const std::filesystem::path err = base.string() + ".err";
  const int status = std::system((command + " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string())).c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_all(out);
  result.err = read_all(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return result;
}

}  // namespace zsim::tests
