// libedict_jit.so's entry points (jit/plugin.h).
#include "jit/plugin.h"

#include "jit/jit.h"

#define EDICT_JIT_EXPORT extern "C" __attribute__((visibility("default")))

EDICT_JIT_EXPORT const char* edict_jit_abi() {
  static const std::string stamp = edict::jit::plugin::AbiStamp();
  return stamp.c_str();
}

EDICT_JIT_EXPORT void edict_jit_prepare() { edict::jit::Prepare(); }

EDICT_JIT_EXPORT edict::exec::Backend* edict_jit_create(const edict::ir::Program* program,
                                                        const std::vector<edict::exec::BoundTable>* tables,
                                                        std::string* report) {
  edict::jit::JitStats stats;
  std::unique_ptr<edict::exec::Backend> backend = edict::jit::Create(*program, *tables, &stats);
  *report = stats.Summary();
  return backend.release();
}
