#pragma once
// MD5 (RFC 1321), the digest the flist hub publishes beside each flist as <url>.md5.
// It identifies content; it is not used for security.

#include <string>
#include <string_view>

namespace zsim::core {

// Lower-case hex, 32 characters.
std::string md5_hex(std::string_view data);

}  // namespace zsim::core
