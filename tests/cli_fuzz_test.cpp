// `zsim fuzz` and `zsim fuzz merge`, run as a user runs them: exit codes, one-line errors naming
// the argument, the summary file, sharding by flag and by JOB_COMPLETION_INDEX, and merging.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/run_command.hpp"

namespace zsim::tests {
namespace {

const std::string zsim = ZSIM_BINARY;

nlohmann::json read_json(const std::filesystem::path& path) {
  return nlohmann::json::parse(read_all(path), nullptr, /*allow_exceptions=*/false);
}

TEST(CliFuzz, HelpTeachesProfilesShardingAndExitCodes) {
  const CommandResult help = run_command(zsim + " fuzz --help");
  ASSERT_EQ(help.exit_code, 0) << help.err;
  for (const char* taught : {"--profile", "small", "dense", "grid", "--shard", "JOB_COMPLETION_INDEX", "--time-budget",
                             "zsim run", "merge", "Exit codes"}) {
    EXPECT_NE(help.out.find(taught), std::string::npos) << taught;
  }
}

TEST(CliFuzz, BadArgumentsAreOneLineErrorsNamingTheArgumentWithExitCode2) {
  TempFolder folder("zsim-cli-fuzz");
  const std::string out = " --out " + shell_quote(folder.path().string());
  const std::vector<std::pair<std::string, std::string>> cases{
      {" fuzz --profile huge" + out, "--profile: no profile 'huge'"},
      {" fuzz --seeds 9..3" + out, "--seeds: 9 comes after 3"},
      {" fuzz --seeds 1-3" + out, "--seeds: '1-3' is not a range"},
      {" fuzz --shard 3/3" + out, "--shard: the shard I of I/N: expected an integer from 0 to 2, got '3' (too large)"},
      {" fuzz --shard 0/-1" + out, "--shard: the shard count N of I/N: expected an integer from 1 to"},
      {" fuzz --seeds 1..18446744073709551616" + out, "--seeds: the last seed B of A..B: expected an integer from 0 to "
                                                     "18446744073709551615, got '18446744073709551616' (too large)"},
      {" fuzz --count 1e3" + out, "--count: expected an integer from 1 to"},
      {" fuzz --jobs -0" + out, "--jobs: expected an integer from 1 to"},
      {" fuzz --time-budget soon" + out, "--time-budget:"},
  };
  for (const auto& [arguments, message] : cases) {
    const CommandResult run = run_command(zsim + arguments);
    EXPECT_EQ(run.exit_code, 2) << arguments << run.err;
    EXPECT_EQ(lines_of(run.err).size(), 1u) << run.err;
    EXPECT_NE(run.err.find(message), std::string::npos) << run.err;
  }
  const CommandResult environment =
      run_command("JOB_COMPLETION_INDEX=2 " + zsim + " fuzz --count 3 -q" + out);
  EXPECT_EQ(environment.exit_code, 2);
  EXPECT_NE(environment.err.find("ZSIM_FUZZ_SHARDS"), std::string::npos) << environment.err;
}

TEST(CliFuzz, ACleanCampaignPassesAndWritesItsSummary) {
  TempFolder folder("zsim-cli-fuzz");
  const std::string junit = (folder.path() / "fuzz.xml").string();
  const CommandResult run = run_zsim({"fuzz", "--count", "6", "--jobs", "2", "--out", folder.path().string(), "--junit",
                                      junit, "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const nlohmann::json printed = nlohmann::json::parse(run.out);
  const nlohmann::json written = read_json(folder.path() / "campaign.json");
  EXPECT_EQ(printed, written);
  EXPECT_EQ(written.at("seeds"), 6);
  EXPECT_EQ(written.at("profile"), "small");
  EXPECT_TRUE(written.at("failures").empty());
  EXPECT_GT(written.at("seeds_per_second").get<double>(), 0);
  EXPECT_FALSE(written.at("coverage").at("trace_kinds").empty());
  EXPECT_NE(read_all(junit).find("6 seeds passed"), std::string::npos);
}

TEST(CliFuzz, ShardsByFlagAndByIndexedJobMergeIntoOneCampaign) {
  TempFolder folder("zsim-cli-fuzz");
  const std::string dir = shell_quote(folder.path().string());
  const CommandResult whole = run_command(zsim + " fuzz --seeds 1..8 -q --json --out " + dir + "/whole");
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const CommandResult first = run_command(zsim + " fuzz --seeds 1..8 -q --shard 0/2 --out " + dir + "/shards");
  const CommandResult second = run_command("JOB_COMPLETION_INDEX=1 ZSIM_FUZZ_SHARDS=2 " + zsim +
                                           " fuzz --seeds 1..8 -q --out " + dir + "/shards");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_TRUE(std::filesystem::exists(folder.path() / "shards" / "campaign-shard-0-of-2.json"));
  EXPECT_TRUE(std::filesystem::exists(folder.path() / "shards" / "campaign-shard-1-of-2.json"));
  const CommandResult merged = run_command(zsim + " fuzz merge --json " + dir + "/shards --out " + dir + "/merged.json");
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  const nlohmann::json a = nlohmann::json::parse(whole.out);
  const nlohmann::json b = nlohmann::json::parse(merged.out);
  EXPECT_EQ(b.at("seeds"), 8);
  EXPECT_EQ(a.at("events"), b.at("events"));
  EXPECT_EQ(a.at("coverage"), b.at("coverage"));
  EXPECT_EQ(read_json(folder.path() / "merged.json"), b);
}

TEST(CliFuzz, MergeNamesAMissingShardAndAnUnreadableSummary) {
  TempFolder folder("zsim-cli-fuzz");
  const std::string dir = shell_quote(folder.path().string());
  ASSERT_EQ(run_command(zsim + " fuzz --seeds 1..3 -q --shard 1/3 --out " + dir).exit_code, 0);
  const CommandResult missing = run_command(zsim + " fuzz merge " + dir);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("shards missing: 0/3, 2/3"), std::string::npos) << missing.err;
  EXPECT_EQ(run_command(zsim + " fuzz merge --allow-missing " + dir).exit_code, 0);
  const std::string broken = folder.write("campaign-broken.json", "{\"format\": 1, \"profile\": 3}");
  const CommandResult unreadable = run_command(zsim + " fuzz merge " + shell_quote(broken));
  EXPECT_EQ(unreadable.exit_code, 2);
  EXPECT_NE(unreadable.err.find("campaign-broken.json: summary.profile: wrong type (number)"), std::string::npos)
      << unreadable.err;
}

}  // namespace
}  // namespace zsim::tests
