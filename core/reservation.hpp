#pragma once
// The container reservation as the explorer hands it to a node: the payload of the seed document,
// with the explorer's snake_case field names. Parsing checks JSON types and names the field by its
// path; validate() applies the provisioning rules with the exact messages of the real node.
//
// Error messages, exactly (tests in core/reservation_test.cpp pin each one):
//
// parse_container / parse_container_text (type errors, "PATH: expected KIND, got WHAT"):
//   "capacity.cpu: expected a non-negative integer, got string"
//   "capacity.cpu: expected a non-negative integer, got -2"      (numbers are shown, other kinds named)
//   "network_connection[0].ipaddress: expected a string, got number"
//   "environment.KEY: expected a string, got boolean"             (KEY escaped and cut: core/untrusted_text.hpp)
//   "volumes: expected an array, got object", "volumes[1]: expected an object, got string"
//   "interactive: expected a boolean, got string"
//   "reservation: expected a JSON object, got array"             (the top level)
//   "invalid JSON at line L, column C: REASON"                    (column counts UTF-8 characters)
//   A secret value is never shown: "secret_environment.K: expected a string, got number".
//   null is accepted (as empty) for lists, maps and the objects capacity and data; a scalar field
//   that is null is a type error ("got null"), as nothing the explorer sends has one.
//
// validate(), in this order (the first failure is returned):
//   Text from the payload in any message (X, T, P below) is escaped and cut (escape_untrusted).
//   1. "unknown disk type: X"                      (not prefixed: zos failed it while decoding the
//                                                    workload, before the container's own checks)
//   2. schema_error_prefix + one of, in zos's order:
//      "network ID cannot be empty"                 (also when network_connection is empty)
//      "network_connection: only one network connection is supported, got N"
//      "network_connection[0].ipaddress: invalid container IP address 'X', expected a dotted IPv4
//       address like 172.24.1.10"                   (one line; X is the text as written)
//      "missing flist url"
//      "amount of memory allocated for the container cannot be lower then 64 megabytes"
//      "cannot create a container with 0 CPU allocated"
//      "missing container IP address"               (an empty ipaddress: zos decoded it to a nil IP,
//                                                    which passed its IP check, so the checks above
//                                                    come first; ours refuses it here)
//   Logs and stats endpoints never fail a provision: usable_endpoints() says which ones a node uses
//   and which it skips (an unsupported type, a URL that does not parse), as zos did.
//   Secret values are not checked here: decrypt_secret() reports a value that is not hex with Go's
//   words when the node decrypts it, as zos did (docs/ZOS.md, "Secrets").
//   No message ever contains a secret value or a redis password.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/expected.hpp"
#include "core/json_text.hpp"

namespace zsim::core {

// Memory below this many MiB is refused; zos later versions used 64 MiB as well.
inline constexpr std::uint64_t memory_min_mib = 64;
// A root disk of size 0 or with no type is this many MiB of SSD.
inline constexpr std::uint64_t root_disk_default_mib = 256;
// Bounds on one payload, each named in the error that enforces it (README, "Limits"):
//   "PATH: longer than 4096 bytes (limit reservation_string_bytes_max)"    (any string, a map's keys too)
//   "volumes: more than 64 items (limit reservation_list_items_max)"       (each list)
//   "environment: more than 1024 entries (limit reservation_environment_entries_max)" (each map)
inline constexpr std::size_t reservation_string_bytes_max = 4096;
inline constexpr std::size_t reservation_list_items_max = 64;
inline constexpr std::size_t reservation_environment_entries_max = 1024;
// The prefix zos put on the container's schema errors.
inline constexpr std::string_view schema_error_prefix = "container provision schema not valid: ";

enum class DiskType : std::uint8_t { ssd, hdd };

// Parses "ssd"/"hdd" in any case; an empty string is SSD. Error: "unknown disk type: X".
Expected<DiskType> parse_disk_type(std::string_view text);
std::string_view to_string(DiskType type);

// redis://[:password@]host[:port]/channel
struct RedisUrl {
  std::string host;
  std::uint16_t port = 6379;
  std::string password;
  std::string channel;

  // host:port, the identity of a redis server (the password and channel are not part of it).
  std::string address() const;
  // The URL again, with the password masked as "***" so that it can be printed.
  std::string display() const;
  bool operator==(const RedisUrl&) const = default;
};

inline constexpr std::uint16_t redis_default_port = 6379;

// Errors, exactly (zos's two first, the others ours; none shows the password):
//   "invalid scheme, expected redis://"                       (the scheme is case-insensitive)
//   "missing channel name, expected: redis://host/channel"
//   "missing host, expected: redis://host/channel"
//   "invalid port 'P', expected a number from 1 to 65535"      (also for "host:" with no digits)
//   "invalid port '***', expected a number from 1 to 65535 (not shown: with an @ after the first /, it
//    may be part of a password)"                              (when an '@' follows the first '/')
//   "unsupported user name in redis URL, expected redis://[:password@]host[:port]/channel"
//   "invalid host, expected a closing ']' after an IPv6 address", "invalid host, expected ':port' after ']'"
//   "invalid host, '[' and ']' only enclose an IPv6 address"
// The password and the channel are taken verbatim (no percent-decoding); the password ends at the
// last '@' before the first '/', and the channel is everything after that '/'. An IPv6 host is
// written in brackets ("redis://[::1]:6379/ch").
Expected<RedisUrl> parse_redis_url(std::string_view url);

struct ContainerMount {
  std::string volume_id;
  std::string mountpoint;
  bool operator==(const ContainerMount&) const = default;
};

struct NetworkConnection {
  std::string network_id;
  std::string ipaddress;  // As written in the payload; validate() checks it is an IPv4 address.
  bool public_ip6 = false;
  bool operator==(const NetworkConnection&) const = default;
};

struct ContainerCapacity {
  std::uint64_t cpu = 0;
  std::uint64_t memory_mib = 0;
  std::uint64_t disk_size_mib = 0;
  std::string disk_type;  // As written; parse_disk_type() interprets it.
  bool operator==(const ContainerCapacity&) const = default;
};

// {"type": "redis", "data": {"stdout": URL, "stderr": URL}}
struct LogsEndpoint {
  std::string type;
  std::string stdout_url;
  std::string stderr_url;
  bool operator==(const LogsEndpoint&) const = default;
};

// {"type": "redis", "data": {"endpoint": URL}}
struct StatsEndpoint {
  std::string type;
  std::string endpoint_url;
  bool operator==(const StatsEndpoint&) const = default;
};

struct ContainerReservation {
  std::uint64_t workload_id = 0;
  std::string node_id;
  std::string flist;
  std::string hub_url;
  std::map<std::string, std::string> environment;
  std::map<std::string, std::string> secret_environment;  // Values are hex ciphertext.
  std::string entrypoint;
  bool interactive = false;
  std::vector<ContainerMount> volumes;
  std::vector<NetworkConnection> network_connection;
  ContainerCapacity capacity;
  std::vector<LogsEndpoint> logs;
  std::vector<StatsEndpoint> stats_aggregator;
  bool operator==(const ContainerReservation&) const = default;
};

// Reads the payload. Errors name the field by its path, e.g.
// "capacity.cpu: expected a non-negative integer, got string". Unknown fields are ignored.
Expected<ContainerReservation> parse_container(const nlohmann::json& payload);
// Reads JSON text with the limits of core/json_text.hpp; malformed JSON gives "invalid JSON at
// line L, column C: ...", a limit "PATH: nested deeper than 64 levels (limit json_depth_max)".
Expected<ContainerReservation> parse_container_text(std::string_view text);
// The payload again, in the explorer's form: parse_container(to_json(r)) == r.
nlohmann::json to_json(const ContainerReservation& reservation);

// The provisioning rules, in the order of the real node, with its exact messages.
Status validate(const ContainerReservation& reservation);

// The logs and stats endpoints a node uses, and what it skips with the reason, one line each:
//   "logs[i].type: unsupported type 'T', only 'redis' is supported"
//   "logs[i].data.stdout: " + parse_redis_url's error (the same for ".data.stderr"; the other
//   stream of that endpoint is still used)
//   "stats_aggregator[i].type: ...", "stats_aggregator[i].data.endpoint: " + parse_redis_url's error
// No line shows a password.
struct UsableEndpoints {
  struct Logs {
    std::optional<RedisUrl> stdout_url;  // None: skipped.
    std::optional<RedisUrl> stderr_url;
  };
  std::vector<Logs> logs;  // Endpoints with at least one usable stream.
  std::vector<RedisUrl> stats;
  std::vector<std::string> skipped;
};
UsableEndpoints usable_endpoints(const ContainerReservation& reservation);

// zos's converter: a volume id that starts with '-' is relative to the reservation, so "-1" in
// reservation 12 names volume "12-1" (a volume reserved together with the container).
void resolve_relative_volumes(ContainerReservation& reservation, std::uint64_t reservation_id);

// The effective root disk. As in zos, each half defaults on its own: size 0 means 256 MiB (of the
// type asked for, so size 0 with "hdd" is 256 MiB of HDD) and an empty type means SSD (of the size
// asked for). Precondition: the disk type parses (validate() passed).
struct RootDisk {
  std::uint64_t size_mib = root_disk_default_mib;
  DiskType type = DiskType::ssd;
  bool operator==(const RootDisk&) const = default;
};
RootDisk root_disk(const ContainerReservation& reservation);

// path.Join("/", mountpoint): "data/../x//y" becomes "/x/y"; ".." never climbs above "/", and an
// empty mountpoint is "/".
std::string normalise_mountpoint(std::string_view mountpoint);

// Four decimal octets 0-255 separated by dots, without leading zeros (Go's net.ParseIP since 1.17
// refuses them too, as they read as octal elsewhere).
bool is_ipv4_address(std::string_view text);
// An even number of hex digits, either case (the empty string included).
bool is_hex(std::string_view text);

}  // namespace zsim::core
