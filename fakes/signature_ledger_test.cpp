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

// A signer that counts its signings, to see which signatures the ledger remembered.
class CountingSigner final : public core::Signer {
 public:
  std::string sign_hex(const core::Identity& identity, std::string_view message) override {
    signings += 1;
    return real.sign_hex(identity, message);
  }
  core::KeySigner real;
  int signings = 0;
};

TEST(SignatureLedger, TheSameBytesSignedAgainGiveTheRememberedSignature) {
  CountingSigner counting;
  SignatureLedger ledger(counting, 2);
  const core::Identity node = identity_from(1);
  const core::Identity other = identity_from(2);
  const std::string first = ledger.sign_hex(node, "deleted");
  EXPECT_EQ(ledger.sign_hex(node, "deleted"), first);
  EXPECT_EQ(counting.signings, 1);
  EXPECT_EQ(ledger.signatures_remembered(), 1u);
  // Another key over the same bytes is signed, and verifies under its own key only.
  const std::string by_other = ledger.sign_hex(other, "deleted");
  EXPECT_NE(by_other, first);
  EXPECT_EQ(counting.signings, 2);
  EXPECT_TRUE(core::verify_signature_hex(other.public_key, "deleted", by_other));
  // Bounded: a third signature forgets the oldest, which is then signed again.
  (void)ledger.sign_hex(node, "ok");
  EXPECT_EQ(ledger.sign_hex(node, "deleted"), first);
  EXPECT_EQ(counting.signings, 4);
  // Still a ledger: the remembered signature was recorded and is taken once.
  EXPECT_TRUE(ledger.take(node.public_key, "deleted", first));
}

// A pair whose secret half differs from a known good pair with the same public key is judged on
// its own: its signatures are its signer's, never the good pair's remembered ones.
TEST(SignatureLedger, ASecretKeyChangedUnderAKnownPublicKeyIsNotTrusted) {
  CountingSigner counting;
  SignatureLedger ledger(counting);
  const core::Identity node = identity_from(1);
  const std::string good = ledger.sign_hex(node, "bytes");
  core::Identity changed = node;
  changed.secret_key[0] ^= 1;
  const std::string made = ledger.sign_hex(changed, "bytes");
  EXPECT_EQ(counting.signings, 2);
  EXPECT_EQ(made, counting.real.sign_hex(changed, "bytes"));
  EXPECT_NE(made, good);
  EXPECT_FALSE(ledger.take(node.public_key, "bytes", made));
}

}  // namespace
}  // namespace zsim::fakes
