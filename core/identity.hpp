#pragma once
// Ed25519 identities (libsodium): the node's, which signs results and receives secrets, and a
// user's, which encrypts secrets for a node. Keys come from a 32-byte seed so that simulated worlds
// are deterministic.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace zsim::core {

using Seed32 = std::array<std::uint8_t, 32>;

struct Identity {
  std::array<std::uint8_t, 32> public_key{};
  std::array<std::uint8_t, 64> secret_key{};  // libsodium's ed25519 secret key (seed || public).

  static Identity from_seed(const Seed32& seed);
  // The node id of zos: base58 (bitcoin alphabet) of the ed25519 public key.
  std::string node_id() const;
  std::string public_key_hex() const;
  // Detached ed25519 signature, hex-encoded (128 characters).
  std::string sign_hex(std::string_view message) const;
};

bool verify_signature_hex(const std::array<std::uint8_t, 32>& public_key, std::string_view message,
                          std::string_view signature_hex);

// Base58 with the bitcoin alphabet; each leading zero byte becomes a leading '1'.
std::string base58_encode(const std::uint8_t* data, std::size_t size);
// Lower-case hex, two digits a byte.
std::string hex_encode(std::string_view bytes);
// Decodes hex digits of either case into bytes_out. Returns false, with bytes_out empty, when text
// is not an even number of hex digits.
bool hex_decode(std::string_view text, std::string& bytes_out);

}  // namespace zsim::core
