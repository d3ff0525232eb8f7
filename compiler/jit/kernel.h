// The ABI between the JIT backend and the code it generates. A kernel is
//
//   extern "C" void edict_m<M>_k<K>(const KernelArgs* args, uint64_t begin, uint64_t end);
//
// one native loop over rows [begin, end) that, for each row, computes the
// kernel's instructions in order (status, value or error origin, decimal)
// and stores them in their columns. Operands computed in the same kernel stay
// in registers; others are loaded from their columns; constants are
// immediates. Column base pointers come from the tables below, indexed by
// instruction id (or field index), filled by the backend for each batch.
// The runtime helpers the kernels call are extern "C" functions registered
// with the JIT as absolute symbols (see helpers.cpp). No LLVM types here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "edict/runtime/decimal.h"
#include "exec/decide.h"
#include "jit/plan.h"

namespace edict::exec {
struct BoundTable;
}

namespace edict::jit {

struct KernelArgs {
  int64_t* const* i64;                 // by instruction: Column::i64 (value or error origin)
  uint8_t* const* status;              // by instruction: Column::status
  rt::Decimal* const* dec;             // by instruction: Column::dec (null unless Ty::Dec)
  const int64_t* const* field_i64;     // by field: Batch::fields[f].i64
  const uint8_t* const* field_status;  // by field
  const rt::Decimal* const* field_dec; // by field (null unless Ty::Dec)
  const int32_t* day;                  // Batch::day
  const exec::BoundTable* tables;      // by ir::Program::tables index (edict_jit_table_*)
};
// The generated code reads the fields at these offsets.
static_assert(sizeof(void*) == 8, "the JIT assumes 64-bit pointers");
static_assert(offsetof(KernelArgs, day) == 48 && offsetof(KernelArgs, tables) == 56,
              "KernelArgs layout is part of the generated code's ABI");

using KernelFn = void (*)(const KernelArgs* args, uint64_t begin, uint64_t end);

// The compiled decision step (decide_llvm.cpp):
//
//   extern "C" uint64_t edict_m<M>_k<K>(const DecideArgs* args, uint64_t begin, uint64_t end);
//
// decides rows [begin, end) in order, as exec::Decider does, charging the
// caps in `caps` and counting in `usage`, and writes each row's decision to
// the output arrays. It returns the first row it leaves to exec::Decider (a
// row that could not be read, a run-time error, a conflict), having changed
// nothing for that row, or `end`. Those rows' decisions carry a text, which
// the compiled code does not make.
struct DecideArgs {
  KernelArgs k;                // fields, day, tables (the instruction columns are not used)
  const uint8_t* to_decider;   // by row: 1 to leave the row to exec::Decider (unread, a field in error, a required one absent)
  exec::CapStore* caps;
  exec::CapUsage* usage;       // by cap
  int32_t* outcome;            // by row: exec::Decisions' columns
  int32_t* basis;
  int32_t* rule;
  int32_t* cap;
  int64_t* charged;
  int64_t* headroom;
  uint64_t* flags;             // bit f: ir::Program::flags[f] (at most 64 flags: one word per row)
  const exec::CapStore::Dense* dense;  // caps->dense(): counters found without a call
};
static_assert(offsetof(DecideArgs, to_decider) == 64 && offsetof(DecideArgs, flags) == 136 &&
                  offsetof(DecideArgs, dense) == 144,
              "DecideArgs layout is part of the generated code's ABI");
static_assert(sizeof(exec::CapStore::Dense) == 16 && offsetof(exec::CapStore::Dense, pages) == 8,
              "CapStore::Dense layout is part of the generated code's ABI");
static_assert(sizeof(exec::CapUsage) == 32 && offsetof(exec::CapUsage, limit_at_peak) == 8 &&
                  offsetof(exec::CapUsage, charges) == 16 && offsetof(exec::CapUsage, refusals) == 24,
              "CapUsage layout is part of the generated code's ABI");
using DecideFn = uint64_t (*)(const DecideArgs* args, uint64_t begin, uint64_t end);

// A large decision step is split (plan.h, Kernel::part): the DecideFn is
// only the row loop, and for each row it calls every part in order,
//
//   extern "C" int32_t edict_<hash>_k<K>(const DecideArgs* args, uint64_t row, int64_t* frame);
//
// which judges its rules for that row (0: go on; 1: a candidate ranked
// above every later one was chosen, skip the later parts; 2: leave the row
// to exec::Decider), then the commit function of the part that chose,
//
//   extern "C" void edict_<hash>_k<K>_commit(const DecideArgs* args, uint64_t row, int64_t* frame);
//
// which writes the decision. `frame` holds the row's state (decide_llvm.cpp,
// FrameLayout). The parts are only ever called by the generated row loop.
using DecidePartFn = int32_t (*)(const DecideArgs* args, uint64_t row, int64_t* frame);
using DecideCommitFn = void (*)(const DecideArgs* args, uint64_t row, int64_t* frame);

struct CompiledKernels {
  std::vector<KernelFn> fns;  // one per plan kernel; empty on error
  bool cache_hit = false;  // already compiled in this process
  bool from_disk = false;  // loaded from the disk cache (cache.h): nothing built, optimised or compiled
  std::string error;
};

// Compiles the plan's kernels with LLVM (optimised for the host CPU), or
// returns those already compiled for an equal plan.key in this process, or
// loads them from the disk cache (compiled by an earlier process).
// Thread-safe. The code stays loaded until the process exits.
CompiledKernels CompileKernels(const ir::Program& p, const Plan& plan);

}  // namespace edict::jit
