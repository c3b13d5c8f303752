// The provisioning rules of a container reservation and the redis URLs of its logs and stats.
// Messages are listed in core/reservation.hpp; the zos ones are kept word for word (typos
// included, "lower then") because users and scenario files match on them.

#include <fmt/format.h>

#include <cassert>
#include <charconv>
#include <cstddef>

#include "core/reservation.hpp"
#include "core/untrusted_text.hpp"

namespace zsim::core {

namespace {

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); i++) {
    const char c = text[i];
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != prefix[i]) return false;
  }
  return true;
}

// hide_text: the text may be part of a password (see parse_redis_url), so it is not shown.
Expected<std::uint16_t> parse_port(std::string_view text, bool hide_text) {
  unsigned long value = 0;
  const char* end = text.data() + text.size();
  const auto [last, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || last != end || value == 0 || value > 65535) {
    if (hide_text) {
      return Error{"invalid port '***', expected a number from 1 to 65535 (not shown: with an @ after the first /, "
                   "it may be part of a password)"};
    }
    return Error{fmt::format("invalid port '{}', expected a number from 1 to 65535", escape_untrusted(text))};
  }
  return static_cast<std::uint16_t>(value);
}

// "host", "host:port", "[v6]" or "[v6]:port" into url.host and url.port.
Status parse_host_port(std::string_view authority, bool hide_port_text, RedisUrl& url) {
  std::string_view host = authority;
  std::string_view port_text;
  bool has_port = false;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return Error{"invalid host, expected a closing ']' after an IPv6 address"};
    }
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Error{"invalid host, expected ':port' after ']'"};
      port_text = after.substr(1);
      has_port = true;
    }
  } else if (const std::size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port_text = authority.substr(colon + 1);
    has_port = true;
  }
  if (host.empty()) return Error{"missing host, expected: redis://host/channel"};
  // A bracket anywhere else cannot be written back by address(): "[[]" would read as host "[".
  if (host.find_first_of("[]") != std::string_view::npos) {
    return Error{"invalid host, '[' and ']' only enclose an IPv6 address"};
  }
  url.host = std::string(host);
  if (has_port) {
    const Expected<std::uint16_t> port = parse_port(port_text, hide_port_text);
    if (!port) return Error{port.error()};
    url.port = port.value();
  }
  return {};
}

// The checks zos made in validateContainerConfig, in its order, without the prefix.
Status check_schema(const ContainerReservation& reservation) {
  const std::vector<NetworkConnection>& networks = reservation.network_connection;
  if (networks.empty() || networks.front().network_id.empty()) return Error{"network ID cannot be empty"};
  // zos silently used the first connection and ignored the others; a reservation that asks for
  // two networks would get one without being told, so it is refused instead.
  if (networks.size() > 1) {
    return Error{fmt::format("network_connection: only one network connection is supported, got {}",
                             networks.size())};
  }
  const std::string& ip = networks.front().ipaddress;
  if (!ip.empty() && !is_ipv4_address(ip)) {
    return Error{fmt::format(
        "network_connection[0].ipaddress: invalid container IP address '{}', expected a dotted IPv4 "
        "address like 172.24.1.10",
        escape_untrusted(ip))};
  }
  if (reservation.flist.empty()) return Error{"missing flist url"};
  if (reservation.capacity.memory_mib < memory_min_mib) {
    return Error{fmt::format(
        "amount of memory allocated for the container cannot be lower then {} megabytes", memory_min_mib)};
  }
  if (reservation.capacity.cpu == 0) return Error{"cannot create a container with 0 CPU allocated"};
  // zos decoded an empty ipaddress to a nil IP: one IP entry, so its "missing container IP
  // address" never fired and the checks above answered first; it then went on to join the network
  // without an address. Ours refuses here, with the message zos meant for it.
  if (ip.empty()) return Error{"missing container IP address"};
  return {};
}

}  // namespace

std::string RedisUrl::address() const {
  assert(!host.empty());
  // An IPv6 host goes back into brackets so that the port stays readable.
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

std::string RedisUrl::display() const {
  return fmt::format("redis://{}{}/{}", password.empty() ? "" : ":***@", address(), channel);
}

Expected<RedisUrl> parse_redis_url(std::string_view url) {
  constexpr std::string_view scheme = "redis://";
  if (!starts_with_ignoring_case(url, scheme)) return Error{"invalid scheme, expected redis://"};
  std::string_view rest = url.substr(scheme.size());
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  const std::string_view channel = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  if (channel.empty()) return Error{"missing channel name, expected: redis://host/channel"};

  RedisUrl result;
  result.channel = std::string(channel);
  // The last '@' ends the user information, as in Go's url.Parse, so a password may contain '@'.
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    if (!userinfo.empty() && userinfo.front() != ':') {
      return Error{"unsupported user name in redis URL, expected redis://[:password@]host[:port]/channel"};
    }
    if (!userinfo.empty()) result.password = std::string(userinfo.substr(1));
  }
  // A password holding a '/' ("redis://:pass/word@host/ch", or with a user name) ends the authority
  // early: what is read as the port may then be part of the password. An '@' after the first '/'
  // is the sign, and the port's text is not shown.
  const bool hide_port_text = channel.find('@') != std::string_view::npos;
  if (Status status = parse_host_port(authority, hide_port_text, result); !status) return Error{status.error()};
  assert(!result.host.empty() && !result.channel.empty() && result.port != 0);
  return result;
}

Status validate(const ContainerReservation& reservation) {
  // zos decoded the disk type with the workload, before the container's own checks ran, so a bad
  // type is reported first and without the schema prefix.
  if (const Expected<DiskType> type = parse_disk_type(reservation.capacity.disk_type); !type) {
    return Error{type.error()};
  }
  if (Status status = check_schema(reservation); !status) {
    return Error{fmt::format("{}{}", schema_error_prefix, status.error())};
  }
  return {};
}

// zos never failed a provision for its logs or stats endpoints: shim-logs skipped a stream whose
// URL it could not parse or connect, and the container module logged a bad stats endpoint and
// went on (pkg/container/container.go). docs/ZOS.md, "Logs and stats endpoints".
UsableEndpoints usable_endpoints(const ContainerReservation& reservation) {
  UsableEndpoints usable;
  const auto url_of = [&usable](const std::string& path, std::string_view text) -> std::optional<RedisUrl> {
    Expected<RedisUrl> url = parse_redis_url(text);
    if (url) return std::move(url).value();
    usable.skipped.push_back(fmt::format("{}: {}", path, url.error()));
    return std::nullopt;
  };
  for (std::size_t i = 0; i < reservation.logs.size(); i++) {
    const LogsEndpoint& endpoint = reservation.logs[i];
    const std::string path = fmt::format("logs[{}]", i);
    if (endpoint.type != "redis") {
      usable.skipped.push_back(fmt::format("{}.type: unsupported type '{}', only 'redis' is supported", path,
                                           escape_untrusted(endpoint.type)));
      continue;
    }
    UsableEndpoints::Logs logs{url_of(path + ".data.stdout", endpoint.stdout_url),
                               url_of(path + ".data.stderr", endpoint.stderr_url)};
    if (logs.stdout_url || logs.stderr_url) usable.logs.push_back(std::move(logs));
  }
  for (std::size_t i = 0; i < reservation.stats_aggregator.size(); i++) {
    const StatsEndpoint& endpoint = reservation.stats_aggregator[i];
    const std::string path = fmt::format("stats_aggregator[{}]", i);
    if (endpoint.type != "redis") {
      usable.skipped.push_back(fmt::format("{}.type: unsupported type '{}', only 'redis' is supported", path,
                                           escape_untrusted(endpoint.type)));
      continue;
    }
    if (std::optional<RedisUrl> url = url_of(path + ".data.endpoint", endpoint.endpoint_url)) {
      usable.stats.push_back(std::move(*url));
    }
  }
  assert(usable.logs.size() <= reservation.logs.size());
  assert(usable.stats.size() <= reservation.stats_aggregator.size());
  return usable;
}

}  // namespace zsim::core
