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
  const auto found = key_pairs_.find(identity.public_key);
  if (found != key_pairs_.end()) return found->second;
  static constexpr unsigned char probe[] = "zsim signature ledger: key pair check";
  std::array<unsigned char, crypto_sign_BYTES> signature{};
  crypto_sign_detached(signature.data(), nullptr, probe, sizeof probe, identity.secret_key.data());
  const bool holds = crypto_sign_verify_detached(signature.data(), probe, sizeof probe, identity.public_key.data()) == 0;
  // A world has a few nodes per daemon start; the map stays small, but it is bounded all the same.
  if (key_pairs_.size() >= 100'000) key_pairs_.clear();
  key_pairs_.emplace(identity.public_key, holds);
  return holds;
}

std::string SignatureLedger::sign_hex(const core::Identity& identity, std::string_view message) {
  std::string signature = signer_.sign_hex(identity, message);
  if (!key_pair_holds(identity)) return signature;
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
