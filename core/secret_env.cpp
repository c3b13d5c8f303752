#include "core/secret_env.hpp"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <fmt/format.h>
#include <sodium.h>

#include "core/sodium_init.hpp"

namespace zsim::core {

namespace {

constexpr std::uint32_t version_sealed_box = 0;
constexpr std::uint32_t version_shared_key = 1;
constexpr std::size_t nonce_size = crypto_secretbox_NONCEBYTES;

static_assert(crypto_box_PUBLICKEYBYTES == 32 && crypto_box_SECRETKEYBYTES == 32, "curve25519 keys are 32 bytes");
static_assert(crypto_scalarmult_BYTES == 32, "X25519 shared secrets are 32 bytes");
static_assert(crypto_secretbox_KEYBYTES == 32, "secretbox keys are 32 bytes");
static_assert(nonce_size == 24, "the version 1 value starts with a 24-byte nonce");
static_assert(nonce_size >= crypto_generichash_BYTES_MIN && nonce_size <= crypto_generichash_BYTES_MAX,
              "blake2b can produce a nonce-sized digest");

using Key32 = std::array<std::uint8_t, 32>;

// Zeroes secret key material when it goes out of scope, on every return path.
struct WipedKey {
  Key32 bytes{};
  WipedKey() = default;
  WipedKey(const WipedKey&) = delete;
  WipedKey& operator=(const WipedKey&) = delete;
  ~WipedKey() { sodium_memzero(bytes.data(), bytes.size()); }
};

// encrypt_secret() has no error channel: a failure there is a caller's bug (a node public key that
// is not an ed25519 point, an unknown version), so it stops the program in every build type rather
// than return bytes that would later decrypt to something unexpected.
void require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "zsim: encrypt_secret: %s\n", what);
    std::abort();
  }
}

Error decryption_error(std::string_view name) {
  return Error{fmt::format("failed to decrypt secret env var '{}': decryption error", name)};
}

const unsigned char* bytes_of(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }

// key = X25519(our curve secret, their curve public), used as the secretbox key as it is: zos's
// sharedSecret hashed nothing (pkg/crypto/encryption.go; docs/ZOS.md, "Secrets"). Both sides of
// version 1 compute the same key: the node from its secret and the user's public key, the user the
// other way round.
bool shared_box_key(const Key32& our_curve_secret, const Key32& their_curve_public, Key32& key_out) {
  // crypto_scalarmult refuses a low-order public key, whose shared secret would be all zeros (Go's
  // X25519 refuses it too).
  return crypto_scalarmult(key_out.data(), our_curve_secret.data(), their_curve_public.data()) == 0;
}

Error wrapped(std::string_view name, std::string_view reason) {
  return Error{fmt::format("failed to decrypt secret env var '{}': {}", name, reason)};
}

Expected<std::string> open_sealed_box(const Identity& node, std::string_view name, std::string_view ciphertext) {
  // zos's sealed-box library sliced and sized its buffers from the length without a check, and a
  // value shorter than its ephemeral key and tag made it panic; ours refuses it.
  if (ciphertext.size() < crypto_box_SEALBYTES) {
    return wrapped(name, fmt::format("sealed box too short: {} bytes, expected at least {}", ciphertext.size(),
                                     crypto_box_SEALBYTES));
  }
  Key32 node_curve_public{};
  WipedKey node_curve_secret;
  if (crypto_sign_ed25519_pk_to_curve25519(node_curve_public.data(), node.public_key.data()) != 0 ||
      crypto_sign_ed25519_sk_to_curve25519(node_curve_secret.bytes.data(), node.secret_key.data()) != 0) {
    return decryption_error(name);
  }
  std::string plaintext(ciphertext.size() - crypto_box_SEALBYTES, '\0');
  if (crypto_box_seal_open(reinterpret_cast<unsigned char*>(plaintext.data()), bytes_of(ciphertext), ciphertext.size(),
                           node_curve_public.data(), node_curve_secret.bytes.data()) != 0) {
    return wrapped(name, "sealed box opening fail");  // The sealed-box library's own words.
  }
  return plaintext;
}

Expected<std::string> open_shared_key_box(const Identity& node, std::string_view user_public_key_hex,
                                          std::string_view name, std::string_view value) {
  std::string user_public_key;
  if (!hex_decode(user_public_key_hex, user_public_key) || user_public_key.size() != crypto_sign_PUBLICKEYBYTES) {
    return decryption_error(name);
  }
  // zos sliced the nonce off without a check and panicked on a shorter value; ours refuses it.
  if (value.size() < nonce_size) {
    return wrapped(name, fmt::format("ciphertext too short: {} bytes, expected at least the {}-byte nonce",
                                     value.size(), nonce_size));
  }
  // Between the nonce and nonce + tag, zos's secretbox.Open failed like a wrong key.
  if (value.size() < nonce_size + crypto_secretbox_MACBYTES) {
    return decryption_error(name);
  }
  Key32 user_curve_public{};
  WipedKey node_curve_secret;
  WipedKey key;
  if (crypto_sign_ed25519_pk_to_curve25519(user_curve_public.data(), bytes_of(user_public_key)) != 0 ||
      crypto_sign_ed25519_sk_to_curve25519(node_curve_secret.bytes.data(), node.secret_key.data()) != 0 ||
      !shared_box_key(node_curve_secret.bytes, user_curve_public, key.bytes)) {
    return decryption_error(name);
  }
  const std::string_view nonce = value.substr(0, nonce_size);
  const std::string_view boxed = value.substr(nonce_size);
  std::string plaintext(boxed.size() - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plaintext.data()), bytes_of(boxed), boxed.size(),
                                 bytes_of(nonce), key.bytes.data()) != 0) {
    return decryption_error(name);
  }
  return plaintext;
}

std::string seal_to_node(const std::array<std::uint8_t, 32>& node_public_key, std::string_view plaintext) {
  Key32 node_curve_public{};
  require(crypto_sign_ed25519_pk_to_curve25519(node_curve_public.data(), node_public_key.data()) == 0,
          "the node public key is not an ed25519 public key");
  std::vector<unsigned char> sealed(plaintext.size() + crypto_box_SEALBYTES);
  require(crypto_box_seal(sealed.data(), bytes_of(plaintext), plaintext.size(), node_curve_public.data()) == 0,
          "crypto_box_seal failed");
  return std::string(reinterpret_cast<const char*>(sealed.data()), sealed.size());
}

// The nonce is a keyed blake2b of the seed and the plaintext, keyed with the box key. Deriving it
// from the seed alone would reuse a nonce, and so a keystream, whenever one seed encrypts two
// different values for the same node; with the plaintext mixed in, one nonce only ever covers one
// plaintext, and the key keeps the nonce from revealing anything about the plaintext.
std::array<std::uint8_t, nonce_size> derive_nonce(const Key32& key, std::uint64_t nonce_seed,
                                                  std::string_view plaintext) {
  std::array<std::uint8_t, 8> seed_bytes{};
  for (std::size_t i = 0; i < seed_bytes.size(); ++i) {
    seed_bytes[i] = static_cast<std::uint8_t>(nonce_seed >> (8 * i));  // Little-endian, host-independent.
  }
  crypto_generichash_state state;
  std::array<std::uint8_t, nonce_size> nonce{};
  require(crypto_generichash_init(&state, key.data(), key.size(), nonce.size()) == 0, "blake2b init failed");
  require(crypto_generichash_update(&state, seed_bytes.data(), seed_bytes.size()) == 0, "blake2b update failed");
  require(crypto_generichash_update(&state, bytes_of(plaintext), plaintext.size()) == 0, "blake2b update failed");
  require(crypto_generichash_final(&state, nonce.data(), nonce.size()) == 0, "blake2b final failed");
  sodium_memzero(&state, sizeof(state));
  return nonce;
}

// The version 1 key of a user and a node: X25519 of the user's secret and the node's public key,
// both converted from ed25519.
void shared_key_of(const Identity& user, const std::array<std::uint8_t, 32>& node_public_key, Key32& key_out) {
  Key32 node_curve_public{};
  WipedKey user_curve_secret;
  require(crypto_sign_ed25519_pk_to_curve25519(node_curve_public.data(), node_public_key.data()) == 0,
          "the node public key is not an ed25519 public key");
  require(crypto_sign_ed25519_sk_to_curve25519(user_curve_secret.bytes.data(), user.secret_key.data()) == 0,
          "the user secret key cannot be converted to curve25519");
  require(shared_box_key(user_curve_secret.bytes, node_curve_public, key_out), "the shared key is degenerate");
}

std::string box_with_key(const Key32& key, std::string_view plaintext, std::uint64_t nonce_seed) {
  const std::array<std::uint8_t, nonce_size> nonce = derive_nonce(key, nonce_seed, plaintext);
  std::vector<unsigned char> value(nonce_size + crypto_secretbox_MACBYTES + plaintext.size());
  std::copy(nonce.begin(), nonce.end(), value.begin());
  require(crypto_secretbox_easy(value.data() + nonce_size, bytes_of(plaintext), plaintext.size(), nonce.data(),
                                key.data()) == 0,
          "crypto_secretbox_easy failed");
  return std::string(reinterpret_cast<const char*>(value.data()), value.size());
}

std::string hex_and_wipe(std::string value, std::size_t plaintext_size) {
  assert(value.size() > plaintext_size);
  (void)plaintext_size;
  std::string value_hex = hex_encode(value);
  sodium_memzero(value.data(), value.size());
  return value_hex;
}

// Go's %#U of a byte read as a rune: "U+007A 'z'", the character only when Go calls it printable
// (ASCII from space to '~', and Latin-1 above U+00A0 except the soft hyphen).
std::string go_rune_display(unsigned char byte) {
  const bool printable = (byte >= 0x20 && byte <= 0x7e) || (byte >= 0xa1 && byte != 0xad);
  if (!printable) return fmt::format("U+{:04X}", byte);
  if (byte < 0x80) return fmt::format("U+{:04X} '{}'", byte, static_cast<char>(byte));
  const char utf8[2] = {static_cast<char>(0xc0 | (byte >> 6)), static_cast<char>(0x80 | (byte & 0x3f))};
  return fmt::format("U+{:04X} '{}'", byte, std::string_view(utf8, 2));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Status go_hex_decode(std::string_view text, std::string& bytes_out) {
  bytes_out.clear();
  bytes_out.reserve(text.size() / 2);
  // Pairs first, as Go's hex.Decode: a bad byte anywhere before the end is reported before an odd
  // length, and the last, unpaired byte is checked too.
  std::size_t index = 0;
  for (; index + 1 < text.size(); index += 2) {
    const int high = hex_value(text[index]);
    if (high < 0) return Error{"encoding/hex: invalid byte: " + go_rune_display(static_cast<unsigned char>(text[index]))};
    const int low = hex_value(text[index + 1]);
    if (low < 0) {
      return Error{"encoding/hex: invalid byte: " + go_rune_display(static_cast<unsigned char>(text[index + 1]))};
    }
    bytes_out.push_back(static_cast<char>((high << 4) | low));
  }
  if (index < text.size()) {
    if (hex_value(text[index]) < 0) {
      return Error{"encoding/hex: invalid byte: " + go_rune_display(static_cast<unsigned char>(text[index]))};
    }
    return Error{"encoding/hex: odd length hex string"};
  }
  assert(bytes_out.size() * 2 == text.size());
  return {};
}

Status check_secret_encoding(std::string_view name, std::string_view value_hex) {
  std::string bytes;
  const Status decoded = go_hex_decode(value_hex, bytes);
  sodium_memzero(bytes.data(), bytes.size());
  if (!decoded) return wrapped(name, decoded.error());
  return {};
}

Expected<std::string> decrypt_secret(const Identity& node, std::uint32_t version,
                                     std::string_view user_public_key_hex, std::string_view name,
                                     std::string_view value_hex) {
  ensure_sodium_initialised();
  // zos's order (provision/primitives/crypto.go): an empty value is "", then the hex decoding,
  // then the version.
  if (value_hex.empty()) return std::string();
  std::string value;
  if (const Status decoded = go_hex_decode(value_hex, value); !decoded) return wrapped(name, decoded.error());
  // An unknown version is an error, never read as an empty string (zos v0.4.5 did that).
  if (version != version_sealed_box && version != version_shared_key) {
    sodium_memzero(value.data(), value.size());
    return wrapped(name, fmt::format("unknown encryption version {}", version));
  }
  // Decryption errors never carry the plaintext, the ciphertext or libsodium's reasons: the name is
  // the only detail, so nothing secret can leak through a result message.
  Expected<std::string> plaintext = version == version_sealed_box
                                        ? open_sealed_box(node, name, value)
                                        : open_shared_key_box(node, user_public_key_hex, name, value);
  sodium_memzero(value.data(), value.size());
  return plaintext;
}

std::string encrypt_secret(const Identity& user, const std::array<std::uint8_t, 32>& node_public_key,
                           std::uint32_t version, std::string_view plaintext, std::uint64_t nonce_seed) {
  ensure_sodium_initialised();
  require(version == version_sealed_box || version == version_shared_key, "unknown encryption version");
  if (version == version_sealed_box) return hex_and_wipe(seal_to_node(node_public_key, plaintext), plaintext.size());
  WipedKey key;
  shared_key_of(user, node_public_key, key.bytes);
  return hex_and_wipe(box_with_key(key.bytes, plaintext, nonce_seed), plaintext.size());
}

namespace {

// Every kept key overwritten, then the map emptied.
template <typename KeyMap>
void wipe_and_forget(KeyMap& keys) {
  for (auto& [pair, key] : keys) sodium_memzero(key.data(), key.size());
  keys.clear();
}

}  // namespace

SecretEncryptor::~SecretEncryptor() { wipe_and_forget(shared_keys_); }

std::string SecretEncryptor::encrypt(const Identity& user, const std::array<std::uint8_t, 32>& node_public_key,
                                     std::uint32_t version, std::string_view plaintext, std::uint64_t nonce_seed) {
  if (version != version_shared_key) return encrypt_secret(user, node_public_key, version, plaintext, nonce_seed);
  ensure_sodium_initialised();
  const std::pair<std::array<std::uint8_t, 32>, std::array<std::uint8_t, 32>> pair{user.public_key, node_public_key};
  auto found = shared_keys_.find(pair);
  if (found == shared_keys_.end()) {
    if (shared_keys_.size() >= shared_keys_max) {
      wipe_and_forget(shared_keys_);  // Rare (a world has far fewer pairs): forgetting costs only time.
    }
    found = shared_keys_.emplace(pair, Key32{}).first;
    shared_key_of(user, node_public_key, found->second);
  }
  assert(shared_keys_.size() <= shared_keys_max);
  return hex_and_wipe(box_with_key(found->second, plaintext, nonce_seed), plaintext.size());
}

void wipe_secret(std::string& value) {
  // resize() within the capacity never reallocates, so every byte the buffer holds, past the end
  // of the value too, is now part of the string and may be overwritten.
  value.resize(value.capacity());
  sodium_memzero(value.data(), value.size());
  value.clear();
  assert(value.empty());
}

void wipe_secret_values(std::vector<std::pair<std::string, std::string>>& entries) {
  for (auto& entry : entries) wipe_secret(entry.second);
}

}  // namespace zsim::core
