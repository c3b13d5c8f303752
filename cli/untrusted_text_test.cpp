#include "cli/untrusted_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace zsim::cli {
namespace {

TEST(UntrustedText, PlainTextAndUtf8StayAsTheyAre) {
  EXPECT_EQ(printable("scenarios/feature-stats.json"), "scenarios/feature-stats.json");
  EXPECT_EQ(printable("café — ü 日本 😀"), "café — ü 日本 😀");
  EXPECT_TRUE(is_printable("a b\\c"));
}

TEST(UntrustedText, ALineBreakCannotForgeAnotherLine) {
  const std::string forged = printable("x\nother.json: ok\r\n");
  EXPECT_EQ(forged, "x\\nother.json: ok\\r\\n");
  EXPECT_EQ(forged.find('\n'), std::string::npos);
}

TEST(UntrustedText, TerminalControlsBecomeVisible) {
  EXPECT_EQ(printable("\x1b[31mred\x07\x7f\t"), "\\x1B[31mred\\x07\\x7F\\t");
  EXPECT_EQ(printable(std::string("a\0b", 3)), "a\\x00b");
  // C1 controls (a CSI as U+009B) and a right-to-left override, in UTF-8.
  EXPECT_EQ(printable("\xc2\x9b" "2J"), "\\u009B2J");
  EXPECT_EQ(printable("abc\xe2\x80\xae" "txt"), "abc\\u202Etxt");
}

TEST(UntrustedText, BytesThatAreNotUtf8AreEscapedOneByOne) {
  EXPECT_EQ(printable("bad\xff.json"), "bad\\xFF.json");
  EXPECT_EQ(printable("\xc3"), "\\xC3");                 // A cut sequence.
  EXPECT_EQ(printable("\xc0\xaf"), "\\xC0\\xAF");        // An overlong '/'.
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xED\\xA0\\x80");  // A surrogate.
  EXPECT_EQ(printable("\xf4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80");  // Past U+10FFFF.
}

TEST(UntrustedText, EscapingIsIdempotent) {
  const std::string once = printable("a\n\xff\x1b");
  EXPECT_EQ(printable(once), once);
}

TEST(UntrustedText, ALongLineIsCutWithoutSplittingAnEscapeOrACharacter) {
  const std::string cut = printable_line(std::string(100, 'a'), 10);
  EXPECT_EQ(cut, "aaaaaaaaaa ... (90 more bytes)");
  // "ab" then the 2-byte escape of a newline, which would cross the bound of 3: it is left out whole.
  EXPECT_EQ(printable_line("ab\ncd", 3), "ab ... (3 more bytes)");
  EXPECT_EQ(printable_line("ab\n", 4), "ab\\n");
  EXPECT_EQ(printable_line("a\xff", 3), "a ... (1 more bytes)");
  EXPECT_EQ(printable_line("aé", 2), "a ... (2 more bytes)");
  EXPECT_LE(printable_line(std::string(1 << 20, '\x01')).size(), printed_line_bytes_max + 32);
}

}  // namespace
}  // namespace zsim::cli
