#include "fakes/signature_ledger.hpp"

#include <sodium.h>

#include <algorithm>
#include <cassert>

namespace zsim::fakes {

SignatureLedger::SignatureLedger(core::Signer& signer, std::size_t entries_max)
    : signer_(signer), entries_max_(entries_max) {
  assert(entries_max_ >= 1);
}

bool SignatureLedger::key_pair_holds(const core::Identity& identity) {
  // Known by a hash of the whole secret key, not by the public key: a pair whose secret half was
  // changed keeps its public key and must be judged again.
  std::array<std::uint8_t, 32> fingerprint{};
  crypto_generichash(fingerprint.data(), fingerprint.size(), identity.secret_key.data(), identity.secret_key.size(),
                     nullptr, 0);
  const auto found = key_pairs_.find(fingerprint);
  if (found != key_pairs_.end()) return found->second;
  // The pair holds when the secret key's seed derives exactly this secret key and this public key:
  // then libsodium's signatures with it verify under the public key. One key derivation costs a
  // quarter of the probe signature and verification it replaces.
  std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> derived_public{};
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> derived_secret{};
  crypto_sign_ed25519_sk_to_seed(seed.data(), identity.secret_key.data());
  const bool derived = crypto_sign_seed_keypair(derived_public.data(), derived_secret.data(), seed.data()) == 0;
  const bool holds = derived &&
                     sodium_memcmp(derived_public.data(), identity.public_key.data(), derived_public.size()) == 0 &&
                     sodium_memcmp(derived_secret.data(), identity.secret_key.data(), derived_secret.size()) == 0;
  sodium_memzero(seed.data(), seed.size());
  sodium_memzero(derived_secret.data(), derived_secret.size());
  // A world has a few nodes per daemon start; the map stays small, but it is bounded all the same.
  if (key_pairs_.size() >= 100'000) key_pairs_.clear();
  key_pairs_.emplace(fingerprint, holds);
  return holds;
}

std::string SignatureLedger::sign_hex(const core::Identity& identity, std::string_view message) {
  // A broken pair's signatures are neither remembered nor reused: each is the signer's own.
  if (!key_pair_holds(identity)) return signer_.sign_hex(identity, message);
  signed_key_.assign(reinterpret_cast<const char*>(identity.public_key.data()), identity.public_key.size());
  signed_key_.append(message);
  std::string signature;
  if (const auto known = signed_.find(signed_key_); known != signed_.end()) {
    signature = known->second;
    signatures_remembered_ += 1;
  } else {
    signature = signer_.sign_hex(identity, message);
    signed_.emplace(signed_key_, signature);
    signed_order_.push_back(signed_key_);
    if (signed_order_.size() > entries_max_) {
      signed_.erase(signed_order_.front());
      signed_order_.pop_front();
    }
  }
  assert(signed_.size() == signed_order_.size() && signed_.size() <= entries_max_);
  // The same bytes signed again give the same signature (ed25519 is deterministic): one entry.
  if (entries_.count(signature) == 0) {
    entries_.emplace(signature, Entry{identity.public_key, std::string(message)});
    order_.push_back(signature);
  }
  while (order_.size() > entries_max_) {
    entries_dropped_ += entries_.erase(order_.front());
    order_.pop_front();
  }
  assert(entries_.size() <= order_.size() && order_.size() <= entries_max_);
  return signature;
}

bool SignatureLedger::take(const std::array<std::uint8_t, 32>& public_key, std::string_view message,
                           std::string_view signature_hex) {
  const auto found = entries_.find(signature_hex);
  if (found == entries_.end()) return false;
  const bool made = found->second.public_key == public_key && found->second.message == message;
  if (made) entries_.erase(found);
  return made;
}

}  // namespace zsim::fakes
