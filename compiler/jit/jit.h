// The LLVM ORC JIT backend: compiles the IR's instructions into native loops
// over a batch (one call per kernel per batch) and leaves the instructions it
// does not compile to the interpreter, in dependency order. It computes the
// same statuses, values and error origins as the interpreter for every
// instruction the decision step can read. This header has no LLVM types:
// only files in compiler/jit/ include LLVM headers.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "exec/backend.h"
#include "ir/ir.h"

namespace edict::jit {

struct JitStats {
  size_t compiled = 0;     // instructions computed by compiled kernels
  size_t constants = 0;    // Const: immediates in kernels, their columns filled once
  size_t interpreted = 0;  // instructions left to the interpreter
  size_t dead = 0;         // read by no rule ever in force: neither backend evaluates them
  size_t kernels = 0;      // compiled functions (one call per batch each)
  double compile_ms = 0;   // planning, optimisation and machine code (small on a cache hit)
  bool cache_hit = false;  // the same kernels were already compiled in this process
  bool disk_cache_hit = false;  // loaded from the disk cache: no code generated
  std::string error;       // LLVM failed: every instruction is interpreted
  bool decision = false;   // the decision step is compiled (then the counts above are its own)
  std::string decision_note;  // why it is not
  std::map<std::string, size_t> interpreted_ops;  // op name -> count
  // One line, e.g. "jit: 160 instructions compiled into 1 kernel, 0 interpreted,
  // 22 constants, 8 dead; decision step compiled; compiled in 41.2 ms" (a
  // split decision step: "decision step compiled in 9 parts"); the
  // end says "loaded from cache in 1.2 ms" on a disk cache hit, "found in the
  // cache in 0.1 ms" when this process had compiled the same kernels.
  std::string Summary() const;
};

// Sets up LLVM for this machine, once per process (Create does it when it
// has not been done): calling it early, on another thread, takes it off the
// path of the first compile.
void Prepare();

// Never null. If LLVM fails, the backend interprets everything and
// stats->error says why (stats->compiled is then 0).
std::unique_ptr<exec::Backend> Create(const ir::Program& program, const std::vector<exec::BoundTable>& tables,
                                      JitStats* stats);

}  // namespace edict::jit
