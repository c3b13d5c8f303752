#pragma once
// Results are signed by the node: ed25519 over byte(state) || message || data_json, hex-encoded,
// as zos signs them for the explorer.

#include <array>
#include <cstdint>

#include "core/identity.hpp"
#include "core/ports.hpp"

namespace zsim::core {

void sign_result(const Identity& node, ProvisionResult& result);
bool verify_result(const std::array<std::uint8_t, 32>& node_public_key, const ProvisionResult& result);

}  // namespace zsim::core
