#pragma once
// The container reservation as the explorer hands it to a node: the payload of the seed document,
// with the explorer's snake_case field names. Parsing checks JSON types and names the field by its
// path; validate() applies the provisioning rules with the exact messages of the real node.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/expected.hpp"

namespace zsim::core {

// Memory below this many MiB is refused; zos later versions used 64 MiB as well.
inline constexpr std::uint64_t memory_min_mib = 64;
// A root disk of size 0 or with no type is this many MiB of SSD.
inline constexpr std::uint64_t root_disk_default_mib = 256;
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

// Errors, exactly: "invalid scheme, expected redis://" and
// "missing channel name, expected: redis://host/channel"; a bad port is named too.
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
// Reads JSON text; malformed JSON gives "invalid JSON at line L, column C: ...".
Expected<ContainerReservation> parse_container_text(std::string_view text);
// The payload again, in the explorer's form: parse_container(to_json(r)) == r.
nlohmann::json to_json(const ContainerReservation& reservation);

// The provisioning rules, in the order of the real node, with its exact messages.
Status validate(const ContainerReservation& reservation);

// The effective root disk: size 0 or an empty type means 256 MiB of SSD.
struct RootDisk {
  std::uint64_t size_mib = root_disk_default_mib;
  DiskType type = DiskType::ssd;
};
RootDisk root_disk(const ContainerReservation& reservation);

// path.Join("/", mountpoint): "data/../x//y" becomes "/x/y".
std::string normalise_mountpoint(std::string_view mountpoint);

}  // namespace zsim::core
