#pragma once
// Network resources on one node: a network resource workload gives the node a subnet of a named
// network; containers join it with an IPv4 address inside that subnet, one container per address.
// zos never checked the subnet (issues #758, #848: the container failed later with "network is
// unreachable"); this registry rejects such an address up front.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "core/ports.hpp"

namespace zsim::core {

struct Ipv4Subnet {
  std::uint32_t address = 0;  // Host order, masked.
  std::uint8_t prefix_length = 0;
  bool contains(std::uint32_t ip) const;
  std::string to_string() const;
  bool operator==(const Ipv4Subnet&) const = default;
};

std::optional<std::uint32_t> parse_ipv4(std::string_view text);
std::string format_ipv4(std::uint32_t ip);
// "172.24.1.0/24"; the host bits must be zero.
Expected<Ipv4Subnet> parse_subnet(std::string_view text);

// The payload of a network_resource workload: {"name": "mynet", "subnet": "172.24.1.0/24"}.
struct NetworkResource {
  std::string name;
  Ipv4Subnet subnet;
};
Expected<NetworkResource> parse_network_resource(std::string_view payload_json);

class NetworkRegistry {
 public:
  // Installs a network on the node. Installing the same name again (re-delivery, reboot) with the
  // same subnet is idempotent; another subnet is an error.
  Status install(const std::string& workload_id, const NetworkResource& network);
  // Removes the network installed by this workload; false when there is none.
  bool remove(const std::string& workload_id);
  bool installed(std::string_view name) const;

  // Checks that a container may take ip in network name (without taking it). Messages:
  // "network NAME is not installed on this node", "IP X is outside the subnet S of network NAME on
  // this node", "IP X is already used by container W in network NAME".
  Status check_join(std::string_view name, std::string_view ip_text, std::string_view container) const;
  // Takes the address for the container; check_join must have passed.
  void join(const std::string& name, const std::string& ip_text, const std::string& container);
  // Gives the address back; false when the container held none there.
  bool leave(const std::string& name, const std::string& ip_text, const std::string& container);

  std::size_t addresses_in_use() const;
  std::size_t networks() const { return networks_.size(); }

 private:
  struct Network {
    std::string workload_id;
    Ipv4Subnet subnet;
    std::map<std::uint32_t, std::string> used_by;  // IP -> container workload id.
  };
  std::map<std::string, Network, std::less<>> networks_;
};

}  // namespace zsim::core
