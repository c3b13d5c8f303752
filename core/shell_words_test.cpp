#include "core/shell_words.hpp"

#include <gtest/gtest.h>

namespace zsim::core {
namespace {

using Words = std::vector<std::string>;

Words split(std::string_view text) {
  Expected<Words> words = split_shell_words(text);
  EXPECT_TRUE(words.ok()) << text << ": " << (words.ok() ? "" : words.error());
  return words.ok() ? words.value() : Words{};
}

std::string error_of(std::string_view text) {
  Expected<Words> words = split_shell_words(text);
  return words.ok() ? "no error" : words.error();
}

TEST(ShellWords, SplitsOnBlanksOfEveryKind) {
  EXPECT_EQ(split("/bin/app --port 80"), (Words{"/bin/app", "--port", "80"}));
  EXPECT_EQ(split("  a\t b\r\nc  "), (Words{"a", "b", "c"}));
}

TEST(ShellWords, BlankOrCommentOnlyGivesNoWords) {
  EXPECT_EQ(split(""), Words{});
  EXPECT_EQ(split("   "), Words{});
  EXPECT_EQ(split("\t\n"), Words{});
  EXPECT_EQ(split("# only a comment"), Words{});
}

TEST(ShellWords, QuotesKeepBlanksAndGlueToTheirWord) {
  EXPECT_EQ(split("sh -c 'echo hello world'"), (Words{"sh", "-c", "echo hello world"}));
  EXPECT_EQ(split("a'b'\"c d\""), (Words{"abc d"}));
  EXPECT_EQ(split("''"), (Words{""}));
  EXPECT_EQ(split("x \"\" y"), (Words{"x", "", "y"}));
}

TEST(ShellWords, BackslashTakesTheNextByteLiterallyInsideDoubleQuotesAndOutside) {
  EXPECT_EQ(split("a\\ b c"), (Words{"a b", "c"}));
  EXPECT_EQ(split("\"say \\\"hi\\\" \\n\""), (Words{"say \"hi\" n"}));
  // Inside single quotes a backslash is an ordinary byte.
  EXPECT_EQ(split("'a\\b'"), (Words{"a\\b"}));
}

TEST(ShellWords, HashStartsACommentOnlyAtTheStartOfAWord) {
  EXPECT_EQ(split("app #comment here\nnext"), (Words{"app", "next"}));
  EXPECT_EQ(split("a#b"), (Words{"a#b"}));
}

TEST(ShellWords, UnclosedQuotesAndATrailingBackslashAreErrors) {
  EXPECT_EQ(error_of("sh -c 'echo"), "EOF found when expecting closing quote");
  EXPECT_EQ(error_of("\"abc"), "EOF found when expecting closing quote");
  EXPECT_EQ(error_of("abc\\"), "EOF found after escape character");
  EXPECT_EQ(error_of("\"abc\\"), "EOF found after escape character");
}

TEST(ShellWords, NonAsciiBytesAreWordBytes) { EXPECT_EQ(split("caf\xc3\xa9 x"), (Words{"caf\xc3\xa9", "x"})); }

TEST(ShellWords, RefusesAnInputBeyondItsBound) {
  EXPECT_EQ(error_of(std::string(shell_words_input_max + 1, 'a')), "entrypoint too long");
  EXPECT_EQ(split(std::string(shell_words_input_max, 'a')).size(), 1u);
}

}  // namespace
}  // namespace zsim::core
