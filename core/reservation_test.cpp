// The reservation model: parsing with path-named type errors, validation with the exact messages
// of the real node, redis URLs, mountpoints and the root disk.

#include "core/reservation.hpp"

#include <gtest/gtest.h>

#include <string>

namespace zsim::core {
namespace {

using nlohmann::json;

// The payload of the task's example, as the explorer sends it.
constexpr std::string_view example_payload = R"({
  "workload_id": 7, "node_id": "2fi9ZZiBGW4G9pnrN656bMfW6x55RSoHDeMrd9pgSA8T",
  "flist": "https://hub.grid.tf/zaibon/zaibon-ubuntu-ssh-0.0.2.flist", "hub_url": "",
  "environment": {"KEY": "VAL"}, "secret_environment": {"TOKEN": "0a1B2c3D"},
  "entrypoint": "/sbin/my_init", "interactive": false,
  "volumes": [{"volume_id": "12-1", "mountpoint": "/data"}],
  "network_connection": [{"network_id": "mynet", "ipaddress": "172.24.1.10", "public_ip6": false}],
  "capacity": {"cpu": 2, "memory": 2048, "disk_size": 2048, "disk_type": "ssd"},
  "logs": [{"type": "redis", "data": {"stdout": "redis://1.2.3.4:6379/container-stdout",
                                      "stderr": "redis://1.2.3.4:6379/container-stderr"}}],
  "stats_aggregator": [{"type": "redis", "data": {"endpoint": "redis://1.2.3.4:6379/container-stats"}}]
})";

ContainerReservation example() {
  Expected<ContainerReservation> parsed = parse_container_text(example_payload);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error());
  return std::move(parsed).value();
}

// The error of parsing payload, which must fail.
std::string parse_error(const json& payload) {
  const Expected<ContainerReservation> parsed = parse_container(payload);
  EXPECT_FALSE(parsed.ok());
  return parsed.ok() ? std::string("<parsed>") : parsed.error();
}

std::string text_error(std::string_view text) {
  const Expected<ContainerReservation> parsed = parse_container_text(text);
  EXPECT_FALSE(parsed.ok());
  return parsed.ok() ? std::string("<parsed>") : parsed.error();
}

std::string validate_error(const ContainerReservation& reservation) {
  const Status status = validate(reservation);
  EXPECT_FALSE(status.ok());
  return status.ok() ? std::string("<valid>") : status.error();
}

std::string schema(std::string_view message) { return std::string(schema_error_prefix) + std::string(message); }

// ---------------------------------------------------------------------------------------------
// Parsing.

TEST(ReservationParse, ReadsEveryFieldOfTheExample) {
  const ContainerReservation r = example();
  EXPECT_EQ(r.workload_id, 7U);
  EXPECT_EQ(r.node_id, "2fi9ZZiBGW4G9pnrN656bMfW6x55RSoHDeMrd9pgSA8T");
  EXPECT_EQ(r.flist, "https://hub.grid.tf/zaibon/zaibon-ubuntu-ssh-0.0.2.flist");
  EXPECT_EQ(r.environment.at("KEY"), "VAL");
  EXPECT_EQ(r.secret_environment.at("TOKEN"), "0a1B2c3D");
  EXPECT_EQ(r.entrypoint, "/sbin/my_init");
  EXPECT_FALSE(r.interactive);
  ASSERT_EQ(r.volumes.size(), 1U);
  EXPECT_EQ(r.volumes[0], (ContainerMount{"12-1", "/data"}));
  ASSERT_EQ(r.network_connection.size(), 1U);
  EXPECT_EQ(r.network_connection[0], (NetworkConnection{"mynet", "172.24.1.10", false}));
  EXPECT_EQ(r.capacity, (ContainerCapacity{2, 2048, 2048, "ssd"}));
  ASSERT_EQ(r.logs.size(), 1U);
  EXPECT_EQ(r.logs[0].type, "redis");
  EXPECT_EQ(r.logs[0].stdout_url, "redis://1.2.3.4:6379/container-stdout");
  EXPECT_EQ(r.logs[0].stderr_url, "redis://1.2.3.4:6379/container-stderr");
  ASSERT_EQ(r.stats_aggregator.size(), 1U);
  EXPECT_EQ(r.stats_aggregator[0].endpoint_url, "redis://1.2.3.4:6379/container-stats");
  EXPECT_TRUE(validate(r).ok());
}

TEST(ReservationParse, MissingFieldsTakeDefaults) {
  const Expected<ContainerReservation> parsed = parse_container(json::object());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value(), ContainerReservation{});
}

TEST(ReservationParse, NullListsAndMapsAreEmpty) {
  const json payload = {{"environment", nullptr}, {"secret_environment", nullptr}, {"volumes", nullptr},
                        {"network_connection", nullptr}, {"logs", nullptr}, {"stats_aggregator", nullptr},
                        {"capacity", nullptr}, {"flist", "f"}};
  const Expected<ContainerReservation> parsed = parse_container(payload);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_TRUE(parsed.value().environment.empty());
  EXPECT_TRUE(parsed.value().logs.empty());
  EXPECT_EQ(parsed.value().flist, "f");
}

TEST(ReservationParse, UnknownFieldsAreIgnored) {
  json payload = json::parse(example_payload);
  payload["reservation_version"] = 3;
  payload["capacity"]["gpu"] = "lots";
  const Expected<ContainerReservation> parsed = parse_container(payload);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed.value(), example());
}

TEST(ReservationParse, TypeErrorsNameTheFieldByItsPath) {
  json payload = json::parse(example_payload);
  payload["capacity"]["cpu"] = "two";
  EXPECT_EQ(parse_error(payload), "capacity.cpu: expected a non-negative integer, got string");

  payload = json::parse(example_payload);
  payload["network_connection"][0]["ipaddress"] = 17;
  EXPECT_EQ(parse_error(payload), "network_connection[0].ipaddress: expected a string, got number");

  payload = json::parse(example_payload);
  payload["environment"]["KEY"] = true;
  EXPECT_EQ(parse_error(payload), "environment.KEY: expected a string, got boolean");

  payload = json::parse(example_payload);
  payload["volumes"] = json::object();
  EXPECT_EQ(parse_error(payload), "volumes: expected an array, got object");

  payload = json::parse(example_payload);
  payload["volumes"].push_back("12-2:/other");
  EXPECT_EQ(parse_error(payload), "volumes[1]: expected an object, got string");

  payload = json::parse(example_payload);
  payload["interactive"] = "yes";
  EXPECT_EQ(parse_error(payload), "interactive: expected a boolean, got string");

  payload = json::parse(example_payload);
  payload["logs"][0]["data"]["stderr"] = json::array();
  EXPECT_EQ(parse_error(payload), "logs[0].data.stderr: expected a string, got array");

  payload = json::parse(example_payload);
  payload["stats_aggregator"][0]["data"] = "redis://x/y";
  EXPECT_EQ(parse_error(payload), "stats_aggregator[0].data: expected an object, got string");

  payload = json::parse(example_payload);
  payload["capacity"] = 5;
  EXPECT_EQ(parse_error(payload), "capacity: expected an object, got number");

  payload = json::parse(example_payload);
  payload["flist"] = nullptr;
  EXPECT_EQ(parse_error(payload), "flist: expected a string, got null");
}

TEST(ReservationParse, NegativeAndFractionalNumbersAreRefusedNamingTheField) {
  json payload = json::parse(example_payload);
  payload["capacity"]["cpu"] = -2;
  EXPECT_EQ(parse_error(payload), "capacity.cpu: expected a non-negative integer, got -2");

  payload = json::parse(example_payload);
  payload["capacity"]["memory"] = 2.5;
  EXPECT_EQ(parse_error(payload), "capacity.memory: expected a non-negative integer, got 2.5");

  payload = json::parse(example_payload);
  payload["workload_id"] = -1;
  EXPECT_EQ(parse_error(payload), "workload_id: expected a non-negative integer, got -1");

  payload = json::parse(example_payload);
  payload["capacity"]["disk_size"] = true;
  EXPECT_EQ(parse_error(payload), "capacity.disk_size: expected a non-negative integer, got boolean");
}

TEST(ReservationParse, TopLevelMustBeAnObject) {
  EXPECT_EQ(parse_error(json::array()), "reservation: expected a JSON object, got array");
  EXPECT_EQ(text_error("\"hello\""), "reservation: expected a JSON object, got string");
  EXPECT_EQ(text_error("null"), "reservation: expected a JSON object, got null");
}

TEST(ReservationParse, SecretValuesNeverAppearInTypeErrors) {
  json payload = json::parse(example_payload);
  payload["secret_environment"]["TOKEN"] = 987654321;
  const std::string error = parse_error(payload);
  EXPECT_EQ(error, "secret_environment.TOKEN: expected a string, got number");
  EXPECT_EQ(error.find("987654321"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Malformed JSON.

TEST(ReservationParseText, MalformedJsonGivesLineAndColumn) {
  EXPECT_EQ(text_error("{\"a\":1,}"), "invalid JSON at line 1, column 8: unexpected '}'; expected string literal");
  EXPECT_EQ(text_error("{\n  \"a\": tru\n}"), "invalid JSON at line 2, column 11: invalid literal");
  EXPECT_EQ(text_error("{\"a\"\n\n:  }"),
            "invalid JSON at line 3, column 4: unexpected '}'; expected '[', '{', or a literal");
  EXPECT_EQ(text_error("[1,2"), "invalid JSON at line 1, column 5: unexpected end of input; expected ']'");
  EXPECT_EQ(text_error(""),
            "invalid JSON at line 1, column 1: unexpected end of input; expected '[', '{', or a literal");
}

TEST(ReservationParseText, ColumnsCountCharactersNotBytes) {
  // "é" is two bytes; the stray comma after it is the 11th character of line 1.
  EXPECT_EQ(text_error("{\"a\": \"é\",}"), "invalid JSON at line 1, column 11: unexpected '}'; expected string literal");
}

TEST(ReservationParseText, MalformedSecretIsNotEchoed) {
  // A control character inside the secret makes the lexer stop in the middle of the value;
  // nlohmann's "last read" excerpt would show it.
  const std::string text = "{\"secret_environment\": {\"TOKEN\": \"s3cr3tplain\x01text\"}}";
  const std::string error = text_error(text);
  EXPECT_TRUE(error.starts_with("invalid JSON at line 1, column ")) << error;
  EXPECT_EQ(error.find("s3cr3t"), std::string::npos) << error;
  EXPECT_EQ(error.find("last read"), std::string::npos) << error;
}

TEST(ReservationParseText, NumberOverflowIsInvalidJson) {
  // nlohmann throws out_of_range here, not parse_error; its text quoted the number.
  EXPECT_EQ(text_error("{\"workload_id\": 1e999}"),
            "workload_id: invalid JSON at line 1, column 21: a number beyond the range of a double (about 1.8e308)");
  // Beyond 2^64-1 nlohmann reads a float, which is not a non-negative integer.
  EXPECT_EQ(text_error("{\"workload_id\": 18446744073709551616}"),
            "workload_id: expected a non-negative integer, got 1.8446744073709552e+19");
}

// ---------------------------------------------------------------------------------------------
// Serialising.

TEST(ReservationJson, RoundTripsTheExample) {
  const ContainerReservation r = example();
  const Expected<ContainerReservation> again = parse_container(to_json(r));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), r);
  const Expected<ContainerReservation> from_text = parse_container_text(to_json(r).dump());
  ASSERT_TRUE(from_text.ok());
  EXPECT_EQ(from_text.value(), r);
}

TEST(ReservationJson, WritesTheExplorerFieldNames) {
  const json payload = to_json(example());
  EXPECT_EQ(payload.at("capacity").at("memory"), 2048);
  EXPECT_EQ(payload.at("capacity").at("disk_size"), 2048);
  EXPECT_EQ(payload.at("logs").at(0).at("data").at("stdout"), "redis://1.2.3.4:6379/container-stdout");
  EXPECT_EQ(payload.at("stats_aggregator").at(0).at("data").at("endpoint"), "redis://1.2.3.4:6379/container-stats");
  EXPECT_EQ(payload.at("network_connection").at(0).at("public_ip6"), false);
}

// ---------------------------------------------------------------------------------------------
// Validation: every message, exactly.

TEST(ReservationValidate, NetworkIdCannotBeEmpty) {
  ContainerReservation r = example();
  r.network_connection[0].network_id.clear();
  EXPECT_EQ(validate_error(r), schema("network ID cannot be empty"));
  EXPECT_EQ(validate_error(r), "container provision schema not valid: network ID cannot be empty");
  r.network_connection.clear();
  EXPECT_EQ(validate_error(r), schema("network ID cannot be empty"));
}

TEST(ReservationValidate, OnlyOneNetworkConnection) {
  ContainerReservation r = example();
  r.network_connection.push_back({"othernet", "10.1.2.3", false});
  EXPECT_EQ(validate_error(r), schema("network_connection: only one network connection is supported, got 2"));
}

TEST(ReservationValidate, MissingIpAddress) {
  ContainerReservation r = example();
  r.network_connection[0].ipaddress.clear();
  EXPECT_EQ(validate_error(r), schema("missing container IP address"));
}

// zos decoded an empty ipaddress to a nil IP, which passed its IP check: an empty flist answers
// first (converter.go, validateContainerConfig).
TEST(ReservationValidate, AnEmptyIpAddressComesAfterTheFlistMemoryAndCpuChecks) {
  ContainerReservation r = example();
  r.network_connection[0].ipaddress.clear();
  r.flist.clear();
  EXPECT_EQ(validate_error(r), schema("missing flist url"));
  r.flist = "https://hub.grid.tf/x.flist";
  r.capacity.cpu = 0;
  EXPECT_EQ(validate_error(r), schema("cannot create a container with 0 CPU allocated"));
}

TEST(ReservationValidate, InvalidIpAddressNamesTheField) {
  ContainerReservation r = example();
  r.network_connection[0].ipaddress = "172.24.1";
  EXPECT_EQ(validate_error(r), schema("network_connection[0].ipaddress: invalid container IP address '172.24.1', "
                                      "expected a dotted IPv4 address like 172.24.1.10"));
  r.network_connection[0].ipaddress = "fd00::10";
  EXPECT_NE(validate_error(r).find("'fd00::10'"), std::string::npos);
}

TEST(ReservationValidate, MissingFlist) {
  ContainerReservation r = example();
  r.flist.clear();
  EXPECT_EQ(validate_error(r), schema("missing flist url"));
}

TEST(ReservationValidate, MemoryBelow64MiB) {
  ContainerReservation r = example();
  r.capacity.memory_mib = 63;
  EXPECT_EQ(validate_error(r),
            "container provision schema not valid: amount of memory allocated for the container cannot be lower "
            "then 64 megabytes");
  r.capacity.memory_mib = 64;
  EXPECT_TRUE(validate(r).ok());
}

TEST(ReservationValidate, ZeroCpu) {
  ContainerReservation r = example();
  r.capacity.cpu = 0;
  EXPECT_EQ(validate_error(r), "container provision schema not valid: cannot create a container with 0 CPU allocated");
}

TEST(ReservationValidate, UnknownDiskTypeIsNotPrefixed) {
  ContainerReservation r = example();
  r.capacity.disk_type = "nvme";
  EXPECT_EQ(validate_error(r), "unknown disk type: nvme");
  r.capacity.disk_type = "HDD";
  EXPECT_TRUE(validate(r).ok());
  r.capacity.disk_type = "";
  EXPECT_TRUE(validate(r).ok());
}

TEST(ReservationValidate, ChecksInTheOrderOfTheRealNode) {
  ContainerReservation r = example();
  r.capacity.cpu = 0;
  r.capacity.memory_mib = 1;
  r.flist.clear();
  r.network_connection[0].ipaddress.clear();
  r.capacity.disk_type = "tape";
  EXPECT_EQ(validate_error(r), "unknown disk type: tape");
  r.capacity.disk_type = "ssd";
  r.network_connection[0].ipaddress = "10.0.0";
  EXPECT_NE(validate_error(r).find("invalid container IP address '10.0.0'"), std::string::npos);
  r.network_connection[0].ipaddress.clear();
  EXPECT_EQ(validate_error(r), schema("missing flist url"));
  r.flist = "https://hub.grid.tf/x.flist";
  EXPECT_NE(validate_error(r).find("lower then 64 megabytes"), std::string::npos);
  r.capacity.memory_mib = 64;
  EXPECT_EQ(validate_error(r), schema("cannot create a container with 0 CPU allocated"));
  r.capacity.cpu = 1;
  EXPECT_EQ(validate_error(r), schema("missing container IP address"));
  r.network_connection[0].ipaddress = "10.0.0.1";
  EXPECT_TRUE(validate(r).ok());
}

// zos never failed a provision for its logs or stats endpoints; the node skips what it cannot use.
TEST(ReservationValidate, BadLogsAndStatsEndpointsNeverFailValidation) {
  ContainerReservation r = example();
  r.logs[0].type = "file";
  r.stats_aggregator[0].endpoint_url = "redis://1.2.3.4:99999/stats";
  EXPECT_TRUE(validate(r).ok());
}

TEST(UsableEndpoints, SkipsUnsupportedTypesAndUrlsThatDoNotParseNamingEach) {
  ContainerReservation r = example();
  r.logs.push_back({"file", "redis://1.2.3.4/a", "redis://1.2.3.4/b"});
  r.logs.push_back({"redis", "http://1.2.3.4/out", "redis://1.2.3.4:6379/err-ok"});
  r.logs.push_back({"redis", "redis://1.2.3.4:6379", ""});
  r.stats_aggregator.push_back({"influxdb", "redis://1.2.3.4/stats"});
  r.stats_aggregator.push_back({"redis", "redis://:pa55word@1.2.3.4:notaport/stats"});
  const UsableEndpoints usable = usable_endpoints(r);
  EXPECT_EQ(usable.skipped, (std::vector<std::string>{
                                "logs[1].type: unsupported type 'file', only 'redis' is supported",
                                "logs[2].data.stdout: invalid scheme, expected redis://",
                                "logs[3].data.stdout: missing channel name, expected: redis://host/channel",
                                "logs[3].data.stderr: invalid scheme, expected redis://",
                                "stats_aggregator[1].type: unsupported type 'influxdb', only 'redis' is supported",
                                "stats_aggregator[2].data.endpoint: invalid port 'notaport', expected a number from 1 to 65535",
                            }));
  for (const std::string& line : usable.skipped) EXPECT_EQ(line.find("pa55word"), std::string::npos);
  // The good stream of a half-bad endpoint is still used; an endpoint with none is dropped.
  ASSERT_EQ(usable.logs.size(), 2u);
  EXPECT_TRUE(usable.logs[0].stdout_url && usable.logs[0].stderr_url);
  EXPECT_FALSE(usable.logs[1].stdout_url);
  ASSERT_TRUE(usable.logs[1].stderr_url);
  EXPECT_EQ(usable.logs[1].stderr_url->channel, "err-ok");
  ASSERT_EQ(usable.stats.size(), 1u);
  EXPECT_EQ(usable.stats[0].channel, "container-stats");
}

TEST(ReservationValidate, SecretValuesAreNotCheckedHere) {
  ContainerReservation r = example();
  r.secret_environment["DB_PASSWORD"] = "hunter2hunter2";  // The node's decryption refuses it, in Go's words.
  EXPECT_TRUE(validate(r).ok());
}

// The explorer sends tfexplorer's DiskTypeEnum: 0 hdd, 1 ssd, anything else "UNKNOWN".
TEST(ReservationParse, DiskTypeArrivesAsANumber) {
  nlohmann::json payload = nlohmann::json::parse(example_payload);
  payload["capacity"]["disk_type"] = 0;
  EXPECT_EQ(parse_container(payload).value().capacity.disk_type, "hdd");
  payload["capacity"]["disk_type"] = 1;
  EXPECT_EQ(parse_container(payload).value().capacity.disk_type, "ssd");
  payload["capacity"]["disk_type"] = 7;
  const ContainerReservation unknown = parse_container(payload).value();
  EXPECT_EQ(validate_error(unknown), "unknown disk type: UNKNOWN");
  payload["capacity"]["disk_type"] = 300;
  EXPECT_EQ(parse_error(payload), "capacity.disk_type: expected 0 (hdd), 1 (ssd) or a disk type name, got 300");
  payload["capacity"]["disk_type"] = -1;
  EXPECT_EQ(parse_error(payload), "capacity.disk_type: expected 0 (hdd), 1 (ssd) or a disk type name, got -1");
  payload["capacity"]["disk_type"] = "HDD";
  EXPECT_EQ(parse_container(payload).value().capacity.disk_type, "HDD");
}

TEST(RelativeVolumes, ADashPrefixedIdIsOfTheSameReservation) {
  ContainerReservation r = example();
  r.volumes = {{"-1", "/data"}, {"12-3", "/other"}, {"-", "/odd"}};
  resolve_relative_volumes(r, 12);
  EXPECT_EQ(r.volumes[0].volume_id, "12-1");
  EXPECT_EQ(r.volumes[1].volume_id, "12-3");
  EXPECT_EQ(r.volumes[2].volume_id, "12-");
}

// ---------------------------------------------------------------------------------------------
// Redis URLs.

TEST(RedisUrl, ParsesHostPortPasswordAndChannel) {
  const Expected<RedisUrl> url = parse_redis_url("redis://:s3cret@10.0.0.5:6380/container-stdout");
  ASSERT_TRUE(url.ok()) << url.error();
  EXPECT_EQ(url.value(), (RedisUrl{"10.0.0.5", 6380, "s3cret", "container-stdout"}));
  EXPECT_EQ(url.value().address(), "10.0.0.5:6380");
  EXPECT_EQ(url.value().display(), "redis://:***@10.0.0.5:6380/container-stdout");
}

TEST(RedisUrl, DefaultsThePortTo6379) {
  const Expected<RedisUrl> url = parse_redis_url("redis://redis.example.org/stats");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url.value().port, 6379);
  EXPECT_EQ(url.value().display(), "redis://redis.example.org:6379/stats");
  EXPECT_TRUE(url.value().password.empty());
}

TEST(RedisUrl, KeepsThePasswordAndChannelVerbatim) {
  const Expected<RedisUrl> url = parse_redis_url("REDIS://:p@ss@host/a/b");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url.value().password, "p@ss");
  EXPECT_EQ(url.value().channel, "a/b");
}

TEST(RedisUrl, AcceptsBracketedIpv6) {
  const Expected<RedisUrl> url = parse_redis_url("redis://[::1]:7000/ch");
  ASSERT_TRUE(url.ok()) << url.error();
  EXPECT_EQ(url.value().host, "::1");
  EXPECT_EQ(url.value().address(), "[::1]:7000");
}

TEST(RedisUrl, ExactErrors) {
  const auto error_of = [](std::string_view text) {
    const Expected<RedisUrl> url = parse_redis_url(text);
    EXPECT_FALSE(url.ok()) << text;
    return url.ok() ? std::string("<parsed>") : url.error();
  };
  EXPECT_EQ(error_of("http://host/ch"), "invalid scheme, expected redis://");
  EXPECT_EQ(error_of("rediss://host/ch"), "invalid scheme, expected redis://");
  EXPECT_EQ(error_of("host:6379/ch"), "invalid scheme, expected redis://");
  EXPECT_EQ(error_of("redis://host:6379"), "missing channel name, expected: redis://host/channel");
  EXPECT_EQ(error_of("redis://host/"), "missing channel name, expected: redis://host/channel");
  EXPECT_EQ(error_of("redis:///ch"), "missing host, expected: redis://host/channel");
  EXPECT_EQ(error_of("redis://:pw@:6379/ch"), "missing host, expected: redis://host/channel");
  EXPECT_EQ(error_of("redis://host:abc/ch"), "invalid port 'abc', expected a number from 1 to 65535");
  EXPECT_EQ(error_of("redis://host:0/ch"), "invalid port '0', expected a number from 1 to 65535");
  EXPECT_EQ(error_of("redis://host:65536/ch"), "invalid port '65536', expected a number from 1 to 65535");
  EXPECT_EQ(error_of("redis://host:/ch"), "invalid port '', expected a number from 1 to 65535");
  EXPECT_EQ(error_of("redis://host:-1/ch"), "invalid port '-1', expected a number from 1 to 65535");
  EXPECT_EQ(error_of("redis://admin:pw@host/ch"),
            "unsupported user name in redis URL, expected redis://[:password@]host[:port]/channel");
  EXPECT_EQ(error_of("redis://[::1/ch"), "invalid host, expected a closing ']' after an IPv6 address");
  // Found by fuzz_redis_url: host "[" displayed as "redis://[:6379/..." which did not parse again.
  EXPECT_EQ(error_of("redis://[[]//@[h"), "invalid host, '[' and ']' only enclose an IPv6 address");
  EXPECT_EQ(error_of("redis://a]b:1/ch"), "invalid host, '[' and ']' only enclose an IPv6 address");
}

// A '/' in a password ends the authority early, so what is read as the port is part of the
// password: the error must not show it, in any piece.
TEST(RedisUrl, PortErrorNeverShowsWhatMayBeAPassword) {
  for (const std::string_view url : {"redis://user:PASSW/ORD@host/ch", "redis://user:12345678/x@host:6379/ch",
                                     "redis://h:S3cr3t/@h2/c"}) {
    const Expected<RedisUrl> parsed = parse_redis_url(url);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_EQ(parsed.error(),
              "invalid port '***', expected a number from 1 to 65535 (not shown: with an @ after the first /, it may "
              "be part of a password)");
  }
  // An '@' before the first '/' ends the user information properly: the port is shown.
  EXPECT_EQ(parse_redis_url("redis://:pass@host:abc/ch").error(), "invalid port 'abc', expected a number from 1 to 65535");
}

TEST(RedisUrl, PortErrorIsEscapedAndCut) {
  const std::string url = "redis://host:" + std::string(70'000, '9') + "\n/ch";
  const Expected<RedisUrl> parsed = parse_redis_url(url);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error(), "invalid port '" + std::string(128, '9') + "... (70001 bytes)', expected a number from 1 to 65535");
  EXPECT_EQ(parse_redis_url("redis://host:a\x1b[2Jb/ch").error(), "invalid port 'a\\x1B[2Jb', expected a number from 1 to 65535");
}

TEST(RedisUrl, PortBoundariesParse) {
  ASSERT_TRUE(parse_redis_url("redis://h:1/c").ok());
  ASSERT_TRUE(parse_redis_url("redis://h:65535/c").ok());
  EXPECT_EQ(parse_redis_url("redis://h:65535/c").value().port, 65535);
}

// ---------------------------------------------------------------------------------------------
// Helpers.

TEST(NormaliseMountpoint, BehavesLikeGoPathJoin) {
  EXPECT_EQ(normalise_mountpoint("/data"), "/data");
  EXPECT_EQ(normalise_mountpoint("data"), "/data");
  EXPECT_EQ(normalise_mountpoint("data/../x//y"), "/x/y");
  EXPECT_EQ(normalise_mountpoint("/a/./b/"), "/a/b");
  EXPECT_EQ(normalise_mountpoint("../../etc"), "/etc");
  EXPECT_EQ(normalise_mountpoint("/.."), "/");
  EXPECT_EQ(normalise_mountpoint(""), "/");
  EXPECT_EQ(normalise_mountpoint("//"), "/");
  EXPECT_EQ(normalise_mountpoint("a/b/../../.."), "/");
  EXPECT_EQ(normalise_mountpoint("..a/.b"), "/..a/.b");
}

TEST(RootDisk, DefaultsEachHalfOnItsOwn) {
  ContainerReservation r = example();
  r.capacity.disk_size_mib = 0;
  r.capacity.disk_type = "";
  EXPECT_EQ(root_disk(r), (RootDisk{256, DiskType::ssd}));
  r.capacity.disk_type = "hdd";
  EXPECT_EQ(root_disk(r), (RootDisk{256, DiskType::hdd}));
  r.capacity.disk_size_mib = 4096;
  EXPECT_EQ(root_disk(r), (RootDisk{4096, DiskType::hdd}));
  r.capacity.disk_type = "";
  EXPECT_EQ(root_disk(r), (RootDisk{4096, DiskType::ssd}));
}

TEST(DiskType, ParsesEitherCase) {
  EXPECT_EQ(parse_disk_type("SSD").value(), DiskType::ssd);
  EXPECT_EQ(parse_disk_type("Hdd").value(), DiskType::hdd);
  EXPECT_EQ(parse_disk_type("").value(), DiskType::ssd);
  EXPECT_EQ(parse_disk_type("HHD").error(), "unknown disk type: HHD");
  EXPECT_EQ(to_string(DiskType::hdd), "hdd");
  EXPECT_EQ(to_string(DiskType::ssd), "ssd");
}

TEST(Ipv4Address, AcceptsOnlyDottedQuads) {
  EXPECT_TRUE(is_ipv4_address("172.24.1.10"));
  EXPECT_TRUE(is_ipv4_address("0.0.0.0"));
  EXPECT_TRUE(is_ipv4_address("255.255.255.255"));
  EXPECT_FALSE(is_ipv4_address("256.1.1.1"));
  EXPECT_FALSE(is_ipv4_address("1.2.3"));
  EXPECT_FALSE(is_ipv4_address("1.2.3.4.5"));
  EXPECT_FALSE(is_ipv4_address("1.2.3."));
  EXPECT_FALSE(is_ipv4_address(".1.2.3"));
  EXPECT_FALSE(is_ipv4_address("01.2.3.4"));
  EXPECT_FALSE(is_ipv4_address("1.2.3.4 "));
  EXPECT_FALSE(is_ipv4_address("1.2.-3.4"));
  EXPECT_FALSE(is_ipv4_address("a.b.c.d"));
  EXPECT_FALSE(is_ipv4_address("fd00::1"));
  EXPECT_FALSE(is_ipv4_address(""));
}

TEST(Hex, EvenNumberOfHexDigits) {
  EXPECT_TRUE(is_hex(""));
  EXPECT_TRUE(is_hex("00ffAA"));
  EXPECT_FALSE(is_hex("abc"));
  EXPECT_FALSE(is_hex("zz"));
  EXPECT_FALSE(is_hex("0x00"));
}

}  // namespace
}  // namespace zsim::core

namespace zsim::core {
namespace {

// ---------------------------------------------------------------------------------------------
// Limits: input that would otherwise reach an internal assert or fill a trace line is refused by
// name, and text from the payload in an error is escaped and cut.

TEST(ReservationLimits, DeepNestingIsRefusedBeforeAnyRecursiveWork) {
  // 60,000 levels in an ignored field: nlohmann's copies and prints would overflow the stack.
  const std::string text = "{\"x\": " + std::string(60'000, '[') + std::string(60'000, ']') + "}";
  std::string path = "x";
  for (std::size_t level = 2; level <= json_depth_max; level++) path += "[0]";
  EXPECT_EQ(text_error(text), path + ": nested deeper than 64 levels (limit json_depth_max)");
  // 64 levels are read.
  const std::string deepest = "{\"x\": " + std::string(63, '[') + std::string(63, ']') + "}";
  EXPECT_TRUE(parse_container_text(deepest).ok());
}

TEST(ReservationLimits, LongStringsAreRefusedByName) {
  json payload = json::parse(example_payload);
  payload["flist"] = std::string(1 << 20, 'f');
  EXPECT_EQ(parse_error(payload), "flist: longer than 4096 bytes (limit reservation_string_bytes_max)");
  payload = json::parse(example_payload);
  payload["network_connection"][0]["ipaddress"] = std::string(70'000, '1');
  EXPECT_EQ(parse_error(payload),
            "network_connection[0].ipaddress: longer than 4096 bytes (limit reservation_string_bytes_max)");
  payload = json::parse(example_payload);
  payload["capacity"]["disk_type"] = std::string(70'000, 's');
  EXPECT_EQ(parse_error(payload), "capacity.disk_type: longer than 4096 bytes (limit reservation_string_bytes_max)");
  // The text form is bounded while it is parsed, with the same limit.
  payload = json::parse(example_payload);
  payload["logs"][0]["data"]["stdout"] = "redis://h/" + std::string(70'000, 'c');
  EXPECT_EQ(text_error(payload.dump()), "logs[0].data.stdout: a string longer than 4096 bytes (limit json_string_bytes_max)");
}

TEST(ReservationLimits, ListsAndMapsAreBounded) {
  json payload = json::parse(example_payload);
  payload["logs"] = json::array();
  for (std::size_t index = 0; index <= reservation_list_items_max; index++) payload["logs"].push_back(payload["stats_aggregator"][0]);
  EXPECT_EQ(parse_error(payload), "logs: more than 64 items (limit reservation_list_items_max)");
  payload = json::parse(example_payload);
  for (std::size_t index = 0; index <= reservation_environment_entries_max; index++) {
    payload["environment"]["K" + std::to_string(index)] = "v";
  }
  EXPECT_EQ(parse_error(payload), "environment: more than 1024 entries (limit reservation_environment_entries_max)");
}

TEST(ReservationLimits, TextFromThePayloadIsEscapedAndCut) {
  ContainerReservation reservation = example();
  reservation.network_connection[0].ipaddress = "1.2.3.4\nexamples/x.json: ok";
  EXPECT_EQ(validate_error(reservation),
            schema("network_connection[0].ipaddress: invalid container IP address '1.2.3.4\\nexamples/x.json: ok', "
                   "expected a dotted IPv4 address like 172.24.1.10"));
  reservation = example();
  reservation.capacity.disk_type = std::string(4000, 'x');
  EXPECT_EQ(validate_error(reservation), "unknown disk type: " + std::string(128, 'x') + "... (4000 bytes)");
  reservation = example();
  reservation.logs[0].type = "\x1b]0;owned\x07";
  const UsableEndpoints usable = usable_endpoints(reservation);
  ASSERT_EQ(usable.skipped.size(), 1U);
  EXPECT_EQ(usable.skipped[0], "logs[0].type: unsupported type '\\x1B]0;owned\\x07', only 'redis' is supported");
}

TEST(ReservationLimits, ANulByteIsAnErrorNotTheEndOfTheInput) {
  std::string text(example_payload);
  text += std::string("\0garbage", 8);
  EXPECT_EQ(text_error(text), "invalid JSON at line 12, column 2: a NUL byte, which JSON text cannot hold");
}

TEST(ReservationLimits, ANumericSecretIsNeverEchoed) {
  const std::string error = text_error("{\"secret_environment\": {\"TOKEN\": 98765432e400}}");
  EXPECT_EQ(error.find("98765432"), std::string::npos) << error;
  EXPECT_TRUE(error.starts_with("secret_environment.TOKEN: invalid JSON at line 1, column ")) << error;
}

}  // namespace
}  // namespace zsim::core

