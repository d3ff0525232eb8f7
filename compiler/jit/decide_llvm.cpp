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
#include "jit/decision_emitter.h"
#include "jit/to_llvm.h"

namespace edict::jit::emit {

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

void DecisionEmitter::EmitWhole() {
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

void DecisionEmitter::EmitRowLoop() {
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

void DecisionEmitter::EmitPart() {
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

void DecisionEmitter::EmitPartCommit() {
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

void DecisionEmitter::Analyse(const Kernel* part) {
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

template <typename Body>
void DecisionEmitter::RowLoop(Body body) {
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

void DecisionEmitter::MakeState() {
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

void DecisionEmitter::LookUpFieldBundles() {
  for (size_t k = 0; k < bundles_.size(); ++k) {
    if (p_.insts[bundles_[k].operand].op == ir::Op::Field) BundleWord(k, Operand(bundles_[k].operand).x);
  }
}

std::vector<uint32_t> DecisionEmitter::Decidable(const std::vector<uint32_t>* candidates) const {
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

void DecisionEmitter::EmitCommit(llvm::Value* final_rule, const std::vector<uint32_t>& rules, llvm::BasicBlock* written,
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

void DecisionEmitter::WriteDecision(int32_t outcome, int32_t basis, int32_t rule, uint64_t flags) {
  Out(kOutcome, C32(outcome), 4);
  Out(kBasis, C32(basis), 4);
  Out(kRule, C32(rule), 4);
  if (flags) b_.CreateStore(b_.CreateOr(b_.CreateLoad(i64_, flags_), C64(static_cast<int64_t>(flags))), flags_);
}

void DecisionEmitter::EmitOtherwise() {
  WriteDecision(p_.outcome.otherwise, -1, -1, 0);
  Out(kCap, C32(-1), 4);
  Out(kCharged, C64(0), 8);
  Out(kHeadroom, C64(0), 8);
}

void DecisionEmitter::EmitDecidedBy(uint32_t r) {
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

void DecisionEmitter::EmitRowEnd() {
  for (size_t cap = 0; cap < refused_.size(); ++cap) {
    if (refused_[cap]) AddTo(UsageAt(static_cast<uint32_t>(cap), kRefusals), b_.CreateLoad(i64_, refused_[cap]));
  }
  Out(kFlags, b_.CreateLoad(i64_, flags_), 8);
}


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
