// Calendar dates as day counts since 1970-01-01 (proleptic Gregorian): conversion, parsing, formatting.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edict::rt {

// Days since 1970-01-01 for the proleptic Gregorian date y-m-d.
// Requires 1 <= m <= 12 and 1 <= d <= (days in that month); not validated here.
int32_t DaysFromCivil(int y, unsigned m, unsigned d);

// Inverse of DaysFromCivil: the proleptic Gregorian date of day number `z`.
void CivilFromDays(int32_t z, int& y, unsigned& m, unsigned& d);

// True if y-m-d is a real calendar date with 1 <= y <= 9999.
bool IsValidDate(int y, unsigned m, unsigned d);

// Parses exactly "YYYY-MM-DD" naming a valid date; nullopt for anything else.
std::optional<int32_t> ParseDate(std::string_view s);

// Formats a day number as "YYYY-MM-DD" (meaningful for years 1..9999).
std::string FormatDate(int32_t days);

int YearOf(int32_t days);
int QuarterOf(int32_t days);  // 1..4
int MonthOf(int32_t days);    // 1..12

}  // namespace edict::rt
