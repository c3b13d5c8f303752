#pragma once
// The content of an flist as zsim models it. A real flist is a tar of a sqlite metadata database;
// zsim keeps the parts that change provisioning: a name, a nominal size, the default entrypoint and
// environment of its .startup.toml, and a body whose integrity the filesystem daemon checks at
// mount. The encoding is a small text format with its own checksum, so a corrupted flist is
// detected by decode(), as a corrupt flist fails the real mount.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/expected.hpp"

namespace zsim::core {

struct FlistImage {
  std::string name;                 // e.g. "zaibon-ubuntu-ssh-0.0.2.flist"
  std::uint64_t size_mib = 0;       // Nominal size of the files it describes.
  std::string entrypoint;           // Default entrypoint from .startup.toml; may be empty.
  std::vector<std::pair<std::string, std::string>> environment;  // Default environment.
  std::string body;                 // Stand-in for the metadata database; any bytes.
  bool operator==(const FlistImage&) const = default;
};

// Deterministic text: header lines, the body, and a checksum line over everything before it.
std::string encode_flist(const FlistImage& image);
// Error "corrupt flist: <why>" when the bytes are not an encoded flist or the checksum differs.
Expected<FlistImage> decode_flist(std::string_view bytes);

}  // namespace zsim::core
