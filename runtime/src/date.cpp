// Civil-date arithmetic after Howard Hinnant's days_from_civil / civil_from_days algorithms.
#include "edict/runtime/date.h"

#include <cstdio>
#include <cstring>

namespace edict::rt {

namespace {

// Shifting the year to start on March 1 puts the leap day at the very end,
// so the day-of-year of every other date is independent of leap years.
// A 400-year "era" always has exactly 146097 days.
constexpr int64_t kDaysPerEra = 146097;
// Day number of 0000-03-01 relative to 1970-01-01, negated.
constexpr int64_t kEpochShift = 719468;

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int y, unsigned m) {
  static constexpr unsigned kLengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && IsLeapYear(y)) return 29;
  return kLengths[m - 1];
}

}  // namespace

int32_t DaysFromCivil(int y, unsigned m, unsigned d) {
  // January and February belong to the previous March-based year.
  const int64_t march_year = static_cast<int64_t>(y) - (m <= 2 ? 1 : 0);
  // Floor division by 400 (C++ division truncates toward zero).
  const int64_t era = (march_year >= 0 ? march_year : march_year - 399) / 400;
  const int64_t year_of_era = march_year - era * 400;  // [0, 399]
  // Month index counted from March: Mar=0 ... Feb=11.
  const int64_t march_month = m > 2 ? static_cast<int64_t>(m) - 3 : static_cast<int64_t>(m) + 9;
  // (153 * mm + 2) / 5 yields the cumulative days before month mm (31,30,31,30,31 pattern).
  const int64_t day_of_year = (153 * march_month + 2) / 5 + static_cast<int64_t>(d) - 1;  // [0, 365]
  const int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;  // [0, 146096]
  return static_cast<int32_t>(era * kDaysPerEra + day_of_era - kEpochShift);
}

void CivilFromDays(int32_t z, int& y, unsigned& m, unsigned& d) {
  const int64_t shifted = static_cast<int64_t>(z) + kEpochShift;  // days since 0000-03-01
  const int64_t era = (shifted >= 0 ? shifted : shifted - (kDaysPerEra - 1)) / kDaysPerEra;
  const int64_t day_of_era = shifted - era * kDaysPerEra;  // [0, 146096]
  // Remove the leap days accumulated so far, then divide by 365.
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;  // [0, 399]
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);  // [0, 365]
  const int64_t march_month = (5 * day_of_year + 2) / 153;                    // [0, 11]
  d = static_cast<unsigned>(day_of_year - (153 * march_month + 2) / 5 + 1);
  m = static_cast<unsigned>(march_month < 10 ? march_month + 3 : march_month - 9);
  y = static_cast<int>(year_of_era + era * 400 + (m <= 2 ? 1 : 0));
}

bool IsValidDate(int y, unsigned m, unsigned d) {
  if (y < 1 || y > 9999) return false;
  if (m < 1 || m > 12) return false;
  return d >= 1 && d <= DaysInMonth(y, m);
}

std::optional<int32_t> ParseDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  // Ledgers are mostly in date order: the same text as the last call on this
  // thread gives the same day without the arithmetic.
  thread_local char last[10] = {};
  thread_local int32_t last_day = 0;
  if (std::memcmp(last, s.data(), 10) == 0 && last[0] != 0) return last_day;
  auto digit = [&](size_t i) { return static_cast<unsigned>(static_cast<unsigned char>(s[i]) - '0'); };
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (digit(i) > 9) return std::nullopt;
  }
  const int y = static_cast<int>(digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3));
  const unsigned m = digit(5) * 10 + digit(6);
  const unsigned d = digit(8) * 10 + digit(9);
  if (!IsValidDate(y, m, d)) return std::nullopt;
  const int32_t day = DaysFromCivil(y, m, d);
  std::memcpy(last, s.data(), 10);
  last_day = day;
  return day;
}

std::string FormatDate(int32_t days) {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  CivilFromDays(days, y, m, d);
  char buffer[32];
  const int length = std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02u", y, m, d);
  return std::string(buffer, length > 0 ? static_cast<size_t>(length) : 0);
}

int YearOf(int32_t days) {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  CivilFromDays(days, y, m, d);
  return y;
}

int MonthOf(int32_t days) {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  CivilFromDays(days, y, m, d);
  return static_cast<int>(m);
}

int QuarterOf(int32_t days) { return (MonthOf(days) - 1) / 3 + 1; }

}  // namespace edict::rt
