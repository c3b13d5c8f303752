// The RESP2 request parser of the fake redis server and redis's glob match, on bytes alone.

#include "fakes/resp_protocol.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace zsim::fakes {
namespace {

constexpr std::size_t bulk_max = std::size_t{1} << 20;

struct Parsed {
  RespParseOutcome outcome;
  std::vector<std::string> args;
};

Parsed parse(std::string_view input) {
  std::vector<std::string_view> views;
  Parsed parsed{parse_resp_request(input, views, bulk_max), {}};
  for (const std::string_view view : views) parsed.args.emplace_back(view);
  return parsed;
}

TEST(RespParse, ReadsMultibulkAndInlineRequests) {
  using namespace std::string_literals;
  const std::string publish = "*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n$5\r\nhe\0lo\r\n"s;
  const Parsed multibulk = parse(publish);
  ASSERT_EQ(multibulk.outcome.status, RespParse::complete);
  EXPECT_EQ(multibulk.outcome.consumed, publish.size());
  EXPECT_EQ(multibulk.args, (std::vector<std::string>{"PUBLISH", "ch", std::string("he\0lo", 5)}));
  const Parsed words = parse("SUBSCRIBE  a\tb\r\nPING\n");
  ASSERT_EQ(words.outcome.status, RespParse::complete);
  EXPECT_EQ(words.outcome.consumed, 16U);
  EXPECT_EQ(words.args, (std::vector<std::string>{"SUBSCRIBE", "a", "b"}));
  const Parsed empty_line = parse("\r\n");
  EXPECT_EQ(empty_line.outcome.status, RespParse::complete);
  EXPECT_TRUE(empty_line.args.empty());
}

TEST(RespParse, WaitsForTheRestOfARequest) {
  EXPECT_EQ(parse("*2\r\n$4\r\nPING").outcome.status, RespParse::incomplete);
  EXPECT_EQ(parse("*2\r\n$4\r\nPING\r\n").outcome.status, RespParse::incomplete);
  EXPECT_EQ(parse("*1").outcome.status, RespParse::incomplete);
  EXPECT_EQ(parse("PING").outcome.status, RespParse::incomplete);
}

TEST(RespParse, RefusesWhatRedisRefuses) {
  EXPECT_EQ(parse("*x\r\n").outcome.error, "Protocol error: invalid multibulk length");
  EXPECT_EQ(parse("*1048577\r\n").outcome.error, "Protocol error: invalid multibulk length");
  EXPECT_EQ(parse("*1\r\n:1\r\n").outcome.error, "Protocol error: expected '$'");
  EXPECT_EQ(parse("*1\r\n$-1\r\n").outcome.error, "Protocol error: invalid bulk length");
  EXPECT_EQ(parse("*1\r\n$1048577\r\n").outcome.error, "Protocol error: invalid bulk length");
  EXPECT_EQ(parse(std::string(resp_inline_bytes_max + 1, 'a')).outcome.error, "Protocol error: too big inline request");
  EXPECT_EQ(parse("*" + std::string(resp_inline_bytes_max + 1, '1')).outcome.error,
            "Protocol error: too big mbulk count string");
}

TEST(GlobMatch, FollowsRedisStringmatch) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*", "anything"));
  EXPECT_TRUE(glob_match("logs/?", "logs/1"));
  EXPECT_FALSE(glob_match("logs/?", "logs/12"));
  EXPECT_TRUE(glob_match("a*b*c", "axxbyyc"));
  EXPECT_FALSE(glob_match("a*b*c", "axxbyy"));
  EXPECT_TRUE(glob_match("h[ae]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[ae]llo", "hillo"));
  EXPECT_TRUE(glob_match("h[^e]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[^e]llo", "hello"));
  EXPECT_TRUE(glob_match("h[a-b]llo", "hbllo"));
  EXPECT_FALSE(glob_match("h[a-b]llo", "hcllo"));
  EXPECT_TRUE(glob_match("a\\*b", "a*b"));
  EXPECT_FALSE(glob_match("a\\*b", "axb"));
  EXPECT_FALSE(glob_match("abc", "ab"));
  EXPECT_FALSE(glob_match("?", ""));
}

std::string escape(const std::string& text) {
  std::string result;
  for (char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') result.push_back('\\');
    result.push_back(c);
  }
  return result;
}

RC_GTEST_PROP(GlobMatch, AnEscapedTextMatchesExactlyItself, (const std::string& text, const std::string& other)) {
  RC_ASSERT(glob_match(escape(text), text));
  RC_ASSERT(glob_match(escape(text), other) == (text == other));
  RC_ASSERT(glob_match("*", text));
  RC_ASSERT(glob_match(escape(text) + "*", text + other));
  RC_ASSERT(glob_match("*" + escape(other), text + other));
}

// Patterns of many stars made redis's recursive stringmatchlen take exponential time
// (CVE-2022-36021) and, with enough stars, overflow the stack; the iterative match is
// O(pattern × text) and needs no stack. Under the old matcher these calls did not return.
TEST(GlobMatch, ManyStarsTakePolynomialTimeAndNoStack) {
  const std::string text(200, 'a');
  EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", text));
  EXPECT_TRUE(glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*", text));
  std::string stars;
  for (int index = 0; index < 1'000'000; index++) stars += "*a";
  EXPECT_FALSE(glob_match(stars + "b", "ab"));
  EXPECT_TRUE(glob_match(stars, std::string(1'000'000, 'a')));
}

TEST(GlobMatch, SetsFollowRedisQuirks) {
  EXPECT_TRUE(glob_match("[z-a]", "m"));      // A reversed range is swapped.
  EXPECT_TRUE(glob_match("[a\\]]", "]"));     // An escaped ']' inside a set.
  EXPECT_TRUE(glob_match("x[abc", "xb"));     // An unclosed set ends at the end of the pattern.
  EXPECT_FALSE(glob_match("x[abc", "x"));
  EXPECT_TRUE(glob_match("a\\", "a\\"));      // A trailing backslash is itself.
  EXPECT_TRUE(glob_match("*[^x]", "yyy"));
}

}  // namespace
}  // namespace zsim::fakes
