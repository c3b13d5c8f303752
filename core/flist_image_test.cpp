#include "core/flist_image.hpp"

#include <string>

#include <gtest/gtest.h>

#include "core/md5.hpp"

namespace zsim::core {
namespace {

FlistImage small_image() {
  FlistImage image;
  image.name = "zaibon-ubuntu-ssh-0.0.2.flist";
  image.size_mib = 512;
  image.entrypoint = "/sbin/my_init";
  image.environment = {{"PATH", "/usr/bin:/bin"}, {"GREETING", "a b=c"}};
  image.body = std::string("meta\0db\n", 8);
  return image;
}

bool starts_with(const std::string& text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }

TEST(FlistImage, RoundTrip) {
  const FlistImage image = small_image();
  const Expected<FlistImage> decoded = decode_flist(encode_flist(image));
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  EXPECT_EQ(decoded.value(), image);
}

TEST(FlistImage, RoundTripOfAwkwardFields) {
  FlistImage image;
  image.name = "";
  image.size_mib = 18446744073709551615ULL;
  image.entrypoint = "sh -c 'echo %s\\n'\r\n\tdone";
  image.environment = {{"K=EY", "va\nlue%20="}, {"", ""}, {"\xff\x01", std::string("\0", 1)}};
  std::string body;
  for (int byte = 0; byte < 256; ++byte) body.push_back(static_cast<char>(byte));
  image.body = body + "\nchecksum 00000000000000000000000000000000\n";
  const Expected<FlistImage> decoded = decode_flist(encode_flist(image));
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  EXPECT_EQ(decoded.value(), image);
}

TEST(FlistImage, EncodingIsTheDocumentedText) {
  FlistImage image;
  image.name = "a b";
  image.size_mib = 3;
  image.entrypoint = "/bin/sh";
  image.environment = {{"X", "1=2"}};
  image.body = "BODY";
  const std::string covered = "zflist 1\nname=a%20b\nsize_mib=3\nentrypoint=/bin/sh\nenv=X=1%3D2\nbody 4\nBODY\n";
  EXPECT_EQ(encode_flist(image), covered + "checksum " + md5_hex(covered) + "\n");
}

TEST(FlistImage, EncodingIsDeterministicAndDistinguishesImages) {
  const FlistImage image = small_image();
  EXPECT_EQ(encode_flist(image), encode_flist(image));
  FlistImage other = image;
  other.environment.pop_back();
  EXPECT_NE(encode_flist(image), encode_flist(other));
}

// Every byte, changed in every possible way, makes decode fail.
TEST(FlistImage, EverySingleByteChangeIsDetected) {
  const std::string encoded = encode_flist(small_image());
  ASSERT_LT(encoded.size(), 400U);
  for (std::size_t position = 0; position < encoded.size(); ++position) {
    for (int mask = 1; mask < 256; ++mask) {
      std::string corrupted = encoded;
      corrupted[position] = static_cast<char>(static_cast<unsigned char>(corrupted[position]) ^ mask);
      const Expected<FlistImage> decoded = decode_flist(corrupted);
      ASSERT_FALSE(decoded.ok()) << "position " << position << ", mask " << mask;
      ASSERT_TRUE(starts_with(decoded.error(), "corrupt flist: ")) << decoded.error();
    }
  }
}

TEST(FlistImage, EveryTruncationIsDetected) {
  const std::string encoded = encode_flist(small_image());
  for (std::size_t length = 0; length < encoded.size(); ++length) {
    const Expected<FlistImage> decoded = decode_flist(std::string_view(encoded).substr(0, length));
    ASSERT_FALSE(decoded.ok()) << "length " << length;
    EXPECT_TRUE(starts_with(decoded.error(), "corrupt flist: ")) << decoded.error();
  }
  EXPECT_EQ(decode_flist("").error(), "corrupt flist: truncated");
}

TEST(FlistImage, TrailingBytesAreDetected) {
  const std::string encoded = encode_flist(small_image());
  EXPECT_FALSE(decode_flist(encoded + "\n").ok());
  EXPECT_FALSE(decode_flist(encoded + encoded).ok());
}

TEST(FlistImage, GarbageIsDetected) {
  const std::string garbage_cases[] = {
      "garbage",
      std::string(200, '\0'),
      std::string(200, 'x'),
      "zflist 1\nname=x\n",
      "\x1f\x8b\x08\x00 this looks like a gzip header but is not an flist at all.............",
  };
  for (const std::string& garbage : garbage_cases) {
    const Expected<FlistImage> decoded = decode_flist(garbage);
    ASSERT_FALSE(decoded.ok());
    EXPECT_TRUE(starts_with(decoded.error(), "corrupt flist: ")) << decoded.error();
  }
  EXPECT_EQ(decode_flist(std::string(200, 'x')).error(), "corrupt flist: missing checksum line");
}

// Content with a correct checksum that is not a well-formed image is refused all the same: the
// checksum protects against damage, the parser against everything else.
TEST(FlistImage, MalformedContentWithAValidChecksumIsDetected) {
  const auto with_checksum = [](const std::string& covered) { return covered + "checksum " + md5_hex(covered) + "\n"; };
  struct Case {
    std::string covered;
    const char* error;
  };
  const Case cases[] = {
      {"zflist 2\nname=x\nsize_mib=1\nentrypoint=\nbody 0\n\n", "corrupt flist: bad magic line"},
      {"zflist 1\nname=a b\nsize_mib=1\nentrypoint=\nbody 0\n\n", "corrupt flist: bad field 'name'"},
      {"zflist 1\nname=%2\nsize_mib=1\nentrypoint=\nbody 0\n\n", "corrupt flist: bad field 'name'"},
      {"zflist 1\nname=%41\nsize_mib=1\nentrypoint=\nbody 0\n\n", "corrupt flist: bad field 'name'"},
      {"zflist 1\nname=%3d\nsize_mib=1\nentrypoint=\nbody 0\n\n", "corrupt flist: bad field 'name'"},
      {"zflist 1\nname=x\nsize_mib=01\nentrypoint=\nbody 0\n\n", "corrupt flist: bad field 'size_mib'"},
      {"zflist 1\nname=x\nsize_mib=-1\nentrypoint=\nbody 0\n\n", "corrupt flist: bad field 'size_mib'"},
      {"zflist 1\nname=x\nsize_mib=18446744073709551616\nentrypoint=\nbody 0\n\n",
       "corrupt flist: bad field 'size_mib'"},
      {"zflist 1\nname=x\nsize_mib=1\nbody 0\n\n", "corrupt flist: bad field 'entrypoint'"},
      {"zflist 1\nname=x\nsize_mib=1\nentrypoint=\nenv=novalue\nbody 0\n\n", "corrupt flist: bad field 'env'"},
      {"zflist 1\nname=x\nsize_mib=1\nentrypoint=\nbody 5\nabc\n", "corrupt flist: body is truncated"},
      {"zflist 1\nname=x\nsize_mib=1\nentrypoint=\nbody 1\nabc\n", "corrupt flist: unexpected bytes after the body"},
      {"zflist 1\nname=x\nsize_mib=1\nentrypoint=\nbody x\n\n", "corrupt flist: bad body line"},
      {"zflist 1\nname=x\nsize_mib=1\nentrypoint=\n", "corrupt flist: bad body line"},
  };
  for (const Case& c : cases) {
    const Expected<FlistImage> decoded = decode_flist(with_checksum(c.covered));
    ASSERT_FALSE(decoded.ok()) << c.covered;
    EXPECT_EQ(decoded.error(), c.error) << c.covered;
  }
  const Expected<FlistImage> minimal =
      decode_flist(with_checksum("zflist 1\nname=x\nsize_mib=0\nentrypoint=\nbody 0\n\n"));
  ASSERT_TRUE(minimal.ok()) << minimal.error();
  EXPECT_EQ(minimal.value().name, "x");
}

TEST(FlistImage, ChecksumMismatchIsNamed) {
  std::string encoded = encode_flist(small_image());
  const std::size_t name_at = encoded.find("name=") + 5;
  encoded[name_at] = encoded[name_at] == 'z' ? 'y' : 'z';
  EXPECT_EQ(decode_flist(encoded).error(), "corrupt flist: checksum mismatch");
}

}  // namespace
}  // namespace zsim::core
