// Unit tests for the runtime support library: dates, checked integers and country codes.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "edict/runtime/checked.h"
#include "edict/runtime/country.h"
#include "edict/runtime/date.h"

using namespace edict::rt;

namespace {

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned MonthLength(int y, unsigned m) {
  static const unsigned kLengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return (m == 2 && IsLeap(y)) ? 29 : kLengths[m - 1];
}

}  // namespace

TEST_CASE("DaysFromCivil known values") {
  CHECK(DaysFromCivil(1970, 1, 1) == 0);
  CHECK(DaysFromCivil(1970, 1, 2) == 1);
  CHECK(DaysFromCivil(1969, 12, 31) == -1);
  CHECK(DaysFromCivil(2000, 1, 1) == 10957);
  CHECK(DaysFromCivil(2000, 2, 29) == 11016);
  CHECK(DaysFromCivil(2000, 3, 1) == 11017);
  CHECK(DaysFromCivil(1900, 1, 1) == -25567);
  CHECK(DaysFromCivil(2024, 2, 29) == 19782);
  CHECK(DaysFromCivil(1, 1, 1) == -719162);
  CHECK(DaysFromCivil(9999, 12, 31) == 2932896);
}

TEST_CASE("DaysFromCivil/CivilFromDays round trip 1900-01-01..2100-12-31") {
  int32_t expected = DaysFromCivil(1900, 1, 1);
  int checked_days = 0;
  for (int y = 1900; y <= 2100; ++y) {
    for (unsigned m = 1; m <= 12; ++m) {
      for (unsigned d = 1; d <= MonthLength(y, m); ++d) {
        const int32_t z = DaysFromCivil(y, m, d);
        // Consecutive calendar days map to consecutive day numbers.
        REQUIRE(z == expected);
        int back_y = 0;
        unsigned back_m = 0;
        unsigned back_d = 0;
        CivilFromDays(z, back_y, back_m, back_d);
        REQUIRE(back_y == y);
        REQUIRE(back_m == m);
        REQUIRE(back_d == d);
        REQUIRE(IsValidDate(y, m, d));
        ++expected;
        ++checked_days;
      }
    }
  }
  CHECK(expected == DaysFromCivil(2101, 1, 1));
  // 201 years, 49 leap years (1900 and 2100 are not leap years).
  CHECK(checked_days == 201 * 365 + 49);
}

TEST_CASE("CivilFromDays far from the epoch") {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  CivilFromDays(-719162, y, m, d);
  CHECK(y == 1);
  CHECK(m == 1u);
  CHECK(d == 1u);
  CivilFromDays(2932896, y, m, d);
  CHECK(y == 9999);
  CHECK(m == 12u);
  CHECK(d == 31u);
}

TEST_CASE("IsValidDate") {
  CHECK(IsValidDate(2024, 2, 29));
  CHECK_FALSE(IsValidDate(2025, 2, 29));
  CHECK_FALSE(IsValidDate(2100, 2, 29));
  CHECK(IsValidDate(2000, 2, 29));
  CHECK_FALSE(IsValidDate(1900, 2, 29));
  CHECK(IsValidDate(2025, 4, 30));
  CHECK_FALSE(IsValidDate(2025, 4, 31));
  CHECK(IsValidDate(2025, 12, 31));
  CHECK_FALSE(IsValidDate(2025, 13, 1));
  CHECK_FALSE(IsValidDate(2025, 0, 1));
  CHECK_FALSE(IsValidDate(2025, 1, 0));
  CHECK_FALSE(IsValidDate(2025, 1, 32));
  CHECK(IsValidDate(1, 1, 1));
  CHECK(IsValidDate(9999, 12, 31));
  CHECK_FALSE(IsValidDate(0, 1, 1));
  CHECK_FALSE(IsValidDate(10000, 1, 1));
  CHECK_FALSE(IsValidDate(-1, 1, 1));
}

TEST_CASE("ParseDate accepts valid YYYY-MM-DD") {
  CHECK(ParseDate("1970-01-01") == std::optional<int32_t>(0));
  CHECK(ParseDate("2000-03-01") == std::optional<int32_t>(11017));
  CHECK(ParseDate("2024-02-29") == std::optional<int32_t>(DaysFromCivil(2024, 2, 29)));
  CHECK(ParseDate("0001-01-01") == std::optional<int32_t>(-719162));
  CHECK(ParseDate("9999-12-31") == std::optional<int32_t>(2932896));
}

TEST_CASE("ParseDate rejects everything else") {
  CHECK_FALSE(ParseDate("2025-02-30").has_value());
  CHECK_FALSE(ParseDate("2025-02-29").has_value());
  CHECK_FALSE(ParseDate("2100-02-29").has_value());
  CHECK_FALSE(ParseDate("2025/03/01").has_value());
  CHECK_FALSE(ParseDate("").has_value());
  CHECK_FALSE(ParseDate("tomorrow").has_value());
  CHECK_FALSE(ParseDate("0000-01-01").has_value());
  CHECK_FALSE(ParseDate("2025-13-01").has_value());
  CHECK_FALSE(ParseDate("2025-00-10").has_value());
  CHECK_FALSE(ParseDate("2025-01-00").has_value());
  CHECK_FALSE(ParseDate("2025-1-01").has_value());
  CHECK_FALSE(ParseDate("2025-01-1").has_value());
  CHECK_FALSE(ParseDate("2025-01-011").has_value());
  CHECK_FALSE(ParseDate(" 2025-01-01").has_value());
  CHECK_FALSE(ParseDate("2025-01-01 ").has_value());
  CHECK_FALSE(ParseDate("2025-0a-01").has_value());
  CHECK_FALSE(ParseDate("+025-01-01").has_value());
  CHECK_FALSE(ParseDate("-025-01-01").has_value());
  CHECK_FALSE(ParseDate("20250101xx").has_value());
}

TEST_CASE("FormatDate and field accessors") {
  CHECK(FormatDate(0) == "1970-01-01");
  CHECK(FormatDate(11017) == "2000-03-01");
  CHECK(FormatDate(-719162) == "0001-01-01");
  CHECK(FormatDate(2932896) == "9999-12-31");
  CHECK(FormatDate(*ParseDate("2024-02-29")) == "2024-02-29");

  const int32_t day = *ParseDate("2025-08-15");
  CHECK(YearOf(day) == 2025);
  CHECK(MonthOf(day) == 8);
  CHECK(QuarterOf(day) == 3);
  CHECK(QuarterOf(*ParseDate("2025-01-01")) == 1);
  CHECK(QuarterOf(*ParseDate("2025-03-31")) == 1);
  CHECK(QuarterOf(*ParseDate("2025-04-01")) == 2);
  CHECK(QuarterOf(*ParseDate("2025-06-30")) == 2);
  CHECK(QuarterOf(*ParseDate("2025-07-01")) == 3);
  CHECK(QuarterOf(*ParseDate("2025-10-01")) == 4);
  CHECK(QuarterOf(*ParseDate("2025-12-31")) == 4);
  CHECK(YearOf(*ParseDate("1999-12-31")) == 1999);
  CHECK(YearOf(*ParseDate("2000-01-01")) == 2000);

  // Every day of 1900..2100 formats back to the string it was parsed from.
  for (int32_t z = DaysFromCivil(1900, 1, 1); z <= DaysFromCivil(2100, 12, 31); ++z) {
    REQUIRE(ParseDate(FormatDate(z)) == std::optional<int32_t>(z));
  }
}

TEST_CASE("ParseInt64") {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  CHECK(ParseInt64("0") == std::optional<int64_t>(0));
  CHECK(ParseInt64("-0") == std::optional<int64_t>(0));
  CHECK(ParseInt64("42") == std::optional<int64_t>(42));
  CHECK(ParseInt64("-42") == std::optional<int64_t>(-42));
  CHECK(ParseInt64("007") == std::optional<int64_t>(7));
  CHECK(ParseInt64("26_900_000") == std::optional<int64_t>(26900000));
  CHECK(ParseInt64("-1_000") == std::optional<int64_t>(-1000));
  CHECK(ParseInt64("1_2_3") == std::optional<int64_t>(123));
  CHECK(ParseInt64("9223372036854775807") == std::optional<int64_t>(kMax));
  CHECK(ParseInt64("9_223_372_036_854_775_807") == std::optional<int64_t>(kMax));
  CHECK(ParseInt64("-9223372036854775808") == std::optional<int64_t>(kMin));

  CHECK_FALSE(ParseInt64("9223372036854775808").has_value());
  CHECK_FALSE(ParseInt64("-9223372036854775809").has_value());
  CHECK_FALSE(ParseInt64("99999999999999999999999").has_value());
  CHECK_FALSE(ParseInt64("").has_value());
  CHECK_FALSE(ParseInt64("-").has_value());
  CHECK_FALSE(ParseInt64("_").has_value());
  CHECK_FALSE(ParseInt64("1__0").has_value());
  CHECK_FALSE(ParseInt64("_1").has_value());
  CHECK_FALSE(ParseInt64("1_").has_value());
  CHECK_FALSE(ParseInt64("-_1").has_value());
  CHECK_FALSE(ParseInt64("--1").has_value());
  CHECK_FALSE(ParseInt64("+1").has_value());
  CHECK_FALSE(ParseInt64("1-").has_value());
  CHECK_FALSE(ParseInt64(" 1").has_value());
  CHECK_FALSE(ParseInt64("1 ").has_value());
  CHECK_FALSE(ParseInt64("12a").has_value());
  CHECK_FALSE(ParseInt64("1.5").has_value());
  CHECK_FALSE(ParseInt64("0x10").has_value());
}

TEST_CASE("Overflow helpers") {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  int64_t out = 0;

  CHECK_FALSE(AddOverflows(2, 3, &out));
  CHECK(out == 5);
  CHECK_FALSE(AddOverflows(kMax, 0, &out));
  CHECK(out == kMax);
  CHECK_FALSE(AddOverflows(kMax, kMin, &out));
  CHECK(out == -1);
  CHECK(AddOverflows(kMax, 1, &out));
  CHECK(AddOverflows(kMin, -1, &out));

  CHECK_FALSE(SubOverflows(2, 3, &out));
  CHECK(out == -1);
  CHECK_FALSE(SubOverflows(kMin, -1, &out));
  CHECK(out == kMin + 1);
  CHECK(SubOverflows(kMin, 1, &out));
  CHECK(SubOverflows(0, kMin, &out));
  CHECK(SubOverflows(kMax, -1, &out));

  CHECK_FALSE(MulOverflows(-4, 5, &out));
  CHECK(out == -20);
  CHECK_FALSE(MulOverflows(kMin, 1, &out));
  CHECK(out == kMin);
  CHECK_FALSE(MulOverflows(3037000499, 3037000499, &out));
  CHECK(out == INT64_C(9223372030926249001));
  CHECK(MulOverflows(3037000500, 3037000500, &out));
  CHECK(MulOverflows(kMin, -1, &out));
  CHECK(MulOverflows(kMax, 2, &out));
}

TEST_CASE("IsIsoCountry and CountryName") {
  CHECK(IsIsoCountry("US"));
  CHECK(IsIsoCountry("MO"));
  CHECK(IsIsoCountry("HK"));
  CHECK(IsIsoCountry("XK"));
  CHECK(IsIsoCountry("AD"));  // first in the table
  CHECK(IsIsoCountry("ZW"));  // last in the table
  CHECK(IsIsoCountry("GB"));
  CHECK(IsIsoCountry("SS"));
  CHECK(IsIsoCountry("BQ"));

  CHECK_FALSE(IsIsoCountry("XX"));
  CHECK_FALSE(IsIsoCountry("Z9"));
  CHECK_FALSE(IsIsoCountry("usa"));
  CHECK_FALSE(IsIsoCountry("USA"));
  CHECK_FALSE(IsIsoCountry("us"));
  CHECK_FALSE(IsIsoCountry("UK"));
  CHECK_FALSE(IsIsoCountry("EU"));
  CHECK_FALSE(IsIsoCountry("AN"));  // Netherlands Antilles, withdrawn 2010
  CHECK_FALSE(IsIsoCountry("YU"));  // Yugoslavia, withdrawn
  CHECK_FALSE(IsIsoCountry(""));
  CHECK_FALSE(IsIsoCountry("U"));
  CHECK_FALSE(IsIsoCountry("AA"));
  CHECK_FALSE(IsIsoCountry("ZZ"));

  // Exactly 249 ISO codes + XK among all two-uppercase-letter strings.
  int valid = 0;
  for (char a = 'A'; a <= 'Z'; ++a) {
    for (char b = 'A'; b <= 'Z'; ++b) {
      const std::string code{a, b};
      const bool ok = IsIsoCountry(code);
      valid += ok ? 1 : 0;
      // Every valid code has a name and every invalid one has none.
      REQUIRE(CountryName(code).empty() == !ok);
    }
  }
  CHECK(valid == 250);

  CHECK(CountryName("US") == "United States of America");
  CHECK(CountryName("GB") == "United Kingdom");
  CHECK(CountryName("MO") == "Macao");
  CHECK(CountryName("XK") == "Kosovo");
  CHECK(CountryName("XX").empty());
  CHECK(CountryName("us").empty());
}

TEST_CASE("SuggestCountry") {
  using Opt = std::optional<std::string_view>;
  CHECK(SuggestCountry("us") == Opt("US"));
  CHECK(SuggestCountry("Gb") == Opt("GB"));
  CHECK(SuggestCountry("xk") == Opt("XK"));
  CHECK(SuggestCountry("USA") == Opt("US"));
  CHECK(SuggestCountry("usa") == Opt("US"));
  CHECK(SuggestCountry("GBR") == Opt("GB"));
  CHECK(SuggestCountry("UK") == Opt("GB"));
  CHECK(SuggestCountry("uk") == Opt("GB"));
  CHECK(SuggestCountry("CHN") == Opt("CN"));
  CHECK(SuggestCountry("DEU") == Opt("DE"));
  CHECK(SuggestCountry("KOR") == Opt("KR"));
  CHECK(SuggestCountry("JPN") == Opt("JP"));
  CHECK(SuggestCountry("RUS") == Opt("RU"));
  CHECK(SuggestCountry("TWN") == Opt("TW"));
  CHECK(SuggestCountry("IND") == Opt("IN"));
  CHECK(SuggestCountry("ARE") == Opt("AE"));
  CHECK(SuggestCountry("SAU") == Opt("SA"));
  CHECK(SuggestCountry("MAC") == Opt("MO"));
  CHECK(SuggestCountry("HKG") == Opt("HK"));
  CHECK(SuggestCountry("FRA") == Opt("FR"));
  CHECK(SuggestCountry("NLD") == Opt("NL"));
  CHECK(SuggestCountry("SGP") == Opt("SG"));
  CHECK(SuggestCountry("MYS") == Opt("MY"));

  // Every suggestion is itself a valid code.
  for (std::string_view bad : {"us", "USA", "UK", "mac", "hkg", "Twn"}) {
    const Opt suggestion = SuggestCountry(bad);
    REQUIRE(suggestion.has_value());
    CHECK(IsIsoCountry(*suggestion));
  }

  CHECK_FALSE(SuggestCountry("XX").has_value());
  CHECK_FALSE(SuggestCountry("Z9").has_value());
  CHECK_FALSE(SuggestCountry("").has_value());
  CHECK_FALSE(SuggestCountry("QQQ").has_value());
  CHECK_FALSE(SuggestCountry("United States").has_value());
  // Already-valid codes need no suggestion.
  CHECK_FALSE(SuggestCountry("US").has_value());
}
