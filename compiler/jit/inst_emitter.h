// The instruction emitter shared by the JIT's two kinds of generated
// function: the column kernels (to_llvm.cpp: one loop over a batch per
// kernel, results stored in columns) and the compiled decision step
// (decide_llvm.cpp: one loop over the rows that computes what each rule
// reads as it needs it and decides the row). Each IR instruction becomes
// branch-free code over (status, value, decimal) triples, mirroring
// interp/interp.cpp case by case. Error propagation: a result starts as the
// instruction's own value (or its own error, e.g. overflow), then the errors
// of the operands it needs override it, the first operand last, so the first
// operand in error wins, as in the interpreter.
// Private to compiler/jit/ (LLVM types).
#pragma once

#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/Metadata.h>

#include <algorithm>
#include <initializer_list>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "exec/batch.h"
#include "ir/ir.h"
#include "jit/plan.h"

namespace edict::jit::emit {

using ir::Op;
using ir::Ty;

// Offsets of KernelArgs' members (kernel.h), in pointer-sized slots.
enum Slot : unsigned {
  kI64 = 0, kStatus = 1, kDec = 2, kFieldI64 = 3, kFieldStatus = 4, kFieldDec = 5, kDay = 6, kTables = 7
};

// One row's value of an instruction: status (i8), value or error origin
// (i64), and the decimal (i128) for Ty::Dec.
struct Val {
  llvm::Value* s = nullptr;
  llvm::Value* x = nullptr;
  llvm::Value* d = nullptr;
};

// Module-wide declarations shared by the kernels.
struct ModuleState {
  llvm::Module* m = nullptr;
  std::string prefix;              // the plan's symbol prefix (to_llvm.h, KernelName)
  std::string cpu, features;       // target attributes of every function
  llvm::Function* dec_mul = nullptr;
  llvm::Function* dec_div = nullptr;
  llvm::Function* year_of = nullptr;
  llvm::Function* quarter_of = nullptr;
  llvm::Function* month_of = nullptr;
  llvm::Function* in_sorted = nullptr;
  llvm::Function* table_row = nullptr;
  llvm::Function* table_cell = nullptr;
  llvm::Function* cap_slot = nullptr;
  std::unordered_map<uint64_t, llvm::GlobalVariable*> set_tables;  // (set, version) -> table
  // Bundle tables (InstEmitter::BundleSets) by their sets, in bit order:
  // the contents follow from them (the functions of a module may bundle
  // differently: a part of a split decision step canonicalises its own).
  std::map<std::vector<size_t>, llvm::GlobalVariable*> bundle_tables;
};

// Emits one function. A column kernel (Emit) computes a plan kernel's
// instructions for every row and stores them; in `fused` mode (the decision
// step, a subclass) an operand not yet computed is emitted where it is first
// needed, and values are remembered only while their block dominates
// (PushScope / PopScope).
class InstEmitter {
 public:
  InstEmitter(ModuleState& ms, const ir::Program& p, const Plan& plan, size_t kernel, llvm::Function* fn,
              bool fused = false)
      : ctx_(fn->getContext()), ms_(ms), p_(p), plan_(plan), kernel_(kernel), fn_(fn), b_(ctx_), entry_(ctx_),
        fused_(fused) {
    i1_ = b_.getInt1Ty();
    i8_ = b_.getInt8Ty();
    i32_ = b_.getInt32Ty();
    i64_ = b_.getInt64Ty();
    i128_ = b_.getInt128Ty();
    ptr_ = llvm::PointerType::get(ctx_, 0);
  }

  void Emit() {
    llvm::BasicBlock* entry = llvm::BasicBlock::Create(ctx_, "entry", fn_);
    llvm::BasicBlock* loop = llvm::BasicBlock::Create(ctx_, "rows", fn_);
    llvm::BasicBlock* exit = llvm::BasicBlock::Create(ctx_, "done", fn_);
    args_ = fn_->getArg(0);
    llvm::Value* begin = fn_->getArg(1);
    llvm::Value* end = fn_->getArg(2);
    b_.SetInsertPoint(entry);
    // Scratch for the decimal helpers (arguments by pointer).
    MakeScratch();
    b_.CreateCondBr(b_.CreateICmpULT(begin, end), loop, exit);
    // Column base pointers are loaded once, in the entry block.
    entry_.SetInsertPoint(entry->getTerminator());

    // INVARIANT: iterations touch only their own row of each column, and no
    // column is both read and written by one kernel: the loop is parallel.
    // Every column access (and the read-only set tables) carries group_.
    group_ = llvm::MDNode::getDistinct(ctx_, {});
    b_.SetInsertPoint(loop);
    llvm::PHINode* row = b_.CreatePHI(i64_, 2, "row");
    row->addIncoming(begin, entry);
    row_ = row;
    for (ir::InstId id : plan_.kernels[kernel_].insts) {
      Val v = EmitInst(id);
      const bool dec = p_.insts[id].ty == Ty::Dec;
      Store(v.s, Base(kStatus, id), 1);
      Store(v.x, Base(kI64, id), 8);
      if (dec) Store(v.d, Base(kDec, id), 16);
      ssa_[id] = v;
    }
    llvm::Value* next = b_.CreateAdd(row, C64(1), "next", true, true);
    row->addIncoming(next, loop);
    llvm::BranchInst* br = b_.CreateCondBr(b_.CreateICmpULT(next, end), loop, exit);
    llvm::MDNode* parallel =
        llvm::MDNode::get(ctx_, {llvm::MDString::get(ctx_, "llvm.loop.parallel_accesses"), group_});
    llvm::MDNode* loop_id = llvm::MDNode::getDistinct(ctx_, {nullptr, parallel});
    loop_id->replaceOperandWith(0, loop_id);
    br->setMetadata(llvm::LLVMContext::MD_loop, loop_id);
    b_.SetInsertPoint(exit);
    b_.CreateRetVoid();
  }

 protected:
  // Scratch for the helpers that take or return values by pointer.
  void MakeScratch() {
    tmp_a_ = b_.CreateAlloca(i128_, nullptr, "dec_a");
    tmp_b_ = b_.CreateAlloca(i128_, nullptr, "dec_b");
    tmp_out_ = b_.CreateAlloca(i128_, nullptr, "dec_out");
    for (llvm::AllocaInst* a : {tmp_a_, tmp_b_, tmp_out_}) a->setAlignment(llvm::Align(16));
    tmp_x_ = b_.CreateAlloca(i64_, nullptr, "x_out");
    tmp_x_->setAlignment(llvm::Align(8));
  }

  llvm::Constant* C8(int v) { return llvm::ConstantInt::get(i8_, static_cast<uint64_t>(v)); }
  llvm::Constant* C32(int32_t v) { return llvm::ConstantInt::get(i32_, static_cast<uint64_t>(static_cast<int64_t>(v)), true); }
  llvm::Constant* C64(int64_t v) { return llvm::ConstantInt::get(i64_, static_cast<uint64_t>(v), true); }
  llvm::Constant* C128(__int128 v) {
    uint64_t words[2] = {static_cast<uint64_t>(v), static_cast<uint64_t>(static_cast<unsigned __int128>(v) >> 64)};
    return llvm::ConstantInt::get(ctx_, llvm::APInt(128, words));
  }
  llvm::Constant* Err(ir::InstId id, exec::RuntimeError e) { return C64(exec::EncodeError(id, e)); }

  template <typename T>
  T* Tag(T* inst) {
    inst->setMetadata(llvm::LLVMContext::MD_access_group, group_);
    return inst;
  }

  // The base pointer of a column (loaded in the entry block, once).
  llvm::Value* Base(Slot slot, size_t index) {
    uint64_t k = (static_cast<uint64_t>(slot) << 32) | index;
    auto it = bases_.find(k);
    if (it != bases_.end()) return it->second;
    llvm::Value*& table = tables_[slot];
    if (!table) {
      llvm::Value* at = entry_.CreateConstInBoundsGEP1_64(i8_, args_, slot * 8);
      table = entry_.CreateAlignedLoad(ptr_, at, llvm::Align(8));
    }
    llvm::Value* base = slot == kDay || slot == kTables ? table
                                     : entry_.CreateAlignedLoad(
                                           ptr_, entry_.CreateConstInBoundsGEP1_64(ptr_, table, index), llvm::Align(8));
    bases_[k] = base;
    return base;
  }
  llvm::Value* Load(llvm::Type* ty, llvm::Value* base, unsigned align) {
    llvm::Value* at = b_.CreateInBoundsGEP(ty, base, row_);
    return Tag(b_.CreateAlignedLoad(ty, at, llvm::Align(align)));
  }
  void Store(llvm::Value* v, llvm::Value* base, unsigned align) {
    llvm::Value* at = b_.CreateInBoundsGEP(v->getType(), base, row_);
    Tag(b_.CreateAlignedStore(v, at, llvm::Align(align)));
  }
  llvm::Value* Day() {
    if (!day_) day_ = Load(i32_, Base(kDay, 0), 4);
    return day_;
  }

  // The value of an operand for this row: a constant, computed earlier in
  // this kernel, or loaded from its column (computed by an earlier step).
  Val Operand(ir::InstId id) {
    if (!canon_.empty()) id = canon_[id];
    auto it = ssa_.find(id);
    if (it != ssa_.end()) return it->second;
    const ir::Inst& in = p_.insts[id];
    const bool dec = in.ty == Ty::Dec;
    Val v;
    if (in.op == Op::Const) {
      v.s = C8(exec::kOk);
      if (dec) {
        v.x = C64(0);
        v.d = C128(p_.decimals[static_cast<size_t>(in.imm)].units);
      } else {
        v.x = C64(in.imm);
      }
    } else if (fused_) {
      v = EmitInst(id);
    } else {
      v.s = Load(i8_, Base(kStatus, id), 1);
      v.x = Load(i64_, Base(kI64, id), 8);
      if (dec) v.d = Load(i128_, Base(kDec, id), 16);
    }
    Remember(id, v);
    return v;
  }

  void Remember(ir::InstId id, const Val& v) {
    ssa_[id] = v;
    ssa_log_.push_back(id);
  }
  // Values emitted after PushScope are forgotten by the matching PopScope
  // (their block does not dominate what follows).
  size_t PushScope() const { return ssa_log_.size(); }
  void PopScope(size_t mark) {
    while (ssa_log_.size() > mark) {
      ssa_.erase(ssa_log_.back());
      ssa_log_.pop_back();
    }
  }

  // Checked arithmetic without the *.with.overflow intrinsics, which return
  // a struct the loop vectoriser cannot widen (one would keep a whole kernel
  // scalar). Each returns {wrapped result, overflowed}, like rt::*Overflows.
  std::pair<llvm::Value*, llvm::Value*> CheckedAdd(llvm::Value* a, llvm::Value* b) {
    llvm::Value* res = b_.CreateAdd(a, b);
    llvm::Value* zero = llvm::ConstantInt::get(a->getType(), 0);
    // Overflow iff both operands' signs differ from the result's.
    return {res, b_.CreateICmpSLT(b_.CreateAnd(b_.CreateXor(a, res), b_.CreateXor(b, res)), zero)};
  }
  std::pair<llvm::Value*, llvm::Value*> CheckedSub(llvm::Value* a, llvm::Value* b) {
    llvm::Value* res = b_.CreateSub(a, b);
    llvm::Value* zero = llvm::ConstantInt::get(a->getType(), 0);
    // Overflow iff the operands' signs differ and the result's differs from a's.
    return {res, b_.CreateICmpSLT(b_.CreateAnd(b_.CreateXor(a, b), b_.CreateXor(a, res)), zero)};
  }
  std::pair<llvm::Value*, llvm::Value*> CheckedMul(llvm::Value* a, llvm::Value* b) {
    // The exact product fits in 128 bits; it overflows iff it does not fit in 64.
    llvm::Value* wide = b_.CreateMul(b_.CreateSExt(a, i128_), b_.CreateSExt(b, i128_));
    llvm::Value* res = b_.CreateTrunc(wide, i64_);
    return {res, b_.CreateICmpNE(b_.CreateSExt(res, i128_), wide)};
  }

  llvm::Value* IsOk(const Val& v) { return b_.CreateICmpEQ(v.s, C8(exec::kOk)); }
  llvm::Value* IsAbsent(const Val& v) { return b_.CreateICmpEQ(v.s, C8(exec::kAbsent)); }
  llvm::Value* IsErr(const Val& v) { return b_.CreateICmpEQ(v.s, C8(exec::kError)); }
  // A Bool operand that is present and true.
  llvm::Value* Truthy(const Val& v) { return b_.CreateAnd(IsOk(v), b_.CreateICmpNE(v.x, C64(0))); }
  llvm::Value* Bool64(llvm::Value* c) { return b_.CreateZExt(c, i64_); }

  Val Select(llvm::Value* c, const Val& t, const Val& f) {
    Val r;
    r.s = b_.CreateSelect(c, t.s, f.s);
    r.x = b_.CreateSelect(c, t.x, f.x);
    if (t.d && f.d) r.d = b_.CreateSelect(c, t.d, f.d);
    return r;
  }
  // An operand in error makes the result that error (same origin).
  Val Propagate(Val r, const Val& operand) {
    llvm::Value* e = IsErr(operand);
    r.s = b_.CreateSelect(e, C8(exec::kError), r.s);
    r.x = b_.CreateSelect(e, operand.x, r.x);
    return r;
  }

  llvm::GlobalVariable* ConstTable(uint64_t key, const std::vector<uint64_t>& words, const char* name) {
    auto it = ms_.set_tables.find(key);
    if (it != ms_.set_tables.end()) return it->second;
    llvm::Constant* init = llvm::ConstantDataArray::get(ctx_, llvm::ArrayRef<uint64_t>(words));
    auto* g = new llvm::GlobalVariable(*ms_.m, init->getType(), true, llvm::GlobalValue::PrivateLinkage, init, name);
    g->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    g->setAlignment(llvm::Align(8));
    ms_.set_tables[key] = g;
    return g;
  }

  // Whether x is a member of the version of set s in force on this row's
  // day, exactly as the interpreter decides it: the version in force is the
  // last one whose date has come (none before the first); countries, enum
  // variants and Bools are looked up in a 1,024-bit bitset (codes outside it
  // are never members), other elements by binary search.
  llvm::Value* InSet(size_t s, llvm::Value* x) {
    const ir::DatedSet& set = p_.sets[s];
    const size_t nv = set.versions.size();
    if (set.elem == Ty::Country || set.elem == Ty::Enum || set.elem == Ty::Bool) {
      // One table for all versions: row 0 (no version in force) is empty,
      // row k + 1 is version k; one lookup per row whatever the version.
      std::vector<uint64_t> words(16 * (nv + 1), 0);
      bool any = false;
      for (size_t k = 0; k < nv; ++k) {
        for (int64_t m : set.versions[k].members) {
          if (m >= 0 && m < 1024) {
            words[16 * (k + 1) + static_cast<size_t>(m >> 6)] |= uint64_t{1} << (m & 63);
            any = true;
          }
        }
      }
      if (!any) return b_.getFalse();
      llvm::Value* row = C64(0);
      for (size_t k = 0; k < nv; ++k) {
        row = b_.CreateSelect(b_.CreateICmpSLE(C32(set.versions[k].from), Day()), C64(static_cast<int64_t>(16 * (k + 1))), row);
      }
      llvm::GlobalVariable* g = ConstTable(s, words, "set_bits");
      llvm::Value* in_range = b_.CreateICmpULT(x, C64(1024));
      llvm::Value* word_at = b_.CreateAdd(row, b_.CreateSelect(in_range, b_.CreateLShr(x, C64(6)), C64(0)));
      llvm::Value* word = Tag(b_.CreateAlignedLoad(i64_, b_.CreateInBoundsGEP(i64_, g, word_at), llvm::Align(8)));
      llvm::Value* bit = b_.CreateTrunc(b_.CreateLShr(word, b_.CreateAnd(x, C64(63))), i1_);
      return b_.CreateAnd(in_range, bit);
    }
    llvm::Value* member = b_.getFalse();
    for (size_t k = 0; k < nv; ++k) {
      llvm::Value* in_force = b_.CreateICmpSLE(C32(set.versions[k].from), Day());
      member = b_.CreateSelect(in_force, SortedMember(s, k, x), member);
    }
    return member;
  }

  // Bundles (set by the decision step, BundleSets): the bitset sets that
  // `in` tests read with one operand, looked up together. A bundle's table
  // has one row per interval between the sets' version dates and one entry
  // per element below 1,024, whose bit j says whether the element is in
  // the version of the bundle's set j in force in that interval: one load
  // per row answers every `in` of the bundle.
  struct SetBundle {
    ir::InstId operand;          // canonical
    std::vector<size_t> sets;    // bit j: sets[j]
    std::vector<int32_t> breaks; // the sets' version dates, sorted, unique
    llvm::Constant* entries = nullptr;  // the table's contents
    llvm::IntegerType* ty = nullptr;    // an entry
  };
  static constexpr size_t kMaxBundleBytes = size_t{1} << 20;

  // Of `insts` (ascending), or of every instruction.
  void BundleSets(const std::vector<ir::InstId>* insts = nullptr) {
    std::map<ir::InstId, std::vector<size_t>> by_operand;  // ordered: the same bundles run after run
    const size_t count = insts ? insts->size() : p_.insts.size();
    for (size_t at = 0; at < count; ++at) {
      const ir::Inst& in = p_.insts[insts ? (*insts)[at] : at];
      if (in.op != Op::InSet) continue;
      const size_t s = static_cast<size_t>(in.imm);
      const ir::Ty elem = p_.sets[s].elem;
      if (elem != Ty::Country && elem != Ty::Enum && elem != Ty::Bool) continue;
      std::vector<size_t>& sets = by_operand[canon_.empty() ? in.a : canon_[in.a]];
      if (std::find(sets.begin(), sets.end(), s) == sets.end()) sets.push_back(s);
    }
    for (auto& [operand, sets] : by_operand) {
      if (sets.size() < 2) continue;
      if (sets.size() > 64) sets.resize(64);
      SetBundle b;
      b.operand = operand;
      b.sets = sets;
      for (size_t s : sets) {
        for (const auto& v : p_.sets[s].versions) b.breaks.push_back(v.from);
      }
      std::sort(b.breaks.begin(), b.breaks.end());
      b.breaks.erase(std::unique(b.breaks.begin(), b.breaks.end()), b.breaks.end());
      const size_t bytes = sets.size() <= 8 ? 1 : sets.size() <= 16 ? 2 : sets.size() <= 32 ? 4 : 8;
      const size_t intervals = b.breaks.size() + 1;
      if (intervals * 1024 * bytes > kMaxBundleBytes) continue;
      std::vector<uint64_t> entries(intervals * 1024, 0);
      for (size_t i = 1; i < intervals; ++i) {  // interval 0, before every date: no version in force
        for (size_t j = 0; j < sets.size(); ++j) {
          // As InSet: the version in force is the last whose date has come.
          const auto& versions = p_.sets[sets[j]].versions;
          const ir::DatedSet::Version* in_force = nullptr;
          for (const auto& v : versions) {
            if (v.from <= b.breaks[i - 1]) in_force = &v;
          }
          if (!in_force) continue;
          for (int64_t m : in_force->members) {
            if (m >= 0 && m < 1024) entries[i * 1024 + static_cast<size_t>(m)] |= uint64_t{1} << j;
          }
        }
      }
      b.ty = llvm::IntegerType::get(ctx_, static_cast<unsigned>(bytes * 8));
      llvm::Constant* init = bytes == 8 ? Narrowed<uint64_t>(entries)
                             : bytes == 4 ? Narrowed<uint32_t>(entries)
                             : bytes == 2 ? Narrowed<uint16_t>(entries)
                                          : Narrowed<uint8_t>(entries);
      b.entries = init;
      for (size_t j = 0; j < sets.size(); ++j) bundled_[{operand, sets[j]}] = {bundles_.size(), static_cast<unsigned>(j)};
      bundles_.push_back(std::move(b));
    }
  }

  // A constant array of `entries`, each narrowed to T (they fit).
  template <typename T>
  llvm::Constant* Narrowed(const std::vector<uint64_t>& entries) {
    std::vector<T> narrow(entries.begin(), entries.end());
    return llvm::ConstantDataArray::get(ctx_, llvm::ArrayRef<T>(narrow));
  }

  // Bundle k's table: a constant of the module, made when first used, and
  // shared by the module's functions that bundle the same sets.
  llvm::GlobalVariable* BundleTable(size_t k) {
    llvm::GlobalVariable*& g = ms_.bundle_tables[bundles_[k].sets];
    if (!g) {
      llvm::Constant* init = bundles_[k].entries;
      g = new llvm::GlobalVariable(*ms_.m, init->getType(), true, llvm::GlobalValue::PrivateLinkage, init, "set_bundle");
      g->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    }
    return g;
  }

  // This row's entry of bundle `k` for element x (i64; 0 for x outside the
  // table), computed once where it dominates (kept in ssa_ under a number
  // past the program's instructions).
  llvm::Value* BundleWord(size_t k, llvm::Value* x) {
    const ir::InstId key = static_cast<ir::InstId>(p_.insts.size() + k);
    auto it = ssa_.find(key);
    if (it != ssa_.end()) return it->second.x;
    const SetBundle& b = bundles_[k];
    llvm::Value* interval = C64(0);
    for (int32_t t : b.breaks) interval = b_.CreateAdd(interval, Bool64(b_.CreateICmpSLE(C32(t), Day())));
    llvm::Value* in_range = b_.CreateICmpULT(x, C64(1024));
    llvm::Value* at = b_.CreateAdd(b_.CreateShl(interval, C64(10)), b_.CreateSelect(in_range, x, C64(0)));
    llvm::Value* entry = Tag(b_.CreateLoad(b.ty, b_.CreateInBoundsGEP(b.ty, BundleTable(k), at)));
    llvm::Value* word = b_.CreateSelect(in_range, b_.CreateZExt(entry, i64_), C64(0));
    Remember(key, Val{C8(exec::kOk), word, nullptr});
    return word;
  }

  // A Decimal set's members are slots of p.decimals: x (a decimal, or a whole
  // number the interpreter converts) is compared with their values.
  llvm::Value* InDecimalSet(size_t s, const Val& a, bool adec) {
    const ir::DatedSet& set = p_.sets[s];
    llvm::Value* x = adec ? a.d : b_.CreateMul(b_.CreateSExt(a.x, i128_), C128(rt::kDecimalScale));
    llvm::Value* member = b_.getFalse();
    for (size_t k = 0; k < set.versions.size(); ++k) {
      llvm::Value* any = b_.getFalse();
      for (int64_t m : set.versions[k].members) {
        if (m < 0 || static_cast<size_t>(m) >= p_.decimals.size()) continue;
        any = b_.CreateOr(any, b_.CreateICmpEQ(x, C128(p_.decimals[static_cast<size_t>(m)].units)));
      }
      member = b_.CreateSelect(b_.CreateICmpSLE(C32(set.versions[k].from), Day()), any, member);
    }
    return member;
  }

  llvm::Value* SortedMember(size_t s, size_t k, llvm::Value* x) {
    const std::vector<int64_t>& members = p_.sets[s].versions[k].members;
    if (members.empty()) return b_.getFalse();
    if (members.size() <= kInlineSetMembers && std::is_sorted(members.begin(), members.end())) {
      llvm::Value* any = b_.getFalse();
      for (int64_t m : members) any = b_.CreateOr(any, b_.CreateICmpEQ(x, C64(m)));
      return any;
    }
    std::vector<uint64_t> words(members.begin(), members.end());
    llvm::GlobalVariable* g = ConstTable((uint64_t{1} << 63) | (static_cast<uint64_t>(s) << 32) | k, words, "set_members");
    llvm::Value* found = Tag(b_.CreateCall(ms_.in_sorted, {g, C64(static_cast<int64_t>(members.size())), x}));
    return b_.CreateICmpNE(found, llvm::ConstantInt::get(i32_, 0));
  }

  // The row of the key `a` in bound table `t`, or -1.
  llvm::Value* TableRow(int64_t t, const Val& a) {
    return Tag(b_.CreateCall(ms_.table_row, {Base(kTables, 0), C64(t), a.x}));
  }

  // a <= b (or the predicate asked for), signed, on decimals or slots.
  llvm::Value* Compare(llvm::CmpInst::Predicate pred, const Val& a, const Val& b, bool dec) {
    return dec ? b_.CreateICmp(pred, a.d, b.d) : b_.CreateICmp(pred, a.x, b.x);
  }

  Val EmitInst(ir::InstId id) {
    const ir::Inst& in = p_.insts[id];
    const bool dec = in.ty == Ty::Dec;
    switch (in.op) {
      case Op::Field: {
        const size_t f = static_cast<size_t>(in.imm);
        Val v;
        if (fused_ && !p_.fields[f].optional) {
          // The decision step is given no row with a field in error, nor
          // one where a field not declared optional is absent (Judge leaves
          // those to exec::Decider; the ledger reader makes neither): such a
          // field is present, and the checks for it fold away.
          v.s = C8(exec::kOk);
        } else {
          auto* status = llvm::cast<llvm::LoadInst>(Load(i8_, Base(kFieldStatus, f), 1));
          if (fused_) {  // an optional field: present or absent, never in error
            status->setMetadata(llvm::LLVMContext::MD_range,
                                llvm::MDNode::get(ctx_, {llvm::ConstantAsMetadata::get(C8(exec::kOk)),
                                                         llvm::ConstantAsMetadata::get(C8(exec::kError))}));
          }
          v.s = status;
        }
        v.x = Load(i64_, Base(kFieldI64, f), 8);
        if (dec) v.d = Load(i128_, Base(kFieldDec, f), 16);
        return v;
      }
      case Op::Const:
        return Operand(id);
      case Op::DateSwitch: {
        // The version in force: advance while the next version's date has come.
        const auto& versions = p_.switches[static_cast<size_t>(in.imm)].versions;
        Val chosen = Operand(versions[0].value);
        llvm::Value* advancing = b_.getTrue();
        for (size_t k = 1; k < versions.size(); ++k) {
          advancing = b_.CreateAnd(advancing, b_.CreateICmpSLE(C32(versions[k].from), Day()));
          chosen = Select(advancing, Operand(versions[k].value), chosen);
        }
        return chosen;
      }
      case Op::InSet: {
        Val a = Operand(in.a);
        const size_t s = static_cast<size_t>(in.imm);
        auto bundled = bundled_.find({canon_.empty() ? in.a : canon_[in.a], s});
        llvm::Value* member =
            bundled != bundled_.end()
                ? b_.CreateTrunc(b_.CreateLShr(BundleWord(bundled->second.first, a.x), C64(bundled->second.second)), i1_)
            : p_.sets[s].elem == Ty::Dec ? InDecimalSet(s, a, p_.insts[in.a].ty == Ty::Dec)
                                         : InSet(s, a.x);
        Val r{C8(exec::kOk), Bool64(b_.CreateAnd(IsOk(a), member)), nullptr};
        return Propagate(r, a);
      }
      case Op::InTable: {
        Val a = Operand(in.a);
        llvm::Value* found = b_.CreateAnd(IsOk(a), b_.CreateICmpSGE(TableRow(in.imm, a), C64(0)));
        return Propagate(Val{C8(exec::kOk), Bool64(found), nullptr}, a);
      }
      case Op::TableGet: {
        // The cell through scratch slots, like the decimal helpers.
        Val a = Operand(in.a);
        llvm::Value* row = b_.CreateSelect(IsOk(a), TableRow(in.imm, a), C64(-1));
        llvm::Value* st = b_.CreateCall(ms_.table_cell, {Base(kTables, 0), C64(in.imm), C64(in.b), row, tmp_x_, tmp_out_});
        Val r;
        r.s = b_.CreateTrunc(st, i8_);
        r.x = b_.CreateAlignedLoad(i64_, tmp_x_, llvm::Align(8));
        if (dec) r.d = b_.CreateAlignedLoad(i128_, tmp_out_, llvm::Align(16));
        return Propagate(r, a);
      }
      case Op::ToDec: {
        Val a = Operand(in.a);
        llvm::Value* d = b_.CreateMul(b_.CreateSExt(a.x, i128_), C128(rt::kDecimalScale));
        return Val{a.s, a.x, d};  // an error or absence passes through
      }
      case Op::Neg: {
        Val a = Operand(in.a);
        llvm::Value* ok = IsOk(a);
        Val r;
        if (dec) {
          auto [d, of] = CheckedSub(C128(0), a.d);
          llvm::Value* bad = b_.CreateOr(of, b_.CreateICmpSLT(d, C128(-rt::kDecimalMaxUnits)));
          r.s = b_.CreateSelect(ok, b_.CreateSelect(bad, C8(exec::kError), C8(exec::kOk)), a.s);
          r.x = b_.CreateSelect(b_.CreateAnd(ok, bad), Err(id, exec::RuntimeError::DecimalOverflow), a.x);
          r.d = d;
        } else {
          auto [res, of] = CheckedSub(C64(0), a.x);
          r.s = b_.CreateSelect(ok, b_.CreateSelect(of, C8(exec::kError), C8(exec::kOk)), a.s);
          r.x = b_.CreateSelect(ok, b_.CreateSelect(of, Err(id, exec::RuntimeError::IntOverflow), res), a.x);
        }
        return r;
      }
      case Op::Add:
      case Op::Sub:
      case Op::Mul:
      case Op::Div: {
        Val a = Operand(in.a), b = Operand(in.b);
        llvm::Value* both = b_.CreateAnd(IsOk(a), IsOk(b));
        Val r;
        llvm::Value* own_s;
        if (!dec) {
          auto [res, of] = in.op == Op::Add   ? CheckedAdd(a.x, b.x)
                           : in.op == Op::Sub ? CheckedSub(a.x, b.x)
                                              : CheckedMul(a.x, b.x);
          own_s = b_.CreateSelect(of, C8(exec::kError), C8(exec::kOk));
          r.x = b_.CreateSelect(of, Err(id, exec::RuntimeError::IntOverflow), res);
        } else if (in.op == Op::Add || in.op == Op::Sub) {
          auto [d, of] = in.op == Op::Add ? CheckedAdd(a.d, b.d) : CheckedSub(a.d, b.d);
          r.d = d;
          llvm::Value* bad = b_.CreateOr(of, b_.CreateICmpSLT(r.d, C128(-rt::kDecimalMaxUnits)));
          own_s = b_.CreateSelect(bad, C8(exec::kError), C8(exec::kOk));
          r.x = b_.CreateSelect(bad, Err(id, exec::RuntimeError::DecimalOverflow), C64(0));
        } else {
          // Through scratch slots every row reuses: not parallel accesses
          // (untagged), and the call keeps this kernel's loop scalar.
          b_.CreateAlignedStore(a.d, tmp_a_, llvm::Align(16));
          b_.CreateAlignedStore(b.d, tmp_b_, llvm::Align(16));
          llvm::Value* st = b_.CreateCall(in.op == Op::Mul ? ms_.dec_mul : ms_.dec_div, {tmp_a_, tmp_b_, tmp_out_});
          r.d = b_.CreateAlignedLoad(i128_, tmp_out_, llvm::Align(16));
          llvm::Value* zero = llvm::ConstantInt::get(i32_, 0);
          own_s = b_.CreateSelect(b_.CreateICmpEQ(st, zero), C8(exec::kOk), C8(exec::kError));
          r.x = b_.CreateSelect(
              b_.CreateICmpEQ(st, llvm::ConstantInt::get(i32_, 2)), Err(id, exec::RuntimeError::DivisionByZero),
              b_.CreateSelect(b_.CreateICmpEQ(st, zero), C64(0), Err(id, exec::RuntimeError::DecimalOverflow)));
        }
        r.s = b_.CreateSelect(both, own_s, C8(exec::kAbsent));
        return Propagate(Propagate(r, b), a);
      }
      case Op::Min:
      case Op::Max: {
        Val a = Operand(in.a), b = Operand(in.b);
        llvm::Value* both = b_.CreateAnd(IsOk(a), IsOk(b));
        // min takes a when a <= b; max takes a when a > b (the interpreter's rule on ties).
        llvm::Value* take_a = Compare(in.op == Op::Min ? llvm::CmpInst::ICMP_SLE : llvm::CmpInst::ICMP_SGT, a, b, dec);
        Val r = Select(take_a, a, b);
        r.s = b_.CreateSelect(both, C8(exec::kOk), C8(exec::kAbsent));
        return Propagate(Propagate(r, b), a);
      }
      case Op::Eq:
      case Op::Ne:
      case Op::Lt:
      case Op::Le:
      case Op::Gt:
      case Op::Ge: {
        Val a = Operand(in.a), b = Operand(in.b);
        const bool adec = p_.insts[in.a].ty == Ty::Dec;
        llvm::CmpInst::Predicate pred = in.op == Op::Eq   ? llvm::CmpInst::ICMP_EQ
                                        : in.op == Op::Ne ? llvm::CmpInst::ICMP_NE
                                        : in.op == Op::Lt ? llvm::CmpInst::ICMP_SLT
                                        : in.op == Op::Le ? llvm::CmpInst::ICMP_SLE
                                        : in.op == Op::Gt ? llvm::CmpInst::ICMP_SGT
                                                          : llvm::CmpInst::ICMP_SGE;
        llvm::Value* both = b_.CreateAnd(IsOk(a), IsOk(b));
        // An absent operand equals nothing.
        llvm::Value* x = b_.CreateSelect(both, Bool64(Compare(pred, a, b, adec)), C64(in.op == Op::Ne ? 1 : 0));
        return Propagate(Propagate(Val{C8(exec::kOk), x, nullptr}, b), a);
      }
      case Op::Not: {
        Val a = Operand(in.a);
        return Propagate(Val{C8(exec::kOk), Bool64(b_.CreateNot(Truthy(a))), nullptr}, a);
      }
      case Op::And:
      case Op::Or: {
        // The left side decides alone when it is false (and) / true (or):
        // the right side, even in error, is then not needed.
        Val a = Operand(in.a), b = Operand(in.b);
        llvm::Value* av = Truthy(a);
        llvm::Value* decided = in.op == Op::And ? b_.CreateNot(av) : av;
        llvm::Value* berr = IsErr(b);
        Val r;
        r.s = b_.CreateSelect(decided, C8(exec::kOk), b_.CreateSelect(berr, C8(exec::kError), C8(exec::kOk)));
        r.x = b_.CreateSelect(decided, Bool64(av), b_.CreateSelect(berr, b.x, Bool64(Truthy(b))));
        return Propagate(r, a);
      }
      case Op::If: {
        Val a = Operand(in.a), b = Operand(in.b), c = Operand(in.c);
        return Propagate(Select(Truthy(a), b, c), a);
      }
      case Op::IsPresent: {
        Val a = Operand(in.a);
        return Propagate(Val{C8(exec::kOk), Bool64(IsOk(a)), nullptr}, a);
      }
      case Op::Otherwise: {
        Val a = Operand(in.a), b = Operand(in.b);
        return Propagate(Select(IsAbsent(a), b, a), a);
      }
      case Op::Year:
      case Op::Quarter:
      case Op::Month: {
        Val a = Operand(in.a);
        llvm::Function* f = in.op == Op::Year ? ms_.year_of : in.op == Op::Quarter ? ms_.quarter_of : ms_.month_of;
        llvm::Value* v = b_.CreateSExt(b_.CreateCall(f, {b_.CreateTrunc(a.x, i32_)}), i64_);
        return Val{a.s, b_.CreateSelect(IsOk(a), v, a.x), nullptr};
      }
    }
    // Not reached for a plan made by MakePlan; keep the IR well formed.
    return Val{C8(exec::kAbsent), C64(0), in.ty == Ty::Dec ? C128(0) : nullptr};
  }

  llvm::LLVMContext& ctx_;
  ModuleState& ms_;
  const ir::Program& p_;
  const Plan& plan_;
  size_t kernel_;
  llvm::Function* fn_;
  llvm::IRBuilder<> b_;      // the loop body
  llvm::IRBuilder<> entry_;  // the entry block, before its branch
  llvm::Type *i1_, *i8_, *i32_, *i64_, *i128_;
  llvm::PointerType* ptr_;
  llvm::Value* args_ = nullptr;
  llvm::Value* row_ = nullptr;
  llvm::Value* day_ = nullptr;
  llvm::AllocaInst *tmp_a_ = nullptr, *tmp_b_ = nullptr, *tmp_out_ = nullptr, *tmp_x_ = nullptr;
  llvm::MDNode* group_ = nullptr;
  llvm::Value* tables_[8] = {};
  std::unordered_map<uint64_t, llvm::Value*> bases_;
  bool fused_;
  // If set (by the decision step): the first instruction that computes the
  // same value as each one (same operation, type and canonical operands),
  // which Operand computes instead. Only where error origins are never
  // written: identical instructions differ in their origin alone.
  std::vector<ir::InstId> canon_;
  std::vector<SetBundle> bundles_;
  std::map<std::pair<ir::InstId, size_t>, std::pair<size_t, unsigned>> bundled_;  // (operand, set) -> (bundle, bit)
  std::unordered_map<ir::InstId, Val> ssa_;  // this row's values, usable at the insertion point
  std::vector<ir::InstId> ssa_log_;          // ssa_'s keys, in the order added
};

// The function named `name` in the module (a declaration until defined).
inline llvm::Function* DeclareFunction(ModuleState& ms, llvm::FunctionType* ty, const std::string& name) {
  if (llvm::Function* f = ms.m->getFunction(name)) return f;
  return llvm::Function::Create(ty, llvm::Function::ExternalLinkage, name, *ms.m);
}
// The same, to be defined: no exceptions, the target's attributes, its
// arguments named.
inline llvm::Function* DefineFunction(ModuleState& ms, llvm::FunctionType* ty, const std::string& name,
                                      std::initializer_list<const char*> args) {
  llvm::Function* fn = DeclareFunction(ms, ty, name);
  fn->setDoesNotThrow();
  if (!ms.cpu.empty()) fn->addFnAttr("target-cpu", ms.cpu);
  if (!ms.features.empty()) fn->addFnAttr("target-features", ms.features);
  unsigned i = 0;
  for (const char* a : args) fn->getArg(i++)->setName(a);
  return fn;
}

// The compiled decision step (decide_llvm.cpp): plan kernel `kernel`, whole
// or a part of a split one (kernel.h: DecideFn, DecidePartFn, DecideCommitFn).
void EmitDecision(ModuleState& ms, const ir::Program& p, const Plan& plan, size_t kernel);

}  // namespace edict::jit::emit
