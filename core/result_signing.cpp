#include "core/result_signing.hpp"

#include <cassert>

namespace zsim::core {

std::string result_signing_bytes(const ProvisionResult& result) {
  assert(result.state == ResultState::error || result.state == ResultState::ok ||
         result.state == ResultState::deleted);
  std::string bytes;
  bytes.reserve(1 + result.message.size() + result.data_json.size());
  bytes.push_back(static_cast<char>(static_cast<std::uint8_t>(result.state)));
  bytes.append(result.message);
  bytes.append(result.data_json);
  assert(bytes.size() == 1 + result.message.size() + result.data_json.size());
  return bytes;
}

std::string KeySigner::sign_hex(const Identity& identity, std::string_view message) {
  return identity.sign_hex(message);
}

void sign_result(const Identity& node, ProvisionResult& result) {
  KeySigner signer;
  sign_result(signer, node, result);
}

void sign_result(Signer& signer, const Identity& node, ProvisionResult& result) {
  sign_result(signer, node, node.node_id(), result);
}

void sign_result(Signer& signer, const Identity& node, std::string_view node_id, ProvisionResult& result) {
  // A result carrying another node's id but this node's signature would verify against the wrong
  // key at the explorer; catch the mix-up where it happens.
  assert(result.node_id.empty() || result.node_id == node_id);
  (void)node_id;
  result.signature_hex = signer.sign_hex(node, result_signing_bytes(result));
  // Verifying here too would double the cost of every result (an ed25519 verify is three times a
  // sign, and the simulation spends most of its time in them); the explorer verifies each one.
  assert(result.signature_hex.size() == 128);
}

bool verify_result(const std::array<std::uint8_t, 32>& node_public_key, const ProvisionResult& result) {
  return verify_signature_hex(node_public_key, result_signing_bytes(result), result.signature_hex);
}

}  // namespace zsim::core
