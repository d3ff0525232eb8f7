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
  // The magnitude accumulates in 64 unsigned bits; it may reach 2^63 only
  // for a negative number.
  size_t pos = 0;
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) pos = 1;
  if (pos == s.size()) return std::nullopt;  // "" or "-"
  const uint64_t limit = negative ? (uint64_t{1} << 63) : (uint64_t{1} << 63) - 1;
  uint64_t magnitude = 0;
  bool previous_was_digit = false;
  for (; pos < s.size(); ++pos) {
    const char c = s[pos];
    if (c >= '0' && c <= '9') {
      const uint64_t digit = static_cast<uint64_t>(c - '0');
      if (magnitude > (limit - digit) / 10) return std::nullopt;  // out of int64_t
      magnitude = magnitude * 10 + digit;
      previous_was_digit = true;
    } else if (c == '_') {
      if (!previous_was_digit) return std::nullopt;  // leading or doubled '_'
      previous_was_digit = false;
    } else {
      return std::nullopt;
    }
  }
  if (!previous_was_digit) return std::nullopt;  // trailing '_'
  if (negative) return static_cast<int64_t>(0 - magnitude);  // two's complement: 2^63 -> INT64_MIN
  return static_cast<int64_t>(magnitude);
}

}  // namespace edict::rt
