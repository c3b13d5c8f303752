#pragma once
// Signing of provisioning results. The node signs ed25519 over byte(state) || message || data_json
// and sends the signature hex-encoded, as zos does; the explorer checks it against the node's
// public key.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/identity.hpp"
#include "core/ports.hpp"

namespace zsim::core {

// The signed bytes: the one byte of the state's value, then message, then data_json.
std::string result_signing_bytes(const ProvisionResult& result);

// The real signer: libsodium, with the identity's own key.
class KeySigner final : public Signer {
 public:
  std::string sign_hex(const Identity& identity, std::string_view message) override;
};

// Fills result.signature_hex. A result that names a node (node_id not empty) must name this one.
void sign_result(const Identity& node, ProvisionResult& result);
// The same, signed by the given signer (the node's Signer port).
void sign_result(Signer& signer, const Identity& node, ProvisionResult& result);
// The same, for a caller that knows node's id already (deriving it is a base58 encoding, which a
// sender of many results pays once): node_id must be node.node_id().
void sign_result(Signer& signer, const Identity& node, std::string_view node_id, ProvisionResult& result);

// True when result.signature_hex is a valid signature of the result by that key.
bool verify_result(const std::array<std::uint8_t, 32>& node_public_key, const ProvisionResult& result);

}  // namespace zsim::core
