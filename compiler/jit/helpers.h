// Runtime helpers called by JIT-compiled kernels: thin extern "C" wrappers
// over edict_runtime, the same functions the interpreter calls, so the two
// backends cannot disagree on decimal arithmetic or calendars. Registered
// with the JIT as absolute symbols (session.cpp); they never throw.
#pragma once

#include <cstdint>

#include "edict/runtime/decimal.h"

extern "C" {
// 0 ok (*out set), 1 overflow, 2 division by zero (rt::DecimalStatus order).
int32_t edict_jit_dec_mul(const edict::rt::Decimal* a, const edict::rt::Decimal* b, edict::rt::Decimal* out);
int32_t edict_jit_dec_div(const edict::rt::Decimal* a, const edict::rt::Decimal* b, edict::rt::Decimal* out);
int32_t edict_jit_year_of(int32_t day);
int32_t edict_jit_quarter_of(int32_t day);
int32_t edict_jit_month_of(int32_t day);
// 1 if x is one of the n sorted members, else 0.
int32_t edict_jit_in_sorted(const int64_t* members, uint64_t n, int64_t x);
}

namespace edict::jit {
struct Helper {
  const char* name;
  void* address;
};
// Every helper above, for symbol registration.
const Helper* Helpers(unsigned* count);
}  // namespace edict::jit
