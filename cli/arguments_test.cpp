#include "cli/arguments.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace zsim::cli {
namespace {

std::string refusal(std::string_view text, std::uint64_t min, std::uint64_t max) {
  const core::Expected<std::uint64_t> parsed = parse_whole_number(text, min, max);
  return parsed ? "accepted" : parsed.error();
}

TEST(Arguments, AcceptsDecimalDigitsWithinTheRange) {
  EXPECT_EQ(parse_whole_number("0", 0, 10).value(), 0u);
  EXPECT_EQ(parse_whole_number("007", 0, 10).value(), 7u);
  EXPECT_EQ(parse_whole_number("18446744073709551615", 0, UINT64_MAX).value(), UINT64_MAX);
}

TEST(Arguments, RefusesWhatIsNotADecimalIntegerSayingWhy) {
  EXPECT_EQ(refusal("-1", 0, UINT64_MAX), "expected an integer from 0 to 18446744073709551615, got '-1' (negative)");
  EXPECT_EQ(refusal("18446744073709551616", 0, UINT64_MAX),
            "expected an integer from 0 to 18446744073709551615, got '18446744073709551616' (too large)");
  EXPECT_EQ(refusal("-0", 0, 5), "expected an integer from 0 to 5, got '-0' (no sign allowed)");
  EXPECT_EQ(refusal("+3", 0, 5), "expected an integer from 0 to 5, got '+3' (no sign allowed)");
  EXPECT_EQ(refusal("1e3", 0, 5), "expected an integer from 0 to 5, got '1e3' (not an integer: digits only)");
  for (const char* text : {"0x10", " 5", "5 ", "1.0", "five"}) {
    EXPECT_NE(refusal(text, 0, 100).find("(not an integer: digits only)"), std::string::npos) << text;
  }
  EXPECT_NE(refusal("", 0, 100).find("got '' (empty)"), std::string::npos);
}

TEST(Arguments, RefusesNumbersOutsideTheRange) {
  EXPECT_EQ(refusal("0", 1, 1000), "expected an integer from 1 to 1000, got '0' (too small)");
  EXPECT_EQ(refusal("1001", 1, 1000), "expected an integer from 1 to 1000, got '1001' (too large)");
}

TEST(Arguments, EchoesTheArgumentEscapedAndCut) {
  const std::string error = refusal("1\n2" + std::string(500, '9'), 0, 5);
  EXPECT_EQ(error.find('\n'), std::string::npos);
  EXPECT_NE(error.find("1\\n2"), std::string::npos);
  EXPECT_LT(error.size(), 200u);
}

TEST(Arguments, AsACliCheckTheOptionIsNamedAndTheValueKept) {
  CLI::App app;
  std::uint64_t seed = 0;
  app.add_option("--seed", seed)->check(whole_number(0, UINT64_MAX));
  EXPECT_NO_THROW(app.parse(std::vector<std::string>{"18446744073709551615", "--seed"}));
  EXPECT_EQ(seed, UINT64_MAX);
  try {
    app.parse(std::vector<std::string>{"-1", "--seed"});
    ADD_FAILURE() << "--seed -1 was accepted";
  } catch (const CLI::ParseError& error) {
    EXPECT_NE(std::string(error.what()).find("--seed: expected an integer"), std::string::npos) << error.what();
  }
}

TEST(Arguments, AnUnknownOptionIsNamedAsOneWithTheHintAboutDashDash) {
  CLI::App app;
  CLI::App* validate = app.add_subcommand("validate");
  std::vector<std::string> files;
  validate->add_option("FILE", files);
  try {
    app.parse(std::vector<std::string>{"-x.json", "validate"});
    ADD_FAILURE() << "-x.json was accepted";
  } catch (const CLI::ParseError& error) {
    const std::string message = parse_failure_message(&app, error);
    EXPECT_EQ(message, "zsim validate: unknown option '-x.json' (a file whose name starts with '-' goes after --, as in "
                       "-- -x.json) (see zsim validate --help)\n");
  }
}

}  // namespace
}  // namespace zsim::cli
