#include "core/sodium_init.hpp"

#include <cstdio>
#include <cstdlib>

#include <sodium.h>

namespace zsim::core {

namespace {

int initialise_once() {
  // sodium_init() returns 0 on the first success, 1 when already initialised, -1 on failure.
  const int status = sodium_init();
  if (status < 0) {
    // Not an assert: this must stop the program in release builds too, because continuing would
    // mean signing and encrypting with an unusable library.
    std::fputs("zsim: libsodium could not be initialised\n", stderr);
    std::abort();
  }
  return status;
}

}  // namespace

void ensure_sodium_initialised() {
  // A function-local static is initialised exactly once, even with concurrent callers.
  static const int status = initialise_once();
  (void)status;
}

}  // namespace zsim::core
