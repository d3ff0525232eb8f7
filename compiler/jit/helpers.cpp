// The runtime helpers of JIT-compiled kernels (see helpers.h).
#include "jit/helpers.h"

#include <algorithm>

#include "edict/runtime/date.h"

extern "C" {

int32_t edict_jit_dec_mul(const edict::rt::Decimal* a, const edict::rt::Decimal* b, edict::rt::Decimal* out) {
  return edict::rt::Mul(*a, *b, out) ? 0 : 1;
}

int32_t edict_jit_dec_div(const edict::rt::Decimal* a, const edict::rt::Decimal* b, edict::rt::Decimal* out) {
  switch (edict::rt::Div(*a, *b, out)) {
    case edict::rt::DecimalStatus::kOk: return 0;
    case edict::rt::DecimalStatus::kOverflow: return 1;
    case edict::rt::DecimalStatus::kDivisionByZero: return 2;
  }
  return 1;
}

int32_t edict_jit_year_of(int32_t day) { return edict::rt::YearOf(day); }
int32_t edict_jit_quarter_of(int32_t day) { return edict::rt::QuarterOf(day); }
int32_t edict_jit_month_of(int32_t day) { return edict::rt::MonthOf(day); }

int32_t edict_jit_in_sorted(const int64_t* members, uint64_t n, int64_t x) {
  return std::binary_search(members, members + n, x) ? 1 : 0;
}

}  // extern "C"

namespace edict::jit {

const Helper* Helpers(unsigned* count) {
  static const Helper kHelpers[] = {
      {"edict_jit_dec_mul", reinterpret_cast<void*>(&edict_jit_dec_mul)},
      {"edict_jit_dec_div", reinterpret_cast<void*>(&edict_jit_dec_div)},
      {"edict_jit_year_of", reinterpret_cast<void*>(&edict_jit_year_of)},
      {"edict_jit_quarter_of", reinterpret_cast<void*>(&edict_jit_quarter_of)},
      {"edict_jit_month_of", reinterpret_cast<void*>(&edict_jit_month_of)},
      {"edict_jit_in_sorted", reinterpret_cast<void*>(&edict_jit_in_sorted)},
  };
  *count = sizeof(kHelpers) / sizeof(kHelpers[0]);
  return kHelpers;
}

}  // namespace edict::jit
