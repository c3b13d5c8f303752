// The redis URL parser on arbitrary bytes: errors are one line and never show credentials; a URL
// that parses displays itself with the password masked, and that display parses back to the same
// server and channel.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/reservation.hpp"
#include "fuzz/fuzz_check.hpp"

namespace {

using namespace zsim;

// The parser's errors: fixed texts, and the port's text, which may be shown only when it comes
// after every '@' of the URL (an '@' after the first '/' means a '/' inside a password may have
// ended the authority early, so the "port" may be a piece of the password).
void check_no_credentials(std::string_view url, std::string_view error) {
  static constexpr std::string_view fixed[] = {
      "invalid scheme, expected redis://",
      "missing channel name, expected: redis://host/channel",
      "missing host, expected: redis://host/channel",
      "unsupported user name in redis URL, expected redis://[:password@]host[:port]/channel",
      "invalid host, expected a closing ']' after an IPv6 address",
      "invalid host, expected ':port' after ']'",
      "invalid host, '[' and ']' only enclose an IPv6 address",
      "invalid port '***', expected a number from 1 to 65535 (not shown: with an @ after the first /, it may be "
      "part of a password)",
  };
  for (const std::string_view text : fixed) {
    if (error == text) return;
  }
  constexpr std::string_view port_prefix = "invalid port '";
  constexpr std::string_view port_suffix = "', expected a number from 1 to 65535";
  fuzz::require(error.starts_with(port_prefix) && error.ends_with(port_suffix), "an error is one the parser documents",
                error);
  const std::size_t slash = url.find('/', 8);
  const std::size_t at = url.rfind('@');
  fuzz::require(at == std::string_view::npos || (slash != std::string_view::npos && at < slash),
                "a port is shown only when no '@' follows the first '/'", error);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const core::Expected<core::RedisUrl> url = core::parse_redis_url(text);
  if (!url) {
    fuzz::require_one_line_error(url.error());
    check_no_credentials(text, url.error());
    return 0;
  }
  const core::RedisUrl& parsed = url.value();
  fuzz::require(!parsed.host.empty() && !parsed.channel.empty() && parsed.port != 0, "a parsed URL is complete");
  const std::string display = parsed.display();
  const core::Expected<core::RedisUrl> again = core::parse_redis_url(display);
  fuzz::require(again.ok(), "the display of a URL parses", again.ok() ? display : again.error());
  fuzz::require(again.value().address() == parsed.address(), "the display names the same server", display);
  fuzz::require(again.value().channel == parsed.channel, "the display names the same channel", display);
  fuzz::require(again.value().password == (parsed.password.empty() ? "" : "***"), "the display masks the password",
                display);
  return 0;
}
