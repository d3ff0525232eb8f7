// Overflow-checked 64-bit integer arithmetic and strict parsing of integer literals with '_' separators.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace edict::rt {

// Each helper stores the (wrapped) result in *out and returns true if the
// mathematically exact result does not fit in int64_t.
inline bool AddOverflows(int64_t a, int64_t b, int64_t* out) { return __builtin_add_overflow(a, b, out); }
inline bool SubOverflows(int64_t a, int64_t b, int64_t* out) { return __builtin_sub_overflow(a, b, out); }
inline bool MulOverflows(int64_t a, int64_t b, int64_t* out) { return __builtin_mul_overflow(a, b, out); }

// Parses an optional '-' followed by decimal digits, where single '_'
// separators may appear between digits ("26_900_000"). Rejects empty input,
// any other character, leading/trailing/doubled '_', and values outside int64_t.
inline std::optional<int64_t> ParseInt64(std::string_view s) {
  std::string digits;
  digits.reserve(s.size());
  size_t pos = 0;
  if (!s.empty() && s[0] == '-') {
    digits.push_back('-');
    pos = 1;
  }
  if (pos == s.size()) return std::nullopt;  // "" or "-"
  bool previous_was_digit = false;
  for (; pos < s.size(); ++pos) {
    const char c = s[pos];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
      previous_was_digit = true;
    } else if (c == '_') {
      if (!previous_was_digit) return std::nullopt;  // leading or doubled '_'
      previous_was_digit = false;
    } else {
      return std::nullopt;
    }
  }
  if (!previous_was_digit) return std::nullopt;  // trailing '_'
  int64_t value = 0;
  const char* first = digits.data();
  const char* last = digits.data() + digits.size();
  const std::from_chars_result result = std::from_chars(first, last, value);
  if (result.ec != std::errc() || result.ptr != last) return std::nullopt;
  return value;
}

}  // namespace edict::rt
