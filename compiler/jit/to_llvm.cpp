// Plan -> LLVM IR: one function per plan kernel, a column kernel (see
// inst_emitter.h) or the compiled decision step (decide_llvm.cpp).
#include "jit/to_llvm.h"

#include "jit/inst_emitter.h"

namespace edict::jit {

std::string KernelName(const std::string& prefix, size_t kernel) { return prefix + "k" + std::to_string(kernel); }
std::string CommitName(const std::string& prefix, size_t kernel) { return KernelName(prefix, kernel) + "_commit"; }

namespace {

llvm::Function* Declare(llvm::Module& m, const char* name, llvm::Type* ret, std::vector<llvm::Type*> params) {
  auto* fn = llvm::Function::Create(llvm::FunctionType::get(ret, params, false), llvm::Function::ExternalLinkage, name, m);
  fn->setDoesNotThrow();
  fn->setWillReturn();
  return fn;
}

}  // namespace

std::unique_ptr<llvm::Module> ToLlvm(llvm::LLVMContext& ctx, const ir::Program& p, const Plan& plan, size_t begin,
                                     size_t end, const std::string& prefix, const std::string& cpu,
                                     const std::string& features) {
  auto m = std::make_unique<llvm::Module>(prefix + "k" + std::to_string(begin) + "_kernels", ctx);
  llvm::Type* i32 = llvm::Type::getInt32Ty(ctx);
  llvm::Type* i64 = llvm::Type::getInt64Ty(ctx);
  llvm::Type* ptr = llvm::PointerType::get(ctx, 0);
  emit::ModuleState ms;
  ms.m = m.get();
  ms.dec_mul = Declare(*m, "edict_jit_dec_mul", i32, {ptr, ptr, ptr});
  ms.dec_div = Declare(*m, "edict_jit_dec_div", i32, {ptr, ptr, ptr});
  for (llvm::Function* f : {ms.dec_mul, ms.dec_div}) f->setOnlyAccessesArgMemory();
  ms.year_of = Declare(*m, "edict_jit_year_of", i32, {i32});
  ms.quarter_of = Declare(*m, "edict_jit_quarter_of", i32, {i32});
  ms.month_of = Declare(*m, "edict_jit_month_of", i32, {i32});
  for (llvm::Function* f : {ms.year_of, ms.quarter_of, ms.month_of}) f->setDoesNotAccessMemory();
  ms.in_sorted = Declare(*m, "edict_jit_in_sorted", i32, {ptr, i64, i64});
  ms.in_sorted->setOnlyReadsMemory();
  ms.in_sorted->setOnlyAccessesArgMemory();
  ms.table_row = Declare(*m, "edict_jit_table_row", i64, {ptr, i64, i64});
  ms.table_row->setOnlyReadsMemory();
  ms.table_cell = Declare(*m, "edict_jit_table_cell", i32, {ptr, i64, i64, i64, ptr, ptr});
  ms.cap_slot = Declare(*m, "edict_jit_cap_slot", ptr, {ptr, i32, i64, ptr, i32});

  ms.prefix = prefix;
  ms.cpu = cpu;
  ms.features = features;
  llvm::FunctionType* kernel_ty = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr, i64, i64}, false);
  for (size_t k = begin; k < end; ++k) {
    if (plan.kernels[k].decision) {
      emit::EmitDecision(ms, p, plan, k);
      continue;
    }
    llvm::Function* fn = emit::DefineFunction(ms, kernel_ty, KernelName(prefix, k), {"args", "begin", "end"});
    emit::InstEmitter(ms, p, plan, k, fn).Emit();
  }
  // Unused helper declarations are harmless; drop them to keep dumps short.
  for (llvm::Function* f : {ms.dec_mul, ms.dec_div, ms.year_of, ms.quarter_of, ms.month_of, ms.in_sorted,
                            ms.table_row, ms.table_cell, ms.cap_slot}) {
    if (f->use_empty()) f->eraseFromParent();
  }
  return m;
}

}  // namespace edict::jit
