#include "sim/secret_scanner.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace zsim::sim {
namespace {

TEST(SecretScanner, FindsLongAndShortSecretsAnywhere) {
  SecretScanner scanner;
  scanner.add("zsim-secret-0123456789abcdef");
  scanner.add("pw1");
  EXPECT_TRUE(scanner.found_in("prefix zsim-secret-0123456789abcdef suffix"));
  EXPECT_TRUE(scanner.found_in("zsim-secret-0123456789abcdef"));
  EXPECT_TRUE(scanner.found_in("the pw1 here"));
  EXPECT_FALSE(scanner.found_in("zsim-secret-0123456789abcde"));  // One byte short.
  EXPECT_FALSE(scanner.found_in("nothing to see"));
  EXPECT_FALSE(scanner.found_in(""));
  EXPECT_EQ(scanner.size(), 2u);
}

TEST(SecretScanner, SecretsSharingTheirFirstWindowAreTellApart) {
  SecretScanner scanner;
  scanner.add("same-prefix-AAAA");
  EXPECT_FALSE(scanner.found_in("xx same-prefix-BBBB xx"));
  scanner.add("same-prefix-BBBB");
  EXPECT_TRUE(scanner.found_in("xx same-prefix-BBBB xx"));
}

// Property: the scanner agrees with a naive search on any text and any secrets.
RC_GTEST_PROP(SecretScannerProperty, AgreesWithNaiveSearch, (std::vector<std::string> secrets, std::string text)) {
  SecretScanner scanner;
  bool naive = false;
  for (std::string& secret : secrets) {
    if (secret.empty()) continue;
    naive = naive || text.find(secret) != std::string::npos;
    scanner.add(secret);
  }
  // Plant one secret in the text now and then, so that hits are exercised too.
  if (!secrets.empty() && !secrets.front().empty() && *rc::gen::arbitrary<bool>()) {
    text += secrets.front();
    naive = true;
  }
  RC_ASSERT(scanner.found_in(text) == naive);
}

}  // namespace
}  // namespace zsim::sim
