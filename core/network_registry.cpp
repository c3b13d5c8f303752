#include "core/network_registry.hpp"

#include <fmt/format.h>

#include <cassert>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/untrusted_text.hpp"

namespace zsim::core {

namespace {
std::uint32_t mask_for(std::uint8_t prefix_length) {
  assert(prefix_length <= 32);
  return prefix_length == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix_length);
}
}  // namespace

bool Ipv4Subnet::contains(std::uint32_t ip) const { return (ip & mask_for(prefix_length)) == address; }

std::string Ipv4Subnet::to_string() const { return fmt::format("{}/{}", format_ipv4(address), prefix_length); }

std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
  std::uint32_t ip = 0;
  std::size_t position = 0;
  for (int octet_index = 0; octet_index < 4; octet_index += 1) {
    if (octet_index > 0) {
      if (position >= text.size() || text[position] != '.') return std::nullopt;
      position += 1;
    }
    // Leading zeros ("010") are refused, as Go's net.ParseIP does, to avoid octal ambiguity.
    const std::size_t start = position;
    while (position < text.size() && position - start < 3 && text[position] >= '0' && text[position] <= '9') {
      position += 1;
    }
    const std::size_t digits = position - start;
    if (digits == 0 || (digits > 1 && text[start] == '0')) return std::nullopt;
    unsigned octet = 0;
    std::from_chars(text.data() + start, text.data() + position, octet);
    if (octet > 255) return std::nullopt;
    ip = (ip << 8) | octet;
  }
  if (position != text.size()) return std::nullopt;
  return ip;
}

std::string format_ipv4(std::uint32_t ip) {
  return fmt::format("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

Expected<Ipv4Subnet> parse_subnet(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return Error{fmt::format("invalid subnet '{}': expected A.B.C.D/N", escape_untrusted(text))};
  const std::optional<std::uint32_t> address = parse_ipv4(text.substr(0, slash));
  const std::string_view length_text = text.substr(slash + 1);
  unsigned length = 0;
  const auto [end, ec] = std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
  if (!address || ec != std::errc() || end != length_text.data() + length_text.size() || length > 32 ||
      length_text.empty()) {
    return Error{fmt::format("invalid subnet '{}': expected A.B.C.D/N", escape_untrusted(text))};
  }
  Ipv4Subnet subnet{*address, static_cast<std::uint8_t>(length)};
  if ((subnet.address & mask_for(subnet.prefix_length)) != subnet.address) {
    return Error{fmt::format("invalid subnet '{}': host bits are set", escape_untrusted(text))};
  }
  return subnet;
}

Expected<NetworkResource> parse_network_resource(std::string_view payload_json) {
  const nlohmann::json payload = nlohmann::json::parse(payload_json, nullptr, false);
  if (payload.is_discarded() || !payload.is_object()) return Error{"network resource: payload is not a JSON object"};
  const auto name = payload.find("name");
  if (name == payload.end() || !name->is_string() || name->get<std::string>().empty()) {
    return Error{"network resource: name: expected a non-empty string"};
  }
  const auto subnet_text = payload.find("subnet");
  if (subnet_text == payload.end() || !subnet_text->is_string()) {
    return Error{"network resource: subnet: expected a string like 172.24.1.0/24"};
  }
  Expected<Ipv4Subnet> subnet = parse_subnet(subnet_text->get<std::string>());
  if (!subnet) return Error{"network resource: subnet: " + subnet.error()};
  return NetworkResource{name->get<std::string>(), subnet.value()};
}

Status NetworkRegistry::install(const std::string& workload_id, const NetworkResource& network) {
  assert(!network.name.empty());
  const auto found = networks_.find(network.name);
  if (found != networks_.end()) {
    if (found->second.subnet != network.subnet) {
      return Error{fmt::format("network {} is already installed on this node with subnet {}", escape_untrusted(network.name),
                               found->second.subnet.to_string())};
    }
    found->second.workload_id = workload_id;
    return {};
  }
  networks_.emplace(network.name, Network{workload_id, network.subnet, {}});
  return {};
}

bool NetworkRegistry::remove(const std::string& workload_id) {
  for (auto it = networks_.begin(); it != networks_.end(); ++it) {
    if (it->second.workload_id == workload_id) {
      networks_.erase(it);
      return true;
    }
  }
  return false;
}

bool NetworkRegistry::installed(std::string_view name) const { return networks_.find(name) != networks_.end(); }

Status NetworkRegistry::check_join(std::string_view name, std::string_view ip_text, std::string_view container) const {
  const auto found = networks_.find(name);
  if (found == networks_.end()) return Error{fmt::format("network {} is not installed on this node", escape_untrusted(name))};
  const std::optional<std::uint32_t> ip = parse_ipv4(ip_text);
  if (!ip) return Error{fmt::format("invalid container IP address '{}'", escape_untrusted(ip_text))};
  const Network& network = found->second;
  if (!network.subnet.contains(*ip)) {
    return Error{fmt::format("IP {} is outside the subnet {} of network {} on this node", escape_untrusted(ip_text),
                             network.subnet.to_string(), escape_untrusted(name))};
  }
  // The network and broadcast addresses of the subnet cannot be given to a container.
  const std::uint32_t host_bits = ~mask_for(network.subnet.prefix_length);
  if (host_bits > 1 && ((*ip & host_bits) == 0 || (*ip & host_bits) == host_bits)) {
    return Error{fmt::format("IP {} is not a host address of the subnet {} of network {}", ip_text,
                             network.subnet.to_string(), name)};
  }
  const auto used = network.used_by.find(*ip);
  if (used != network.used_by.end() && used->second != container) {
    return Error{fmt::format("IP {} is already used by container {} in network {}", ip_text, used->second, name)};
  }
  return {};
}

void NetworkRegistry::join(const std::string& name, const std::string& ip_text, const std::string& container) {
  assert(check_join(name, ip_text, container).ok());
  const std::optional<std::uint32_t> ip = parse_ipv4(ip_text);
  networks_.find(name)->second.used_by[*ip] = container;
}

bool NetworkRegistry::leave(const std::string& name, const std::string& ip_text, const std::string& container) {
  const auto found = networks_.find(name);
  const std::optional<std::uint32_t> ip = parse_ipv4(ip_text);
  if (found == networks_.end() || !ip) return false;
  const auto used = found->second.used_by.find(*ip);
  if (used == found->second.used_by.end() || used->second != container) return false;
  found->second.used_by.erase(used);
  return true;
}

std::size_t NetworkRegistry::addresses_in_use() const {
  std::size_t count = 0;
  for (const auto& [name, network] : networks_) count += network.used_by.size();
  return count;
}

}  // namespace zsim::core
