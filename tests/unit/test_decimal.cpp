// Unit tests for exact fixed-point decimals: parsing, formatting, comparison, checked arithmetic and rounding.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "edict/runtime/decimal.h"

using namespace edict::rt;

namespace {

const char* const kMax = "170141183460469231731687303715.884105727";
const char* const kMin = "-170141183460469231731687303715.884105727";

// Parses a literal the test knows to be valid.
Decimal D(const char* text) {
  const std::optional<Decimal> d = ParseDecimal(text);
  REQUIRE_MESSAGE(d.has_value(), text);
  return *d;
}

std::string MulText(const char* a, const char* b) {
  Decimal out;
  return Mul(D(a), D(b), &out) ? FormatDecimal(out) : "overflow";
}

std::string DivText(const char* a, const char* b) {
  Decimal out;
  switch (Div(D(a), D(b), &out)) {
    case DecimalStatus::kOk:
      return FormatDecimal(out);
    case DecimalStatus::kOverflow:
      return "overflow";
    case DecimalStatus::kDivisionByZero:
      return "division by zero";
  }
  return "?";
}

std::string AddText(const char* a, const char* b) {
  Decimal out;
  return Add(D(a), D(b), &out) ? FormatDecimal(out) : "overflow";
}

std::string SubText(const char* a, const char* b) {
  Decimal out;
  return Sub(D(a), D(b), &out) ? FormatDecimal(out) : "overflow";
}

}  // namespace

TEST_CASE("decimal: parse and format") {
  struct Case {
    const char* text;
    const char* formatted;
  };
  const Case cases[] = {
      {"19.4", "19.4"},
      {"3", "3"},
      {"-0.5", "-0.5"},
      {"1_000.25", "1000.25"},
      {"26_900_000", "26900000"},
      {"0.000_000_001", "0.000000001"},
      {"0.123456789", "0.123456789"},
      {"-0", "0"},
      {"0.0", "0"},
      {"007.50", "7.5"},
      {"100", "100"},
      {"-100.000000000", "-100"},
      {"18446744073709551616", "18446744073709551616"},  // 2^64
      {"99999999999999999999.999999999", "99999999999999999999.999999999"},
      {"170141183460469231731687303715", "170141183460469231731687303715"},
      {kMax, kMax},
      {kMin, kMin},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    const std::optional<Decimal> d = ParseDecimal(c.text);
    REQUIRE(d.has_value());
    CHECK(FormatDecimal(*d) == c.formatted);
    CHECK(ParseDecimal(FormatDecimal(*d)) == d);
  }
  CHECK(D("19.4").units == 19400000000);
  CHECK(D("-0.5").units == -500000000);
  CHECK(D("0.000000001").units == 1);
  CHECK(D(kMax).units == kDecimalMaxUnits);
  CHECK(D(kMin).units == -kDecimalMaxUnits);
}

TEST_CASE("decimal: parse rejects") {
  const char* const rejects[] = {
      "", "-", "+1", ".5", "-.5", "5.", "1.", "1e3", "1E3", "1.5e2", "1.0E-2", " 1", "1 ", "1,5",
      "1__0", "_1", "1_", "1._5", "1_.5", "1.5_", "--1", "-+1", "0x10", "NaN", "inf", "1.2.3", "1-", "١",
      "0.0000000001",                               // ten fractional digits: no silent rounding
      "0.1234567890", "1.000_000_000_0",
      "170141183460469231731687303715.884105728",   // 2^127 units
      "-170141183460469231731687303715.884105728",  // -2^127 units: outside the symmetric range
      "170141183460469231731687303716",
      "1000000000000000000000000000000",
      "99999999999999999999999999999999999999999999",
  };
  for (const char* text : rejects) {
    CAPTURE(text);
    CHECK_FALSE(ParseDecimal(text).has_value());
  }
  CHECK_FALSE(ParseDecimal(std::string_view("1\0", 2)).has_value());
}

TEST_CASE("decimal: format round trips across the range") {
  // A fixed pseudo-random walk over magnitudes from 1 unit to the maximum.
  uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int i = 0; i < 20000; ++i) {
    unsigned __int128 bits = (static_cast<unsigned __int128>(next()) << 64) | next();
    bits >>= 1 + (next() % 127);  // 0 to 126 significant bits
    const __int128 units = static_cast<__int128>(bits) * ((next() & 1) ? -1 : 1);
    const Decimal d{units};
    const std::string text = FormatDecimal(d);
    const std::optional<Decimal> back = ParseDecimal(text);
    REQUIRE_MESSAGE(back.has_value(), text);
    REQUIRE_MESSAGE(back->units == units, text);
  }
}

TEST_CASE("decimal: FromInt and comparison") {
  CHECK(Decimal::FromInt(5) == D("5"));
  CHECK(Decimal::FromInt(-12) == D("-12"));
  CHECK(FormatDecimal(Decimal::FromInt(std::numeric_limits<int64_t>::max())) == "9223372036854775807");
  CHECK(FormatDecimal(Decimal::FromInt(std::numeric_limits<int64_t>::min())) == "-9223372036854775808");
  static_assert(Decimal::FromInt(2).units == 2000000000, "FromInt is constexpr");
  CHECK(D("0.1") < D("0.2"));
  CHECK(D("-1") < D("0.000000001"));
  CHECK(D("19.40") == D("19.4"));
  CHECK(D("19.4") != D("19.41"));
  CHECK(D("2") >= D("2.0"));
  CHECK(D("2") <= D("2.0"));
  CHECK(D("3") > D("2.999999999"));
  CHECK(Negate(D(kMax)) == D(kMin));
  CHECK(Negate(D("-0.5")) == D("0.5"));
  CHECK(Decimal{} == D("0"));
}

TEST_CASE("decimal: Add and Sub are exact and checked") {
  CHECK(AddText("0.1", "0.2") == "0.3");
  CHECK(AddText("19.4", "-20") == "-0.6");
  CHECK(SubText("0.3", "0.1") == "0.2");
  CHECK(SubText("1", "0.000000001") == "0.999999999");
  CHECK(AddText(kMax, kMin) == "0");
  CHECK(AddText(kMax, "0") == kMax);
  CHECK(AddText(kMax, "0.000000001") == "overflow");
  CHECK(AddText(kMin, "-0.000000001") == "overflow");  // -2^127 units is outside the range
  CHECK(SubText(kMin, "0.000000001") == "overflow");
  CHECK(SubText(kMax, "-0.000000001") == "overflow");
  CHECK(SubText("0", kMin) == kMax);
  CHECK(AddText(kMax, kMax) == "overflow");

  Decimal out = D("42");
  CHECK_FALSE(Add(D(kMax), D("1"), &out));
  CHECK(out == D("42"));  // unchanged on failure
}

TEST_CASE("decimal: Mul is exact when it fits, otherwise rounds half to even") {
  CHECK(MulText("19.4", "3") == "58.2");
  CHECK(MulText("1.5", "-2") == "-3");
  CHECK(MulText("0.1", "0.1") == "0.01");
  CHECK(MulText("0.000001", "0.001") == "0.000000001");
  CHECK(MulText("-0.5", "-0.5") == "0.25");
  CHECK(MulText("0", kMax) == "0");
  // Ties go to the even last digit.
  CHECK(MulText("0.000000001", "0.5") == "0");              // 0.5 units -> 0
  CHECK(MulText("0.000000003", "0.5") == "0.000000002");    // 1.5 units -> 2
  CHECK(MulText("0.000000005", "0.5") == "0.000000002");    // 2.5 units -> 2
  CHECK(MulText("0.000000007", "0.5") == "0.000000004");    // 3.5 units -> 4
  CHECK(MulText("-0.000000003", "0.5") == "-0.000000002");  // symmetric
  CHECK(MulText("-0.000000005", "0.5") == "-0.000000002");
  // Not ties: nearest.
  CHECK(MulText("0.000000001", "0.500000001") == "0.000000001");
  CHECK(MulText("0.000000001", "0.499999999") == "0");
  CHECK(MulText("0.123456789", "0.987654321") == "0.121932631");  // 0.121932631112635269
  CHECK(MulText("-0.123456789", "0.987654321") == "-0.121932631");
  CHECK(MulText("0.987654321", "0.987654321") == "0.975461058");  // 0.975461057789971041
  // Products that need 256-bit intermediates.
  CHECK(MulText(kMax, "1") == kMax);
  CHECK(MulText(kMax, "-1") == kMin);
  CHECK(MulText(kMin, "-1") == kMax);
  CHECK(MulText(kMax, "0.5") == "85070591730234615865843651857.942052864");  // ...863.5 -> even
  CHECK(MulText(kMax, "1.000000001") == "overflow");
  CHECK(MulText(kMax, "2") == "overflow");
  CHECK(MulText(kMax, kMax) == "overflow");
  CHECK(MulText("100000000000000000000", "100000000000000000000") == "overflow");
  CHECK(MulText("10000000000000", "10000000000000") == "100000000000000000000000000");
  // Overflow is judged after rounding: (2^127 - 1) units times 1 plus or minus half a unit.
  // (x * y) / 10^9 = (2^127 - 1) + 0.52 units: rounds up past the maximum.
  CHECK(MulText("170141183290328048441359255274.524850453", "1.000000001") == "overflow");
  // (x * y) / 10^9 = (2^127 - 1) + 0.43 units: rounds down to the maximum.
  CHECK(MulText("170141182779904500612069301267.606900657", "1.000000004") == kMax);
  struct Case {
    const char* a;
    const char* b;
    const char* product;
  };
  // Computed with Python's exact integers (round half to even).
  const Case cases[] = {
      {"0.001023677", "71312812827046622383623859651.114997451", "73001286296352605261800921.776074447"},
      {"461.760235452", "547426114458845466639537.344640341", "252779611505089984239555575.47347073"},
      {"-613.16916291", "771551590554277350799976.384578114", "-473091642922045306109993938.579530395"},
      {"-75461042314467572414930128951.217701039", "0.000986341", "-74430319937494259843314598.319873018"},
      {"2160036190.762645816", "-160115438018972973.968059073", "-345855140820794899285112568.95166904"},
      {"-0.000478825", "67056046319237989160717355552.708161955", "-32108111378809130159880487.772525486"},
      {"-0.000502764", "-1083372611063474844531603.986019289", "544680747428716866736.087346427"},
      {"-1098148696356851677801382630.283706547", "0.000264067", "-289984831800864752001977.707031128"},
      {"305521909306626353697.056106091", "10.538877027", "3219857831236781977850.681114013"},
      {"-45573974298601833848033004581.69803348", "-0.00055251", "25180076539720499219376715.36143398"},
      {"0.000658261", "44882036375172420146619296024.325259747", "29544094146357372458133764.42026837"},
      {"161.48950448", "10572286186327933455.37525257", "1707313257450846924490.963729984"},
      {"0.000996104", "11970046281864357121873992345.272815545", "11923410981550213586527171.271095633"},
      {"1015.16151659", "101462572583469084895.444236585", "103000899060957430585838.632793403"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.a);
    CAPTURE(c.b);
    CHECK(MulText(c.a, c.b) == c.product);
    CHECK(MulText(c.b, c.a) == c.product);
  }
  Decimal out = D("42");
  CHECK_FALSE(Mul(D(kMax), D("2"), &out));
  CHECK(out == D("42"));
}

TEST_CASE("decimal: Div rounds half to even; zero divisor is its own status") {
  CHECK(DivText("1", "3") == "0.333333333");
  CHECK(DivText("2", "3") == "0.666666667");
  CHECK(DivText("-2", "3") == "-0.666666667");
  CHECK(DivText("2", "-3") == "-0.666666667");
  CHECK(DivText("-2", "-3") == "0.666666667");
  CHECK(DivText("1", "8") == "0.125");
  CHECK(DivText("10", "4") == "2.5");
  CHECK(DivText("19.4", "0.2") == "97");
  CHECK(DivText("0", "7") == "0");
  // Ties go to the even last digit.
  CHECK(DivText("0.000000001", "2") == "0");              // 0.5 units
  CHECK(DivText("0.000000003", "2") == "0.000000002");    // 1.5 units
  CHECK(DivText("0.000000005", "2") == "0.000000002");    // 2.5 units
  CHECK(DivText("-0.000000005", "2") == "-0.000000002");
  CHECK(DivText("0.000000007", "2") == "0.000000004");    // 3.5 units
  // Division by zero is not overflow.
  CHECK(DivText("1", "0") == "division by zero");
  CHECK(DivText("0", "0") == "division by zero");
  CHECK(DivText(kMax, "0") == "division by zero");
  Decimal out = D("42");
  CHECK(Div(D("1"), D("0"), &out) == DecimalStatus::kDivisionByZero);
  CHECK(out == D("42"));
  CHECK(Div(D(kMax), D("0.5"), &out) == DecimalStatus::kOverflow);
  CHECK(out == D("42"));
  // Large numerators (x * 10^9 does not fit in 128 bits).
  CHECK(DivText(kMax, "1") == kMax);
  CHECK(DivText(kMax, "-1") == kMin);
  CHECK(DivText(kMax, kMax) == "1");
  CHECK(DivText(kMax, kMin) == "-1");
  CHECK(DivText(kMax, "2") == "85070591730234615865843651857.942052864");  // ...863.5 -> even
  CHECK(DivText(kMax, "3") == "56713727820156410577229101238.628035242");
  CHECK(DivText(kMax, "0.999999999") == "overflow");
  CHECK(DivText(kMax, "0.000000001") == "overflow");
  CHECK(DivText("1000000000000000000000", "3") == "333333333333333333333.333333333");
  CHECK(DivText("170141183460469231731.687303715", "0.000000001") == "170141183460469231731687303715");
  CHECK(DivText("170141183460469231731.687303716", "0.000000001") == "overflow");
  // Small results from large operands.
  CHECK(DivText("0.000000001", kMax) == "0");
  CHECK(DivText("1", kMax) == "0");
  CHECK(DivText(kMax, "170141183460469231731687303715.884105726") == "1");
  struct Case {
    const char* a;
    const char* b;
    const char* quotient;
  };
  // Computed with Python's exact integers (round half to even).
  const Case cases[] = {
      {"-1012413652979654668141470263.625599772", "13709449011728292369696099872.137688913", "-0.073847873"},
      {"-184194524763578479351790645.277333152", "-1181442852050829312278.574048771", "155906.419378509"},
      {"-642259082620302233059522773.611663197", "214878949607502649918453359.795728936", "-2.988934392"},
      {"93643417970967816670006142605.2380091", "554791243464177063377802.656022067", "168790.367681811"},
      {"-360210693974202213726027.323693271", "-686948052119026201164131.904078838", "0.524363804"},
      {"76384955952891458478622424513.741036043", "168.464940009", "453417523840929161664463015.620703447"},
      {"132184750591840571184885205.847917474", "66028722687034709975893660757.501140494", "0.002001928"},
      {"-569976530395393466224.922375759", "887066968471431155453074772.72287313", "-0.000000643"},
      {"903203754138873309158542.647666401", "263292962546036398174892033.029766918", "0.003430414"},
      {"75656158966083528752877447654.675610081", "18998316695426691461598351571.419096867", "3.982255911"},
      {"244717259380940236383859095.7433272", "-103075643722597690982655.333746923", "-2374.152132773"},
      {"-1214857109691240497536251.343184568", "61708277364675092415075009675.527860045", "-0.000019687"},
      {"219734747976196121752265.480984195", "87.10110538", "2522754987064162121340.296140616"},
      {"629341675817283205802482706.838680815", "55008208085057369463402055279.051064772", "0.011440869"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.a);
    CAPTURE(c.b);
    CHECK(DivText(c.a, c.b) == c.quotient);
  }
}
