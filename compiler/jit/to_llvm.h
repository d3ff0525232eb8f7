// Plan -> LLVM IR: one function per kernel (see kernel.h for the ABI).
// Private to compiler/jit/ (LLVM types).
#pragma once

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <memory>
#include <string>

#include "ir/ir.h"
#include "jit/plan.h"

namespace edict::jit {

// The symbol of plan kernel k (prefix: the plan's, so that the kernels of
// one plan, in several modules, can call each other), and of the commit
// function of a decision part.
std::string KernelName(const std::string& prefix, size_t kernel);
std::string CommitName(const std::string& prefix, size_t kernel);

// Builds the module of the plan's kernels [begin, end), named
// KernelName(prefix, k), with the given target CPU and features as function
// attributes (so the optimiser vectorises for the host).
std::unique_ptr<llvm::Module> ToLlvm(llvm::LLVMContext& ctx, const ir::Program& p, const Plan& plan, size_t begin,
                                     size_t end, const std::string& prefix, const std::string& cpu,
                                     const std::string& features);

}  // namespace edict::jit
