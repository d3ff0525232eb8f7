// Decimal: strict parsing, shortest formatting, and overflow-checked arithmetic with 256-bit intermediates.
#include "edict/runtime/decimal.h"

#include <charconv>

namespace edict::rt {

namespace {

using U128 = unsigned __int128;

constexpr U128 kMaxMagnitude = static_cast<U128>(kDecimalMaxUnits);
constexpr U128 kScale = static_cast<U128>(kDecimalScale);

U128 Magnitude(__int128 v) { return v < 0 ? -static_cast<U128>(v) : static_cast<U128>(v); }

// Rounds quotient q with remainder r (0 <= r < divisor) half to even.
// Returns false if the result would exceed kMaxMagnitude.
bool RoundHalfEven(U128 q, U128 r, U128 divisor, U128* out) {
  if (q > kMaxMagnitude) return false;
  const U128 rest = divisor - r;  // compare r with divisor / 2 without overflowing 2 * r
  if (r > rest || (r == rest && (q & 1) != 0)) ++q;
  if (q > kMaxMagnitude) return false;
  *out = q;
  return true;
}

// Signed result from a magnitude <= kMaxMagnitude.
Decimal WithSign(U128 magnitude, bool negative) {
  const __int128 v = static_cast<__int128>(magnitude);
  return Decimal{negative ? -v : v};
}

// x * y as a 256-bit number in four 64-bit limbs, least significant first.
void Multiply256(U128 x, U128 y, uint64_t limbs[4]) {
  const uint64_t x0 = static_cast<uint64_t>(x);
  const uint64_t x1 = static_cast<uint64_t>(x >> 64);
  const uint64_t y0 = static_cast<uint64_t>(y);
  const uint64_t y1 = static_cast<uint64_t>(y >> 64);
  const U128 p00 = static_cast<U128>(x0) * y0;
  const U128 p01 = static_cast<U128>(x0) * y1;
  const U128 p10 = static_cast<U128>(x1) * y0;
  const U128 p11 = static_cast<U128>(x1) * y1;
  // Column 1 collects the high half of p00 and the low halves of p01 and p10
  // (at most 3 * (2^64 - 1), so it fits in 128 bits).
  const U128 column1 = (p00 >> 64) + static_cast<uint64_t>(p01) + static_cast<uint64_t>(p10);
  const U128 column2 = (column1 >> 64) + (p01 >> 64) + (p10 >> 64) + static_cast<uint64_t>(p11);
  const U128 column3 = (column2 >> 64) + (p11 >> 64);
  limbs[0] = static_cast<uint64_t>(p00);
  limbs[1] = static_cast<uint64_t>(column1);
  limbs[2] = static_cast<uint64_t>(column2);
  limbs[3] = static_cast<uint64_t>(column3);
}

// Appends the decimal digits of v.
void AppendUnsigned(U128 v, std::string* out) {
  constexpr uint64_t kTen19 = 10000000000000000000ull;
  char digits[24];
  if (v <= UINT64_MAX) {
    const std::to_chars_result r = std::to_chars(digits, digits + sizeof digits, static_cast<uint64_t>(v));
    out->append(digits, r.ptr);
    return;
  }
  // v < 2^128 < 10^39, so the high part below has at most 20 digits and fits in 64 bits.
  const uint64_t high = static_cast<uint64_t>(v / kTen19);
  const uint64_t low = static_cast<uint64_t>(v % kTen19);
  const std::to_chars_result r = std::to_chars(digits, digits + sizeof digits, high);
  out->append(digits, r.ptr);
  const std::to_chars_result l = std::to_chars(digits, digits + sizeof digits, low);
  out->append(19 - static_cast<size_t>(l.ptr - digits), '0');
  out->append(digits, l.ptr);
}

}  // namespace

std::optional<Decimal> ParseDecimal(std::string_view s) {
  size_t pos = 0;
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) pos = 1;

  // Digits with single '_' separators; false if there is no digit, or a '_'
  // is leading, trailing or doubled. Stops at the first other character.
  auto scan_digits = [&](auto&& on_digit) {
    bool previous_was_digit = false;
    bool any_digit = false;
    for (; pos < s.size(); ++pos) {
      const char c = s[pos];
      if (c >= '0' && c <= '9') {
        if (!on_digit(static_cast<unsigned>(c - '0'))) return false;
        previous_was_digit = true;
        any_digit = true;
      } else if (c == '_') {
        if (!previous_was_digit) return false;
        previous_was_digit = false;
      } else {
        break;
      }
    }
    return any_digit && previous_was_digit;
  };

  constexpr U128 kMaxInteger = kMaxMagnitude / kScale;
  U128 integer = 0;
  const bool integer_ok = scan_digits([&](unsigned digit) {
    integer = integer * 10 + digit;  // integer <= kMaxInteger * 10 + 9 < 2^128 before the check
    return integer <= kMaxInteger;
  });
  if (!integer_ok) return std::nullopt;

  uint64_t fraction = 0;
  int fraction_digits = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const bool fraction_ok = scan_digits([&](unsigned digit) {
      if (fraction_digits == kDecimalFractionDigits) return false;
      fraction = fraction * 10 + digit;
      ++fraction_digits;
      return true;
    });
    if (!fraction_ok) return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;  // any other character, including exponents

  for (int i = fraction_digits; i < kDecimalFractionDigits; ++i) fraction *= 10;
  const U128 magnitude = integer * kScale + fraction;  // integer <= kMaxInteger: no wrap
  if (magnitude > kMaxMagnitude) return std::nullopt;
  return WithSign(magnitude, negative);
}

std::string FormatDecimal(Decimal d) {
  std::string out;
  if (d.units < 0) out.push_back('-');
  const U128 magnitude = Magnitude(d.units);
  AppendUnsigned(magnitude / kScale, &out);
  uint64_t fraction = static_cast<uint64_t>(magnitude % kScale);
  if (fraction != 0) {
    int digits = kDecimalFractionDigits;
    while (fraction % 10 == 0) {
      fraction /= 10;
      --digits;
    }
    char buffer[kDecimalFractionDigits];
    for (int i = digits - 1; i >= 0; --i) {
      buffer[i] = static_cast<char>('0' + fraction % 10);
      fraction /= 10;
    }
    out.push_back('.');
    out.append(buffer, static_cast<size_t>(digits));
  }
  return out;
}

bool Add(Decimal a, Decimal b, Decimal* out) {
  __int128 sum = 0;
  if (__builtin_add_overflow(a.units, b.units, &sum) || sum < -kDecimalMaxUnits) return false;
  out->units = sum;
  return true;
}

bool Sub(Decimal a, Decimal b, Decimal* out) {
  __int128 difference = 0;
  if (__builtin_sub_overflow(a.units, b.units, &difference) || difference < -kDecimalMaxUnits) return false;
  out->units = difference;
  return true;
}

bool Mul(Decimal a, Decimal b, Decimal* out) {
  const bool negative = (a.units < 0) != (b.units < 0);
  const U128 x = Magnitude(a.units);
  const U128 y = Magnitude(b.units);
  // The exact result is x * y / 10^9 units.
  U128 product = 0;
  U128 quotient = 0;
  U128 remainder = 0;
  if (!__builtin_mul_overflow(x, y, &product)) {
    quotient = product / kScale;
    remainder = product % kScale;
  } else {
    // Long division of the 256-bit product by 10^9, one 64-bit limb at a time;
    // each partial dividend is below 10^9 * 2^64 < 2^94.
    uint64_t limbs[4];
    Multiply256(x, y, limbs);
    uint64_t quotient_limbs[4];
    U128 carry = 0;
    for (int i = 3; i >= 0; --i) {
      const U128 partial = (carry << 64) | limbs[i];
      quotient_limbs[i] = static_cast<uint64_t>(partial / kScale);
      carry = partial % kScale;
    }
    if (quotient_limbs[3] != 0 || quotient_limbs[2] != 0) return false;
    quotient = (static_cast<U128>(quotient_limbs[1]) << 64) | quotient_limbs[0];
    remainder = carry;
  }
  U128 magnitude = 0;
  if (!RoundHalfEven(quotient, remainder, kScale, &magnitude)) return false;
  *out = WithSign(magnitude, negative);
  return true;
}

DecimalStatus Div(Decimal a, Decimal b, Decimal* out) {
  if (b.units == 0) return DecimalStatus::kDivisionByZero;
  const bool negative = (a.units < 0) != (b.units < 0);
  const U128 x = Magnitude(a.units);
  const U128 y = Magnitude(b.units);
  // The exact result is x * 10^9 / y units.
  U128 numerator = 0;
  U128 quotient = 0;
  U128 remainder = 0;
  if (!__builtin_mul_overflow(x, kScale, &numerator)) {
    quotient = numerator / y;
    remainder = numerator % y;
  } else {
    // x * 10^9 < 2^157: binary long division of the 256-bit numerator by y.
    // The remainder stays below y < 2^127, so shifting it left cannot wrap,
    // and any quotient bit at position 127 or above means overflow.
    uint64_t limbs[4];
    Multiply256(x, kScale, limbs);
    for (int bit = 255; bit >= 0; --bit) {
      const uint64_t next_bit = (limbs[bit / 64] >> (bit % 64)) & 1;
      remainder = (remainder << 1) | next_bit;
      if (remainder >= y) {
        if (bit >= 127) return DecimalStatus::kOverflow;
        remainder -= y;
        quotient |= static_cast<U128>(1) << bit;
      }
    }
  }
  U128 magnitude = 0;
  if (!RoundHalfEven(quotient, remainder, y, &magnitude)) return DecimalStatus::kOverflow;
  *out = WithSign(magnitude, negative);
  return DecimalStatus::kOk;
}

}  // namespace edict::rt
