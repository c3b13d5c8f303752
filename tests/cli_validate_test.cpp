// `zsim validate`, run as a user runs it: the real binary on files in a fresh temporary folder,
// checking the exit code and every line it prints.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "tests/run_command.hpp"

namespace zsim::tests {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view valid_payload = R"({
  "workload_id": 7, "flist": "https://hub.grid.tf/zaibon/zaibon-ubuntu-ssh-0.0.2.flist",
  "entrypoint": "/sbin/my_init",
  "network_connection": [{"network_id": "mynet", "ipaddress": "172.24.1.10", "public_ip6": false}],
  "capacity": {"cpu": 2, "memory": 2048, "disk_size": 2048, "disk_type": "ssd"}
})";

constexpr std::string_view zero_cpu_payload = R"({
  "flist": "https://hub.grid.tf/zaibon/zaibon-ubuntu-ssh-0.0.2.flist",
  "network_connection": [{"network_id": "mynet", "ipaddress": "172.24.1.10"}],
  "capacity": {"cpu": 0, "memory": 2048}
})";

using RunResult = CommandResult;

class CliValidate : public ::testing::Test {
 protected:
  std::string write(const std::string& name, std::string_view content) const { return folder_.write(name, content); }
  RunResult run(const std::vector<std::string>& args) const { return run_zsim(args); }

  TempFolder folder_{"zsim-cli-validate"};
  const fs::path& dir_ = folder_.path();
};

TEST_F(CliValidate, AllValidExitsZero) {
  const std::string a = write("a.json", valid_payload);
  const std::string b = write("b.json", valid_payload);
  const RunResult result = run({"validate", a, b});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, a + ": ok\n" + b + ": ok\n");
  EXPECT_EQ(result.err, "");
}

TEST_F(CliValidate, AnInvalidFileExitsOneAndPrintsTheMessage) {
  const std::string good = write("good.json", valid_payload);
  const std::string bad = write("bad.json", zero_cpu_payload);
  const RunResult result = run({"validate", bad, good});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, bad + ": error: container provision schema not valid: cannot create a container with 0 CPU "
                              "allocated\n" +
                            good + ": ok\n");
  EXPECT_EQ(result.err, "");
}

TEST_F(CliValidate, MalformedJsonExitsOne) {
  const std::string broken = write("broken.json", "{\n  \"flist\": \"x\",\n}\n");
  const RunResult result = run({"validate", broken});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, broken + ": error: invalid JSON at line 3, column 1: unexpected '}'; expected string literal\n");
}

TEST_F(CliValidate, TypeErrorsNameTheField) {
  const std::string typed = write("typed.json", R"({"capacity": {"cpu": "two"}})");
  const RunResult result = run({"validate", typed});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, typed + ": error: capacity.cpu: expected a non-negative integer, got string\n");
}

TEST_F(CliValidate, AnUnreadableFileExitsTwoAndTheOthersAreStillChecked) {
  const std::string missing = (dir_ / "missing.json").string();
  const std::string bad = write("bad.json", zero_cpu_payload);
  const std::string good = write("good.json", valid_payload);
  const RunResult result = run({"validate", good, missing, bad, dir_.string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.out, good + ": ok\n" + bad +
                            ": error: container provision schema not valid: cannot create a container with 0 CPU "
                            "allocated\n");
  EXPECT_EQ(result.err,
            missing + ": cannot read: No such file or directory\n" + dir_.string() + ": cannot read: Is a directory\n");
}

TEST_F(CliValidate, NoFileIsAUsageError) {
  const RunResult result = run({"validate"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err.find("FILE is required"), std::string::npos) << result.err;
}

TEST_F(CliValidate, HelpExplainsExitCodesWithAnExample) {
  const RunResult result = run({"validate", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.out.find("Example:"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("zsim validate examples/reservations/"), std::string::npos);
  EXPECT_NE(result.out.find("2 some file cannot be read"), std::string::npos);
}

TEST_F(CliValidate, SecretValuesAreNotPrinted) {
  const std::string leaky = write("leaky.json", R"({
    "flist": "https://hub.grid.tf/x.flist", "secret_environment": {"API_KEY": "plain-text-api-key-42"},
    "network_connection": [{"network_id": "n", "ipaddress": "10.0.0.2"}], "capacity": {"cpu": 1, "memory": 64}})");
  const RunResult result = run({"validate", leaky});
  EXPECT_EQ(result.exit_code, 1);
  // What the node's decryption would answer (Go's hex message names the first bad byte, never more).
  EXPECT_EQ(result.out, leaky + ": error: failed to decrypt secret env var 'API_KEY': encoding/hex: invalid byte: U+0070 'p'\n");
  EXPECT_EQ(result.out.find("plain-text-api-key"), std::string::npos);
}

TEST_F(CliValidate, AVolumeWithoutIdOrMountpointIsRefusedNamingTheField) {
  const std::string base = R"("flist": "https://hub.grid.tf/x.flist", "entrypoint": "/bin/x",
    "network_connection": [{"network_id": "n", "ipaddress": "10.0.0.2"}], "capacity": {"cpu": 1, "memory": 64})";
  const std::string no_id = write("no-id.json", "{" + base + R"(, "volumes": [{"mountpoint": "/data"}]})");
  const std::string no_mountpoint =
      write("no-mountpoint.json", "{" + base + R"(, "volumes": [{"volume_id": "3-1", "mountpoint": "/a"}, {"volume_id": "3-2"}]})");
  const RunResult result = run({"validate", no_id, no_mountpoint});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out,
            no_id + ": error: volumes[0].volume_id: missing; a node refuses it with \"failed to retrieve the owner of volume \"\n" +
                no_mountpoint + ": error: volumes[1].mountpoint: missing; the volume would be mounted over the container's root /\n");
}

TEST_F(CliValidate, EndpointsANodeSkipsAreNamedAfterOk) {
  const std::string skipped = write("skipped.json", R"({"flist": "https://hub.grid.tf/x.flist", "entrypoint": "/bin/x",
    "network_connection": [{"network_id": "n", "ipaddress": "10.0.0.2"}], "capacity": {"cpu": 1, "memory": 64},
    "logs": [{"type": "redis", "data": {"stdout": "http://h/o", "stderr": "redis://:secretpw@h:6379/e"}}],
    "stats_aggregator": [{"type": "redis", "data": {"endpoint": "redis://:secretpw@h:notaport/s"}}]})");
  const RunResult result = run({"validate", skipped});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, skipped + ": ok (a node skips logs[0].data.stdout: invalid scheme, expected redis://; "
                                  "stats_aggregator[0].data.endpoint: invalid port 'notaport', expected a number from 1 to 65535)\n");
  EXPECT_EQ(result.out.find("secretpw"), std::string::npos);
}

// The shipped examples: ok-* validate, each bad-* fails, so the whole run exits 1.
TEST_F(CliValidate, ShippedExamplesBehave) {
  const fs::path examples = fs::path(ZSIM_SOURCE_DIR) / "examples" / "reservations";
  std::vector<std::string> args = {"validate"};
  std::size_t ok_count = 0;
  std::size_t bad_count = 0;
  for (const auto& entry : fs::directory_iterator(examples)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".json") continue;
    args.push_back(entry.path().string());
    ok_count += name.starts_with("ok-") ? 1 : 0;
    bad_count += name.starts_with("bad-") ? 1 : 0;
  }
  ASSERT_GE(ok_count, 4U);
  ASSERT_GE(bad_count, 6U);
  const RunResult result = run(args);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "");
  std::istringstream lines(result.out);
  std::string line;
  std::size_t seen = 0;
  while (std::getline(lines, line) && seen < args.size()) {
    seen++;
    const bool is_ok_example = line.find("/ok-") != std::string::npos;
    EXPECT_EQ(line.find(".json: ok") != std::string::npos, is_ok_example) << line;
    EXPECT_EQ(line.find(".json: error: ") != std::string::npos, !is_ok_example) << line;
  }
  EXPECT_EQ(seen, ok_count + bad_count);
}

}  // namespace
}  // namespace zsim::tests
