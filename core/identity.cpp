#include "core/identity.hpp"

#include <cassert>
#include <cstddef>
#include <vector>

#include <sodium.h>

#include "core/sodium_init.hpp"

namespace zsim::core {

namespace {

static_assert(crypto_sign_PUBLICKEYBYTES == 32, "Identity::public_key is 32 bytes");
static_assert(crypto_sign_SECRETKEYBYTES == 64, "Identity::secret_key is 64 bytes");
static_assert(crypto_sign_SEEDBYTES == 32, "Seed32 is 32 bytes");
static_assert(crypto_sign_BYTES == 64, "signatures are 64 bytes");

constexpr char base58_alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
// Base58 is quadratic in the input size; zsim encodes keys of 32 bytes. The bound keeps a misuse
// from turning into a very long loop.
constexpr std::size_t base58_input_max_bytes = 1024;

int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Identity Identity::from_seed(const Seed32& seed) {
  ensure_sodium_initialised();
  Identity identity;
  const int status = crypto_sign_seed_keypair(identity.public_key.data(), identity.secret_key.data(), seed.data());
  // crypto_sign_seed_keypair cannot fail for a 32-byte seed.
  assert(status == 0);
  (void)status;
  // libsodium's secret key is the seed followed by the public key; the rest of zsim relies on it.
  assert(sodium_memcmp(identity.secret_key.data(), seed.data(), 32) == 0);
  assert(sodium_memcmp(identity.secret_key.data() + 32, identity.public_key.data(), 32) == 0);
  return identity;
}

std::string Identity::node_id() const {
  std::string id = base58_encode(public_key.data(), public_key.size());
  // 32 bytes give 43 or 44 base58 digits (fewer only for keys with leading zero bytes, which no
  // valid ed25519 key derived from a seed has in practice, but base58 itself allows).
  assert(!id.empty() && id.size() <= 44);
  return id;
}

std::string Identity::public_key_hex() const {
  return hex_encode(std::string_view(reinterpret_cast<const char*>(public_key.data()), public_key.size()));
}

std::string Identity::sign_hex(std::string_view message) const {
  ensure_sodium_initialised();
  std::array<std::uint8_t, crypto_sign_BYTES> signature{};
  unsigned long long signature_size = 0;
  const int status = crypto_sign_detached(signature.data(), &signature_size,
                                          reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                          secret_key.data());
  assert(status == 0);
  assert(signature_size == signature.size());
  (void)status;
  std::string hex = hex_encode(std::string_view(reinterpret_cast<const char*>(signature.data()), signature.size()));
  assert(hex.size() == 128);
  return hex;
}

bool verify_signature_hex(const std::array<std::uint8_t, 32>& public_key, std::string_view message,
                          std::string_view signature_hex) {
  ensure_sodium_initialised();
  std::string signature;
  if (!hex_decode(signature_hex, signature) || signature.size() != crypto_sign_BYTES) {
    return false;
  }
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                     public_key.data()) == 0;
}

std::string base58_encode(const std::uint8_t* data, std::size_t size) {
  assert(data != nullptr || size == 0);
  assert(size <= base58_input_max_bytes);
  // Each leading zero byte is written as the digit '1'; the rest is the number in base 58.
  std::size_t zeros = 0;
  while (zeros < size && data[zeros] == 0) {
    ++zeros;
  }
  // log(256) / log(58) < 1.38, so this many base-58 digits always suffice.
  const std::size_t digits_max = (size - zeros) * 138 / 100 + 1;
  std::vector<std::uint8_t> digits(digits_max, 0);  // Big-endian base-58 digits.
  std::size_t digits_used = 0;
  for (std::size_t i = zeros; i < size; ++i) {
    // digits = digits * 256 + data[i], carried from the least significant digit upward.
    std::uint32_t carry = data[i];
    std::size_t touched = 0;
    for (std::size_t j = 0; j < digits_max && (carry != 0 || touched < digits_used); ++j, ++touched) {
      const std::size_t position = digits_max - 1 - j;
      carry += 256U * digits[position];
      digits[position] = static_cast<std::uint8_t>(carry % 58U);
      carry /= 58U;
    }
    assert(carry == 0);
    digits_used = touched;
  }
  assert(digits_used <= digits_max);
  std::string text(zeros, '1');
  text.reserve(zeros + digits_used);
  for (std::size_t position = digits_max - digits_used; position < digits_max; ++position) {
    text.push_back(base58_alphabet[digits[position]]);
  }
  return text;
}

std::string hex_encode(std::string_view bytes) {
  constexpr char hex_digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto byte = static_cast<std::uint8_t>(c);
    hex.push_back(hex_digits[byte >> 4]);
    hex.push_back(hex_digits[byte & 0x0fU]);
  }
  assert(hex.size() == bytes.size() * 2);
  return hex;
}

bool hex_decode(std::string_view text, std::string& bytes_out) {
  bytes_out.clear();
  if (text.size() % 2 != 0) {
    return false;
  }
  bytes_out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int high = hex_digit_value(text[i]);
    const int low = hex_digit_value(text[i + 1]);
    if (high < 0 || low < 0) {
      bytes_out.clear();
      return false;
    }
    bytes_out.push_back(static_cast<char>((high << 4) | low));
  }
  assert(bytes_out.size() * 2 == text.size());
  return true;
}

}  // namespace zsim::core
