#pragma once
// Secret environment values, hex ciphertext in the reservation, decrypted by the node.
// Version 0: libsodium sealed box to the node's ed25519 key converted to curve25519.
// Version 1: key = X25519(node curve secret, user curve public), as zos used it (no hash); the
// value is nonce(24 bytes) || secretbox(plaintext). Any other version is an error (zos v0.4.5 silently
// decrypted an unknown version to "", a bug zsim does not have). docs/ZOS.md, "Secrets".

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>
#include <string_view>

#include "core/expected.hpp"
#include "core/identity.hpp"

namespace zsim::core {

// Decrypts one value, in zos's order (docs/ZOS.md, "Secrets"): an empty value is "" (the
// container runs); then the hex decoding, with Go's messages; then the version. Errors, each
// prefixed "failed to decrypt secret env var 'NAME': ":
//   "encoding/hex: invalid byte: U+007A 'z'", "encoding/hex: odd length hex string" (Go's words);
//   "sealed box opening fail"                         (version 0, another node's key or damage);
//   "sealed box too short: N bytes, expected at least 48"          (version 0; zos panicked);
//   "decryption error"                                (version 1, another key or damage);
//   "ciphertext too short: N bytes, expected at least the 24-byte nonce"  (version 1; zos panicked);
//   "unknown encryption version N"                    (ours; zos v0.4.5 decrypted it to "").
// The messages never contain the plaintext; a bad hex byte is named as Go names it (one byte of
// what should have been ciphertext). user_public_key_hex is the owner's ed25519 public key;
// version 0 does not use it.
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
// Go's hex.DecodeString: "encoding/hex: invalid byte: U+00XX 'c'" for the first byte that is not a
// hex digit (pairs are read first, so a bad byte beats an odd length), then
// "encoding/hex: odd length hex string".
Status go_hex_decode(std::string_view text, std::string& bytes_out);
// The hex check of decrypt_secret() alone, for tools that have no node key (zsim validate).
Status check_secret_encoding(std::string_view name, std::string_view value_hex);

// Overwrites a decrypted value with zeros, its whole buffer (a short string's bytes live inside the
// object, a long one's up to its capacity), then empties it: a value that is no longer needed
// leaves no copy in freed memory. Strings a value was moved out of are wiped the same way.
void wipe_secret(std::string& value);
// Every value of a list of (name, value) pairs; the names stay.
void wipe_secret_values(std::vector<std::pair<std::string, std::string>>& entries);

std::string encrypt_secret(const Identity& user, const std::array<std::uint8_t, 32>& node_public_key,
                           std::uint32_t version, std::string_view plaintext, std::uint64_t nonce_seed);

// encrypt_secret() for a world that encrypts many secrets: the version 1 key of each (user, node)
// pair is computed once (an X25519 multiplication and a key conversion, most of an encryption's
// cost) and kept, keyed by the two public keys, until the encryptor goes, when every kept key is
// wiped. The values are those of encrypt_secret(), byte for byte. Not for the node's side: the core
// keeps no key of a user.
class SecretEncryptor {
 public:
  static constexpr std::size_t shared_keys_max = 65'536;
  SecretEncryptor() = default;
  SecretEncryptor(const SecretEncryptor&) = delete;
  SecretEncryptor& operator=(const SecretEncryptor&) = delete;
  ~SecretEncryptor();
  std::string encrypt(const Identity& user, const std::array<std::uint8_t, 32>& node_public_key,
                      std::uint32_t version, std::string_view plaintext, std::uint64_t nonce_seed);
  std::size_t keys_kept() const { return shared_keys_.size(); }

 private:
  std::map<std::pair<std::array<std::uint8_t, 32>, std::array<std::uint8_t, 32>>, std::array<std::uint8_t, 32>>
      shared_keys_;
};

}  // namespace zsim::core
