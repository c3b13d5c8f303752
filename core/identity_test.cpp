#include "core/identity.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include <gtest/gtest.h>

namespace zsim::core {
namespace {

std::string bytes_of_hex(std::string_view hex) {
  std::string bytes;
  EXPECT_TRUE(hex_decode(hex, bytes)) << hex;
  return bytes;
}

std::string base58_of_hex(std::string_view hex) {
  const std::string bytes = bytes_of_hex(hex);
  return base58_encode(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

Seed32 seed_filled(std::uint8_t byte) {
  Seed32 seed{};
  seed.fill(byte);
  return seed;
}

// Vectors of bitcoin's base58_encode_decode.json, leading zero bytes included.
TEST(Base58, KnownAnswers) {
  EXPECT_EQ(base58_of_hex(""), "");
  EXPECT_EQ(base58_of_hex("61"), "2g");
  EXPECT_EQ(base58_of_hex("626262"), "a3gV");
  EXPECT_EQ(base58_of_hex("636363"), "aPEr");
  EXPECT_EQ(base58_of_hex("73696d706c792061206c6f6e6720737472696e67"), "2cFupjhnEsSn59qHXstmK2ffpLv2");
  EXPECT_EQ(base58_of_hex("00eb15231dfceb60925886b67d065299925915aeb172c06647"), "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L");
  EXPECT_EQ(base58_of_hex("516b6fcd0f"), "ABnLTmg");
  EXPECT_EQ(base58_of_hex("bf4f89001e670274dd"), "3SEo3LWLoPntC");
  EXPECT_EQ(base58_of_hex("572e4794"), "3EFU7m");
  EXPECT_EQ(base58_of_hex("ecac89cad93923c02321"), "EJDM8drfXA6uyA");
  EXPECT_EQ(base58_of_hex("10c8511e"), "Rt5zm");
  EXPECT_EQ(base58_of_hex("00000000000000000000"), "1111111111");
  EXPECT_EQ(base58_of_hex("000111d38e5fc9071ffcd20b4a763cc9ae4f252bb4e48fd66a835e252ada93ff480d6dd43dc62a641155a5"),
            "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz");
  EXPECT_EQ(base58_of_hex(std::string(64, 'f')), "JEKNVnkbo3jma5nREBBJCDoXFVeKkD56V3xKrvRmWxFG");
}

TEST(Hex, EncodeIsLowerCaseAndDecodeTakesEitherCase) {
  EXPECT_EQ(hex_encode(std::string("\x00\x01\xab\xff", 4)), "0001abff");
  std::string bytes;
  ASSERT_TRUE(hex_decode("0001ABff", bytes));
  EXPECT_EQ(bytes, std::string("\x00\x01\xab\xff", 4));
  ASSERT_TRUE(hex_decode("", bytes));
  EXPECT_TRUE(bytes.empty());
}

TEST(Hex, DecodeRefusesOddLengthAndNonHexAndLeavesOutputEmpty) {
  std::string bytes = "previous";
  EXPECT_FALSE(hex_decode("abc", bytes));
  EXPECT_TRUE(bytes.empty());
  bytes = "previous";
  EXPECT_FALSE(hex_decode("zz", bytes));
  EXPECT_TRUE(bytes.empty());
  EXPECT_FALSE(hex_decode("00g0", bytes));
  EXPECT_FALSE(hex_decode("0x00", bytes));
  EXPECT_FALSE(hex_decode(" 00", bytes));
}

TEST(Hex, RoundTripsEveryByte) {
  std::string all;
  for (int byte = 0; byte < 256; ++byte) all.push_back(static_cast<char>(byte));
  std::string back;
  ASSERT_TRUE(hex_decode(hex_encode(all), back));
  EXPECT_EQ(back, all);
}

// RFC 8032, section 7.1, TEST 1: the seed, its public key, and the signature of the empty message.
TEST(Identity, Rfc8032KnownAnswer) {
  const std::string seed_bytes = bytes_of_hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  Seed32 seed{};
  ASSERT_EQ(seed_bytes.size(), seed.size());
  std::copy(seed_bytes.begin(), seed_bytes.end(), seed.begin());
  const Identity identity = Identity::from_seed(seed);
  EXPECT_EQ(identity.public_key_hex(), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  EXPECT_EQ(identity.sign_hex(""),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555"
            "fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_EQ(identity.node_id(), "FVen3X669xLzsi6N2V91DoiyzHzg1uAgqiT8jZ9nS96Z");
}

TEST(Identity, SameSeedSameKeysDifferentSeedDifferentKeys) {
  const Identity first = Identity::from_seed(seed_filled(7));
  const Identity again = Identity::from_seed(seed_filled(7));
  const Identity other = Identity::from_seed(seed_filled(8));
  EXPECT_EQ(first.public_key, again.public_key);
  EXPECT_EQ(first.secret_key, again.secret_key);
  EXPECT_EQ(first.node_id(), again.node_id());
  EXPECT_NE(first.public_key, other.public_key);
  EXPECT_NE(first.node_id(), other.node_id());
}

TEST(Identity, NodeIdIsBase58OfThePublicKeyWith43Or44Characters) {
  for (int byte = 0; byte < 32; ++byte) {
    const Identity identity = Identity::from_seed(seed_filled(static_cast<std::uint8_t>(byte)));
    const std::string id = identity.node_id();
    EXPECT_GE(id.size(), 43U);
    EXPECT_LE(id.size(), 44U);
    EXPECT_EQ(id, base58_encode(identity.public_key.data(), identity.public_key.size()));
    EXPECT_EQ(id.find_first_of("0OIl"), std::string::npos) << id;
  }
}

TEST(Identity, SignaturesVerify) {
  const Identity identity = Identity::from_seed(seed_filled(1));
  const std::string signature = identity.sign_hex("hello zos");
  EXPECT_EQ(signature.size(), 128U);
  EXPECT_TRUE(verify_signature_hex(identity.public_key, "hello zos", signature));
  // Ed25519 is deterministic: the same message gives the same signature.
  EXPECT_EQ(identity.sign_hex("hello zos"), signature);
}

TEST(Identity, TamperedMessagesSignaturesAndKeysDoNotVerify) {
  const Identity identity = Identity::from_seed(seed_filled(1));
  const Identity other = Identity::from_seed(seed_filled(2));
  const std::string signature = identity.sign_hex("hello zos");
  EXPECT_FALSE(verify_signature_hex(identity.public_key, "hello zos!", signature));
  EXPECT_FALSE(verify_signature_hex(identity.public_key, "Hello zos", signature));
  EXPECT_FALSE(verify_signature_hex(other.public_key, "hello zos", signature));
  // Every single-digit change of the signature is refused.
  for (std::size_t i = 0; i < signature.size(); ++i) {
    std::string tampered = signature;
    tampered[i] = tampered[i] == '0' ? '1' : '0';
    EXPECT_FALSE(verify_signature_hex(identity.public_key, "hello zos", tampered)) << "digit " << i;
  }
}

TEST(Identity, MalformedSignaturesDoNotVerify) {
  const Identity identity = Identity::from_seed(seed_filled(1));
  const std::string signature = identity.sign_hex("m");
  EXPECT_FALSE(verify_signature_hex(identity.public_key, "m", ""));
  EXPECT_FALSE(verify_signature_hex(identity.public_key, "m", signature.substr(0, 126)));
  EXPECT_FALSE(verify_signature_hex(identity.public_key, "m", signature + "00"));
  EXPECT_FALSE(verify_signature_hex(identity.public_key, "m", std::string(128, 'z')));
  // Upper-case hex is still hex: the signature verifies however it is spelled.
  std::string upper = signature;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(verify_signature_hex(identity.public_key, "m", upper));
}

}  // namespace
}  // namespace zsim::core
