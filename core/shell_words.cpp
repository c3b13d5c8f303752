#include "core/shell_words.hpp"

#include <cassert>

namespace zsim::core {

namespace {

enum class State : unsigned char { start, word, escaping, quoted_escaping, double_quoted, single_quoted, comment };

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// One step of google/shlex's tokenizer for a byte that is not the end of the input. It appends to
// word, and returns true when the byte ends the current word.
bool step(State& state, char c, std::string& word, bool& in_word) {
  switch (state) {
    case State::start:
      if (is_space(c)) return false;
      if (c == '#') {
        state = State::comment;
        return false;
      }
      in_word = true;
      if (c == '"') state = State::double_quoted;
      else if (c == '\'') state = State::single_quoted;
      else if (c == '\\') state = State::escaping;
      else {
        word.push_back(c);
        state = State::word;
      }
      return false;
    case State::word:
      if (is_space(c)) return true;
      if (c == '"') state = State::double_quoted;
      else if (c == '\'') state = State::single_quoted;
      else if (c == '\\') state = State::escaping;
      else word.push_back(c);
      return false;
    case State::escaping:
      word.push_back(c);
      state = State::word;
      return false;
    case State::quoted_escaping:
      word.push_back(c);
      state = State::double_quoted;
      return false;
    case State::double_quoted:
      if (c == '"') state = State::word;
      else if (c == '\\') state = State::quoted_escaping;
      else word.push_back(c);
      return false;
    case State::single_quoted:
      if (c == '\'') state = State::word;
      else word.push_back(c);
      return false;
    case State::comment:
      if (c == '\n') state = State::start;
      return false;
  }
  return false;
}

}  // namespace

Expected<std::vector<std::string>> split_shell_words(std::string_view text) {
  if (text.size() > shell_words_input_max) return Error{"entrypoint too long"};
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  State state = State::start;
  // One iteration per byte: bounded by the input's size.
  for (const char c : text) {
    if (step(state, c, word, in_word)) {
      words.push_back(std::move(word));
      word.clear();
      in_word = false;
      state = State::start;
    }
  }
  switch (state) {
    case State::escaping: return Error{"EOF found after escape character"};
    case State::quoted_escaping: return Error{"EOF found after escape character"};
    case State::double_quoted:
    case State::single_quoted: return Error{"EOF found when expecting closing quote"};
    case State::start:
    case State::comment: break;
    case State::word: break;
  }
  if (in_word) words.push_back(std::move(word));
  assert(words.size() <= text.size());
  return words;
}

}  // namespace zsim::core
