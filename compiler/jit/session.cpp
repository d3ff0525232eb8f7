// The process-wide JIT session: one LLJIT for the host CPU, the runtime
// helpers registered as absolute symbols, the O3 pipeline driven by the host
// target machine (without it nothing vectorises), and a cache of compiled
// kernels keyed by a hash of the plan (plan.key, compared in full).
//
// LLVM is built without exceptions: nothing here throws, and every
// llvm::Error / Expected is consumed.
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Passes/StandardInstrumentations.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/Timer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <unordered_map>

#include "jit/helpers.h"
#include "jit/kernel.h"
#include "jit/to_llvm.h"

namespace edict::jit {

namespace {

uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

class Session {
 public:
  // The session, created on first use; null (with *error) if LLVM cannot
  // target this machine. Never destroyed: compiled code lives until exit.
  static Session* Get(std::string* error) {
    static std::once_flag once;
    static Session* session = nullptr;
    static std::string failure;
    std::call_once(once, [] {
      auto s = std::make_unique<Session>();
      if (s->Init(&failure)) session = s.release();
    });
    if (!session) *error = failure;
    return session;
  }

  CompiledKernels Compile(const ir::Program& p, const Plan& plan) {
    std::lock_guard<std::mutex> lock(mu_);
    CompiledKernels out;
    const uint64_t hash = Fnv1a(plan.key);
    for (const Entry& e : cache_[hash]) {
      if (e.key == plan.key) {
        out.fns = e.fns;
        out.cache_hit = true;
        return out;
      }
    }
    if (plan.kernels.empty()) return out;
    auto t0 = std::chrono::steady_clock::now();
    auto ctx = std::make_unique<llvm::LLVMContext>();
    const std::string prefix = "edict_m" + std::to_string(modules_++) + "_";
    std::unique_ptr<llvm::Module> m = ToLlvm(*ctx, p, plan, prefix, cpu_, features_);
    m->setDataLayout(jit_->getDataLayout());
    m->setTargetTriple(jit_->getTargetTriple().str());
    std::string problems;
    llvm::raw_string_ostream os(problems);
    if (llvm::verifyModule(*m, &os)) {
      out.error = "the generated code is malformed: " + os.str();
      return out;
    }
    auto t1 = std::chrono::steady_clock::now();
    Optimise(*m);
    auto t2 = std::chrono::steady_clock::now();
    if (std::getenv("EDICT_JIT_DUMP_IR")) m->print(llvm::errs(), nullptr);
    llvm::orc::ResourceTrackerSP tracker = jit_->getMainJITDylib().createResourceTracker();
    if (llvm::Error e = jit_->addIRModule(tracker, llvm::orc::ThreadSafeModule(std::move(m), std::move(ctx)))) {
      out.error = llvm::toString(std::move(e));
      return out;
    }
    std::vector<KernelFn> fns;
    for (size_t k = 0; k < plan.kernels.size(); ++k) {
      llvm::Expected<llvm::orc::ExecutorAddr> sym = jit_->lookup(KernelName(prefix, k));
      if (!sym) {
        out.error = llvm::toString(sym.takeError());
        if (llvm::Error e = tracker->remove()) llvm::consumeError(std::move(e));
        return out;
      }
      fns.push_back(sym->toPtr<KernelFn>());
    }
    auto t3 = std::chrono::steady_clock::now();
    if (std::getenv("EDICT_JIT_TIMING")) {
      auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
      std::fprintf(stderr, "jit timing: build+verify %.1f ms, optimise %.1f ms, machine code %.1f ms\n", ms(t0, t1),
                   ms(t1, t2), ms(t2, t3));
    }
    if (std::getenv("EDICT_JIT_LLVM_ARGS")) llvm::TimerGroup::printAll(llvm::errs());
    cache_[hash].push_back({plan.key, fns, tracker});
    out.fns = std::move(fns);
    return out;
  }

  bool Init(std::string* error) {
    // Loop strength reduction is a tenth of the compile time of a kernel
    // (one loop with a hundred column streams) and buys nothing measurable
    // at run time: off. Then, for debugging, EDICT_JIT_LLVM_ARGS (e.g.
    // "-time-passes"). These are process-wide LLVM options: the JIT is this
    // process's only LLVM user.
    {
      std::vector<std::string> words{"edict", "-disable-lsr"};
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
    auto tm = jtmb->createTargetMachine();
    if (!tm) {
      *error = llvm::toString(tm.takeError());
      return false;
    }
    tm_ = std::move(*tm);
    cpu_ = tm_->getTargetCPU().str();
    features_ = tm_->getTargetFeatureString().str();
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
    return true;
  }

 private:
  struct Entry {
    std::string key;
    std::vector<KernelFn> fns;
    llvm::orc::ResourceTrackerSP tracker;  // owns the code
  };

  void Optimise(llvm::Module& m) {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PipelineTuningOptions options;
    options.LoopVectorization = true;  // twice the speed of the scalar loops
    options.SLPVectorization = !std::getenv("X_NOSLP");
    options.LoopInterleaving = !std::getenv("X_NOIL");
    options.LoopUnrolling = !std::getenv("X_NOUNROLL");
    llvm::PassInstrumentationCallbacks callbacks;
    llvm::StandardInstrumentations instrumentations(m.getContext(), false);  // -time-passes and the like
    instrumentations.registerCallbacks(callbacks, &fam);
    llvm::PassBuilder pb(tm_.get(), options, std::nullopt, &callbacks);
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(std::getenv("X_O2") ? llvm::OptimizationLevel::O2 : llvm::OptimizationLevel::O3);
    mpm.run(m, mam);
  }

  std::mutex mu_;
  std::unique_ptr<llvm::TargetMachine> tm_;
  std::string cpu_, features_;
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  std::unordered_map<uint64_t, std::vector<Entry>> cache_;
  uint64_t modules_ = 0;
};

}  // namespace

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
