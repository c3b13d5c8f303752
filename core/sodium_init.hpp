#pragma once
// libsodium must be initialised before its first use (it picks implementations and seeds its
// random source). Every core function that calls libsodium calls this first, so that no caller has
// to remember a global set-up step.

namespace zsim::core {

// Idempotent and safe to call from any thread; aborts when libsodium cannot be initialised, since
// nothing that needs it can work after that.
void ensure_sodium_initialised();

}  // namespace zsim::core
