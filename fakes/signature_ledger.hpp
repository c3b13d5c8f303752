#pragma once
// The signatures the world's nodes made, for the fake explorer. A Signer decorator (as
// FoundationDB's AsyncFileNonDurable wraps a real file): it signs with the real signer and
// remembers, for a while, which signature it made over which bytes with which public key. The
// explorer asks it before verifying: a signature the ledger made with the node's key over exactly
// these bytes is valid, because libsodium made it with that key, so verifying it would only repeat
// what is known (a verification costs three signatures). Every other signature (tampered, forged,
// made elsewhere, or forgotten) is verified in full, so the explorer's answers are those of
// verifying every one. An entry is used once, and at most entries_max are kept, oldest dropped first.
//
// It also remembers what it signed, so that the same bytes signed again with the same key give the
// remembered signature without a second ed25519 signing: ed25519 is deterministic (RFC 8032), so the
// answer is the one the signer would give. Nodes sign the same bytes often ("deleted" results and
// error results carry no workload id), and signing was a fifth of a fuzz seed's time. At most
// entries_max signatures are remembered this way too, oldest forgotten first.

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "core/identity.hpp"
#include "core/ports.hpp"

namespace zsim::fakes {

class SignatureLedger final : public core::Signer {
 public:
  static constexpr std::size_t entries_max_default = 4096;
  explicit SignatureLedger(core::Signer& signer, std::size_t entries_max = entries_max_default);

  std::string sign_hex(const core::Identity& identity, std::string_view message) override;
  // True when this ledger signed exactly message with the key whose public half is public_key and
  // made exactly signature_hex; the entry is used up either way it matched.
  bool take(const std::array<std::uint8_t, 32>& public_key, std::string_view message, std::string_view signature_hex);

  std::size_t size() const { return entries_.size(); }
  std::uint64_t signatures_remembered() const { return signatures_remembered_; }  // Signings saved.
  std::uint64_t entries_dropped() const { return entries_dropped_; }

 private:
  // Whether signatures by this identity may be remembered: its secret key must make signatures
  // that its public key verifies (checked once per key with a probe message).
  bool key_pair_holds(const core::Identity& identity);

  struct Entry {
    std::array<std::uint8_t, 32> public_key{};
    std::string message;
  };
  core::Signer& signer_;
  const std::size_t entries_max_;
  std::map<std::string, Entry, std::less<>> entries_;  // By signature (hex).
  std::deque<std::string> order_;                      // Signatures as made, oldest first (some taken).
  std::map<std::array<std::uint8_t, 32>, bool> key_pairs_;  // Secret key's BLAKE2b -> its pair holds.
  std::map<std::string, std::string, std::less<>> signed_;  // Public key bytes + message -> signature.
  std::deque<std::string> signed_order_;                     // Keys of signed_, oldest first.
  std::string signed_key_;                                   // Reused to build a lookup key.
  std::uint64_t signatures_remembered_ = 0;
  std::uint64_t entries_dropped_ = 0;
};

}  // namespace zsim::fakes
