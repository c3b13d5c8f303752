#include "core/md5.hpp"

#include <cstddef>
#include <string>

#include <gtest/gtest.h>

namespace zsim::core {
namespace {

// The test suite of RFC 1321, appendix A.5.
TEST(Md5, Rfc1321TestSuite) {
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5_hex("a"), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(md5_hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(md5_hex("abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(md5_hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
            "d174ab98d277d9f5a5611c2c9f419d9f");
  EXPECT_EQ(md5_hex("1234567890123456789012345678901234567890123456789012345678901234567890123456"
                    "7890"),
            "57edf4a22be3c955ac49da2e2107b67a");
}

// Lengths around the block and padding boundaries: 55 bytes is the longest tail that pads into one
// block, 56 the shortest that needs two; 64 and 128 are whole blocks. Digests from coreutils md5sum.
TEST(Md5, PaddingBoundaries) {
  struct Case {
    std::size_t length;
    const char* digest;
  };
  const Case cases[] = {
      {55, "ef1772b6dff9a122358552954ad0df65"},  {56, "3b0c8ac703f828b04c6c197006d17218"},
      {63, "b06521f39153d618550606be297466d5"},  {64, "014842d480b571495a4a0363793f7367"},
      {65, "c743a45e0d2e6a95cb859adae0248435"},  {119, "8a7bd0732ed6a28ce75f6dabc90e1613"},
      {120, "5f61c0ccad4cac44c75ff505e1f1e537"}, {128, "e510683b3f5ffe4093d021808bc6ff70"},
      {1000, "cabe45dcc9ae5b66ba86600cca6b8ba8"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(md5_hex(std::string(c.length, 'a')), c.digest) << "length " << c.length;
  }
}

// Many blocks, and every byte value, including NUL bytes inside the input.
TEST(Md5, MultiBlockBinaryInput) {
  std::string data;
  for (int repeat = 0; repeat < 4; ++repeat) {
    for (int byte = 0; byte < 256; ++byte) {
      data.push_back(static_cast<char>(byte));
    }
  }
  ASSERT_EQ(data.size(), 1024U);
  EXPECT_EQ(md5_hex(data), "b2ea9f7fcea831a4a63b213f41a8855b");
}

TEST(Md5, OneMillionA) {
  EXPECT_EQ(md5_hex(std::string(1'000'000, 'a')), "7707d6ae4e027c70eea2a935c2296f21");
}

TEST(Md5, OutputIsLowerCaseHexOf32Characters) {
  const std::string digest = md5_hex("zsim");
  ASSERT_EQ(digest.size(), 32U);
  for (const char c : digest) {
    EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << digest;
  }
}

}  // namespace
}  // namespace zsim::core
