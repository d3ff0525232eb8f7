// The hand-written baseline for the benchmarks: the `in_force` and
// `diffusion_2025` regimes of stdlib/us_ear coded by hand in plain C++ over
// the same columnar batches the ledger reader produces (exec::Batch: interned
// texts, country indexes, enum variant indexes, day numbers, rt::Decimal).
//
// It is the bar a careful engineer would set by hand-coding the rules: one
// pass over the rows, country-group membership as per-date lookup tables,
// the Entity List tables as a per-text-id byte array, caps as exact int64
// usage arrays (per consignee and calendar year; per country over the
// window), no strings and no allocation per row. It is written from the rule
// files, not from the IR: the IR is consulted once, at setup, only to find
// the ids the output must use (field, rule, cap, flag, text, variant
// indexes) and to check that the rule files still say what was transcribed
// (in-force windows, dated country groups). Where a rule is transcribed, a
// comment names the stdlib file and rule.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "exec/backend.h"
#include "exec/batch.h"
#include "ir/ir.h"

namespace edict::bench {

// One row's decision, as the hand-written code makes it. The ids are the
// IR's, so that it can be compared with exec::Decision field by field.
struct HandDecision {
  bool error = false;     // the row could not be read (Batch::error)
  int32_t outcome = -1;   // ir::Program::outcome variant
  int32_t basis = -1;     // payload variant, -1 for none
  int32_t rule = -1;      // deciding rule (ir::Program::rules index), -1 for none
  int32_t cap = -1;       // first cap charged, -1 for none
  int64_t charged = 0;
  uint64_t flags = 0;     // bit i: ir::Program::flags[i]
};

class HandWritten {
 public:
  virtual ~HandWritten() = default;
  // Judges rows [0, batch.rows) in order, updating its caps (as exec::Decider).
  virtual void Decide(const exec::Batch& batch, std::vector<HandDecision>& out) = 0;
};

// The hand-written code for `p.regime` ("in_force" or "diffusion_2025"),
// reading the bound tables `tables` (by ir::Program::tables index; an unbound
// table is empty). Null with *error set for another regime, or when the
// program no longer matches the transcription (e.g. a rule's in-force window
// or a country group changed in stdlib/).
std::unique_ptr<HandWritten> CreateHandWritten(const ir::Program& p, const std::vector<exec::BoundTable>& tables,
                                               std::string* error);

}  // namespace edict::bench
