#include "cli/command_line.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli/output.hpp"

namespace zsim::cli {
namespace {

struct Checked {
  int exit_code = 0;
  std::string out;
  std::string err;  // zsim's own errors and CLI11's, in that order.
  std::string help;
};

// The command line checked (CommandAction::check), every stream captured.
Checked check(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), "zsim");
  std::vector<const char*> argv;
  for (const std::string& argument : arguments) argv.push_back(argument.c_str());
  argv.push_back(nullptr);
  Checked checked;
  std::ostringstream help;
  std::ostringstream help_err;
  capture_output(&checked.out, &checked.err);
  checked.exit_code = run_command_line(static_cast<int>(arguments.size()), argv.data(), CommandAction::check, help, help_err);
  capture_output(nullptr, nullptr);
  checked.err += help_err.str();
  checked.help = help.str();
  return checked;
}

TEST(CommandLine, CheckingAValidCommandRunsNothingAndPrintsNothing) {
  // A run of this size takes minutes; checked, it returns at once, and no file is read or written.
  for (const std::vector<std::string>& arguments :
       {std::vector<std::string>{"sim", "--seed", "7", "--nodes", "1000", "--duration", "10h", "--reservations", "20000"},
        {"run", "no-such-file.json", "--junit", "/nonexistent-dir/report.xml"},
        {"validate", "no-such-file.json"},
        {"fuzz", "--seeds", "1..1000000", "--shard", "3/8", "--out", "/nonexistent-dir/out"},
        {"fuzz", "merge", "no-such-folder"},
        {"bench", "--quick"}}) {
    const Checked checked = check(arguments);
    EXPECT_EQ(checked.exit_code, 0) << arguments.front() << ": " << checked.err;
    EXPECT_EQ(checked.out, "") << arguments.front();
    EXPECT_EQ(checked.err, "") << arguments.front();
  }
}

TEST(CommandLine, CheckingGivesTheCommandsOwnOneLineErrors) {
  const struct {
    std::vector<std::string> arguments;
    std::string error;
  } cases[] = {
      {{"sim", "--duration", "1m"}, "zsim sim: --duration: must be between 5m and 30d, got 1m\n"},
      {{"sim", "--realtime"}, "zsim sim: --realtime needs --redis URL"},
      {{"sim", "--nodes", "1000", "--duration", "30d"}, "(sim_node_hours_max)"},
      {{"sim", "--seed", "-1"}, "zsim sim: --seed: expected an integer from 0 to 18446744073709551615, got '-1' (negative)"},
      {{"run"}, "zsim run: FILE is required"},
      {{"run", "--redis", "redis://127.0.0.1:6379", "--check-determinism", "a.json"}, "cannot be combined with --redis"},
      {{"run", "--redis", "redis://:pa/ss@127.0.0.1:6379", "a.json"}, "zsim run: --redis: an '@' after the first '/'"},
      {{"validate"}, "zsim validate: FILE is required"},
      {{"validate", "-x.json"}, "unknown option '-x.json'"},
      {{"fuzz", "--seeds", "9..1"}, "zsim fuzz: --seeds: 9 comes after 1"},
      {{"fuzz", "--profile", "huge"}, "zsim fuzz: --profile: no profile 'huge'"},
      {{"fuzz", "--plant-bug", "nope"}, "zsim fuzz: --plant-bug: unknown bug 'nope'"},
      {{"bench", "--out", ""}, "zsim bench: --out: must name a folder"},
      {{"bogus"}, "zsim: unknown command 'bogus'"},
  };
  for (const auto& [arguments, error] : cases) {
    const Checked checked = check(arguments);
    EXPECT_EQ(checked.exit_code, exit_unusable) << checked.err;
    EXPECT_NE(checked.err.find(error), std::string::npos) << "want " << error << ", got " << checked.err;
    ASSERT_FALSE(checked.err.empty());
    EXPECT_EQ(checked.err.find('\n'), checked.err.size() - 1) << "one line: " << checked.err;
    EXPECT_EQ(checked.out, "");
  }
}

TEST(CommandLine, HelpAndVersionGoToTheirStreamAndExitZero) {
  const Checked help = check({"sim", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.help.find("--reservations"), std::string::npos) << help.help;
  const Checked version = check({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.help.find("zsim "), std::string::npos);
}

}  // namespace
}  // namespace zsim::cli
