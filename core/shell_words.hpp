#pragma once
// Splitting an entrypoint into words the way zos did (pkg/container/container.go calls
// github.com/google/shlex's Split; docs/ZOS.md, "Entrypoint"):
//   - space, tab, CR and LF separate words;
//   - a backslash outside quotes takes the next byte literally;
//   - single quotes take everything literally up to the closing quote;
//   - double quotes take everything up to the closing quote, a backslash inside them taking the
//     next byte literally (any byte, not only the shell's four);
//   - '#' at the start of a word begins a comment that runs to the end of the line;
//   - quotes glue to the word around them: a'b'"c" is one word, abc; '' is one empty word.
// Errors, exactly google/shlex's: "EOF found when expecting closing quote" (an unclosed quote) and
// "EOF found after escape character" (a backslash at the very end). Classes apply to ASCII bytes;
// other bytes are word bytes, copied as they are.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace zsim::core {

// An entrypoint longer than this is refused as a whole (a bound on the work; zos had none).
inline constexpr std::size_t shell_words_input_max = 64 * 1024;

Expected<std::vector<std::string>> split_shell_words(std::string_view text);

}  // namespace zsim::core
