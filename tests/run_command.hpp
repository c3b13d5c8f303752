#pragma once
// Runs a command line as a user would (through /bin/sh) and captures its exit code, standard
// output and standard error, for tests of the zsim binary.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace zsim::tests {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// command is passed to the shell as it is; quote arguments with shell_quote(). Standard input is
// /dev/null, so a command that would wait for input ends instead.
CommandResult run_command(const std::string& command);
std::string shell_quote(const std::string& text);
// The zsim binary under test (ZSIM_BINARY) with these arguments, each quoted.
CommandResult run_zsim(const std::vector<std::string>& arguments);
std::vector<std::string> lines_of(const std::string& text);
// The whole content of a file; empty when it cannot be read.
std::string read_all(const std::filesystem::path& path);

// A fresh temporary folder for a test's files, removed with everything in it at the end.
class TempFolder {
 public:
  explicit TempFolder(const std::string& prefix);
  ~TempFolder();
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  // Writes content to name inside the folder and returns its path.
  std::string write(const std::string& name, std::string_view content) const;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace zsim::tests
