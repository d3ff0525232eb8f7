// The compiled decision step's rules (decision_emitter.h): whether a rule
// is in force and holds, the flag-only rules, choosing among candidates in
// `prefer` order through their exceptions, fitting and finding caps, and
// what each rule reads (computed once where several rules share it).
#include "jit/decision_emitter.h"

namespace edict::jit::emit {

llvm::Value* DecisionEmitter::InForce(const ir::Rule& r) {
  llvm::Value* any = b_.getFalse();
  for (const ir::Interval& iv : r.in_force) {
    llvm::Value* in = b_.getTrue();
    if (iv.from != INT32_MIN) in = b_.CreateAnd(in, b_.CreateICmpSGE(Day(), C32(iv.from)));
    if (iv.through != INT32_MAX) in = b_.CreateAnd(in, b_.CreateICmpSLE(Day(), C32(iv.through)));
    any = b_.CreateOr(any, in);
  }
  return any;
}

llvm::Value* DecisionEmitter::Holds(size_t rule) {
  const ir::InstId when = p_.rules[rule].when;
  if (when == ir::kNoInst) return b_.getTrue();
  Val v = Operand(when);
  LeaveIfError(v);
  return Truthy(v);
}

void DecisionEmitter::EmitPeriods() {
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

std::vector<ir::InstId> DecisionEmitter::Cone(size_t r, std::vector<uint32_t>& mark, std::vector<uint32_t>& seen, uint32_t epoch) {
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

void DecisionEmitter::Canonicalise(const std::vector<ir::InstId>* insts) {
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

void DecisionEmitter::FindShared(const std::vector<uint32_t>& rules) {
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

void DecisionEmitter::Prefetch(size_t r) {
  for (ir::InstId i : cones_[r]) {
    if (shared_[i]) Operand(i);
  }
}

std::vector<uint32_t> DecisionEmitter::FlagRules() const {
  std::vector<uint32_t> flagging;
  for (size_t i = 0; i < p_.rules.size(); ++i) {
    if (FlagsOnly(p_.rules[i])) flagging.push_back(static_cast<uint32_t>(i));
  }
  return flagging;
}

void DecisionEmitter::EmitFlagRules(const std::vector<uint32_t>& flagging) {
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

template <typename Prefetcher, typename EmitOne>
void DecisionEmitter::ForEachInForce(const std::vector<uint32_t>& rules, Prefetcher prefetch, EmitOne emit) {
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

llvm::Value* DecisionEmitter::Fits(size_t rule) {
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

llvm::Value* DecisionEmitter::CapSlot(uint32_t cap, llvm::Value* period, size_t keys) {
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

llvm::Value* DecisionEmitter::Decides(llvm::Value* rule) {
  std::vector<uint64_t> words;
  for (const ir::Rule& r : p_.rules) {
    words.push_back(static_cast<uint64_t>(static_cast<uint32_t>(r.outcome)) << 32 | static_cast<uint32_t>(r.basis));
  }
  llvm::GlobalVariable* g = ConstTable(0xD0000000'00000000ull, words, "rule_decides");
  return b_.CreateAlignedLoad(i64_, b_.CreateInBoundsGEP(i64_, g, b_.CreateSExt(rule, i64_)), llvm::Align(8));
}

DecisionEmitter::Choice DecisionEmitter::LocalChoice(const char* decided) {
  Choice choice{entry_.CreateAlloca(i32_, nullptr, "chosen"), entry_.CreateAlloca(i32_, nullptr, "chosen_final"),
                entry_.CreateAlloca(i32_, nullptr, "chosen_prefer"), nullptr, Block(decided)};
  b_.CreateStore(C32(-1), choice.chosen);
  b_.CreateStore(C32(-1), choice.chosen_final);
  return choice;
}

llvm::Value* DecisionEmitter::ChooseException(uint32_t over) {
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

void DecisionEmitter::EmitChoose(const std::vector<uint32_t>& candidates, const Choice& choice) {
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

}  // namespace edict::jit::emit
