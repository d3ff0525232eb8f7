// The compiled decision step (kernel.h, DecideFn): exec::Decider's meaning
// (exec/decide.cpp, docs/semantics.md) unrolled for one program. For each
// row, in order:
//
//   flags of the flag-only rules in force that hold (and whose bases hold);
//   Choose(general rules): each candidate in `prefer` order, if in force,
//     holding and fitting its caps, resolved through Choose(its exceptions);
//     a later candidate of the same rank must decide alike;
//   the deciding rule's charges recorded, its outcome, basis and flags written.
//
// The rules, their order, exceptions and caps are constants here, so this is
// straight-line code with branches, and each value a rule reads is computed
// where it is first needed (InstEmitter in fused mode), as a hand-written
// decision would. Caps are counters in the run's exec::CapStore: a cap with
// one small key is found inline through CapStore::Dense, any other through
// edict_jit_cap_slot (CapSlot).
//
// What the compiled code leaves to exec::Decider: a row that could not be
// read, and a row where the decider would report an error (a value in error,
// a negative charge, a limit that cannot be computed, a conflict); it then
// returns that row's index having changed nothing (cap refusals are counted
// locally and added only when the row is decided), and exec::Decider decides
// it with the reason text. So the two cannot disagree on those rows, and on
// the others the code below mirrors decide.cpp step by step.
#include <llvm/IR/Constants.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "exec/decide.h"
#include "jit/inst_emitter.h"
#include "jit/to_llvm.h"

namespace edict::jit::emit {

namespace {

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
FrameLayout Layout(const ir::Program& p) {
  FrameLayout l;
  size_t next = FrameLayout::refused + p.caps.size();
  l.trial.resize(p.rules.size());
  for (size_t r = 0; r < p.rules.size(); ++r) {
    if (!CanDecide(p.rules[r])) continue;
    for (size_t k = 0; k < p.rules[r].charges.size(); ++k, next += 4) l.trial[r].push_back(next);
  }
  l.size = next;
  return l;
}

// The types of a part and of its commit function (kernel.h).
llvm::FunctionType* PartType(llvm::LLVMContext& ctx) {
  llvm::Type* ptr = llvm::PointerType::get(ctx, 0);
  return llvm::FunctionType::get(llvm::Type::getInt32Ty(ctx), {ptr, llvm::Type::getInt64Ty(ctx), ptr}, false);
}
llvm::FunctionType* CommitType(llvm::LLVMContext& ctx) {
  llvm::Type* ptr = llvm::PointerType::get(ctx, 0);
  return llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr, llvm::Type::getInt64Ty(ctx), ptr}, false);
}

class DecisionEmitter : public InstEmitter {
 public:
  DecisionEmitter(ModuleState& ms, const ir::Program& p, const Plan& plan, size_t kernel, llvm::Function* fn)
      : InstEmitter(ms, p, plan, kernel, fn, /*fused=*/true), order_(exec::OrderRules(p)), layout_(Layout(p)) {}

  // The whole decision step in one function (DecideFn): the row loop and,
  // for each row, every rule.
  void EmitWhole() {
    Analyse(nullptr);
    RowLoop([&] {
      Day();
      LookUpFieldBundles();
      if (periods_) EmitPeriods();
      EmitFlagRules(FlagRules());
      Choice top = LocalChoice("decided");
      EmitChoose(order_.general, top);
      b_.CreateBr(top.decided);
      b_.SetInsertPoint(top.decided);
      llvm::BasicBlock* written = Block("written");
      EmitCommit(b_.CreateLoad(i32_, top.chosen_final), Decidable(nullptr), written, /*otherwise=*/true);
      b_.SetInsertPoint(written);
      EmitRowEnd();
    });
  }

  // Kernel 0 of a split decision step (DecideFn): the row loop, which
  // calls the parts (kernels 1...) for each row with the row's state in a
  // frame (FrameLayout), then the commit function of the part whose rule
  // decides.
  void EmitRowLoop() {
    RowLoop([&] {
      Day();
      if (periods_) {
        EmitPeriods();
        b_.CreateStore(year_, FrameSlot(layout_.year));
        b_.CreateStore(quarter_, FrameSlot(layout_.quarter));
        b_.CreateStore(month_, FrameSlot(layout_.month));
      }
      llvm::Value* frame = frame_;
      llvm::BasicBlock* decided = Block("decided");
      for (size_t k = 1; k < plan_.kernels.size(); ++k) {
        llvm::Value* r = b_.CreateCall(DeclareFunction(ms_, PartType(ctx_), KernelName(ms_.prefix, k)), {args_, row_, frame});
        llvm::BasicBlock* next = Block("next_part");
        llvm::SwitchInst* sw = b_.CreateSwitch(r, next);
        sw->addCase(llvm::cast<llvm::ConstantInt>(C32(kPartLeave)), stop_);
        if (!plan_.kernels[k].flag_part) sw->addCase(llvm::cast<llvm::ConstantInt>(C32(kPartDecided)), decided);
        b_.SetInsertPoint(next);
      }
      b_.CreateBr(decided);
      b_.SetInsertPoint(decided);
      llvm::BasicBlock* written = Block("written");
      llvm::BasicBlock* none = Block("otherwise");
      llvm::SwitchInst* sw = b_.CreateSwitch(b_.CreateLoad(i32_, FrameSlot(layout_.chosen_part)), none);
      for (size_t k = 1; k < plan_.kernels.size(); ++k) {
        if (plan_.kernels[k].flag_part) continue;
        llvm::BasicBlock* commit = Block("commit");
        sw->addCase(llvm::cast<llvm::ConstantInt>(C32(static_cast<int32_t>(k))), commit);
        b_.SetInsertPoint(commit);
        b_.CreateCall(DeclareFunction(ms_, CommitType(ctx_), CommitName(ms_.prefix, k)), {args_, row_, frame});
        b_.CreateBr(written);
      }
      b_.SetInsertPoint(none);
      EmitOtherwise();
      b_.CreateBr(written);
      b_.SetInsertPoint(written);
      EmitRowEnd();
    });
  }

  // Part kernel_ of a split decision step (DecidePartFn): its rules for one
  // row, in the frame; returns kPartGoOn, kPartDecided (a candidate ranked
  // above every later one was chosen) or kPartLeave (the row is left to
  // exec::Decider).
  void EmitPart() {
    Analyse(&plan_.kernels[kernel_]);
    args_ = fn_->getArg(0);
    row_ = fn_->getArg(1);
    frame_ = fn_->getArg(2);
    group_ = llvm::MDNode::getDistinct(ctx_, {});
    llvm::BasicBlock* entry = Block("entry");
    llvm::BasicBlock* body = Block("part");
    stop_ = Block("leave_to_decider");
    b_.SetInsertPoint(entry);
    MakeScratch();
    MakeState();
    b_.CreateBr(body);
    entry_.SetInsertPoint(entry->getTerminator());
    b_.SetInsertPoint(stop_);
    b_.CreateRet(C32(kPartLeave));
    b_.SetInsertPoint(body);
    Day();
    LookUpFieldBundles();
    if (periods_) {
      year_ = b_.CreateLoad(i64_, FrameSlot(layout_.year));
      quarter_ = b_.CreateLoad(i64_, FrameSlot(layout_.quarter));
      month_ = b_.CreateLoad(i64_, FrameSlot(layout_.month));
    }
    const Kernel& part = plan_.kernels[kernel_];
    if (part.flag_part) {
      EmitFlagRules(part.rules);
    } else {
      Choice top{FrameSlot(layout_.chosen), FrameSlot(layout_.chosen_final), FrameSlot(layout_.chosen_prefer),
                 FrameSlot(layout_.chosen_part), Block("decided")};
      EmitChoose(part.rules, top);
      llvm::BasicBlock* go_on = b_.GetInsertBlock();
      b_.SetInsertPoint(top.decided);
      b_.CreateRet(C32(kPartDecided));
      b_.SetInsertPoint(go_on);
    }
    b_.CreateRet(C32(kPartGoOn));
  }

  // The commit function of part kernel_ (DecideCommitFn): writes the
  // decision of the rule in the frame's chosen_final, one of the part's.
  void EmitPartCommit() {
    args_ = fn_->getArg(0);
    row_ = fn_->getArg(1);
    frame_ = fn_->getArg(2);
    llvm::BasicBlock* entry = Block("entry");
    llvm::BasicBlock* body = Block("commit");
    b_.SetInsertPoint(entry);
    MakeState();
    b_.CreateBr(body);
    entry_.SetInsertPoint(entry->getTerminator());
    b_.SetInsertPoint(body);
    llvm::BasicBlock* written = Block("written");
    EmitCommit(b_.CreateLoad(i32_, FrameSlot(layout_.chosen_final)), Decidable(&plan_.kernels[kernel_].rules), written,
               /*otherwise=*/false);
    b_.SetInsertPoint(written);
    b_.CreateRetVoid();
  }

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
  void Analyse(const Kernel* part) {
    std::vector<uint32_t> rules;  // those whose reads Prefetch computes
    if (!part) {
      for (size_t r = 0; r < p_.rules.size(); ++r) rules.push_back(static_cast<uint32_t>(r));
    } else if (!part->flag_part) {
      rules = WithExceptions(order_.exceptions, part->rules);
    } else {  // flag rules, and their bases (up the chain)
      std::vector<uint8_t> in(p_.rules.size(), 0);
      for (uint32_t r : part->rules) {
        for (int32_t b = static_cast<int32_t>(r); b >= 0 && !in[static_cast<size_t>(b)]; b = p_.rules[static_cast<size_t>(b)].base) {
          in[static_cast<size_t>(b)] = 1;
          rules.push_back(static_cast<uint32_t>(b));
        }
      }
    }
    Canonicalise(part ? &part->insts : nullptr);
    BundleSets(part ? &part->insts : nullptr);
    FindShared(rules);
  }

  // The function's row loop (DecideFn), with the row's state; body() emits
  // what is done for a row that the compiled code decides.
  template <typename Body>
  void RowLoop(Body body) {
    llvm::BasicBlock* entry = Block("entry");
    llvm::BasicBlock* header = Block("row");
    llvm::BasicBlock* decide = Block("decide");
    llvm::BasicBlock* latch = Block("next");
    llvm::BasicBlock* exit = Block("done");
    stop_ = Block("leave_to_decider");
    args_ = fn_->getArg(0);
    llvm::Value* begin = fn_->getArg(1);
    llvm::Value* end = fn_->getArg(2);
    group_ = llvm::MDNode::getDistinct(ctx_, {});

    b_.SetInsertPoint(entry);
    MakeScratch();
    const bool split = plan_.kernels.size() > 1;
    if (split) frame_ = b_.CreateAlloca(llvm::ArrayType::get(i64_, layout_.size), nullptr, "frame");
    MakeState();
    // The calendar period of the previous row's day, kept across rows
    // (rows come in date order: computed once per day).
    if (periods_) {
      period_known_ = b_.CreateAlloca(i1_, nullptr, "period_known");
      period_day_ = b_.CreateAlloca(i32_, nullptr, "period_day");
      for (auto** a : {&year_slot_, &quarter_slot_, &month_slot_}) *a = b_.CreateAlloca(i64_);
      b_.CreateStore(b_.getFalse(), period_known_);
    }
    b_.CreateCondBr(b_.CreateICmpULT(begin, end), header, exit);
    entry_.SetInsertPoint(entry->getTerminator());

    b_.SetInsertPoint(header);
    llvm::PHINode* row = b_.CreatePHI(i64_, 2, "row");
    row->addIncoming(begin, entry);
    row_ = row;
    llvm::Value* to_decider = Load(i8_, Arg(kToDecider), 1);
    b_.CreateCondBr(b_.CreateICmpNE(to_decider, C8(0)), stop_, decide);

    b_.SetInsertPoint(decide);
    b_.CreateStore(C64(0), flags_);
    for (llvm::Value* a : refused_) {
      if (a) b_.CreateStore(C64(0), a);
    }
    if (split) {
      for (size_t slot : {FrameLayout::chosen, FrameLayout::chosen_final, FrameLayout::chosen_part}) {
        b_.CreateStore(C32(-1), FrameSlot(slot));
      }
    }
    body();
    b_.CreateBr(latch);

    b_.SetInsertPoint(latch);
    llvm::Value* next = b_.CreateAdd(row, C64(1), "next", true, true);
    row->addIncoming(next, latch);
    b_.CreateCondBr(b_.CreateICmpULT(next, end), header, exit);
    b_.SetInsertPoint(exit);
    b_.CreateRet(end);
    b_.SetInsertPoint(stop_);
    b_.CreateRet(row);
  }

  // The row's state, at the entry block: the cap key's parts, the flags,
  // refusals by cap and each charge's trial; in allocas, or in the frame.
  void MakeState() {
    parts_ = b_.CreateAlloca(llvm::ArrayType::get(i64_, 6), nullptr, "cap_key");
    auto slot = [&](size_t i, llvm::Type* ty, const char* name) -> llvm::Value* {
      if (frame_) return b_.CreateConstInBoundsGEP1_64(i64_, frame_, i, name);
      return b_.CreateAlloca(ty, nullptr, name);
    };
    flags_ = slot(FrameLayout::flags, i64_, "flags");
    refused_.assign(p_.caps.size(), nullptr);
    trials_.assign(p_.rules.size(), {});
    periods_ = false;
    for (size_t r = 0; r < p_.rules.size(); ++r) {
      const ir::Rule& rule = p_.rules[r];
      if (!CanDecide(rule)) continue;
      for (size_t k = 0; k < rule.charges.size(); ++k) {
        const uint32_t cap = rule.charges[k].cap;
        if (!refused_[cap]) refused_[cap] = slot(FrameLayout::refused + cap, i64_, "refused");
        const size_t t = layout_.trial[r][k];
        trials_[r].push_back(
            {slot(t, ptr_, "slot"), slot(t + 1, i64_, "amount"), slot(t + 2, i64_, "used"), slot(t + 3, i64_, "limit")});
        periods_ |= p_.caps[cap].period != ir::Period::Window;
      }
    }
  }
  llvm::Value* FrameSlot(size_t slot) { return b_.CreateConstInBoundsGEP1_64(i64_, frame_, slot); }

  // The bundles of sets read with a field: looked up once, where every rule
  // can use them.
  void LookUpFieldBundles() {
    for (size_t k = 0; k < bundles_.size(); ++k) {
      if (p_.insts[bundles_[k].operand].op == ir::Op::Field) BundleWord(k, Operand(bundles_[k].operand).x);
    }
  }

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

  llvm::Value* InForce(const ir::Rule& r) {
    llvm::Value* any = b_.getFalse();
    for (const ir::Interval& iv : r.in_force) {
      llvm::Value* in = b_.getTrue();
      if (iv.from != INT32_MIN) in = b_.CreateAnd(in, b_.CreateICmpSGE(Day(), C32(iv.from)));
      if (iv.through != INT32_MAX) in = b_.CreateAnd(in, b_.CreateICmpSLE(Day(), C32(iv.through)));
      any = b_.CreateOr(any, in);
    }
    return any;
  }

  // Whether the rule's condition holds (exec::Decider::Holds); an error
  // leaves the row.
  llvm::Value* Holds(size_t rule) {
    const ir::InstId when = p_.rules[rule].when;
    if (when == ir::kNoInst) return b_.getTrue();
    Val v = Operand(when);
    LeaveIfError(v);
    return Truthy(v);
  }

  void EmitPeriods() {
    llvm::Value* known = b_.CreateLoad(i1_, period_known_);
    llvm::Value* same = b_.CreateAnd(known, b_.CreateICmpEQ(b_.CreateLoad(i32_, period_day_), Day()));
    llvm::BasicBlock* compute = Block("new_day");
    llvm::BasicBlock* have = Block("periods");
    b_.CreateCondBr(same, have, compute);
    b_.SetInsertPoint(compute);
    auto of = [&](llvm::Function* f) { return b_.CreateSExt(b_.CreateCall(f, {Day()}), i64_); };
    llvm::Value* y = of(ms_.year_of);
    b_.CreateStore(y, year_slot_);
    b_.CreateStore(b_.CreateSub(b_.CreateAdd(b_.CreateMul(y, C64(4)), of(ms_.quarter_of)), C64(1)), quarter_slot_);
    b_.CreateStore(b_.CreateSub(b_.CreateAdd(b_.CreateMul(y, C64(12)), of(ms_.month_of)), C64(1)), month_slot_);
    b_.CreateStore(Day(), period_day_);
    b_.CreateStore(b_.getTrue(), period_known_);
    b_.CreateBr(have);
    b_.SetInsertPoint(have);
    year_ = b_.CreateLoad(i64_, year_slot_);
    quarter_ = b_.CreateLoad(i64_, quarter_slot_);
    month_ = b_.CreateLoad(i64_, month_slot_);
  }

  // What rule r reads (RuleReads), canonical, ascending: operands first.
  // mark and seen: by instruction, for RuleReads and the canonical ids.
  std::vector<ir::InstId> Cone(size_t r, std::vector<uint32_t>& mark, std::vector<uint32_t>& seen, uint32_t epoch) {
    std::vector<ir::InstId> reads, cone;
    RuleReads(p_, r, mark, epoch, &reads);
    for (ir::InstId i : reads) {
      const ir::InstId k = canon_[i];
      if (seen[k] != epoch) {
        seen[k] = epoch;
        cone.push_back(k);
      }
    }
    std::sort(cone.begin(), cone.end());
    return cone;
  }

  // Identical instructions written at several places in the rules (the same
  // `in` test in two rules, say) are computed once: a value in error only
  // ever makes the row go to exec::Decider, which reports the origin from
  // the columns, so the origin an instruction carries does not matter here.
  // Of `insts` (ascending), or of every instruction; any other is its own.
  void Canonicalise(const std::vector<ir::InstId>* insts) {
    const size_t n = p_.insts.size();
    canon_.resize(n);
    for (size_t i = 0; i < n; ++i) canon_[i] = static_cast<ir::InstId>(i);
    std::map<std::tuple<int, int, bool, uint32_t, uint32_t, uint32_t, int64_t>, ir::InstId> first;
    auto c = [&](ir::InstId i) { return i == ir::kNoInst || i >= n ? i : canon_[i]; };
    const size_t count = insts ? insts->size() : n;
    for (size_t at = 0; at < count; ++at) {
      const size_t i = insts ? (*insts)[at] : at;
      const ir::Inst& in = p_.insts[i];
      const uint32_t b = in.op == Op::TableGet ? in.b : c(in.b);  // TableGet's b is a column index
      auto key = std::make_tuple(static_cast<int>(in.op), static_cast<int>(in.ty), in.optional, c(in.a), b, c(in.c),
                                 in.imm);
      canon_[i] = first.emplace(key, static_cast<ir::InstId>(i)).first->second;
    }
  }

  // Values read by more than one rule (a `let` several rules use, a field)
  // are computed once per row: on the path every later rule's code passes
  // through (Prefetch), instead of in each rule's own branch, where the
  // optimiser could not share them.
  void FindShared(const std::vector<uint32_t>& rules) {
    std::vector<uint32_t> readers(p_.insts.size(), 0);
    cones_.assign(p_.rules.size(), {});
    std::vector<uint32_t> mark(p_.insts.size(), 0), seen(p_.insts.size(), 0);
    for (uint32_t r : rules) {
      if (p_.rules[r].in_force.empty()) continue;
      cones_[r] = Cone(r, mark, seen, static_cast<uint32_t>(r + 1));
      for (ir::InstId i : cones_[r]) ++readers[i];
    }
    shared_.assign(p_.insts.size(), 0);
    for (size_t i = 0; i < readers.size(); ++i) shared_[i] = readers[i] > 1;
  }
  void Prefetch(size_t r) {
    for (ir::InstId i : cones_[r]) {
      if (shared_[i]) Operand(i);
    }
  }

  uint64_t FlagMask(const ir::Rule& r) {
    uint64_t mask = 0;
    for (uint32_t f : r.flags) mask |= uint64_t{1} << f;
    return mask;
  }

  // Flags of the flag-only rules in force that hold, an exception only where
  // every base up its chain is in force and holds (DecideRow's first loop).
  std::vector<uint32_t> FlagRules() const {
    std::vector<uint32_t> flagging;
    for (size_t i = 0; i < p_.rules.size(); ++i) {
      if (FlagsOnly(p_.rules[i])) flagging.push_back(static_cast<uint32_t>(i));
    }
    return flagging;
  }
  void EmitFlagRules(const std::vector<uint32_t>& flagging) {
    auto prefetch = [&](uint32_t i) {
      Prefetch(i);
      for (int32_t b = p_.rules[i].base; b >= 0; b = p_.rules[static_cast<size_t>(b)].base) {
        Prefetch(static_cast<size_t>(b));
      }
    };
    ForEachInForce(flagging, prefetch, [&](uint32_t i) {
      const ir::Rule& r = p_.rules[i];
      llvm::BasicBlock* next = Block("flag_next");
      const size_t scope = PushScope();
      Require(Holds(i), next, "flag_holds");
      for (int32_t b = r.base; b >= 0; b = p_.rules[static_cast<size_t>(b)].base) {
        Require(InForce(p_.rules[static_cast<size_t>(b)]), next, "base_in_force");
        Require(Holds(static_cast<size_t>(b)), next, "base_holds");
      }
      b_.CreateStore(b_.CreateOr(b_.CreateLoad(i64_, flags_), C64(static_cast<int64_t>(FlagMask(r)))), flags_);
      b_.CreateBr(next);
      PopScope(scope);
      b_.SetInsertPoint(next);
    });
  }

  // emit(rule) for each of `rules` in order, each leaving the insertion
  // point where the next one goes on. Consecutive rules in force on the
  // same days (most rules of a regulation: its dates) share one test of the
  // day and are skipped together when not in force: the same decisions,
  // fewer branches, and no condition that thousands of branches test (on
  // such a function InstCombine's cost grows with uses x branches: 3,000
  // generated rules spent 1.4 s there). prefetch(rule) runs for the
  // group's rules before its test, so that the values several rules share
  // are computed where every later rule can use them.
  template <typename Prefetcher, typename Emit>
  void ForEachInForce(const std::vector<uint32_t>& rules, Prefetcher prefetch, Emit emit) {
    auto same_days = [&](uint32_t a, uint32_t b) {
      const auto &x = p_.rules[a].in_force, &y = p_.rules[b].in_force;
      return std::equal(x.begin(), x.end(), y.begin(), y.end(), [](const ir::Interval& u, const ir::Interval& v) {
        return u.from == v.from && u.through == v.through;
      });
    };
    for (size_t i = 0; i < rules.size();) {
      size_t end = i + 1;
      while (end < rules.size() && same_days(rules[end], rules[i])) ++end;
      for (size_t k = i; k < end; ++k) prefetch(rules[k]);
      llvm::BasicBlock* after = Block("not_in_force");
      const size_t scope = PushScope();
      Require(InForce(p_.rules[rules[i]]), after, "in_force");
      for (; i < end; ++i) emit(rules[i]);
      b_.CreateBr(after);
      PopScope(scope);
      b_.SetInsertPoint(after);
    }
  }

  // Whether the rule's charges fit (exec::Decider::Fits); records each in
  // trials_[rule]. A refusal is counted in refused_; an error leaves the row.
  llvm::Value* Fits(size_t rule) {
    const ir::Rule& r = p_.rules[rule];
    if (r.charges.empty()) return b_.getTrue();
    llvm::BasicBlock* fail = Block("does_not_fit");
    llvm::BasicBlock* merge = Block("fits?");
    std::vector<llvm::Value*> slots, amounts;
    // Values computed past the first check do not dominate `merge`.
    const size_t scope = PushScope();
    bool reachable = true;
    for (size_t k = 0; k < r.charges.size() && reachable; ++k) {
      const ir::Charge& ch = r.charges[k];
      const ir::Cap& cap = p_.caps[ch.cap];
      llvm::Value* period = C64(0);
      switch (cap.period) {
        case ir::Period::CalendarYear: period = year_; break;
        case ir::Period::Quarter: period = quarter_; break;
        case ir::Period::Month: period = month_; break;
        case ir::Period::Window:
          Require(b_.CreateAnd(b_.CreateICmpSGE(Day(), C32(cap.window.from)), b_.CreateICmpSLE(Day(), C32(cap.window.through))),
                  fail, "window_open");
          break;
      }
      for (size_t j = 0; j < cap.keys.size(); ++j) {
        Val v = Operand(cap.keys[j]);
        LeaveIfError(v);
        llvm::Value* part = b_.CreateSelect(IsAbsent(v), C64(INT64_MIN), v.x);
        b_.CreateStore(part, b_.CreateConstInBoundsGEP2_64(parts_->getAllocatedType(), parts_, 0, j));
      }
      if (cap.limits.empty()) {
        b_.CreateBr(fail);
        reachable = false;
        break;
      }
      // The limit in force: the last whose date has come.
      llvm::Value* any = b_.getFalse();
      Val limit{C8(exec::kAbsent), C64(0), nullptr};
      for (const auto& l : cap.limits) {
        llvm::Value* from = l.from == INT32_MIN ? b_.getTrue() : b_.CreateICmpSGE(Day(), C32(l.from));
        any = b_.CreateOr(any, from);
        Val v = Operand(l.value);
        limit.s = b_.CreateSelect(from, v.s, limit.s);
        limit.x = b_.CreateSelect(from, v.x, limit.x);
      }
      Require(any, fail, "has_limit");
      Require(IsOk(limit), stop_, "limit_ok");
      Val amount = Operand(ch.amount);
      LeaveIfError(amount);
      Require(IsOk(amount), fail, "amount_present");
      Require(b_.CreateICmpSGE(amount.x, C64(0)), stop_, "amount_not_negative");
      llvm::Value* slot = CapSlot(ch.cap, period, cap.keys.size());
      llvm::Value* used = b_.CreateLoad(i64_, slot);
      for (size_t j = 0; j < slots.size(); ++j) {  // this rule's earlier charges, not yet recorded
        used = b_.CreateAdd(used, b_.CreateSelect(b_.CreateICmpEQ(slot, slots[j]), amounts[j], C64(0)));
      }
      auto [after, overflow] = CheckedAdd(used, amount.x);
      llvm::BasicBlock* refused = Block("refused");
      llvm::BasicBlock* fits = Block("charge_fits");
      b_.CreateCondBr(b_.CreateOr(overflow, b_.CreateICmpSGT(after, limit.x)), refused, fits);
      b_.SetInsertPoint(refused);
      AddTo(refused_[ch.cap], C64(1));
      b_.CreateBr(fail);
      b_.SetInsertPoint(fits);
      const Trial& t = trials_[rule][k];
      b_.CreateStore(slot, t.slot);
      b_.CreateStore(amount.x, t.amount);
      b_.CreateStore(used, t.used);
      b_.CreateStore(limit.x, t.limit);
      slots.push_back(slot);
      amounts.push_back(amount.x);
    }
    PopScope(scope);
    llvm::BasicBlock* last = b_.GetInsertBlock();
    if (reachable) b_.CreateBr(merge);
    b_.SetInsertPoint(fail);
    b_.CreateBr(merge);
    b_.SetInsertPoint(merge);
    llvm::PHINode* phi = b_.CreatePHI(i1_, 2, "fits");
    if (reachable) phi->addIncoming(b_.getTrue(), last);
    phi->addIncoming(b_.getFalse(), fail);
    return phi;
  }

  // The counter of `cap` for this row's key (stored in parts_) in `period`,
  // as CapStore::Slot finds it: a cap with at most one key whose value is
  // below kDenseKeys, in its current period and on a page already made, is
  // found inline through CapStore::Dense; any other through the call.
  llvm::Value* CapSlot(uint32_t cap, llvm::Value* period, size_t keys) {
    auto slow_slot = [&] {
      return b_.CreateCall(ms_.cap_slot, {Arg(kCaps), C32(static_cast<int32_t>(cap)), period, parts_,
                                          C32(static_cast<int32_t>(keys))});
    };
    if (keys > 1) return slow_slot();
    using exec::CapStore;
    llvm::Value* k = C64(0);
    if (keys == 1) k = b_.CreateLoad(i64_, b_.CreateConstInBoundsGEP2_64(parts_->getAllocatedType(), parts_, 0, 0));
    llvm::BasicBlock* dense = Block("cap_dense");
    llvm::BasicBlock* paged = Block("cap_paged");
    llvm::BasicBlock* slow = Block("cap_slow");
    llvm::BasicBlock* done = Block("cap_slot");
    // Negative keys and absent ones (INT64_MIN) are large unsigned.
    b_.CreateCondBr(b_.CreateICmpULT(k, C64(CapStore::kDenseKeys)), dense, slow);
    b_.SetInsertPoint(dense);
    llvm::Value* at = b_.CreateConstInBoundsGEP1_64(i8_, Arg(kDense), uint64_t{cap} * sizeof(CapStore::Dense));
    llvm::Value* current = b_.CreateAlignedLoad(i64_, at, llvm::Align(8));
    // No period is INT64_MIN (periods are years, quarters, months or 0), so
    // a cap's pages are set whenever its period matches.
    llvm::Value* pages = b_.CreateAlignedLoad(ptr_, b_.CreateConstInBoundsGEP1_64(i8_, at, 8), llvm::Align(8));
    llvm::Value* page_at = b_.CreateInBoundsGEP(ptr_, pages, b_.CreateLShr(k, C64(CapStore::kPageBits)));
    llvm::BasicBlock* load_page = Block("cap_page");
    b_.CreateCondBr(b_.CreateICmpEQ(current, period), load_page, slow);
    b_.SetInsertPoint(load_page);
    llvm::Value* page = b_.CreateAlignedLoad(ptr_, page_at, llvm::Align(8));
    b_.CreateCondBr(b_.CreateIsNotNull(page), paged, slow);
    b_.SetInsertPoint(paged);
    llvm::Value* fast = b_.CreateInBoundsGEP(i64_, page, b_.CreateAnd(k, C64(CapStore::kPageSize - 1)));
    b_.CreateBr(done);
    b_.SetInsertPoint(slow);
    llvm::Value* called = slow_slot();
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
    llvm::PHINode* slot = b_.CreatePHI(ptr_, 2, "slot");
    slot->addIncoming(fast, paged);
    slot->addIncoming(called, slow);
    return slot;
  }

  // outcome << 32 | basis, by rule: what a rule decides.
  llvm::Value* Decides(llvm::Value* rule) {
    std::vector<uint64_t> words;
    for (const ir::Rule& r : p_.rules) {
      words.push_back(static_cast<uint64_t>(static_cast<uint32_t>(r.outcome)) << 32 | static_cast<uint32_t>(r.basis));
    }
    llvm::GlobalVariable* g = ConstTable(0xD0000000'00000000ull, words, "rule_decides");
    return b_.CreateAlignedLoad(i64_, b_.CreateInBoundsGEP(i64_, g, b_.CreateSExt(rule, i64_)), llvm::Align(8));
  }

  // A choice in allocas, none made yet.
  Choice LocalChoice(const char* decided) {
    Choice choice{entry_.CreateAlloca(i32_, nullptr, "chosen"), entry_.CreateAlloca(i32_, nullptr, "chosen_final"),
                  entry_.CreateAlloca(i32_, nullptr, "chosen_prefer"), nullptr, Block(decided)};
    b_.CreateStore(C32(-1), choice.chosen);
    b_.CreateStore(C32(-1), choice.chosen_final);
    return choice;
  }

  // The exception to `over` that decides (exec::Decider::Choose among its
  // exceptions), -1 if none applies.
  llvm::Value* ChooseException(uint32_t over) {
    const std::vector<uint32_t>& candidates = order_.exceptions[over];
    if (std::none_of(candidates.begin(), candidates.end(), [&](uint32_t c) { return CanDecide(p_.rules[c]); })) {
      return C32(-1);
    }
    Choice choice = LocalChoice("exception_decided");
    EmitChoose(candidates, choice);
    b_.CreateBr(choice.decided);
    b_.SetInsertPoint(choice.decided);
    return b_.CreateLoad(i32_, choice.chosen_final);
  }

  // exec::Decider::Choose among `candidates` (the exceptions to a rule, or
  // general rules), into `choice`; ends where the last candidate goes on,
  // except that a candidate ranked above every later one (by `prefer`)
  // branches to choice.decided.
  void EmitChoose(const std::vector<uint32_t>& candidates, const Choice& choice) {
    std::vector<uint32_t> live;
    for (uint32_t c : candidates) {
      if (CanDecide(p_.rules[c])) live.push_back(c);
    }
    llvm::Value* chosen = choice.chosen;
    llvm::Value* chosen_final = choice.chosen_final;
    llvm::Value* chosen_prefer = choice.chosen_prefer;
    llvm::BasicBlock* done = choice.decided;
    ForEachInForce(live, [&](uint32_t c) { Prefetch(c); }, [&](uint32_t c) {
      const ir::Rule& cr = p_.rules[c];
      llvm::BasicBlock* next = Block("candidate_next");
      const size_t scope = PushScope();
      Require(Holds(c), next, "holds");
      Require(Fits(c), next, "fits");
      llvm::Value* resolved = ChooseException(c);
      llvm::Value* final_rule = b_.CreateSelect(b_.CreateICmpSGE(resolved, C32(0)), resolved, C32(static_cast<int32_t>(c)));
      llvm::BasicBlock* first = Block("first_candidate");
      llvm::BasicBlock* second = Block("another_candidate");
      b_.CreateCondBr(b_.CreateICmpSLT(b_.CreateLoad(i32_, chosen), C32(0)), first, second);
      b_.SetInsertPoint(first);
      b_.CreateStore(C32(static_cast<int32_t>(c)), chosen);
      b_.CreateStore(final_rule, chosen_final);
      b_.CreateStore(C32(cr.prefer), chosen_prefer);
      if (choice.chosen_part) b_.CreateStore(C32(static_cast<int32_t>(kernel_)), choice.chosen_part);
      b_.CreateBr(next);
      // A second candidate: fine if `prefer` ranks the first above it (no
      // later one can matter), or if both decide alike; else a conflict.
      b_.SetInsertPoint(second);
      llvm::BasicBlock* same_rank = Block("same_rank");
      b_.CreateCondBr(b_.CreateICmpSLT(b_.CreateLoad(i32_, chosen_prefer), C32(cr.prefer)), done, same_rank);
      b_.SetInsertPoint(same_rank);
      llvm::Value* alike = b_.CreateICmpEQ(Decides(b_.CreateLoad(i32_, chosen_final)), Decides(final_rule));
      b_.CreateCondBr(alike, next, stop_);
      PopScope(scope);
      b_.SetInsertPoint(next);
    });
  }

  // The rules that can decide when choosing among `candidates`: those and
  // their exceptions, theirs and so on; or (null) every rule that can
  // decide. Ascending.
  std::vector<uint32_t> Decidable(const std::vector<uint32_t>* candidates) const {
    std::vector<uint32_t> rules;
    if (!candidates) {
      for (size_t r = 0; r < p_.rules.size(); ++r) rules.push_back(static_cast<uint32_t>(r));
    } else {
      rules = WithExceptions(order_.exceptions, *candidates);
      std::sort(rules.begin(), rules.end());
    }
    rules.erase(std::remove_if(rules.begin(), rules.end(), [&](uint32_t r) { return !CanDecide(p_.rules[r]); }),
                rules.end());
    return rules;
  }

  // Records the deciding rule's charges and writes the row's decision, then
  // goes to `written`: `final_rule` is one of `rules`, or -1 (with
  // `otherwise`: the outcome the program gives when no rule decides).
  void EmitCommit(llvm::Value* final_rule, const std::vector<uint32_t>& rules, llvm::BasicBlock* written,
                  bool otherwise) {
    llvm::BasicBlock* none = Block("otherwise");
    llvm::SwitchInst* sw = b_.CreateSwitch(final_rule, none);
    b_.SetInsertPoint(none);
    if (otherwise) EmitOtherwise();
    b_.CreateBr(written);
    for (uint32_t r : rules) {
      llvm::BasicBlock* block = Block("decided_by");
      sw->addCase(llvm::cast<llvm::ConstantInt>(C32(static_cast<int32_t>(r))), block);
      b_.SetInsertPoint(block);
      EmitDecidedBy(r);
      b_.CreateBr(written);
    }
  }
  void WriteDecision(int32_t outcome, int32_t basis, int32_t rule, uint64_t flags) {
    Out(kOutcome, C32(outcome), 4);
    Out(kBasis, C32(basis), 4);
    Out(kRule, C32(rule), 4);
    if (flags) b_.CreateStore(b_.CreateOr(b_.CreateLoad(i64_, flags_), C64(static_cast<int64_t>(flags))), flags_);
  }
  void EmitOtherwise() {
    WriteDecision(p_.outcome.otherwise, -1, -1, 0);
    Out(kCap, C32(-1), 4);
    Out(kCharged, C64(0), 8);
    Out(kHeadroom, C64(0), 8);
  }
  void EmitDecidedBy(uint32_t r) {
    const ir::Rule& rule = p_.rules[r];
    WriteDecision(rule.outcome, rule.basis, static_cast<int32_t>(r), FlagMask(rule));
    for (size_t k = 0; k < rule.charges.size(); ++k) {
      const uint32_t cap = rule.charges[k].cap;
      const Trial& t = trials_[r][k];
      llvm::Value* amount = b_.CreateLoad(i64_, t.amount);
      llvm::Value* limit = b_.CreateLoad(i64_, t.limit);
      llvm::Value* after = b_.CreateAdd(b_.CreateLoad(i64_, t.used), amount);
      b_.CreateStore(after, b_.CreateLoad(ptr_, t.slot));
      AddTo(UsageAt(cap, kCharges), C64(1));
      llvm::Value* peak_at = UsageAt(cap, kPeak);
      llvm::Value* limit_at = UsageAt(cap, kLimitAtPeak);
      llvm::Value* higher = b_.CreateICmpSGT(after, b_.CreateLoad(i64_, peak_at));
      b_.CreateStore(b_.CreateSelect(higher, after, b_.CreateLoad(i64_, peak_at)), peak_at);
      b_.CreateStore(b_.CreateSelect(higher, limit, b_.CreateLoad(i64_, limit_at)), limit_at);
      if (k == 0) {
        Out(kCap, C32(static_cast<int32_t>(cap)), 4);
        Out(kCharged, amount, 8);
        Out(kHeadroom, b_.CreateSub(limit, after), 8);
      }
    }
    if (rule.charges.empty()) {
      Out(kCap, C32(-1), 4);
      Out(kCharged, C64(0), 8);
      Out(kHeadroom, C64(0), 8);
    }
  }
  // After the decision: the row's refusals counted, its flags written.
  void EmitRowEnd() {
    for (size_t cap = 0; cap < refused_.size(); ++cap) {
      if (refused_[cap]) AddTo(UsageAt(static_cast<uint32_t>(cap), kRefusals), b_.CreateLoad(i64_, refused_[cap]));
    }
    Out(kFlags, b_.CreateLoad(i64_, flags_), 8);
  }

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

}  // namespace

void EmitDecision(ModuleState& ms, const ir::Program& p, const Plan& plan, size_t kernel) {
  llvm::LLVMContext& ctx = ms.m->getContext();
  if (kernel == 0) {  // the whole step, or the row loop of a split one
    llvm::Type* i64 = llvm::Type::getInt64Ty(ctx);
    llvm::Function* fn = DefineFunction(ms, llvm::FunctionType::get(i64, {llvm::PointerType::get(ctx, 0), i64, i64}, false),
                                        KernelName(ms.prefix, kernel), {"args", "begin", "end"});
    DecisionEmitter e(ms, p, plan, kernel, fn);
    if (plan.kernels.size() == 1) e.EmitWhole();
    else e.EmitRowLoop();
    return;
  }
  llvm::Function* fn = DefineFunction(ms, PartType(ctx), KernelName(ms.prefix, kernel), {"args", "row", "frame"});
  DecisionEmitter(ms, p, plan, kernel, fn).EmitPart();
  if (plan.kernels[kernel].flag_part) return;
  llvm::Function* commit = DefineFunction(ms, CommitType(ctx), CommitName(ms.prefix, kernel), {"args", "row", "frame"});
  DecisionEmitter(ms, p, plan, kernel, commit).EmitPartCommit();
}

}  // namespace edict::jit::emit
