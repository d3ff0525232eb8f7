// The JIT's plan for one program, before any LLVM: which instructions are
// compiled, which are left to the interpreter, how the compiled ones are
// grouped into kernels (one native loop over the batch each), and the order
// of kernels and interpreted instructions. No LLVM types here.
//
// Grouping. An instruction is live in a batch (exec::MarkLive) when some
// rule that reads it (a "reader") is in force on some day of the batch, i.e.
// when the union of its readers' days in force meets the batch's days. So
// instructions with the same union are live together: a kernel holds
// instructions with one such union, and runs only in batches where they are
// live, as the interpreter evaluates only live instructions. (The backend
// still asks MarkLive: a kernel runs if any of its instructions is live, so
// the grouping affects speed only.) An operand is read by every rule that
// reads its user, so it is live on a superset of its user's days: kernels
// ordered by decreasing number of days respect the data flow. Instructions
// that no rule ever in force reads are dead: never evaluated, by either
// backend.
//
// Stages. Instructions whose code calls a runtime helper (decimal * and /,
// year/quarter/month, large text sets) keep a loop from being vectorised, so
// they get kernels of their own ("scalar" kernels). Stage s runs its vector
// kernels, then its scalar kernels, then its interpreted instructions; an
// instruction that uses one of a later kind in that order runs a stage later.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/ir.h"

namespace edict::jit {

// Calls f(operand) for every instruction `in` reads (exactly the edges that
// exec::MarkLive follows: a, b except for TableGet's column index, c, and the
// versions of a DateSwitch).
template <typename F>
void ForEachOperand(const ir::Program& p, const ir::Inst& in, F&& f) {
  if (in.a != ir::kNoInst) f(in.a);
  if (in.b != ir::kNoInst && in.op != ir::Op::TableGet) f(in.b);
  if (in.c != ir::kNoInst) f(in.c);
  if (in.op == ir::Op::DateSwitch) {
    for (const auto& v : p.switches[static_cast<size_t>(in.imm)].versions) f(v.value);
  }
}

// Whether the JIT compiles instruction `id` (Const is not "compiled": it is an
// immediate in kernels and its column is filled once).
bool Compilable(const ir::Program& p, ir::InstId id);

// Sorted sets of up to this many members are tested inline (compares);
// larger ones call edict_jit_in_sorted.
inline constexpr size_t kInlineSetMembers = 16;
// Whether the code of compilable instruction `id` calls a runtime helper.
bool CallsHelper(const ir::Program& p, ir::InstId id);

enum class InstClass : uint8_t { kDead, kConst, kCompiled, kInterpreted };

struct Kernel {
  std::vector<ir::InstId> insts;  // computed in this order, row by row; all live on the same days
  bool scalar = false;            // calls runtime helpers: not vectorised
  // The compiled decision step (kernel.h, DecideFn) instead of a column
  // kernel: `insts` are those it may compute, each where it is first needed.
  bool decision = false;
  // A large decision step is split (MakeDecisionPlan): kernel 0 is the row
  // loop (DecideFn), and each other kernel a part of it that it calls for
  // each row (kernel.h, DecidePartFn): the flag-only rules `rules`
  // (flag_part), or the top-level general candidates `rules`, in order,
  // with their exceptions; such a part also writes the row's decision when
  // one of its rules decides (DecideCommitFn). So the parts are compiled
  // apart, in parallel, each small enough that the optimiser's cost stays
  // linear. `insts` of a part: what its rules read.
  bool flag_part = false;
  std::vector<uint32_t> rules;
};

// A rule that can decide a row (it has an outcome and is in force on some
// day), and a flag-only rule (flags, no outcome, in force on some day).
inline bool CanDecide(const ir::Rule& r) { return r.outcome >= 0 && !r.in_force.empty(); }
inline bool FlagsOnly(const ir::Rule& r) { return r.outcome < 0 && !r.flags.empty() && !r.in_force.empty(); }
// `rules` and their exceptions (`exceptions`: by rule, exec::RuleOrder's),
// theirs and so on, each once.
std::vector<uint32_t> WithExceptions(const std::vector<std::vector<uint32_t>>& exceptions,
                                     const std::vector<uint32_t>& rules);

// The instructions rule r reads (its condition, its charges' amounts, cap
// keys and limits, and all they use), constants excluded, in no order.
// `mark` (sized to the program's instructions, zero at first) and `epoch`
// (a new value per call) let repeated calls cost only what they find.
void RuleReads(const ir::Program& p, size_t r, std::vector<uint32_t>& mark, uint32_t epoch,
               std::vector<ir::InstId>* out);

struct Step {
  bool kernel;     // true: run kernels[index]; false: interpret instruction `index`
  uint32_t index;
};

struct Plan {
  std::vector<InstClass> cls;      // per instruction
  std::vector<int32_t> kernel_of;  // per instruction: its kernel, or -1 (or several: a split decision step)
  std::vector<Kernel> kernels;
  // INVARIANT: every operand of a step's instructions is a constant or is
  // computed by an earlier step (or earlier in the same kernel).
  std::vector<Step> steps;
  size_t compiled = 0, constants = 0, interpreted = 0, dead = 0;
  std::map<std::string, size_t> interpreted_ops;
  // Everything the generated code depends on (instructions, constants, sets,
  // switches, the kernels): equal keys give identical machine code.
  std::string key;
};

struct PlanOptions {
  // Bounds one function's size (compile time grows faster than linearly).
  size_t max_kernel_insts = 256;
  // Bounds the arrays one kernel's loop reads or writes (status, value and
  // decimal arrays of its results, of the fields it copies and of the
  // operands it loads): loops over many arrays thrash the cache (the columns
  // all start at the same offset in a page) and spill registers. Measured on
  // the stdlib regimes (1M rows): with 24 to 32, kernels run 2 to 3 times
  // faster than as one kernel of 63 instructions; 12 or 48 are slower.
  size_t max_kernel_streams = 32;
  // Over this many instructions, the program keeps the column kernels and
  // the shared decision step. Below, the compiled step judges 12 to 33
  // times as fast as the column kernels (which are no faster than the
  // interpreter on large programs), so it pays for itself within a few
  // thousand rows, and the disk cache keeps it. Compile times, cold, on 2
  // cores, of generated rule files (gen_many_rules.py) with the decision
  // step in parts: 3,000 rules (15,441 instructions) 1.1-1.5 s, 6,000
  // (30,743) 2.8 s, 12,000 (61,507) 5.6 s. The rule library's regimes have
  // 50 to 150. EDICT_JIT_DECISION_INSTS for tuning.
  size_t max_decision_insts = 64000;
  // A decision step of more instructions than this is split into parts of
  // about this many (the instructions their rules read), compiled apart, in
  // parallel (Kernel::part): one function's compile time grows faster than
  // linearly (InstCombine and the assembler, on thousands of blocks: 3,000
  // generated rules took 3-4 s as one function, 6,000 rules 7 s).
  // EDICT_JIT_DECISION_PART_INSTS for tuning (and for tests: 1 makes every
  // rule a part).
  size_t decision_part_insts = 2000;
};
Plan MakePlan(const ir::Program& p, const PlanOptions& options = {});

// The plan of the compiled decision step: kernels with `decision` set, one
// (or, over options.decision_part_insts, the row loop and its parts), which
// compute what the rules read and decide each row as exec::Decider does
// (decide_llvm.cpp); or no kernels, with *why_not saying why, when the
// program reads something the JIT does not compile, has more than 64 flags
// or is too large (options.max_decision_insts).
Plan MakeDecisionPlan(const ir::Program& p, const PlanOptions& options, std::string* why_not);

}  // namespace edict::jit
