#include "fakes/signature_ledger.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/identity.hpp"
#include "core/result_signing.hpp"

namespace zsim::fakes {
namespace {

core::Identity identity_from(std::uint8_t seed_byte) {
  core::Seed32 seed{};
  seed.fill(seed_byte);
  return core::Identity::from_seed(seed);
}

TEST(SignatureLedger, SignsAsTheRealSignerAndRemembersEachSignatureOnce) {
  core::KeySigner real;
  SignatureLedger ledger(real);
  const core::Identity node = identity_from(1);
  const std::string signature = ledger.sign_hex(node, "bytes");
  EXPECT_EQ(signature, real.sign_hex(node, "bytes"));  // A decorator: the same signature.
  EXPECT_EQ(ledger.size(), 1u);
  EXPECT_FALSE(ledger.take(node.public_key, "other bytes", signature));
  EXPECT_FALSE(ledger.take(identity_from(2).public_key, "bytes", signature));
  EXPECT_TRUE(ledger.take(node.public_key, "bytes", signature));
  EXPECT_FALSE(ledger.take(node.public_key, "bytes", signature));  // Used up.
  EXPECT_EQ(ledger.size(), 0u);
}

TEST(SignatureLedger, KeepsAtMostItsBoundOldestDroppedFirst) {
  core::KeySigner real;
  SignatureLedger ledger(real, 3);
  const core::Identity node = identity_from(1);
  std::vector<std::string> signatures;
  for (int index = 0; index < 5; index += 1) signatures.push_back(ledger.sign_hex(node, fmt::format("m{}", index)));
  EXPECT_EQ(ledger.size(), 3u);
  EXPECT_EQ(ledger.entries_dropped(), 2u);
  EXPECT_FALSE(ledger.take(node.public_key, "m0", signatures[0]));
  EXPECT_FALSE(ledger.take(node.public_key, "m1", signatures[1]));
  EXPECT_TRUE(ledger.take(node.public_key, "m4", signatures[4]));
}

// An identity whose halves do not belong together makes signatures its public key rejects; the
// ledger must not vouch for them.
TEST(SignatureLedger, NeverRemembersSignaturesOfABrokenKeyPair) {
  core::KeySigner real;
  SignatureLedger ledger(real);
  core::Identity broken = identity_from(1);
  broken.public_key = identity_from(2).public_key;
  const std::string signature = ledger.sign_hex(broken, "bytes");
  EXPECT_EQ(ledger.size(), 0u);
  EXPECT_FALSE(ledger.take(broken.public_key, "bytes", signature));
}

}  // namespace
}  // namespace zsim::fakes
