#include "tests/run_command.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace zsim::tests {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

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
  const int status = std::system(
      (command + " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string()) + " </dev/null").c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_all(out);
  result.err = read_all(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return result;
}

CommandResult run_zsim(const std::vector<std::string>& arguments) {
  std::string command = shell_quote(ZSIM_BINARY);
  for (const std::string& argument : arguments) command += " " + shell_quote(argument);
  return run_command(command);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TempFolder::TempFolder(const std::string& prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot make a temporary folder " + pattern);
  path_ = pattern;
}

TempFolder::~TempFolder() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempFolder::write(const std::string& name, std::string_view content) const {
  const std::filesystem::path file = path_ / name;
  std::ofstream(file, std::ios::binary) << content;
  return file.string();
}

}  // namespace zsim::tests
