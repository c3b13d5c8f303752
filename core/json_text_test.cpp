// JSON text read with limits: nesting and string length bounded while parsing, a NUL byte and a
// number beyond a double refused, and no error quoting the text.

#include "core/json_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace zsim::core {
namespace {

using nlohmann::json;

JsonTextError error_of(std::string_view text, const JsonTextLimits& limits = {}) {
  json value;
  const std::optional<JsonTextError> error = parse_json_text(text, value, limits);
  EXPECT_TRUE(error.has_value()) << text.substr(0, 200);
  EXPECT_TRUE(value.is_null());
  return error.value_or(JsonTextError{"<none>", "<parsed>"});
}

TEST(JsonText, ParsesWhatNlohmannParses) {
  json value;
  ASSERT_FALSE(parse_json_text(R"({"a": [1, -2, 3.5, "x", true, null, {"b": {}}]})", value).has_value());
  EXPECT_EQ(value, json::parse(R"({"a": [1, -2, 3.5, "x", true, null, {"b": {}}]})"));
}

TEST(JsonText, NestingIsBoundedAndNamesThePath) {
  const JsonTextLimits limits{3, 100};
  json value;
  EXPECT_FALSE(parse_json_text(R"({"a": [{"b": 1}]})", value, limits).has_value());
  const JsonTextError error = error_of(R"({"a": [7, {"b": [1]}]})", limits);
  EXPECT_EQ(error.path, "a[1].b");
  EXPECT_EQ(error.message, "nested deeper than 3 levels (limit json_depth_max)");
  // 100,000 levels: refused at level 65, without recursion anywhere.
  const JsonTextError deep = error_of(std::string(100'000, '['));
  EXPECT_EQ(deep.message, "nested deeper than 64 levels (limit json_depth_max)");
}

TEST(JsonText, StringsAndFieldNamesAreBounded) {
  const JsonTextLimits limits{64, 8};
  json value;
  EXPECT_FALSE(parse_json_text(R"({"12345678": "12345678"})", value, limits).has_value());
  JsonTextError error = error_of(R"({"list": ["ok", "123456789"]})", limits);
  EXPECT_EQ(error.path, "list[1]");
  EXPECT_EQ(error.message, "a string longer than 8 bytes (limit json_string_bytes_max)");
  error = error_of(R"({"a": {"123456789": 1}})", limits);
  EXPECT_EQ(error.path, "a");
  EXPECT_EQ(error.message, "a field name longer than 8 bytes (limit json_string_bytes_max)");
}

TEST(JsonText, FieldNamesInPathsAreEscapedAndCut) {
  const JsonTextError error = error_of("{\"a\\nb\": [[[1]]]}", JsonTextLimits{3, 100});
  EXPECT_EQ(error.path, "a\\nb[0][0]");
}

TEST(JsonText, LongPathsKeepTheirStartAndEnd) {
  std::string text;
  for (int level = 0; level < 63; level++) text += "{\"" + std::string(100, 'k') + "\": ";
  text += "[1, 2, \"" + std::string(200, 's') + "\"]";
  for (int level = 0; level < 63; level++) text += "}";
  const JsonTextError error = error_of(text, JsonTextLimits{64, 100});
  EXPECT_LE(error.path.size(), 500U);
  EXPECT_TRUE(error.path.starts_with(std::string(64, 'k') + "... (100 bytes)." + std::string(64, 'k'))) << error.path;
  EXPECT_TRUE(error.path.ends_with(std::string(64, 'k') + "... (100 bytes)[2]")) << error.path;
  EXPECT_NE(error.path.find("..."), std::string::npos);
}

TEST(JsonText, ANulByteIsRefusedWhereverItIs) {
  // nlohmann's lexer takes a NUL byte for the end of the input: "{}\0garbage" would be "{}".
  JsonTextError error = error_of(std::string("{}\0garbage", 10));
  EXPECT_EQ(error.path, "");
  EXPECT_EQ(error.message, "invalid JSON at line 1, column 3: a NUL byte, which JSON text cannot hold");
  error = error_of(std::string("{\n \"a\": \"x\0\"}", 12));
  EXPECT_EQ(error.message, "invalid JSON at line 2, column 9: a NUL byte, which JSON text cannot hold");
}

TEST(JsonText, ANumberBeyondADoubleIsNamedButNotShown) {
  JsonTextError error = error_of(R"({"secret": [1, 31337e400]})");
  EXPECT_EQ(error.path, "secret[1]");
  EXPECT_EQ(error.message.find("31337"), std::string::npos) << error.message;
  // The column of the number's last character, as for nlohmann's other errors.
  EXPECT_EQ(error.message, "invalid JSON at line 1, column 24: a number beyond the range of a double (about 1.8e308)");
  error = error_of("-1e400");
  EXPECT_EQ(error.path, "");
}

TEST(JsonText, SyntaxErrorsGiveLineAndColumnWithoutAnExcerpt) {
  const JsonTextError error = error_of("{\"token\": hunter2}");
  EXPECT_EQ(error.path, "");
  EXPECT_EQ(error.message, "invalid JSON at line 1, column 11: invalid literal");
}

}  // namespace
}  // namespace zsim::core
