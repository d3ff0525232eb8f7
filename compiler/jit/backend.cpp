// The JIT backend: per batch, marks the live instructions (as the
// interpreter does), then runs the plan's steps in order: each compiled
// kernel whose instructions are live is one call over the whole batch; each
// live instruction the JIT does not compile is evaluated by the interpreter.
// Constants' columns are filled once, as the interpreter does.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "jit/jit.h"
#include "jit/kernel.h"
#include "jit/plan.h"

namespace edict::jit {

namespace {

// Consecutive kernels run over the batch one tile of rows at a time, so the
// columns one kernel writes are still in cache when the next reads them
// (512 rows: about 5 KB per column).
constexpr size_t kTileRows = 512;

class JitBackend final : public exec::Backend {
 public:
  JitBackend(const ir::Program& p, const std::vector<exec::BoundTable>& tables, Plan plan, std::vector<KernelFn> fns)
      : p_(p), plan_(std::move(plan)), fns_(std::move(fns)), interp_(exec::CreateInstEvaluator(p, tables)) {}

  std::string Name() const override { return "jit"; }

  void Evaluate(const exec::Batch& batch, std::vector<exec::Column>& values) override {
    const size_t n = p_.insts.size();
    const size_t rows = std::max(exec::kBatchRows, batch.rows);
    bool refill = false;
    if (values.size() != n || values.data() != filled_for_) {
      values.resize(n);
      refill = true;
    }
    // Every column sized up front: pointers stay put for the whole batch,
    // and a kernel never reads an unsized column.
    for (size_t i = 0; i < n; ++i) {
      exec::Column& c = values[i];
      const bool dec = p_.insts[i].ty == ir::Ty::Dec;
      if (c.status.size() < rows || c.i64.size() < rows || (dec && c.dec.size() < rows)) {
        c.Resize(rows, dec);
        refill = true;
      }
    }
    if (refill || const_rows_ < rows) {
      FillConstants(values, rows);
      filled_for_ = values.data();
    }

    exec::MarkLive(p_, batch, &live_);
    i64_.resize(n);
    status_.resize(n);
    dec_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      i64_[i] = values[i].i64.data();
      status_[i] = values[i].status.data();
      dec_[i] = values[i].dec.empty() ? nullptr : values[i].dec.data();
    }
    const size_t nf = batch.fields.size();
    field_i64_.resize(nf);
    field_status_.resize(nf);
    field_dec_.resize(nf);
    for (size_t f = 0; f < nf; ++f) {
      field_i64_[f] = batch.fields[f].i64.data();
      field_status_[f] = batch.fields[f].status.data();
      field_dec_[f] = batch.fields[f].dec.empty() ? nullptr : batch.fields[f].dec.data();
    }
    KernelArgs args{i64_.data(),       status_.data(),       dec_.data(), field_i64_.data(),
                    field_status_.data(), field_dec_.data(), batch.day.data()};
    const std::vector<Step>& steps = plan_.steps;
    for (size_t at = 0; at < steps.size();) {
      if (!steps[at].kernel) {
        if (live_[steps[at].index]) interp_->EvaluateInst(steps[at].index, batch, values);
        ++at;
        continue;
      }
      // A run of kernels: those with a live instruction (the plan groups
      // instructions live together), tile by tile.
      run_.clear();
      for (; at < steps.size() && steps[at].kernel; ++at) {
        bool live = false;
        for (ir::InstId i : plan_.kernels[steps[at].index].insts) live |= live_[i] != 0;
        if (live) run_.push_back(fns_[steps[at].index]);
      }
      for (size_t begin = 0; begin < batch.rows; begin += kTileRows) {
        const size_t end = std::min(batch.rows, begin + kTileRows);
        for (KernelFn fn : run_) fn(&args, begin, end);
      }
    }
  }

 private:
  void FillConstants(std::vector<exec::Column>& values, size_t rows) {
    for (size_t i = 0; i < p_.insts.size(); ++i) {
      const ir::Inst& in = p_.insts[i];
      if (in.op != ir::Op::Const) continue;
      exec::Column& c = values[i];
      std::fill(c.status.begin(), c.status.begin() + static_cast<std::ptrdiff_t>(rows), exec::kOk);
      if (in.ty == ir::Ty::Dec) {
        std::fill(c.dec.begin(), c.dec.begin() + static_cast<std::ptrdiff_t>(rows), p_.decimals[static_cast<size_t>(in.imm)]);
      } else {
        std::fill(c.i64.begin(), c.i64.begin() + static_cast<std::ptrdiff_t>(rows), in.imm);
      }
    }
    const_rows_ = rows;
  }

  const ir::Program& p_;
  Plan plan_;
  std::vector<KernelFn> fns_;
  std::unique_ptr<exec::InstEvaluator> interp_;
  std::vector<uint8_t> live_;
  std::vector<KernelFn> run_;
  size_t const_rows_ = 0;
  const exec::Column* filled_for_ = nullptr;  // the values vector whose constants are filled
  std::vector<int64_t*> i64_;
  std::vector<uint8_t*> status_;
  std::vector<rt::Decimal*> dec_;
  std::vector<const int64_t*> field_i64_;
  std::vector<const uint8_t*> field_status_;
  std::vector<const rt::Decimal*> field_dec_;
};

}  // namespace

std::string JitStats::Summary() const {
  if (!error.empty()) return "jit: nothing compiled, every instruction interpreted: " + error;
  std::string ops;
  for (const auto& [op, count] : interpreted_ops) ops += fmt::format("{}{} {}", ops.empty() ? "" : ", ", op, count);
  return fmt::format("jit: {} instructions compiled into {} kernel{}, {} interpreted{}, {} constants, {} dead; {} in {:.1f} ms",
                     compiled, kernels, kernels == 1 ? "" : "s", interpreted, ops.empty() ? "" : " (" + ops + ")",
                     constants, dead,
                     cache_hit ? "found in the cache" : disk_cache_hit ? "loaded from cache" : "compiled", compile_ms);
}

std::unique_ptr<exec::Backend> Create(const ir::Program& program, const std::vector<exec::BoundTable>& tables,
                                      JitStats* stats) {
  auto start = std::chrono::steady_clock::now();
  JitStats local;
  JitStats& s = stats ? *stats : local;
  s = JitStats{};
  PlanOptions options;
  if (const char* e = std::getenv("EDICT_JIT_KERNEL_STREAMS")) options.max_kernel_streams = std::max(4L, std::atol(e));
  Plan plan = MakePlan(program, options);
  CompiledKernels compiled = CompileKernels(program, plan);
  s.compile_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!compiled.error.empty() || compiled.fns.size() != plan.kernels.size()) {
    s.error = compiled.error.empty() ? "the JIT returned no code" : compiled.error;
    return exec::CreateInterpreter(program, tables);
  }
  s.compiled = plan.compiled;
  s.constants = plan.constants;
  s.interpreted = plan.interpreted;
  s.interpreted_ops = plan.interpreted_ops;
  s.dead = plan.dead;
  s.kernels = plan.kernels.size();
  s.cache_hit = compiled.cache_hit;
  s.disk_cache_hit = compiled.from_disk;
  return std::make_unique<JitBackend>(program, tables, std::move(plan), std::move(compiled.fns));
}

}  // namespace edict::jit
