// CreateBackend: the backends by name. The only file outside compiler/jit/
// that knows the JIT exists, and only when it is built (EDICT_HAS_JIT): it
// loads the JIT plugin, libedict_jit.so (jit/plugin.h), on first use.
#include "exec/backend.h"

#include <future>

#ifdef EDICT_HAS_JIT
#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <system_error>

#include "edict/runtime/self.h"
#include "jit/plugin.h"
#endif

namespace edict::exec {

#ifdef EDICT_HAS_JIT
namespace {

struct JitPlugin {
  jit::plugin::PrepareFn prepare = nullptr;
  jit::plugin::CreateFn create = nullptr;
  std::string error;  // why it could not be used
};

// Where the plugin is: $EDICT_JIT_PLUGIN; else next to the running program;
// else in ../lib/edict/ from it (where `cmake --install` puts it); else
// where this build put it (the build tree's tests and benchmarks).
std::vector<std::string> PluginPaths() {
  if (const char* env = std::getenv("EDICT_JIT_PLUGIN"); env && *env) {
    // dlopen would search the library path for a bare name: keep it a file.
    const std::string path = env;
    return {path.find('/') == std::string::npos ? "./" + path : path};
  }
  std::vector<std::string> paths;
  if (const std::string dir = rt::ExecutableDir(); !dir.empty()) {
    paths.push_back(dir + "libedict_jit.so");
    paths.push_back(dir + "../lib/edict/libedict_jit.so");
  }
  paths.emplace_back(EDICT_JIT_PLUGIN_PATH);
  return paths;
}

// The first of PluginPaths() that exists, or "" (with *tried listing them).
std::string FindPlugin(std::string* tried) {
  for (const std::string& path : PluginPaths()) {
    if (access(path.c_str(), F_OK) == 0) return path;
    *tried += (tried->empty() ? "" : ", ") + path;
  }
  return "";
}

JitPlugin LoadPlugin() {
  JitPlugin p;
  std::string tried;
  const std::string path = FindPlugin(&tried);
  if (path.empty()) {
    p.error = "libedict_jit.so not found (looked for " + tried + "; EDICT_JIT_PLUGIN names it)";
    return p;
  }
  // Never closed: its code runs until the process exits.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    p.error = "cannot load " + path + ": " + (why ? why : "dlopen failed");
    return p;
  }
  auto abi = reinterpret_cast<jit::plugin::AbiFn>(dlsym(handle, jit::plugin::kAbiSymbol));
  p.prepare = reinterpret_cast<jit::plugin::PrepareFn>(dlsym(handle, jit::plugin::kPrepareSymbol));
  p.create = reinterpret_cast<jit::plugin::CreateFn>(dlsym(handle, jit::plugin::kCreateSymbol));
  if (!abi || !p.prepare || !p.create) {
    p = JitPlugin{};
    p.error = path + " is not edict's JIT plugin (it has no edict_jit_* entry points)";
  } else if (abi() != jit::plugin::AbiStamp()) {
    p = JitPlugin{};
    p.error = path + " is from another build of edict";
  }
  return p;
}

// Loaded once, by the first thread that asks (PrepareBackend's, normally);
// any other waits for it.
const JitPlugin& Plugin() {
  static const JitPlugin plugin = LoadPlugin();
  return plugin;
}

}  // namespace
#endif

std::string JitPluginPath() {
#ifdef EDICT_HAS_JIT
  std::string tried;
  const std::string path = FindPlugin(&tried);
  if (!path.empty()) return std::filesystem::path(path).lexically_normal().string();
#endif
  return "";
}

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

std::future<void> PrepareBackend(const std::string& name) {
#ifdef EDICT_HAS_JIT
  static std::atomic<bool> started{false};
  if (name != "jit" || started.exchange(true)) return {};
  try {
    return std::async(std::launch::async, [] {
      const JitPlugin& p = Plugin();
      if (p.prepare) p.prepare();
    });
  } catch (const std::system_error&) {  // no thread: CreateBackend loads it
    return {};
  }
#else
  (void)name;
  return {};
#endif
}

std::unique_ptr<Backend> CreateBackend(const std::string& name, const ir::Program& program,
                                       const std::vector<BoundTable>& tables, std::string* report) {
  std::string ignored;
  std::string& out = report ? *report : ignored;
  out = BackendProblem(name);
  if (!out.empty()) return nullptr;
  if (name == "interp") return CreateInterpreter(program, tables);
#ifdef EDICT_HAS_JIT
  const JitPlugin& plugin = Plugin();
  if (!plugin.create) {
    // As when LLVM fails inside the JIT (JitStats::Summary): every rule
    // interpreted, and the run says why.
    out = "jit: nothing compiled, every instruction interpreted: " + plugin.error;
    return CreateInterpreter(program, tables);
  }
  return std::unique_ptr<Backend>(plugin.create(&program, &tables, &out));
#else
  return nullptr;  // not reached: BackendProblem said so
#endif
}

}  // namespace edict::exec
