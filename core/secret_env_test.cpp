#include "core/secret_env.hpp"

#include <cctype>
#include <string>

#include <gtest/gtest.h>

namespace zsim::core {
namespace {

Identity identity_of(std::uint8_t byte) {
  Seed32 seed{};
  seed.fill(byte);
  return Identity::from_seed(seed);
}

constexpr std::string_view secret = "hunter2-the-password";

class SecretEnv : public ::testing::Test {
 protected:
  const Identity node = identity_of(1);
  const Identity user = identity_of(2);
  const Identity stranger = identity_of(3);
};

TEST_F(SecretEnv, Version0RoundTrip) {
  const std::string value_hex = encrypt_secret(user, node.public_key, 0, secret, 0);
  const Expected<std::string> plaintext = decrypt_secret(node, 0, "", "DB_PASSWORD", value_hex);
  ASSERT_TRUE(plaintext.ok()) << plaintext.error();
  EXPECT_EQ(plaintext.value(), secret);
}

TEST_F(SecretEnv, Version1RoundTrip) {
  const std::string value_hex = encrypt_secret(user, node.public_key, 1, secret, 42);
  const Expected<std::string> plaintext = decrypt_secret(node, 1, user.public_key_hex(), "DB_PASSWORD", value_hex);
  ASSERT_TRUE(plaintext.ok()) << plaintext.error();
  EXPECT_EQ(plaintext.value(), secret);
}

// The encryptor keeps one key per (user, node) pair and gives encrypt_secret()'s bytes exactly.
TEST_F(SecretEnv, EncryptorGivesTheSameValuesAndKeepsOneKeyPerPair) {
  SecretEncryptor encryptor;
  for (const std::uint64_t nonce_seed : {1U, 2U, 3U}) {
    EXPECT_EQ(encryptor.encrypt(user, node.public_key, 1, secret, nonce_seed),
              encrypt_secret(user, node.public_key, 1, secret, nonce_seed));
    EXPECT_EQ(encryptor.encrypt(stranger, node.public_key, 1, secret, nonce_seed),
              encrypt_secret(stranger, node.public_key, 1, secret, nonce_seed));
  }
  EXPECT_EQ(encryptor.keys_kept(), 2u);
  const std::string to_user = encryptor.encrypt(node, user.public_key, 1, secret, 9);
  EXPECT_EQ(encryptor.keys_kept(), 3u);
  const Expected<std::string> back = decrypt_secret(user, 1, node.public_key_hex(), "K", to_user);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back.value(), secret);
  // Version 0 keeps no key: its box is sealed to the node with a fresh key each time.
  const Expected<std::string> sealed =
      decrypt_secret(node, 0, "", "K", encryptor.encrypt(user, node.public_key, 0, secret, 0));
  ASSERT_TRUE(sealed.ok()) << sealed.error();
  EXPECT_EQ(sealed.value(), secret);
  EXPECT_EQ(encryptor.keys_kept(), 3u);
}

TEST_F(SecretEnv, EmptyAndBinaryPlaintextsRoundTrip) {
  const std::string binary("\x00\n\xff=%", 5);
  for (const std::uint32_t version : {0U, 1U}) {
    for (const std::string& plaintext : {std::string(), binary, std::string(5000, 'x')}) {
      const std::string value_hex = encrypt_secret(user, node.public_key, version, plaintext, 7);
      const Expected<std::string> back = decrypt_secret(node, version, user.public_key_hex(), "K", value_hex);
      ASSERT_TRUE(back.ok()) << back.error();
      EXPECT_EQ(back.value(), plaintext) << "version " << version;
    }
  }
}

TEST_F(SecretEnv, Version1IsDeterministicForTheSameNonceSeed) {
  const std::string first = encrypt_secret(user, node.public_key, 1, secret, 99);
  const std::string again = encrypt_secret(user, node.public_key, 1, secret, 99);
  const std::string other_seed = encrypt_secret(user, node.public_key, 1, secret, 100);
  EXPECT_EQ(first, again);
  EXPECT_NE(first, other_seed);
  // nonce(24) + MAC(16) + plaintext, hex-encoded.
  EXPECT_EQ(first.size(), 2 * (24 + 16 + secret.size()));
}

// One seed used for two different values must not reuse a nonce (a reused XSalsa20 nonce under one
// key reveals the XOR of the two plaintexts).
TEST_F(SecretEnv, Version1NeverReusesANonceAcrossPlaintexts) {
  const std::string first = encrypt_secret(user, node.public_key, 1, "value-one", 5);
  const std::string second = encrypt_secret(user, node.public_key, 1, "value-two", 5);
  EXPECT_NE(first.substr(0, 48), second.substr(0, 48));
}

TEST_F(SecretEnv, Version0CiphertextsAreFreshEachTime) {
  EXPECT_NE(encrypt_secret(user, node.public_key, 0, secret, 1), encrypt_secret(user, node.public_key, 0, secret, 1));
}

TEST_F(SecretEnv, WrongNodeKeyFailsWithTheExactMessageOfEachVersion) {
  // zos's words: the sealed-box library's for version 0, DecryptECDH's for version 1.
  const std::pair<std::uint32_t, std::string> cases[] = {{0U, "sealed box opening fail"}, {1U, "decryption error"}};
  for (const auto& [version, reason] : cases) {
    const std::string value_hex = encrypt_secret(user, node.public_key, version, secret, 1);
    const Expected<std::string> result = decrypt_secret(stranger, version, user.public_key_hex(), "API_KEY", value_hex);
    ASSERT_FALSE(result.ok()) << "version " << version;
    EXPECT_EQ(result.error(), "failed to decrypt secret env var 'API_KEY': " + reason);
  }
}

TEST_F(SecretEnv, ValuesShorterThanTheirHeaderAreRefusedWhereZosPanicked) {
  const Expected<std::string> sealed = decrypt_secret(node, 0, user.public_key_hex(), "S", std::string(40, 'a'));
  ASSERT_FALSE(sealed.ok());
  EXPECT_EQ(sealed.error(), "failed to decrypt secret env var 'S': sealed box too short: 20 bytes, expected at least 48");
  const Expected<std::string> nonce = decrypt_secret(node, 1, user.public_key_hex(), "S", std::string(20, 'b'));
  ASSERT_FALSE(nonce.ok());
  EXPECT_EQ(nonce.error(),
            "failed to decrypt secret env var 'S': ciphertext too short: 10 bytes, expected at least the 24-byte nonce");
  // A nonce and less than a tag: secretbox.Open failed, as for a wrong key.
  const Expected<std::string> tagless = decrypt_secret(node, 1, user.public_key_hex(), "S", std::string(60, 'c'));
  ASSERT_FALSE(tagless.ok());
  EXPECT_EQ(tagless.error(), "failed to decrypt secret env var 'S': decryption error");
}

TEST_F(SecretEnv, NonHexValuesGiveGosMessages) {
  const std::pair<std::string, std::string> cases[] = {
      {"zz00", "encoding/hex: invalid byte: U+007A 'z'"},
      {"abc", "encoding/hex: odd length hex string"},
      {"0g", "encoding/hex: invalid byte: U+0067 'g'"},
      {"00 1", "encoding/hex: invalid byte: U+0020 ' '"},
      {"001g", "encoding/hex: invalid byte: U+0067 'g'"},
      {"00g", "encoding/hex: invalid byte: U+0067 'g'"},  // The unpaired last byte is checked first.
      {"0\x01", "encoding/hex: invalid byte: U+0001"},
      {"\xe9\x00", "encoding/hex: invalid byte: U+00E9 '\xc3\xa9'"},
      {"\xad" "0", "encoding/hex: invalid byte: U+00AD"},
      {"\xa0" "0", "encoding/hex: invalid byte: U+00A0"},
  };
  for (const auto& [value, reason] : cases) {
    for (const std::uint32_t version : {0U, 1U, 7U}) {
      const Expected<std::string> result = decrypt_secret(node, version, user.public_key_hex(), "H", value);
      ASSERT_FALSE(result.ok()) << value;
      EXPECT_EQ(result.error(), "failed to decrypt secret env var 'H': " + reason) << "version " << version;
    }
    EXPECT_EQ(check_secret_encoding("H", value).error(), "failed to decrypt secret env var 'H': " + reason);
  }
  EXPECT_TRUE(check_secret_encoding("H", "00aaFF").ok());
  EXPECT_TRUE(check_secret_encoding("H", "").ok());
}

TEST_F(SecretEnv, Version1WithAnotherUsersPublicKeyFails) {
  const std::string value_hex = encrypt_secret(user, node.public_key, 1, secret, 1);
  const Expected<std::string> result = decrypt_secret(node, 1, stranger.public_key_hex(), "API_KEY", value_hex);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(), "failed to decrypt secret env var 'API_KEY': decryption error");
}

TEST_F(SecretEnv, Version1WithAMalformedUserPublicKeyFails) {
  const std::string value_hex = encrypt_secret(user, node.public_key, 1, secret, 1);
  for (const std::string& key_hex : {std::string(), std::string("zz"), user.public_key_hex().substr(2),
                                     user.public_key_hex() + "00"}) {
    const Expected<std::string> result = decrypt_secret(node, 1, key_hex, "K", value_hex);
    ASSERT_FALSE(result.ok()) << key_hex;
    EXPECT_EQ(result.error(), "failed to decrypt secret env var 'K': decryption error");
  }
}

TEST_F(SecretEnv, UnknownVersionFailsWithTheExactMessage) {
  const std::string value_hex = encrypt_secret(user, node.public_key, 1, secret, 1);
  const Expected<std::string> result = decrypt_secret(node, 2, user.public_key_hex(), "TOKEN", value_hex);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(), "failed to decrypt secret env var 'TOKEN': unknown encryption version 2");
  const Expected<std::string> huge = decrypt_secret(node, 4294967295U, "", "TOKEN", value_hex);
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error(), "failed to decrypt secret env var 'TOKEN': unknown encryption version 4294967295");
}

// zos v0.4.5 decrypted a secret of an unknown version to "" and started the container with it.
TEST_F(SecretEnv, ZosBugUnknownVersionNeverYieldsAnEmptyString) {
  for (const std::uint32_t version : {2U, 3U, 255U}) {
    for (const std::string& value_hex : {encrypt_secret(user, node.public_key, 1, "", 1),
                                         encrypt_secret(user, node.public_key, 0, secret, 1)}) {
      const Expected<std::string> result = decrypt_secret(node, version, user.public_key_hex(), "X", value_hex);
      EXPECT_FALSE(result.ok()) << "version " << version;
    }
  }
}

// zos's decryptSecret returned "" for an empty value before anything else: the container runs.
TEST_F(SecretEnv, AnEmptyValueDecryptsToAnEmptyString) {
  for (const std::uint32_t version : {0U, 1U, 9U}) {
    const Expected<std::string> result = decrypt_secret(node, version, user.public_key_hex(), "E", "");
    ASSERT_TRUE(result.ok()) << "version " << version;
    EXPECT_EQ(result.value(), "");
  }
}

TEST_F(SecretEnv, TruncatedOrGarbageHexFails) {
  for (const std::uint32_t version : {0U, 1U}) {
    const std::string value_hex = encrypt_secret(user, node.public_key, version, secret, 1);
    const std::string garbage_cases[] = {
        value_hex.substr(0, value_hex.size() - 1),   // Odd length.
        value_hex.substr(0, value_hex.size() - 2),   // One byte short.
        value_hex.substr(2),                          // First byte missing.
        value_hex.substr(0, 20),                      // Shorter than any box.
        "not hex at all",
        std::string(value_hex.size(), 'g'),
        std::string(value_hex.size(), '0'),           // Right length, all zeros.
        value_hex + "00",                              // Trailing byte.
    };
    for (const std::string& garbage : garbage_cases) {
      const Expected<std::string> result = decrypt_secret(node, version, user.public_key_hex(), "G", garbage);
      ASSERT_FALSE(result.ok()) << "version " << version << ": " << garbage;
      EXPECT_EQ(result.error().rfind("failed to decrypt secret env var 'G': ", 0), 0u) << result.error();
    }
  }
}

TEST_F(SecretEnv, EverySingleByteFlipOfTheCiphertextIsRefused) {
  for (const std::uint32_t version : {0U, 1U}) {
    const std::string value_hex = encrypt_secret(user, node.public_key, version, secret, 1);
    for (std::size_t i = 0; i < value_hex.size(); ++i) {
      std::string flipped = value_hex;
      flipped[i] = flipped[i] == '0' ? '8' : '0';
      EXPECT_FALSE(decrypt_secret(node, version, user.public_key_hex(), "F", flipped).ok())
          << "version " << version << ", digit " << i;
    }
  }
}

TEST_F(SecretEnv, ErrorsNeverContainThePlaintextOrCiphertext) {
  const std::string value_hex = encrypt_secret(user, node.public_key, 1, secret, 1);
  const Expected<std::string> wrong_node = decrypt_secret(stranger, 1, user.public_key_hex(), "PW", value_hex);
  const Expected<std::string> wrong_version = decrypt_secret(node, 9, user.public_key_hex(), "PW", value_hex);
  for (const Expected<std::string>* result : {&wrong_node, &wrong_version}) {
    ASSERT_FALSE(result->ok());
    EXPECT_EQ(result->error().find(secret), std::string::npos);
    EXPECT_EQ(result->error().find(value_hex.substr(0, 16)), std::string::npos);
  }
}

TEST_F(SecretEnv, UpperCaseHexIsAccepted) {
  std::string value_hex = encrypt_secret(user, node.public_key, 1, secret, 1);
  for (char& c : value_hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const Expected<std::string> plaintext = decrypt_secret(node, 1, user.public_key_hex(), "U", value_hex);
  ASSERT_TRUE(plaintext.ok());
  EXPECT_EQ(plaintext.value(), secret);
}

}  // namespace
}  // namespace zsim::core

namespace zsim::core {
namespace {

// A wiped value leaves zeros in its buffer, for a long value (heap) and a short one (inside the
// string object), past its end too: the buffer is read through a pointer taken before the wipe,
// which stays valid because a wipe never reallocates.
TEST(SecretWipe, OverwritesTheWholeBufferOfLongAndShortValues) {
  for (const std::size_t length : {std::size_t{5}, std::size_t{15}, std::size_t{64}, std::size_t{1000}}) {
    std::string value(length, 'S');
    value.reserve(length + 40);
    value.resize(length / 2);  // The tail beyond the end still holds secret bytes.
    const char* bytes = value.data();
    const std::size_t capacity = value.capacity();
    wipe_secret(value);
    EXPECT_TRUE(value.empty());
    EXPECT_EQ(value.data(), bytes);
    for (std::size_t index = 0; index < capacity; index += 1) ASSERT_EQ(bytes[index], '\0') << length << " at " << index;
  }
  std::vector<std::pair<std::string, std::string>> environment{{"TOKEN", "zsim-secret-0123456789abcdef"}, {"A", "b"}};
  wipe_secret_values(environment);
  EXPECT_EQ(environment[0].first, "TOKEN");
  EXPECT_TRUE(environment[0].second.empty());
  EXPECT_TRUE(environment[1].second.empty());
}

}  // namespace
}  // namespace zsim::core
