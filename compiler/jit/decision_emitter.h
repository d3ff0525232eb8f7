// The compiled decision step's emitter (decide_llvm.cpp: the step's
// structure, the row loop, a split step's parts and frame, writing the
// decision; decide_rules.cpp: the rules themselves, in force, holding,
// fitting their caps, chosen in `prefer` order through their exceptions).
// Private to compiler/jit/ (LLVM types).
#pragma once

#include <llvm/IR/Constants.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "exec/decide.h"
#include "jit/inst_emitter.h"

namespace edict::jit::emit {

// DecideArgs' members after KernelArgs (kernel.h), in pointer-sized slots.
enum DecideSlot : unsigned {
  kToDecider = 8, kCaps = 9, kUsage = 10,
  kOutcome = 11, kBasis = 12, kRule = 13, kCap = 14, kCharged = 15, kHeadroom = 16, kFlags = 17, kDense = 18
};
// exec::CapUsage's members, in int64 slots.
enum UsageSlot : unsigned { kPeak = 0, kLimitAtPeak = 1, kCharges = 2, kRefusals = 3 };

// A split step's parts (kernel.h, DecidePartFn) return one of these.
enum PartResult : int32_t { kPartGoOn = 0, kPartDecided = 1, kPartLeave = 2 };

// The state a split decision step keeps for one row, shared by the row loop
// and the parts it calls: int64 slots (an i32 or a pointer in one slot).
// The choice and the periods are written by the row loop or a part, the
// refusals and trials by the parts, and read by the commit functions and
// the row loop. Every module computes the same layout from the program.
struct FrameLayout {
  static constexpr size_t flags = 0, chosen = 1, chosen_final = 2, chosen_prefer = 3, chosen_part = 4, year = 5,
                          quarter = 6, month = 7, refused = 8;  // refused + cap
  std::vector<std::vector<size_t>> trial;  // by rule, by charge: the first of its 4 slots (slot, amount, used, limit)
  size_t size = 0;
};
FrameLayout Layout(const ir::Program& p);

// The types of a part and of its commit function (kernel.h).
llvm::FunctionType* PartType(llvm::LLVMContext& ctx);
llvm::FunctionType* CommitType(llvm::LLVMContext& ctx);

class DecisionEmitter : public InstEmitter {
 public:
  DecisionEmitter(ModuleState& ms, const ir::Program& p, const Plan& plan, size_t kernel, llvm::Function* fn)
      : InstEmitter(ms, p, plan, kernel, fn, /*fused=*/true), order_(exec::OrderRules(p)), layout_(Layout(p)) {}

  // The whole decision step in one function (DecideFn): the row loop and,
  // for each row, every rule.
  void EmitWhole();

  // Kernel 0 of a split decision step (DecideFn): the row loop, which
  // calls the parts (kernels 1...) for each row with the row's state in a
  // frame (FrameLayout), then the commit function of the part whose rule
  // decides.
  void EmitRowLoop();

  // Part kernel_ of a split decision step (DecidePartFn): its rules for one
  // row, in the frame; returns kPartGoOn, kPartDecided (a candidate ranked
  // above every later one was chosen) or kPartLeave (the row is left to
  // exec::Decider).
  void EmitPart();

  // The commit function of part kernel_ (DecideCommitFn): writes the
  // decision of the rule in the frame's chosen_final, one of the part's.
  void EmitPartCommit();

 private:
  // One charge of a rule as last tried on this row (read when it decides).
  struct Trial {
    llvm::Value *slot, *amount, *used, *limit;
  };
  // Where Choose keeps its choice: the candidate, the rule that decides
  // (it or an exception), its `prefer` rank and (in a part) the part.
  struct Choice {
    llvm::Value *chosen, *chosen_final, *chosen_prefer;
    llvm::Value* chosen_part;   // null but in a part of a split step
    llvm::BasicBlock* decided;  // where a candidate ranked above every later one goes
  };

  // What the emitter needs to know of the program: for the whole step,
  // of every instruction and rule; for a part, of its own (so that each
  // part's cost is its size, not the program's).
  void Analyse(const Kernel* part);

  // The function's row loop (DecideFn), with the row's state; body() emits
  // what is done for a row that the compiled code decides.
  template <typename Body>
  void RowLoop(Body body);

  // The row's state, at the entry block: the cap key's parts, the flags,
  // refusals by cap and each charge's trial; in allocas, or in the frame.
  void MakeState();
  llvm::Value* FrameSlot(size_t slot) { return b_.CreateConstInBoundsGEP1_64(i64_, frame_, slot); }

  // The bundles of sets read with a field: looked up once, where every rule
  // can use them.
  void LookUpFieldBundles();

  llvm::BasicBlock* Block(const char* name) { return llvm::BasicBlock::Create(ctx_, name, fn_); }
  // Continues in a new block: `cond` true goes on, false goes to `otherwise`.
  void Require(llvm::Value* cond, llvm::BasicBlock* otherwise, const char* name) {
    llvm::BasicBlock* on = Block(name);
    b_.CreateCondBr(cond, on, otherwise);
    b_.SetInsertPoint(on);
  }
  // A value the decider would report as a run-time error: leave the row to it.
  void LeaveIfError(const Val& v) { Require(b_.CreateNot(IsErr(v)), stop_, "no_error"); }

  // A DecideArgs pointer member (loaded once, in the entry block).
  llvm::Value* Arg(DecideSlot slot) {
    llvm::Value*& v = args_loaded_[slot - kToDecider];
    if (!v) v = entry_.CreateAlignedLoad(ptr_, entry_.CreateConstInBoundsGEP1_64(i8_, args_, slot * 8), llvm::Align(8));
    return v;
  }
  void Out(DecideSlot slot, llvm::Value* v, unsigned align) {
    b_.CreateAlignedStore(v, b_.CreateInBoundsGEP(v->getType(), Arg(slot), row_), llvm::Align(align));
  }
  llvm::Value* UsageAt(uint32_t cap, UsageSlot field) {
    return b_.CreateConstInBoundsGEP1_64(i64_, Arg(kUsage), uint64_t{cap} * 4 + field);
  }
  void AddTo(llvm::Value* at, llvm::Value* v) {
    b_.CreateStore(b_.CreateAdd(b_.CreateLoad(i64_, at), v), at);
  }

  llvm::Value* InForce(const ir::Rule& r);

  // Whether the rule's condition holds (exec::Decider::Holds); an error
  // leaves the row.
  llvm::Value* Holds(size_t rule);

  void EmitPeriods();

  // What rule r reads (RuleReads), canonical, ascending: operands first.
  // mark and seen: by instruction, for RuleReads and the canonical ids.
  std::vector<ir::InstId> Cone(size_t r, std::vector<uint32_t>& mark, std::vector<uint32_t>& seen, uint32_t epoch);

  // Identical instructions written at several places in the rules (the same
  // `in` test in two rules, say) are computed once: a value in error only
  // ever makes the row go to exec::Decider, which reports the origin from
  // the columns, so the origin an instruction carries does not matter here.
  // Of `insts` (ascending), or of every instruction; any other is its own.
  void Canonicalise(const std::vector<ir::InstId>* insts);

  // Values read by more than one rule (a `let` several rules use, a field)
  // are computed once per row: on the path every later rule's code passes
  // through (Prefetch), instead of in each rule's own branch, where the
  // optimiser could not share them.
  void FindShared(const std::vector<uint32_t>& rules);
  void Prefetch(size_t r);

  uint64_t FlagMask(const ir::Rule& r) {
    uint64_t mask = 0;
    for (uint32_t f : r.flags) mask |= uint64_t{1} << f;
    return mask;
  }

  // Flags of the flag-only rules in force that hold, an exception only where
  // every base up its chain is in force and holds (DecideRow's first loop).
  std::vector<uint32_t> FlagRules() const;
  void EmitFlagRules(const std::vector<uint32_t>& flagging);

  // emit(rule) for each of `rules` in order, each leaving the insertion
  // point where the next one goes on. Consecutive rules in force on the
  // same days (most rules of a regulation: its dates) share one test of the
  // day and are skipped together when not in force: the same decisions,
  // fewer branches, and no condition that thousands of branches test (on
  // such a function InstCombine's cost grows with uses x branches: 3,000
  // generated rules spent 1.4 s there). prefetch(rule) runs for the
  // group's rules before its test, so that the values several rules share
  // are computed where every later rule can use them.
  template <typename Prefetcher, typename EmitOne>
  void ForEachInForce(const std::vector<uint32_t>& rules, Prefetcher prefetch, EmitOne emit);

  // Whether the rule's charges fit (exec::Decider::Fits); records each in
  // trials_[rule]. A refusal is counted in refused_; an error leaves the row.
  llvm::Value* Fits(size_t rule);

  // The counter of `cap` for this row's key (stored in parts_) in `period`,
  // as CapStore::Slot finds it: a cap with at most one key whose value is
  // below kDenseKeys, in its current period and on a page already made, is
  // found inline through CapStore::Dense; any other through the call.
  llvm::Value* CapSlot(uint32_t cap, llvm::Value* period, size_t keys);

  // outcome << 32 | basis, by rule: what a rule decides.
  llvm::Value* Decides(llvm::Value* rule);

  // A choice in allocas, none made yet.
  Choice LocalChoice(const char* decided);

  // The exception to `over` that decides (exec::Decider::Choose among its
  // exceptions), -1 if none applies.
  llvm::Value* ChooseException(uint32_t over);

  // exec::Decider::Choose among `candidates` (the exceptions to a rule, or
  // general rules), into `choice`; ends where the last candidate goes on,
  // except that a candidate ranked above every later one (by `prefer`)
  // branches to choice.decided.
  void EmitChoose(const std::vector<uint32_t>& candidates, const Choice& choice);

  // The rules that can decide when choosing among `candidates`: those and
  // their exceptions, theirs and so on; or (null) every rule that can
  // decide. Ascending.
  std::vector<uint32_t> Decidable(const std::vector<uint32_t>* candidates) const;

  // Records the deciding rule's charges and writes the row's decision, then
  // goes to `written`: `final_rule` is one of `rules`, or -1 (with
  // `otherwise`: the outcome the program gives when no rule decides).
  void EmitCommit(llvm::Value* final_rule, const std::vector<uint32_t>& rules, llvm::BasicBlock* written,
                  bool otherwise);
  void WriteDecision(int32_t outcome, int32_t basis, int32_t rule, uint64_t flags);
  void EmitOtherwise();
  void EmitDecidedBy(uint32_t r);
  // After the decision: the row's refusals counted, its flags written.
  void EmitRowEnd();

  exec::RuleOrder order_;
  std::vector<std::vector<ir::InstId>> cones_;  // by rule (in force on some day)
  std::vector<uint8_t> shared_;                 // by instruction: read by several rules
  FrameLayout layout_;
  llvm::BasicBlock* stop_ = nullptr;
  llvm::Value* frame_ = nullptr;  // a split step's frame (FrameLayout), else null
  llvm::AllocaInst* parts_ = nullptr;
  llvm::Value* flags_ = nullptr;
  std::vector<llvm::Value*> refused_;       // by cap: refusals on this row
  std::vector<std::vector<Trial>> trials_;  // by rule, by charge
  bool periods_ = false;                    // a charge to a cap with calendar periods
  llvm::AllocaInst *period_known_ = nullptr, *period_day_ = nullptr;
  llvm::AllocaInst *year_slot_ = nullptr, *quarter_slot_ = nullptr, *month_slot_ = nullptr;
  llvm::Value *year_ = nullptr, *quarter_ = nullptr, *month_ = nullptr;
  llvm::Value* args_loaded_[kDense - kToDecider + 1] = {};
};

}  // namespace edict::jit::emit
