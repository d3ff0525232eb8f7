// Runtime helpers called by JIT-compiled kernels: thin extern "C" wrappers
// over edict_runtime, the same functions the interpreter calls, so the two
// backends cannot disagree on decimal arithmetic or calendars. Registered
// with the JIT as absolute symbols (session.cpp); they never throw.
#pragma once

#include <cstdint>

#include "edict/runtime/decimal.h"

namespace edict::exec {
struct BoundTable;
class CapStore;
}

extern "C" {
// 0 ok (*out set), 1 overflow, 2 division by zero (rt::DecimalStatus order).
int32_t edict_jit_dec_mul(const edict::rt::Decimal* a, const edict::rt::Decimal* b, edict::rt::Decimal* out);
int32_t edict_jit_dec_div(const edict::rt::Decimal* a, const edict::rt::Decimal* b, edict::rt::Decimal* out);
int32_t edict_jit_year_of(int32_t day);
int32_t edict_jit_quarter_of(int32_t day);
int32_t edict_jit_month_of(int32_t day);
// 1 if x is one of the n sorted members, else 0.
int32_t edict_jit_in_sorted(const int64_t* members, uint64_t n, int64_t x);
// Bound tables (exec::BoundTable, by ir::Program::tables index), looked up
// as the interpreter does: the row of `key` in table t, or -1. Reads only,
// so repeated lookups of one key in a row are one call after optimisation.
int64_t edict_jit_table_row(const edict::exec::BoundTable* tables, int64_t t, int64_t key);
// The status of column `col` in row `row` (*x and *d its value), or
// exec::kAbsent (*x = 0) for row -1.
int32_t edict_jit_table_cell(const edict::exec::BoundTable* tables, int64_t t, int64_t col, int64_t row, int64_t* x,
                             edict::rt::Decimal* d);
// The compiled decision step's caps: exec::CapStore::Slot.
int64_t* edict_jit_cap_slot(edict::exec::CapStore* store, uint32_t cap, int64_t period, const int64_t* parts,
                            uint32_t n);
}

namespace edict::jit {
struct Helper {
  const char* name;
  void* address;
};
// Every helper above, for symbol registration.
const Helper* Helpers(unsigned* count);
}  // namespace edict::jit
