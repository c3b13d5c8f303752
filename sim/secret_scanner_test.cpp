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

// The text is read at every stride-th offset only: a secret must be found wherever it starts,
// whatever its length (8 bytes: one window, stride 1; 15 and more: stride 8), and a text holding
// all of it but one byte must not match.
TEST(SecretScanner, FindsASecretAtEveryOffsetAndLength) {
  for (std::size_t length = 8; length <= 40; length += 1) {
    std::string secret;
    for (std::size_t index = 0; index < length; index += 1) secret.push_back(static_cast<char>('a' + index % 26));
    SecretScanner scanner;
    scanner.add(secret);
    for (std::size_t offset = 0; offset <= 20; offset += 1) {
      const std::string padding(offset, '.');
      EXPECT_TRUE(scanner.found_in(padding + secret)) << length << " at " << offset;
      EXPECT_TRUE(scanner.found_in(padding + secret + "..")) << length << " at " << offset;
      EXPECT_FALSE(scanner.found_in(padding + secret.substr(1))) << length << " at " << offset;
      EXPECT_FALSE(scanner.found_in(padding + secret.substr(0, length - 1) + "."));
    }
  }
}

// A shorter secret added later lowers the stride for every secret, the earlier ones too.
TEST(SecretScanner, AShortSecretLowersTheStrideForAll) {
  SecretScanner scanner;
  scanner.add("zsim-secret-0123456789abcdef");
  scanner.add("12345678");
  for (std::size_t offset = 0; offset <= 9; offset += 1) {
    EXPECT_TRUE(scanner.found_in(std::string(offset, ' ') + "zsim-secret-0123456789abcdef"));
    EXPECT_TRUE(scanner.found_in(std::string(offset, ' ') + "12345678"));
  }
  EXPECT_EQ(scanner.size(), 2u);
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
