// CreateBackend: the backends by name. The only file outside compiler/jit/
// that knows the JIT exists, and only when it is built (EDICT_HAS_JIT).
#include "exec/backend.h"

#ifdef EDICT_HAS_JIT
#include "jit/jit.h"
#endif

namespace edict::exec {

bool JitAvailable() {
#ifdef EDICT_HAS_JIT
  return true;
#else
  return false;
#endif
}

const char* DefaultBackend() { return JitAvailable() ? "jit" : "interp"; }

std::string BackendProblem(const std::string& name) {
  if (name == "interp") return "";
  if (name == "jit") {
    return JitAvailable() ? ""
                          : "the JIT backend is not built into this edict (configure with -DEDICT_ENABLE_JIT=ON "
                            "and llvm-16-dev)";
  }
  return "unknown backend `" + name + "` (interp or jit)";
}

std::unique_ptr<Backend> CreateBackend(const std::string& name, const ir::Program& program,
                                       const std::vector<BoundTable>& tables, std::string* report) {
  std::string ignored;
  std::string& out = report ? *report : ignored;
  out = BackendProblem(name);
  if (!out.empty()) return nullptr;
  if (name == "interp") return CreateInterpreter(program, tables);
#ifdef EDICT_HAS_JIT
  jit::JitStats stats;
  auto backend = jit::Create(program, tables, &stats);
  out = stats.Summary();
  return backend;
#else
  return nullptr;  // not reached: BackendProblem said so
#endif
}

}  // namespace edict::exec
