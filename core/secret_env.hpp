#pragma once
// Secret environment values, hex ciphertext in the reservation, decrypted by the node.
// Version 0: libsodium sealed box to the node's ed25519 key converted to curve25519.
// Version 1: key = blake2b-256(X25519(node curve secret, user curve public)); the value is
// nonce(24 bytes) || secretbox(plaintext). Any other version is an error (zos v0.4.5 silently
// decrypted an unknown version to "", a bug zsim does not have).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "core/identity.hpp"

namespace zsim::core {

// Error messages: "failed to decrypt secret env var 'NAME': decryption error" and
// "failed to decrypt secret env var 'NAME': unknown encryption version N". The version is checked
// first. An empty value is a decryption error too, since no client's encryption produces one. The
// messages never contain the plaintext or the ciphertext. user_public_key_hex is the owner's ed25519
// public key; version 0 does not use it.
Expected<std::string> decrypt_secret(const Identity& node, std::uint32_t version,
                                     std::string_view user_public_key_hex, std::string_view name,
                                     std::string_view value_hex);

// The user's side: what a client does to put a secret in a reservation. nonce_seed makes version 1
// deterministic (the nonce is derived from it); version 0 sealed boxes use a fresh ephemeral key
// from libsodium, so their bytes differ run to run — the simulator uses version 1 for that reason
// unless a scenario asks for version 0. The version 1 nonce is a blake2b, keyed with the shared key,
// of nonce_seed and the plaintext, so that one seed used for two values never reuses a nonce.
// A version other than 0 and 1, or a node key that is not an ed25519 point, aborts: it is a bug of
// the caller, and there is no error channel.
std::string encrypt_secret(const Identity& user, const std::array<std::uint8_t, 32>& node_public_key,
                           std::uint32_t version, std::string_view plaintext, std::uint64_t nonce_seed);

}  // namespace zsim::core
