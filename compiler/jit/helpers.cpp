// The runtime helpers of JIT-compiled kernels (see helpers.h).
#include "jit/helpers.h"

#include <algorithm>

#include "edict/runtime/date.h"
#include "exec/backend.h"
#include "exec/caps.h"

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

int64_t edict_jit_table_row(const edict::exec::BoundTable* tables, int64_t t, int64_t key) {
  const auto& rows = tables[t].row_of;
  if (rows.empty()) return -1;  // an unbound table
  auto it = rows.find(key);
  return it == rows.end() ? -1 : static_cast<int64_t>(it->second);
}

int32_t edict_jit_table_cell(const edict::exec::BoundTable* tables, int64_t t, int64_t col, int64_t row, int64_t* x,
                             edict::rt::Decimal* d) {
  if (row < 0) {
    *x = 0;
    return edict::exec::kAbsent;
  }
  const edict::exec::Column& c = tables[t].columns[static_cast<size_t>(col)];
  const auto r = static_cast<size_t>(row);
  *x = c.i64[r];
  if (!c.dec.empty()) *d = c.dec[r];
  return c.status[r];
}

int64_t* edict_jit_cap_slot(edict::exec::CapStore* store, uint32_t cap, int64_t period, const int64_t* parts,
                            uint32_t n) {
  return store->Slot(cap, period, parts, n);
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
      {"edict_jit_table_row", reinterpret_cast<void*>(&edict_jit_table_row)},
      {"edict_jit_table_cell", reinterpret_cast<void*>(&edict_jit_table_cell)},
      {"edict_jit_cap_slot", reinterpret_cast<void*>(&edict_jit_cap_slot)},
  };
  *count = sizeof(kHelpers) / sizeof(kHelpers[0]);
  return kHelpers;
}

}  // namespace edict::jit
