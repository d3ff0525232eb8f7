// Exact fixed-point decimals (nine fractional digits in a 128-bit integer): parsing, formatting, checked arithmetic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edict::rt {

// The value units / 10^9. INVARIANT: |units| <= kDecimalMaxUnits = 2^127 - 1,
// so the range is symmetric (negation never overflows) and every operation
// below checks that its result stays inside it.
struct Decimal {
  __int128 units = 0;

  // Exact: |v| * 10^9 < 2^93.
  static constexpr Decimal FromInt(int64_t v) { return Decimal{static_cast<__int128>(v) * 1000000000}; }
};

constexpr int kDecimalFractionDigits = 9;
constexpr int64_t kDecimalScale = 1000000000;  // 10^kDecimalFractionDigits
constexpr __int128 kDecimalMaxUnits = static_cast<__int128>(~static_cast<unsigned __int128>(0) >> 1);

constexpr bool operator==(Decimal a, Decimal b) { return a.units == b.units; }
constexpr bool operator!=(Decimal a, Decimal b) { return a.units != b.units; }
constexpr bool operator<(Decimal a, Decimal b) { return a.units < b.units; }
constexpr bool operator<=(Decimal a, Decimal b) { return a.units <= b.units; }
constexpr bool operator>(Decimal a, Decimal b) { return a.units > b.units; }
constexpr bool operator>=(Decimal a, Decimal b) { return a.units >= b.units; }

// Always representable, because the range is symmetric.
constexpr Decimal Negate(Decimal a) { return Decimal{-a.units}; }

// Parses an optional '-', digits, and optionally '.' and 1 to 9 more digits.
// Single '_' separators may appear between digits on either side of the
// point, as in rule files ("1_000.25", "0.000_5"). Rejects everything else:
// empty input, "+1", ".5", "5.", whitespace, exponents ("1e3"), more than nine
// fractional digits (no silent rounding), and values outside the range.
std::optional<Decimal> ParseDecimal(std::string_view s);

// Shortest exact form: "19.4", "3", "-0.5", "0.000000001". No '_' separators,
// no exponent; ParseDecimal(FormatDecimal(d)) == d.
std::string FormatDecimal(Decimal d);

// Checked arithmetic: true and *out set to the result, or false (overflow:
// the result is outside the range) with *out unchanged.
bool Add(Decimal a, Decimal b, Decimal* out);
bool Sub(Decimal a, Decimal b, Decimal* out);
// The product of two nine-digit decimals has up to 18 fractional digits. It
// is exact whenever it fits in nine; otherwise it is rounded to nine digits
// half to even (banker's rounding: 0.0000000015 -> 0.000000002,
// 0.0000000025 -> 0.000000002, symmetric for negative values). Overflow is
// judged on the rounded result.
bool Mul(Decimal a, Decimal b, Decimal* out);

enum class DecimalStatus { kOk, kOverflow, kDivisionByZero };

// a / b rounded to nine fractional digits half to even (1/3 -> 0.333333333,
// 2/3 -> 0.666666667). kDivisionByZero if b is zero, kOverflow if the rounded
// quotient is outside the range; *out is set only for kOk.
DecimalStatus Div(Decimal a, Decimal b, Decimal* out);

}  // namespace edict::rt
