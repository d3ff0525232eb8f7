// The process-wide JIT session: one LLJIT for the host CPU, the runtime
// helpers registered as absolute symbols, the O3 pipeline driven by the host
// target machine (without it nothing vectorises), and two caches of compiled
// kernels:
//
//  * in this process, keyed by a hash of the plan (plan.key, compared in
//    full): a second backend for an equal program compiles nothing;
//  * on disk (cache.h), keyed by a hash of the plan and of everything else
//    the machine code depends on (LLVM version, host CPU and features, this
//    build of edict, code generation options), the full key stored in the
//    file and compared on load: a second process running the same rules
//    loads the object files and skips building, optimising and generating
//    code altogether.
//
// Compiling: the kernels are cut, in order, into modules of a bounded number
// of instructions (the cut depends on the plan alone, so a cached object
// always has the same symbols), each built, optimised and compiled to an
// object file on its own LLVMContext and TargetMachine, on up to
// EDICT_JIT_THREADS threads (default: the hardware's). The object files go
// to LLJIT's object layer (addObjectFile) whether just compiled or loaded.
//
// LLVM is built without exceptions: nothing here throws, and every
// llvm::Error / Expected is consumed.
#include <llvm/Config/llvm-config.h>
#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Passes/StandardInstrumentations.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/Timer.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Support/xxhash.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Transforms/InstCombine/InstCombine.h>
#include <llvm/Transforms/Scalar/EarlyCSE.h>
#include <llvm/Transforms/Scalar/SimplifyCFG.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "jit/cache.h"
#include "jit/helpers.h"
#include "jit/jit.h"
#include "jit/kernel.h"
#include "jit/to_llvm.h"

namespace edict::jit {

namespace {

// Kernels are cut into modules of at least this many instructions (the last
// may be smaller), compiled in parallel (EDICT_JIT_MODULE_INSTS for tuning).
// The rule library's regimes (about a hundred instructions) make two or
// three modules, so both cores of a small machine work on them.
constexpr size_t kModuleInsts = 48;
size_t ModuleInsts() {
  if (const char* e = std::getenv("EDICT_JIT_MODULE_INSTS")) return static_cast<size_t>(std::max(1L, std::atol(e)));
  return kModuleInsts;
}

// Compile time is about 2.5 ms of CPU per instruction at O3 with the
// vectoriser (measured on the rule library and on generated rule files);
// over this many compiled instructions (a few seconds at O3), the program is
// compiled for speed of compilation instead: a light IR pipeline and LLVM's
// fast instruction selector and register allocator (about a tenth of the
// time; the loops are not vectorised). EDICT_JIT_LARGE_PROGRAM for tuning.
constexpr size_t kLargeProgramInsts = 1000;
size_t LargeProgramInsts() {
  if (const char* e = std::getenv("EDICT_JIT_LARGE_PROGRAM")) return static_cast<size_t>(std::max(0L, std::atol(e)));
  return kLargeProgramInsts;
}

double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double MsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// The kernels of one module: plan.kernels[begin, end).
struct Part {
  size_t begin = 0, end = 0;
};

std::vector<Part> CutIntoModules(const Plan& plan, size_t module_insts) {
  std::vector<Part> parts;
  size_t insts = 0;
  for (size_t k = 0; k < plan.kernels.size(); ++k) {
    if (parts.empty() || insts >= module_insts) {
      parts.push_back({k, k});
      insts = 0;
    }
    parts.back().end = k + 1;
    insts += plan.kernels[k].insts.size();
  }
  return parts;
}


// What one module's compilation produced.
struct PartResult {
  std::string object;  // an ELF relocatable object
  std::string error;
  double build_ms = 0, optimise_ms = 0, codegen_ms = 0;  // CPU time of its thread
};

class Session {
 public:
  // The session, created on first use; null (with *error) if LLVM cannot
  // target this machine. Never destroyed: compiled code lives until exit.
  static Session* Get(std::string* error) {
    static std::once_flag once;
    static Session* session = nullptr;
    static std::string failure;
    std::call_once(once, [] {
      auto t0 = std::chrono::steady_clock::now();
      auto s = std::make_unique<Session>();
      if (s->Init(&failure)) session = s.release();
      if (std::getenv("EDICT_JIT_TIMING")) std::fprintf(stderr, "jit timing: LLVM set up in %.1f ms\n", MsSince(t0));
    });
    if (!session) *error = failure;
    return session;
  }

  CompiledKernels Compile(const ir::Program& p, const Plan& plan) {
    std::lock_guard<std::mutex> lock(mu_);
    const bool timing = std::getenv("EDICT_JIT_TIMING") != nullptr;
    CompiledKernels out;
    const uint64_t hash = llvm::xxHash64(plan.key);
    std::vector<Entry>& bucket = cache_[hash];
    for (const Entry& e : bucket) {
      if (e.key == plan.key) {
        out.fns = e.fns;
        out.cache_hit = true;
        return out;
      }
    }
    if (plan.kernels.empty()) return out;

    // The disk cache's key: everything the machine code depends on. The
    // symbols are named after its hash, so a loaded object defines the names
    // this process looks up; an (unlikely) second plan with the same hash in
    // this process gets other names and no disk cache.
    const std::string full_key = code_identity_ + plan.key;
    const uint64_t disk_hash = llvm::xxHash64(full_key);
    std::string prefix = "edict_" + cache::Hex(disk_hash) + "_";
    const bool collision = !bucket.empty();
    if (collision) prefix += "c" + std::to_string(bucket.size()) + "_";
    const std::string dir = collision || code_identity_.empty() ? std::string() : cache::Directory();
    const std::string path = dir.empty() ? std::string() : cache::FilePath(dir, disk_hash);
    const std::vector<Part> parts = CutIntoModules(plan, module_insts_);
    const bool fast = plan.compiled > large_program_;  // compiled for compile speed

    // Loaded from the disk cache?
    if (!path.empty()) {
      auto t0 = std::chrono::steady_clock::now();
      std::vector<std::string> objects;
      std::string why;
      if (cache::Read(path, full_key, &objects, &why) && objects.size() == parts.size()) {
        const double read_ms = MsSince(t0);
        auto t1 = std::chrono::steady_clock::now();
        std::vector<KernelFn> fns;
        llvm::orc::ResourceTrackerSP tracker;
        if (Link(plan, parts, prefix, objects, &fns, &tracker, &why)) {
          if (timing) {
            std::fprintf(stderr, "jit timing: loaded %zu kernels from %s: read+check %.1f ms, link %.1f ms\n",
                         plan.kernels.size(), path.c_str(), read_ms, MsSince(t1));
          }
          bucket.push_back({plan.key, fns, tracker});
          out.fns = std::move(fns);
          out.from_disk = true;
          return out;
        }
      } else if (why.empty()) {
        why = "the file holds " + std::to_string(objects.size()) + " objects, not " + std::to_string(parts.size());
      }
      if (timing) std::fprintf(stderr, "jit timing: not loaded from %s: %s\n", path.c_str(), why.c_str());
    }

    // Compiled: the modules in parallel.
    auto wall0 = std::chrono::steady_clock::now();
    std::vector<PartResult> results(parts.size());
    size_t threads = std::min(parts.size(), Threads());
    if (std::getenv("EDICT_JIT_LLVM_ARGS") || std::getenv("EDICT_JIT_DUMP_IR")) threads = 1;  // -time-passes, dumps
    while (tms_.size() < threads) {
      auto tm = jtmb_->createTargetMachine();
      if (!tm) {
        llvm::consumeError(tm.takeError());
        threads = tms_.size();
        break;
      }
      tms_.push_back(std::move(*tm));
    }
    std::atomic<size_t> next{0};
    auto work = [&](size_t t) {
      for (size_t j; (j = next.fetch_add(1)) < parts.size();) {
        CompilePart(p, plan, parts[j], prefix, fast, *tms_[t], &results[j]);
      }
    };
    if (threads <= 1) {
      work(0);
    } else {
      std::vector<std::thread> pool;
      for (size_t t = 1; t < threads; ++t) pool.emplace_back(work, t);
      work(0);
      for (auto& th : pool) th.join();
    }
    const double compile_wall_ms = MsSince(wall0);
    std::vector<std::string> objects;
    double build = 0, optimise = 0, codegen = 0;
    for (PartResult& r : results) {
      if (!r.error.empty()) {
        out.error = r.error;
        return out;
      }
      build += r.build_ms;
      optimise += r.optimise_ms;
      codegen += r.codegen_ms;
      objects.push_back(std::move(r.object));
    }
    auto t_link = std::chrono::steady_clock::now();
    std::vector<KernelFn> fns;
    llvm::orc::ResourceTrackerSP tracker;
    std::string why;
    if (!Link(plan, parts, prefix, objects, &fns, &tracker, &why)) {
      out.error = why;
      return out;
    }
    const double link_ms = MsSince(t_link);
    auto t_write = std::chrono::steady_clock::now();
    std::string write_error;
    if (!path.empty() && !cache::Write(dir, path, full_key, objects, &write_error) && timing) {
      std::fprintf(stderr, "jit timing: not cached: %s\n", write_error.c_str());
    }
    if (timing) {
      std::fprintf(stderr,
                   "jit timing: %zu kernels in %zu module%s on %zu thread%s%s: build+verify %.1f ms, optimise %.1f ms, "
                   "machine code %.1f ms (CPU, all threads); %.1f ms wall; link %.1f ms, cache write %.1f ms\n",
                   plan.kernels.size(), parts.size(), parts.size() == 1 ? "" : "s", threads, threads == 1 ? "" : "s",
                   fast ? " (a large program: fast code generation)" : "",
                   build, optimise, codegen, compile_wall_ms, link_ms, path.empty() ? 0.0 : MsSince(t_write));
    }
    if (std::getenv("EDICT_JIT_LLVM_ARGS")) llvm::TimerGroup::printAll(llvm::errs());
    bucket.push_back({plan.key, fns, tracker});
    out.fns = std::move(fns);
    return out;
  }

  bool Init(std::string* error) {
    module_insts_ = ModuleInsts();
    large_program_ = LargeProgramInsts();
    // Loop strength reduction is a tenth of the compile time of a kernel
    // (one loop with a hundred column streams) and buys nothing measurable
    // at run time: off. Then, for debugging, EDICT_JIT_LLVM_ARGS (e.g.
    // "-time-passes"). These are process-wide LLVM options: the JIT is this
    // process's only LLVM user.
    std::vector<std::string> words{"edict", "-disable-lsr"};
    {
      const char* extra = std::getenv("EDICT_JIT_LLVM_ARGS");
      for (const char* c = extra ? extra : ""; *c;) {
        while (*c == ' ') ++c;
        const char* w = c;
        while (*c && *c != ' ') ++c;
        if (c > w) words.emplace_back(w, c);
      }
      std::vector<const char*> argv;
      for (const auto& w : words) argv.push_back(w.c_str());
      // With an error stream given, a bad option is reported, not exit(1).
      llvm::cl::ParseCommandLineOptions(static_cast<int>(argv.size()), argv.data(), "", &llvm::errs());
    }
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
    auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (!jtmb) {
      *error = llvm::toString(jtmb.takeError());
      return false;
    }
    jtmb->setCodeGenOptLevel(llvm::CodeGenOpt::Aggressive);
    jtmb_ = std::make_unique<llvm::orc::JITTargetMachineBuilder>(*jtmb);
    auto tm = jtmb->createTargetMachine();
    if (!tm) {
      *error = llvm::toString(tm.takeError());
      return false;
    }
    cpu_ = (*tm)->getTargetCPU().str();
    features_ = (*tm)->getTargetFeatureString().str();
    const std::string triple = (*tm)->getTargetTriple().str();
    tms_.push_back(std::move(*tm));
    auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(*jtmb)).create();
    if (!jit) {
      *error = llvm::toString(jit.takeError());
      return false;
    }
    jit_ = std::move(*jit);
    llvm::orc::JITDylib& main = jit_->getMainJITDylib();
    // The runtime helpers, shared with the interpreter (helpers.h).
    llvm::orc::SymbolMap symbols;
    unsigned count = 0;
    const Helper* helpers = Helpers(&count);
    for (unsigned i = 0; i < count; ++i) {
      symbols[jit_->mangleAndIntern(helpers[i].name)] = llvm::JITEvaluatedSymbol(
          llvm::pointerToJITTargetAddress(helpers[i].address),
          llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
    }
    if (llvm::Error e = main.define(llvm::orc::absoluteSymbols(std::move(symbols)))) {
      *error = llvm::toString(std::move(e));
      return false;
    }
    // memset/memcpy and the like, which the optimiser may introduce.
    auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
        jit_->getDataLayout().getGlobalPrefix());
    if (!process) {
      *error = llvm::toString(process.takeError());
      return false;
    }
    main.addGenerator(std::move(*process));

    // What the machine code depends on besides the plan. Without an identity
    // for this build of edict (whose code generator made the objects), no
    // disk cache: an object from another build could be wrong.
    const std::string build = cache::BuildIdentity();
    if (!build.empty()) {
      code_identity_ = "edict jit cache 1\nllvm " LLVM_VERSION_STRING "\ntriple " + triple + "\ncpu " + cpu_ +
                       "\nfeatures " + features_ + "\nbuild " + build + "\nmodule insts " +
                       std::to_string(module_insts_) + "\nlarge program " + std::to_string(large_program_) + "\noptions";
      for (const auto& w : words) code_identity_ += " " + w;
      code_identity_ += "\nplan\n";
    }
    return true;
  }

 private:
  struct Entry {
    std::string key;
    std::vector<KernelFn> fns;
    llvm::orc::ResourceTrackerSP tracker;  // owns the code
  };

  static size_t Threads() {
    if (const char* e = std::getenv("EDICT_JIT_THREADS")) return static_cast<size_t>(std::max(1L, std::atol(e)));
    return std::max(1u, std::thread::hardware_concurrency());
  }

  // Builds, verifies, optimises and compiles one module (on this thread's
  // own context and target machine).
  void CompilePart(const ir::Program& p, const Plan& plan, Part part, const std::string& prefix, bool fast,
                   llvm::TargetMachine& tm, PartResult* r) {
    double c0 = ThreadCpuMs();
    llvm::LLVMContext ctx;
    std::unique_ptr<llvm::Module> m = ToLlvm(ctx, p, plan, part.begin, part.end, prefix, cpu_, features_);
    m->setDataLayout(jit_->getDataLayout());
    m->setTargetTriple(jit_->getTargetTriple().str());
    std::string problems;
    llvm::raw_string_ostream os(problems);
    if (llvm::verifyModule(*m, &os)) {
      r->error = "the generated code is malformed: " + os.str();
      return;
    }
    double c1 = ThreadCpuMs();
    // The decision step is branchy scalar code with no loop to vectorise:
    // O2 without the vectorisers (measured on the rule library: the same
    // speed as O3; in_force compiles in 75-80 ms instead of 80-105 ms).
    const bool decision = plan.kernels[part.begin].decision;  // a plan's kernels are all of one kind
    Optimise(*m, tm, fast, decision);
    double c2 = ThreadCpuMs();
    if (std::getenv("EDICT_JIT_DUMP_IR")) m->print(llvm::errs(), nullptr);
    tm.setOptLevel(fast ? llvm::CodeGenOpt::None : decision ? llvm::CodeGenOpt::Default : llvm::CodeGenOpt::Aggressive);
    llvm::orc::SimpleCompiler compile(tm);
    llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> obj = compile(*m);
    if (!obj) {
      r->error = llvm::toString(obj.takeError());
      return;
    }
    r->object = (*obj)->getBuffer().str();
    double c3 = ThreadCpuMs();
    r->build_ms = c1 - c0;
    r->optimise_ms = c2 - c1;
    r->codegen_ms = c3 - c2;
  }

  // Adds the modules' objects to the JIT and finds every kernel; on failure
  // removes what it added.
  bool Link(const Plan& plan, const std::vector<Part>& parts, const std::string& prefix,
            const std::vector<std::string>& objects, std::vector<KernelFn>* fns,
            llvm::orc::ResourceTrackerSP* tracker_out, std::string* why) {
    llvm::orc::JITDylib& main = jit_->getMainJITDylib();
    llvm::orc::ResourceTrackerSP tracker = main.createResourceTracker();
    auto fail = [&](llvm::Error e) {
      *why = llvm::toString(std::move(e));
      if (llvm::Error r = tracker->remove()) llvm::consumeError(std::move(r));
      return false;
    };
    for (size_t j = 0; j < objects.size(); ++j) {
      auto buffer = llvm::MemoryBuffer::getMemBufferCopy(objects[j], prefix + "m" + std::to_string(j) + ".o");
      if (llvm::Error e = jit_->addObjectFile(tracker, std::move(buffer))) return fail(std::move(e));
    }
    std::vector<llvm::orc::SymbolStringPtr> names(plan.kernels.size());
    llvm::orc::SymbolLookupSet wanted;
    for (size_t j = 0; j < parts.size(); ++j) {
      for (size_t k = parts[j].begin; k < parts[j].end; ++k) {
        names[k] = jit_->mangleAndIntern(KernelName(prefix, k));
        wanted.add(names[k]);
      }
    }
    llvm::Expected<llvm::orc::SymbolMap> found =
        jit_->getExecutionSession().lookup(llvm::orc::makeJITDylibSearchOrder(&main), std::move(wanted));
    if (!found) return fail(found.takeError());
    fns->clear();
    for (const auto& name : names) {
      auto it = found->find(name);
      if (it == found->end() || !it->second.getAddress()) {
        return fail(llvm::make_error<llvm::StringError>("a kernel is missing from the object code",
                                                        llvm::inconvertibleErrorCode()));
      }
      fns->push_back(llvm::jitTargetAddressToPointer<KernelFn>(it->second.getAddress()));
    }
    *tracker_out = tracker;
    return true;
  }

  void Optimise(llvm::Module& m, llvm::TargetMachine& tm, bool fast, bool decision) {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PipelineTuningOptions options;
    options.LoopVectorization = !decision;  // twice the speed of the scalar loops
    options.SLPVectorization = !decision;
    options.LoopInterleaving = true;
    options.LoopUnrolling = true;
    llvm::PassInstrumentationCallbacks callbacks;
    llvm::StandardInstrumentations instrumentations(m.getContext(), false);  // -time-passes and the like
    instrumentations.registerCallbacks(callbacks, &fam);
    llvm::PassBuilder pb(&tm, options, std::nullopt, &callbacks);
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    if (fast) {
      // Cleans up the emitter's output (constant folding, common
      // subexpressions) so that fast instruction selection has less to do.
      llvm::FunctionPassManager fpm;
      fpm.addPass(llvm::EarlyCSEPass());
      fpm.addPass(llvm::InstCombinePass());
      fpm.addPass(llvm::SimplifyCFGPass());
      llvm::ModulePassManager mpm;
      mpm.addPass(llvm::createModuleToFunctionPassAdaptor(std::move(fpm)));
      mpm.run(m, mam);
      return;
    }
    llvm::ModulePassManager mpm =
        pb.buildPerModuleDefaultPipeline(decision ? llvm::OptimizationLevel::O2 : llvm::OptimizationLevel::O3);
    mpm.run(m, mam);
  }

  std::mutex mu_;
  std::unique_ptr<llvm::orc::JITTargetMachineBuilder> jtmb_;
  std::vector<std::unique_ptr<llvm::TargetMachine>> tms_;  // one per compiling thread
  std::string cpu_, features_;
  size_t module_insts_ = kModuleInsts;
  size_t large_program_ = kLargeProgramInsts;
  std::string code_identity_;  // the disk cache key's prefix; empty: no disk cache
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  std::unordered_map<uint64_t, std::vector<Entry>> cache_;
};

}  // namespace

void Prepare() {
  std::string error;
  Session::Get(&error);
}

CompiledKernels CompileKernels(const ir::Program& p, const Plan& plan) {
  std::string error;
  Session* s = Session::Get(&error);
  if (!s) {
    CompiledKernels out;
    out.error = "LLVM cannot compile for this machine: " + error;
    return out;
  }
  return s->Compile(p, plan);
}

}  // namespace edict::jit
