// Untrusted text in messages: one line, short, and read back without ambiguity.

#include "core/untrusted_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace zsim::core {
namespace {

TEST(UntrustedText, PrintableTextIsKept) {
  EXPECT_EQ(escape_untrusted("node-1 'quoted' \"too\""), "node-1 'quoted' \"too\"");
  EXPECT_EQ(escape_untrusted("café ünïcode ✓"), "café ünïcode ✓");
  EXPECT_EQ(escape_untrusted(""), "");
}

TEST(UntrustedText, ControlCharactersAreEscaped) {
  // A newline would let a file forge a line of zsim's own output.
  EXPECT_EQ(escape_untrusted("x\nother.json: ok"), "x\\nother.json: ok");
  EXPECT_EQ(escape_untrusted("a\rb\tc"), "a\\rb\\tc");
  EXPECT_EQ(escape_untrusted("\x1b[2J\x7f"), "\\x1B[2J\\x7F");
  EXPECT_EQ(escape_untrusted(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(escape_untrusted("back\\slash"), "back\\\\slash");
  // C1 controls, line separators and bidirectional overrides, though valid UTF-8.
  EXPECT_EQ(escape_untrusted("\xc2\x85"), "\\u{0085}");
  EXPECT_EQ(escape_untrusted("a\xe2\x80\xa8" "b"), "a\\u{2028}b");
  EXPECT_EQ(escape_untrusted("\xe2\x80\xaegnp.exe"), "\\u{202E}gnp.exe");
}

TEST(UntrustedText, BytesThatAreNotUtf8AreEscaped) {
  EXPECT_EQ(escape_untrusted("\xff\xfe"), "\\xFF\\xFE");
  EXPECT_EQ(escape_untrusted("\xc3"), "\\xC3");                  // A sequence cut short.
  EXPECT_EQ(escape_untrusted("\xc0\xaf"), "\\xC0\\xAF");          // Overlong '/'.
  EXPECT_EQ(escape_untrusted("\xed\xa0\x80"), "\\xED\\xA0\\x80");  // A surrogate.
  EXPECT_EQ(escape_untrusted("\xf4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80");  // Beyond U+10FFFF.
}

TEST(UntrustedText, LongTextIsCutAtACharacterAndSaysItsLength) {
  EXPECT_EQ(escape_untrusted(std::string(70'000, 'a')), std::string(128, 'a') + "... (70000 bytes)");
  EXPECT_EQ(escape_untrusted(std::string(128, 'a')), std::string(128, 'a'));
  // "é" is two bytes: the cut never splits it.
  EXPECT_EQ(escape_untrusted("abcé", 4), "abc... (5 bytes)");
  EXPECT_EQ(escape_untrusted("abcdé", 4), "abcd... (6 bytes)");
}

TEST(UntrustedText, OutputIsOneLineOfPrintableBytes) {
  std::string every_byte;
  for (int byte = 0; byte < 256; byte++) every_byte.push_back(static_cast<char>(byte));
  const std::string shown = escape_untrusted(every_byte, every_byte.size());
  for (const char c : shown) {
    const auto byte = static_cast<unsigned char>(c);
    EXPECT_TRUE(byte >= 0x20 && byte != 0x7f) << "byte " << static_cast<int>(byte) << " in " << shown;
  }
}

}  // namespace
}  // namespace zsim::core
