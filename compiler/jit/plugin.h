// The JIT as a plugin: libedict_jit.so (jit/plugin.cpp) holds the JIT and
// links libLLVM; exec/backend_factory.cpp loads it with dlopen the first
// time a run asks for the JIT. So the edict command, the tests and any
// embedder load LLVM (about 60 ms of dynamic linking) only when they use
// it, and can load it on another thread while they read the rules
// (exec::PrepareBackend).
//
// The two sides pass C++ objects to each other (the program, the tables,
// the backend, the decider), so they must come from the same sources:
// AbiStamp(), compiled into both, holds a hash of the sources
// (EDICT_BUILD_STAMP, cmake/build_stamp.cmake) and the sizes of those
// types; the command does not use a plugin whose stamp differs. No LLVM
// type appears here. (Include only from plugin.cpp and
// exec/backend_factory.cpp, whose targets generate the stamp's header.)
#pragma once

#include <string>
#include <vector>

#include "edict_build_stamp.h"

#include "exec/backend.h"
#include "exec/decide.h"
#include "ir/ir.h"

namespace edict::jit::plugin {

inline std::string AbiStamp() {
  std::string s = "edict jit plugin 1 " EDICT_BUILD_STAMP;
  for (size_t n : {sizeof(ir::Program), sizeof(ir::Inst), sizeof(ir::Rule), sizeof(exec::BoundTable),
                   sizeof(exec::Batch), sizeof(exec::Column), sizeof(exec::Decider), sizeof(exec::Decisions),
                   sizeof(exec::Decision), sizeof(std::string), sizeof(std::vector<int>)}) {
    s += " " + std::to_string(n);
  }
  return s;
}

// The entry points (extern "C", the only symbols the plugin exports).
inline constexpr const char* kAbiSymbol = "edict_jit_abi";
inline constexpr const char* kPrepareSymbol = "edict_jit_prepare";
inline constexpr const char* kCreateSymbol = "edict_jit_create";
// AbiStamp(), as the plugin was built.
using AbiFn = const char* (*)();
// Sets up LLVM for this machine (once per process); any thread.
using PrepareFn = void (*)();
// jit::Create: never null; *report gets JitStats::Summary(). The caller owns
// the backend (delete it through exec::Backend's virtual destructor).
using CreateFn = exec::Backend* (*)(const ir::Program* program, const std::vector<exec::BoundTable>* tables,
                                    std::string* report);

}  // namespace edict::jit::plugin
