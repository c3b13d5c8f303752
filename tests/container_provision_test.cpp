// The container primitive, steps 1-11 of docs/ZOS.md, through the whole engine: validation
// messages, the network and its addresses, volumes, secret environment, flists through the
// md5-keyed cache, the root disk, bind mounts, the entrypoint and coreX, the result data, and the
// rollback of every step when a later one fails.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <functional>
#include <ostream>

#include "core/md5.hpp"
#include "tests/world_fixture.hpp"

namespace zsim::tests {
namespace {

using core::ResultState;
const std::string prefix(core::schema_error_prefix);

// Runs until the workload has its two results and checks they are error then deleted, both with
// the error text; returns that text.
std::string provision_error(TestWorld& w, const std::string& id) {
  if (!w.run_until_results(id, 2, 60'000)) return "<no error result>";
  const std::vector<core::ProvisionResult> results = w.results(id);
  EXPECT_EQ(w.states(id), (std::vector<ResultState>{ResultState::error, ResultState::deleted}));
  EXPECT_EQ(results[1].message, results[0].message);
  return results[0].message;
}

// Nothing of a failed provision is left: no container, no mount, no capacity, no address.
void expect_nothing_held(TestWorld& w, std::size_t node = 0) {
  EXPECT_TRUE(w.runtime(node).running().empty());
  EXPECT_TRUE(w.runtime(node).mounts().empty());
  EXPECT_EQ(w.node(node).used(), core::CapacityUsage{});
  EXPECT_EQ(w.node(node).networks().addresses_in_use(), 0u);
  EXPECT_TRUE(w.world().node(node).store->keys("provisioning/").empty());
  EXPECT_TRUE(w.world().node(node).store->keys("container-mount/").empty());
}

std::string ip_of(const nlohmann::json& payload) { return payload["network_connection"][0]["ipaddress"]; }

// --- Step 2: validation -------------------------------------------------------------------------

struct ValidationCase {
  const char* name;
  std::function<void(nlohmann::json&)> change;
  std::string message;
};
// Without a printer GoogleTest prints a parameter byte by byte, std::function's unused storage
// included, which is uninitialised (valgrind memcheck reported it); the name says which case it is.
void PrintTo(const ValidationCase& validation_case, std::ostream* out) { *out << validation_case.name; }

class ContainerValidation : public ::testing::TestWithParam<ValidationCase> {};

TEST_P(ContainerValidation, FailsWithTheExactMessageAndHoldsNothing) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  GetParam().change(payload);
  const std::string id = w.deliver_container(payload);
  EXPECT_EQ(provision_error(w, id), GetParam().message);
  expect_nothing_held(w);
  EXPECT_EQ(w.hub().md5_requests(), 0u);  // Rejected before any side effect.
}

INSTANTIATE_TEST_SUITE_P(
    ThroughTheEngine, ContainerValidation,
    ::testing::Values(
        ValidationCase{"NetworkEmpty", [](nlohmann::json& p) { p["network_connection"][0]["network_id"] = ""; },
                       prefix + "network ID cannot be empty"},
        ValidationCase{"NoNetworkConnection", [](nlohmann::json& p) { p["network_connection"] = nlohmann::json::array(); },
                       prefix + "network ID cannot be empty"},
        ValidationCase{"TwoNetworkConnections",
                       [](nlohmann::json& p) { p["network_connection"].push_back(p["network_connection"][0]); },
                       prefix + "network_connection: only one network connection is supported, got 2"},
        ValidationCase{"IpMissing", [](nlohmann::json& p) { p["network_connection"][0]["ipaddress"] = ""; },
                       prefix + "missing container IP address"},
        ValidationCase{"IpNotAnAddress", [](nlohmann::json& p) { p["network_connection"][0]["ipaddress"] = "10.1.1.300"; },
                       prefix + "network_connection[0].ipaddress: invalid container IP address '10.1.1.300', expected a "
                                "dotted IPv4 address like 172.24.1.10"},
        ValidationCase{"FlistMissing", [](nlohmann::json& p) { p["flist"] = ""; }, prefix + "missing flist url"},
        ValidationCase{"MemoryTooLow", [](nlohmann::json& p) { p["capacity"]["memory"] = 63; },
                       prefix + "amount of memory allocated for the container cannot be lower then 64 megabytes"},
        ValidationCase{"CpuZero", [](nlohmann::json& p) { p["capacity"]["cpu"] = 0; },
                       prefix + "cannot create a container with 0 CPU allocated"},
        ValidationCase{"UnknownDiskType", [](nlohmann::json& p) { p["capacity"]["disk_type"] = "nvme"; },
                       "unknown disk type: nvme"},
        ValidationCase{"SecretNotHex", [](nlohmann::json& p) { p["secret_environment"] = {{"TOKEN", "xyz"}}; },
                       "failed to decrypt secret env var 'TOKEN': encoding/hex: invalid byte: U+0078 'x'"},
        ValidationCase{"SecretOddLength", [](nlohmann::json& p) { p["secret_environment"] = {{"TOKEN", "abc"}}; },
                       "failed to decrypt secret env var 'TOKEN': encoding/hex: odd length hex string"},
        ValidationCase{"CpuNotANumber", [](nlohmann::json& p) { p["capacity"]["cpu"] = "two"; },
                       "capacity.cpu: expected a non-negative integer, got string"}),
    [](const ::testing::TestParamInfo<ValidationCase>& info) { return std::string(info.param.name); });

// zos never failed a provision for a logs or stats endpoint: the bad one is skipped, and said so.
TEST(ContainerProvision, BadLogsAndStatsEndpointsAreSkippedAndTheContainerRuns) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  payload["logs"] = {{{"type", "kafka"}, {"data", {{"stdout", "redis://10.1.0.1/o"}, {"stderr", "redis://10.1.0.1/e"}}}},
                     {{"type", "redis"}, {"data", {{"stdout", "http://10.1.0.1/o"}, {"stderr", fmt::format("redis://{}/err", redis_a)}}}}};
  payload["stats_aggregator"] = {{{"type", "redis"}, {"data", {{"endpoint", "redis://10.1.0.1:6379"}}}}};
  const std::string id = w.deliver_container(payload);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  EXPECT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok});
  const std::vector<TraceLine> skipped = w.trace("endpoint_skipped", "node-1");
  ASSERT_EQ(skipped.size(), 3u);
  EXPECT_NE(skipped[0].field("reason").find("logs[0].type: unsupported type 'kafka'"), std::string::npos);
  EXPECT_NE(skipped[1].field("reason").find("logs[1].data.stdout: invalid scheme, expected redis://"), std::string::npos);
  EXPECT_NE(skipped[2].field("reason").find("stats_aggregator[0].data.endpoint: missing channel name"), std::string::npos);
  // The good stderr URL of the half-bad endpoint is used: one connection, to its server.
  w.run_for(5'000);
  EXPECT_EQ(w.redis().connections_open(), 1u);
}

// An empty ciphertext decrypts to "" (zos's crypto.go): the container runs with the variable set.
TEST(ContainerProvision, AnEmptySecretValueIsAnEmptyVariable) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  payload["secret_environment"] = {{"EMPTY", ""}};
  const std::string id = w.deliver_container(payload);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  EXPECT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok});
  const std::optional<core::ContainerSpec> spec = w.runtime().spec(id);
  ASSERT_TRUE(spec.has_value());
  bool named = false;
  for (const auto& [name, value] : spec->environment) named = named || name == "EMPTY";
  EXPECT_TRUE(named);
}

// The explorer's relative volume id "-1" is volume 1 of the container's own reservation.
TEST(ContainerProvision, ARelativeVolumeIdNamesAVolumeOfTheSameReservation) {
  TestWorld w;
  Delivery delivery;
  delivery.reservation_id = w.next_reservation_id();
  const std::string volume = w.deliver_volume(1, "ssd", delivery);
  nlohmann::json payload = w.container_payload();
  payload["volumes"] = {{{"volume_id", "-1"}, {"mountpoint", "/data"}}};
  delivery.workload_number = 2;
  const std::string id = w.deliver_container(payload, delivery);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  EXPECT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok});
  const std::vector<core::BindMount> binds = w.runtime().bind_mounts(id);
  ASSERT_EQ(binds.size(), 1u);
  EXPECT_EQ(binds[0].volume_id, volume);
  EXPECT_EQ(binds[0].target, "/data");
}

// zos failed the whole poll batch on a bad disk type; ours fails that workload only.
TEST(ContainerProvision, BadDiskTypeFailsOnlyItsOwnWorkloadNotTheBatch) {
  TestWorld w;
  nlohmann::json bad = w.container_payload();
  bad["capacity"]["disk_type"] = "tape";
  const std::string bad_id = w.deliver_container(bad);
  const std::string good_id = w.deliver_container(w.container_payload());
  EXPECT_EQ(provision_error(w, bad_id), "unknown disk type: tape");
  ASSERT_TRUE(w.run_until_results(good_id, 1, 20'000));
  EXPECT_EQ(w.states(good_id), std::vector<ResultState>{ResultState::ok});
}

// --- Step 3: the network --------------------------------------------------------------------------

TEST(ContainerProvision, NetworkNotInstalledOnThisNode) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  payload["network_connection"][0]["network_id"] = "net-9";
  EXPECT_EQ(provision_error(w, w.deliver_container(payload)), "network net-9 is not installed on this node");
  expect_nothing_held(w);
}

TEST(ContainerProvision, IpAlreadyUsedInTheNetworkIsRefusedAndFreedByTheDelete) {
  TestWorld w;
  const nlohmann::json payload = w.container_payload();
  const std::string first = w.deliver_container(payload);
  ASSERT_TRUE(w.run_until_results(first, 1, 20'000));
  const std::string second = w.deliver_container(payload);
  EXPECT_EQ(provision_error(w, second),
            fmt::format("IP {} is already used by container {} in network net-1", ip_of(payload), first));
  EXPECT_EQ(w.runtime().running(), std::vector<std::string>{first});
  // The same address in another user's network is another address.
  nlohmann::json other_user = w.container_payload(0, "user-2");
  other_user["network_connection"][0]["ipaddress"] = "10.2.1.10";
  Delivery user_2;
  user_2.user = "user-2";
  const std::string other = w.deliver_container(other_user, user_2);
  ASSERT_TRUE(w.run_until_results(other, 1, 20'000));
  EXPECT_EQ(w.states(other), std::vector<ResultState>{ResultState::ok});
  // Once the first is gone its address can be taken again.
  ASSERT_TRUE(w.explorer().request_delete(first).ok());
  ASSERT_TRUE(w.run_until_results(first, 2, 30'000));
  const std::string third = w.deliver_container(payload);
  ASSERT_TRUE(w.run_until_results(third, 1, 20'000));
  EXPECT_EQ(w.states(third), std::vector<ResultState>{ResultState::ok});
  EXPECT_EQ(w.runtime().spec(third)->ipv4, ip_of(payload));
}

TEST(ContainerProvision, NetworkAndBroadcastAddressesAreNotHostAddresses) {
  TestWorld w;
  for (const char* ip : {"10.1.1.0", "10.1.1.255"}) {
    nlohmann::json payload = w.container_payload();
    payload["network_connection"][0]["ipaddress"] = ip;
    EXPECT_EQ(provision_error(w, w.deliver_container(payload)),
              fmt::format("IP {} is not a host address of the subnet 10.1.1.0/24 of network net-1", ip));
  }
  expect_nothing_held(w);
}

// --- Step 6: public IPv6 ---------------------------------------------------------------------------

TEST(ContainerProvision, PublicIpv6OnAnIpv4OnlyNodeIsRefused) {
  TestWorld w(TestWorldOptions{.ipv4_only = true});
  nlohmann::json payload = w.container_payload();
  payload["network_connection"][0]["public_ip6"] = true;
  EXPECT_EQ(provision_error(w, w.deliver_container(payload)),
            "this node runs in IPv4 only mode and you asked for a public IPv6. Impossible to fulfill the request");
  expect_nothing_held(w);
}

TEST(ContainerProvision, PublicIpv6IsAwaitedAndReportedInTheResultData) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  payload["network_connection"][0]["public_ip6"] = true;
  const std::string id = w.deliver_container(payload);
  ASSERT_TRUE(w.run_until_results(id, 1, 30'000));
  const std::vector<TraceLine> started = w.trace("container_started", "node-1");
  ASSERT_EQ(started.size(), 1u);
  const std::vector<TraceLine> accepted = w.trace("explorer_result");
  // The node's runtime gives the address 3 s after the start; the ok waits for it.
  EXPECT_GE(accepted.back().time_ms, started[0].time_ms + 3'000);
  const std::string ipv6 = w.runtime().public_ipv6(id).value();
  EXPECT_EQ(w.results(id)[0].data_json,
            nlohmann::ordered_json({{"id", id}, {"ipv4", ip_of(payload)}, {"ipv6", ipv6}}).dump());
  EXPECT_EQ(ipv6.rfind("2a02:1802:5e:", 0), 0u);
}

// --- Step 11: the result data ----------------------------------------------------------------------

TEST(ContainerProvision, ResultDataIsIdIpv4Ipv6InThatOrder) {
  TestWorld w;
  const nlohmann::json payload = w.container_payload();
  const std::string id = w.deliver_container(payload);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  EXPECT_EQ(w.results(id)[0].data_json, fmt::format(R"({{"id":"{}","ipv4":"{}","ipv6":""}})", id, ip_of(payload)));
  const std::optional<core::ContainerSpec> spec = w.runtime().spec(id);
  ASSERT_TRUE(spec.has_value());
  EXPECT_EQ(spec->ipv4, ip_of(payload));
  EXPECT_EQ(spec->network_id, "net-1");
  EXPECT_EQ(spec->cpu, 1u);
  EXPECT_EQ(spec->memory_mib, 512u);
}

// --- Step 4 and 8: volumes --------------------------------------------------------------------------

TEST(ContainerProvision, VolumeThatDoesNotExistOnThisNodeIsRefused) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  payload["volumes"] = {{{"volume_id", "99-1"}, {"mountpoint", "/data"}}};
  EXPECT_EQ(provision_error(w, w.deliver_container(payload)), "failed to retrieve the owner of volume 99-1");
  expect_nothing_held(w);
}

TEST(ContainerProvision, VolumeOfAnotherUserIsRefused) {
  TestWorld w;
  Delivery user_2;
  user_2.user = "user-2";
  const std::string volume = w.deliver_volume(1, "ssd", user_2);
  ASSERT_TRUE(w.run_until_results(volume, 1, 20'000));
  nlohmann::json payload = w.container_payload();
  payload["volumes"] = {{{"volume_id", volume}, {"mountpoint", "/data"}}};
  EXPECT_EQ(provision_error(w, w.deliver_container(payload)),
            fmt::format("cannot use volume {}, user user-1 is not the owner of it", volume));
  EXPECT_TRUE(w.runtime().running().empty());
  EXPECT_EQ(w.node().used(), (core::CapacityUsage{0, 0, 1024, 0}));  // Only the volume.
}

TEST(ContainerProvision, VolumesAreBindMountedAtNormalisedMountpoints) {
  TestWorld w;
  const std::uint64_t reservation = w.next_reservation_id();
  Delivery volume_delivery;
  volume_delivery.reservation_id = reservation;
  volume_delivery.workload_number = 1;
  const std::string data = w.deliver_volume(1, "hdd", volume_delivery);
  volume_delivery.workload_number = 2;
  const std::string logs = w.deliver_volume(2, "ssd", volume_delivery);
  nlohmann::json payload = w.container_payload();
  payload["volumes"] = {{{"volume_id", data}, {"mountpoint", "data//"}},
                        {{"volume_id", logs}, {"mountpoint", "var/../logs/./app/"}}};
  Delivery container;
  container.reservation_id = reservation;
  container.workload_number = 3;
  const std::string id = w.deliver_container(payload, container);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  ASSERT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok});
  const std::vector<core::BindMount> binds = w.runtime().bind_mounts(id);
  ASSERT_EQ(binds.size(), 2u);
  EXPECT_EQ(binds[0].volume_id, data);
  EXPECT_EQ(binds[0].target, "/data");
  EXPECT_EQ(binds[1].volume_id, logs);
  EXPECT_EQ(binds[1].target, "/logs/app");
  // Volumes count their size; the container its root disk.
  EXPECT_EQ(w.node().used(), (core::CapacityUsage{1, 512, 1024 + 2048, 1024}));
}

// --- Step 5: secret environment ----------------------------------------------------------------------

class SecretEnvironment : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(SecretEnvironment, IsDecryptedIntoTheEnvironmentAndNeverShown) {
  TestWorld w;
  const std::uint32_t version = GetParam();
  const std::string plaintext = fmt::format("s3cr3t-value-of-version-{}", version);
  nlohmann::json payload = w.container_payload();
  payload["secret_environment"] = {{"TOKEN", w.secret_for("user-1", 0, version, plaintext)},
                                   {"DB_PASSWORD", w.secret_for("user-1", 0, version, plaintext + "-db")}};
  payload["logs"] = {{{"type", "redis"}, {"data", {{"stdout", "redis://10.1.0.1:6379/out"}, {"stderr", "redis://10.1.0.1:6379/err"}}}}};
  Delivery delivery;
  delivery.version = version;
  const std::string id = w.deliver_container(payload, delivery);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  ASSERT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok}) << w.results(id)[0].message;
  const std::optional<core::ContainerSpec> spec = w.runtime().spec(id);
  ASSERT_TRUE(spec.has_value());
  std::vector<std::string> names;
  for (const auto& [name, value] : spec->environment) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"DB_PASSWORD", "PATH", "TOKEN", "ZSIM_USER"}));
  w.run_for(10'000);
  ASSERT_TRUE(w.explorer().request_delete(id).ok());
  ASSERT_TRUE(w.run_until_results(id, 2, 30'000));
  // Never in plaintext: not in the trace, not in the results, not on redis.
  for (const std::string& line : w.trace_text()) EXPECT_EQ(line.find(plaintext), std::string::npos) << line;
  for (const core::ProvisionResult& result : w.results(id)) {
    EXPECT_EQ((result.message + result.data_json).find(plaintext), std::string::npos);
  }
  EXPECT_GT(w.redis().messages(redis_a, "out"), 0u);
  for (const std::string& published : w.redis().recent_payloads(redis_a, "out")) {
    EXPECT_EQ(published.find(plaintext), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, SecretEnvironment, ::testing::Values(0u, 1u));

TEST(ContainerProvision, SecretForAnotherNodeFailsToDecrypt) {
  TestWorld w(TestWorldOptions{.nodes = 2});
  for (const std::uint32_t version : {0u, 1u}) {
    nlohmann::json payload = w.container_payload();
    payload["secret_environment"] = {{"TOKEN", w.secret_for("user-1", 1, version, "for-node-2-only")}};
    Delivery delivery;
    delivery.version = version;
    // zos's words for each version: the sealed-box library's, DecryptECDH's.
    EXPECT_EQ(provision_error(w, w.deliver_container(payload, delivery)),
              version == 0 ? "failed to decrypt secret env var 'TOKEN': sealed box opening fail"
                           : "failed to decrypt secret env var 'TOKEN': decryption error")
        << "version " << version;
  }
  expect_nothing_held(w);
}

// --- Step 7: the flist --------------------------------------------------------------------------------

TEST(ContainerProvision, FlistMd5IsAskedFirstAndTheCacheIsKeyedByMd5) {
  TestWorld w;
  const std::string first = w.deliver_container(w.container_payload());
  ASSERT_TRUE(w.run_until_results(first, 1, 20'000));
  const auto& lines = w.trace_text();
  const auto md5_line = std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
    return l.find(" hub_md5 url=https://hub.grid.tf/zsim/ubuntu.flist.md5 ") != std::string::npos;
  });
  const auto fetch_line = std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
    return l.find(" hub_fetch url=https://hub.grid.tf/zsim/ubuntu.flist ") != std::string::npos;
  });
  ASSERT_NE(md5_line, lines.end());
  ASSERT_NE(fetch_line, lines.end());
  EXPECT_LT(md5_line, fetch_line);
  EXPECT_EQ(w.hub().flist_downloads(), 1u);
  // A second container of the same flist asks for the .md5 only.
  const std::string second = w.deliver_container(w.container_payload());
  ASSERT_TRUE(w.run_until_results(second, 1, 20'000));
  EXPECT_EQ(w.hub().md5_requests(), 2u);
  EXPECT_EQ(w.hub().flist_downloads(), 1u);
  // Another URL serving the same bytes has the same md5: still no download.
  const std::string mirror = "https://mirror.example/ubuntu.flist";
  w.hub().add_flist(mirror, core::FlistImage{"ubuntu.flist", 300, std::string(ubuntu_entrypoint), {{"PATH", "/usr/bin:/bin"}}, "ubuntu"});
  nlohmann::json payload = w.container_payload();
  payload["flist"] = mirror;
  const std::string third = w.deliver_container(payload);
  ASSERT_TRUE(w.run_until_results(third, 1, 20'000));
  EXPECT_EQ(w.states(third), std::vector<ResultState>{ResultState::ok});
  EXPECT_EQ(w.hub().flist_downloads(), 1u);
}

TEST(ContainerProvision, HubDownWithTheFlistCachedStillProvisions) {
  TestWorld w;
  const std::string first = w.deliver_container(w.container_payload());
  ASSERT_TRUE(w.run_until_results(first, 1, 20'000));
  w.hub().set_down(true);
  const std::string second = w.deliver_container(w.container_payload());
  ASSERT_TRUE(w.run_until_results(second, 1, 20'000));
  EXPECT_EQ(w.states(second), std::vector<ResultState>{ResultState::ok});
  EXPECT_EQ(w.runtime().running().size(), 2u);
  bool offline = false;
  for (const TraceLine& line : w.trace("flist_cache", "node-1")) offline |= line.field("source") == "cache-offline";
  EXPECT_TRUE(offline);
  // Not cached: nothing to fall back on.
  nlohmann::json busybox = w.container_payload();
  busybox["flist"] = std::string(busybox_flist);
  busybox["entrypoint"] = "/bin/sh";
  EXPECT_EQ(provision_error(w, w.deliver_container(busybox)),
            fmt::format("flist {} is not reachable and not cached", busybox_flist));
  EXPECT_EQ(w.runtime().running().size(), 2u);
  EXPECT_EQ(w.node().used(), (core::CapacityUsage{2, 1024, 2048, 0}));
}

TEST(ContainerProvision, FlistThatDoesNotMatchItsMd5IsRejected) {
  TestWorld w;
  w.hub().set_md5_mismatch(std::string(ubuntu_flist), true);
  const std::string message = provision_error(w, w.deliver_container(w.container_payload()));
  EXPECT_EQ(message.rfind(fmt::format("flist {} does not match its md5 (want ", ubuntu_flist), 0), 0u) << message;
  expect_nothing_held(w);
  EXPECT_TRUE(w.world().node(0).store->keys("flist/").empty());  // Nothing unverified is cached.
}

TEST(ContainerProvision, DamagedCachedCopyIsDownloadedAgain) {
  TestWorld w;
  const std::string first = w.deliver_container(w.container_payload());
  ASSERT_TRUE(w.run_until_results(first, 1, 20'000));
  const std::vector<std::string> keys = w.world().node(0).store->keys("flist/");
  ASSERT_EQ(keys.size(), 1u);
  w.world().node(0).store->put(keys[0], "bit rot");
  const std::string second = w.deliver_container(w.container_payload());
  ASSERT_TRUE(w.run_until_results(second, 1, 20'000));
  EXPECT_EQ(w.states(second), std::vector<ResultState>{ResultState::ok});
  EXPECT_EQ(w.hub().flist_downloads(), 2u);
  const std::optional<std::string> repaired = w.world().node(0).store->get(keys[0]);
  ASSERT_TRUE(repaired.has_value());
  EXPECT_EQ("flist/" + core::md5_hex(*repaired), keys[0]);
}

TEST(ContainerProvision, CorruptFlistFailsTheMountAndIsRolledBack) {
  TestWorld w;
  w.hub().set_corrupt(std::string(ubuntu_flist), true);
  const std::string message = provision_error(w, w.deliver_container(w.container_payload()));
  EXPECT_EQ(message.rfind("failed to mount flist: corrupt flist", 0), 0u) << message;
  expect_nothing_held(w);
}

TEST(ContainerProvision, FlistNotOnTheHubFailsWith404) {
  TestWorld w;
  w.hub().set_not_found(std::string(ubuntu_flist), true);
  EXPECT_EQ(provision_error(w, w.deliver_container(w.container_payload())), "fail to download flist: 404 Not Found");
  expect_nothing_held(w);
}

// --- Step 7: the root disk -----------------------------------------------------------------------------

struct RootDiskCase {
  std::uint64_t size_mib;
  const char* type;
  std::uint64_t want_mib;
  core::DiskType want_type;
};
// The struct's padding is uninitialised, and GoogleTest prints a parameter without a printer byte by byte.
void PrintTo(const RootDiskCase& root_disk, std::ostream* out) {
  *out << root_disk.size_mib << " MiB " << root_disk.type;
}

class RootDisk : public ::testing::TestWithParam<RootDiskCase> {};

TEST_P(RootDisk, IsMountedAndCountedWithItsDefaults) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  payload["capacity"]["disk_size"] = GetParam().size_mib;
  payload["capacity"]["disk_type"] = GetParam().type;
  const std::string id = w.deliver_container(payload);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  const std::vector<fakes::MountInfo> mounts = w.runtime().mounts();
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_EQ(mounts[0].name, id);
  EXPECT_EQ(mounts[0].disk_size_mib, GetParam().want_mib);
  EXPECT_EQ(mounts[0].disk_type, GetParam().want_type);
  const bool ssd = GetParam().want_type == core::DiskType::ssd;
  const core::CapacityUsage want{1, 512, ssd ? GetParam().want_mib : 0, ssd ? 0 : GetParam().want_mib};
  EXPECT_EQ(w.node().used(), want);
  EXPECT_EQ(w.explorer().capacity(w.node_id()), want);
}

INSTANTIATE_TEST_SUITE_P(SizesAndTypes, RootDisk,
                         ::testing::Values(RootDiskCase{0, "", 256, core::DiskType::ssd},
                                           RootDiskCase{0, "ssd", 256, core::DiskType::ssd},
                                           RootDiskCase{0, "hdd", 256, core::DiskType::hdd},
                                           RootDiskCase{2048, "", 2048, core::DiskType::ssd},
                                           RootDiskCase{4096, "HDD", 4096, core::DiskType::hdd}));

// --- Step 9: the entrypoint and coreX ----------------------------------------------------------------

TEST(ContainerProvision, ABlankEntrypointIsRefusedEvenWhenTheFlistHasADefault) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  payload["entrypoint"] = " \t ";
  EXPECT_EQ(provision_error(w, w.deliver_container(payload)), "error starting container: invalid entrypoint definition ' \t '");
  payload = w.container_payload();
  payload["entrypoint"] = "sh -c \"echo";
  EXPECT_EQ(provision_error(w, w.deliver_container(payload)),
            "error starting container: invalid entrypoint definition 'sh -c \"echo'");
  expect_nothing_held(w);
  payload = w.container_payload();
  payload["entrypoint"] = "sh -c 'echo a b'";
  const std::string id = w.deliver_container(payload);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  EXPECT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok});
}

TEST(ContainerProvision, EntrypointIsRequiredWhenTheFlistHasNone) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  payload["flist"] = std::string(busybox_flist);
  EXPECT_EQ(provision_error(w, w.deliver_container(payload)),
            "error starting container: invalid entrypoint definition ''");
  expect_nothing_held(w);
  EXPECT_EQ(w.runtime().counts().mounts, 1u);  // It got as far as the mount, which was undone.
}

TEST(ContainerProvision, EntrypointComesFromTheReservationOrElseFromTheFlist) {
  TestWorld w;
  const std::string from_flist = w.deliver_container(w.container_payload());
  nlohmann::json own = w.container_payload();
  own["flist"] = std::string(busybox_flist);
  own["entrypoint"] = "/bin/sh -c 'sleep 1000'";
  const std::string from_reservation = w.deliver_container(own);
  ASSERT_TRUE(w.run_until_results(from_reservation, 1, 20'000));
  ASSERT_TRUE(w.run_until_results(from_flist, 1, 20'000));
  EXPECT_EQ(w.runtime().spec(from_flist)->entrypoint, ubuntu_entrypoint);
  EXPECT_EQ(w.runtime().spec(from_reservation)->entrypoint, "/bin/sh -c 'sleep 1000'");
  EXPECT_FALSE(w.runtime().spec(from_flist)->interactive);
}

TEST(ContainerProvision, InteractiveRunsCoreXAndTheResultNamesTheConsole) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  payload["flist"] = std::string(busybox_flist);  // No entrypoint anywhere: coreX needs none.
  payload["interactive"] = true;
  const std::string id = w.deliver_container(payload);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  ASSERT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok}) << w.results(id)[0].message;
  EXPECT_EQ(w.results(id)[0].data_json,
            nlohmann::ordered_json({{"id", id}, {"ipv4", ip_of(payload)}, {"ipv6", ""}, {"console", ip_of(payload) + ":7681"}})
                .dump());
  EXPECT_TRUE(w.runtime().spec(id)->interactive);
  EXPECT_EQ(w.runtime().program_of(id), fakes::ContainerProgram::corex());
  const std::vector<TraceLine> starts = w.trace("container_start", "node-1");
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0].field("entrypoint"), "corex");
}

// --- Rollback ------------------------------------------------------------------------------------------

TEST(ContainerProvision, MountFailureRollsBackCapacityAndAddress) {
  TestWorld w;
  w.runtime().set_fs_daemon_down(true);
  const nlohmann::json payload = w.container_payload();
  const std::string id = w.deliver_container(payload);
  EXPECT_EQ(provision_error(w, id), "failed to mount flist: filesystem daemon not responding");
  // It waited 5 s for the filesystem daemon before giving up.
  EXPECT_EQ(w.trace("provision_error", "node-1").at(0).time_ms - w.trace("provision_start", "node-1").at(0).time_ms,
            5'000);
  expect_nothing_held(w);
  EXPECT_EQ(w.explorer().capacity(w.node_id()), core::CapacityUsage{});
  // Everything it held is free again: the same address and size provision once the daemon is back.
  w.runtime().set_fs_daemon_down(false);
  const std::string again = w.deliver_container(payload);
  ASSERT_TRUE(w.run_until_results(again, 1, 20'000));
  EXPECT_EQ(w.states(again), std::vector<ResultState>{ResultState::ok});
}

TEST(ContainerProvision, MountWaitsForAFilesystemDaemonThatComesBackWithinFiveSeconds) {
  TestWorld w;
  w.runtime().set_fs_daemon_down(true);
  const std::string id = w.deliver_container(w.container_payload());
  for (int step = 0; step < 400 && w.trace("provision_start", "node-1").empty(); step += 1) w.run_for(50);
  const std::int64_t started_ms = w.trace("provision_start", "node-1").at(0).time_ms;
  w.run_for(started_ms + 4'000 - w.now_ms());
  EXPECT_TRUE(w.results(id).empty());
  w.runtime().set_fs_daemon_down(false);
  ASSERT_TRUE(w.run_until_results(id, 1, 5'000));
  EXPECT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok});
  EXPECT_GE(w.trace("explorer_result").back().time_ms, started_ms + 4'000);
}

TEST(ContainerProvision, StartFailureRollsBackTheMountCapacityAndAddress) {
  TestWorld w;
  w.runtime().fail_next_starts(1);
  nlohmann::json payload = w.container_payload();
  payload["logs"] = {{{"type", "redis"}, {"data", {{"stdout", "redis://10.1.0.1/o"}, {"stderr", "redis://10.1.0.1/e"}}}}};
  const std::string id = w.deliver_container(payload);
  EXPECT_EQ(provision_error(w, id), "error starting container: failed to start task: injected fault");
  expect_nothing_held(w);
  const std::vector<TraceLine> unmounts = w.trace("unmount", "node-1");
  ASSERT_EQ(unmounts.size(), 1u);
  EXPECT_EQ(unmounts[0].field("outcome"), "unmounted");
  w.run_for(10'000);
  EXPECT_EQ(w.redis().connections_open(), 0u);  // Its pushers are gone too.
  const std::string again = w.deliver_container(payload);
  ASSERT_TRUE(w.run_until_results(again, 1, 20'000));
  EXPECT_EQ(w.states(again), std::vector<ResultState>{ResultState::ok});
}

}  // namespace
}  // namespace zsim::tests
