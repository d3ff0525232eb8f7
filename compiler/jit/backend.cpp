// The JIT backend. Judge: the compiled decision step decides the batch's
// rows, and leaves the few it cannot decide (unread rows, run-time errors,
// conflicts) to exec::Decider, which shares its caps; Evaluate is then run
// once for the batch, so that the decider reads the same values.
//
// Evaluate (also the path of `--explain`, and of programs whose decision step
// is not compiled): per batch, marks the live instructions (as the
// interpreter does), then runs the column plan's steps in order: each
// compiled kernel whose instructions are live is one call over the whole
// batch; each live instruction the JIT does not compile is evaluated by the
// interpreter. Constants' columns are filled once, as the interpreter does.
// When the decision step is compiled, the column kernels are compiled only
// when first needed.
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
  // `fns` empty: the column kernels are compiled on first use.
  JitBackend(const ir::Program& p, const std::vector<exec::BoundTable>& tables, Plan plan, std::vector<KernelFn> fns,
             DecideFn decide)
      : p_(p), tables_(tables), plan_(std::move(plan)), fns_(std::move(fns)), decide_(decide),
        interp_(exec::CreateInstEvaluator(p, tables)) {}

  std::string Name() const override { return "jit"; }

  void Judge(const exec::Batch& batch, std::vector<exec::Column>& values, exec::Decider& decider,
             exec::Decisions& out) override {
    if (!decide_ || decider.explain()) return Backend::Judge(batch, values, decider, out);
    const size_t rows = batch.rows;
    // The compiled code writes the decisions in place; a program with more
    // than 64 flags is not compiled (MakeDecisionPlan), so each row's flags
    // are one word.
    out.Reset(rows, p_.flags.size(), false);
    to_decider_.resize(rows);
    // Rows for the decider: unread, or with a field in error (the ledger
    // reader makes none, but a batch may carry them; the compiled code
    // assumes there are none).
    uint8_t* __restrict to_decider = to_decider_.data();  // restrict: the loops below vectorise
    if (batch.error_rows == 0) {
      std::fill(to_decider, to_decider + rows, uint8_t{0});
    } else {
      for (size_t r = 0; r < rows; ++r) to_decider[r] = batch.error[r].empty() ? 0 : 1;
    }
    if (!batch.fields_without_errors) {
      for (const exec::Column& f : batch.fields) {
        const uint8_t* __restrict status = f.status.data();
        for (size_t r = 0; r < rows; ++r) to_decider[r] |= status[r] == exec::kError;
      }
    }
    // The compiled code also takes the fields not declared optional to be
    // present (as the ledger reader makes them); a batch made otherwise (an
    // inline test, an embedder) leaves the rows where one is not to the decider.
    if (!batch.required_fields_present) {
      for (size_t i = 0; i < batch.fields.size(); ++i) {
        if (p_.fields[i].optional) continue;
        const uint8_t* __restrict status = batch.fields[i].status.data();
        for (size_t r = 0; r < rows; ++r) to_decider[r] |= status[r] != exec::kOk;
      }
    }
    DecideArgs args{FieldArgs(batch), to_decider_.data(), &decider.caps(), decider.usage().data(),
                    out.outcome.data(), out.basis.data(), out.rule.data(), out.cap.data(), out.charged.data(),
                    out.headroom.data(), out.flags.data(), decider.caps().dense()};
    bool evaluated = false;
    for (uint64_t row = 0; row < rows;) {
      row = decide_(&args, row, rows);
      if (row >= rows) break;
      // A row for the decider: unread, or one it will report an error for.
      if (!evaluated && batch.error[row].empty()) {
        Evaluate(batch, values);
        evaluated = true;
      }
      decider.DecideOne(batch, row, values, scratch_);
      out.Take(row++, scratch_);
    }
  }

  void Evaluate(const exec::Batch& batch, std::vector<exec::Column>& values) override {
    if (fns_.empty() && !plan_.kernels.empty() && !CompileColumnKernels()) {
      // LLVM failed: the interpreter computes every value.
      if (!fallback_) fallback_ = exec::CreateInterpreter(p_, tables_);
      return fallback_->Evaluate(batch, values);
    }
    const size_t n = p_.insts.size();
    const size_t rows = std::max(batch_rows_, batch.rows);
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
    KernelArgs args = FieldArgs(batch);
    args.i64 = i64_.data();
    args.status = status_.data();
    args.dec = dec_.data();
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
  // The batch's fields, days and the bound tables (no instruction columns).
  KernelArgs FieldArgs(const exec::Batch& batch) {
    const size_t nf = batch.fields.size();
    field_i64_.resize(nf);
    field_status_.resize(nf);
    field_dec_.resize(nf);
    for (size_t f = 0; f < nf; ++f) {
      field_i64_[f] = batch.fields[f].i64.data();
      field_status_[f] = batch.fields[f].status.data();
      field_dec_[f] = batch.fields[f].dec.empty() ? nullptr : batch.fields[f].dec.data();
    }
    return KernelArgs{nullptr, nullptr, nullptr, field_i64_.data(), field_status_.data(), field_dec_.data(),
                      batch.day.data(), tables_.data()};
  }

  bool CompileColumnKernels() {
    if (column_error_) return false;
    CompiledKernels compiled = CompileKernels(p_, plan_);
    if (!compiled.error.empty() || compiled.fns.size() != plan_.kernels.size()) {
      column_error_ = true;
      return false;
    }
    fns_ = std::move(compiled.fns);
    return true;
  }

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
  const std::vector<exec::BoundTable>& tables_;
  Plan plan_;
  std::vector<KernelFn> fns_;
  DecideFn decide_;
  std::unique_ptr<exec::InstEvaluator> interp_;
  std::unique_ptr<exec::Backend> fallback_;
  bool column_error_ = false;
  std::vector<uint8_t> to_decider_;  // Judge's, by row
  exec::Decision scratch_;           // a row Judge leaves to the decider
  std::vector<uint8_t> live_;
  std::vector<KernelFn> run_;
  size_t const_rows_ = 0;
  const size_t batch_rows_ = exec::BatchRows(p_);
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
  return fmt::format("jit: {} instructions compiled into {} kernel{}, {} interpreted{}, {} constants, {} dead; "
                     "decision step {}; {} in {:.1f} ms",
                     compiled, kernels, kernels == 1 ? "" : "s", interpreted, ops.empty() ? "" : " (" + ops + ")",
                     constants, dead,
                     !decision      ? "interpreted (" + decision_note + ")"
                     : kernels > 1 ? fmt::format("compiled in {} parts", kernels - 1)
                                   : std::string("compiled"),
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
  if (const char* e = std::getenv("EDICT_JIT_DECISION_INSTS")) options.max_decision_insts = std::max(0L, std::atol(e));
  if (const char* e = std::getenv("EDICT_JIT_DECISION_PART_INSTS")) {
    options.decision_part_insts = static_cast<size_t>(std::max(1L, std::atol(e)));
  }
  Plan plan = MakePlan(program, options);
  const char* decide_env = std::getenv("EDICT_JIT_DECIDE");
  Plan decision;
  if (decide_env && std::string(decide_env) == "0") s.decision_note = "EDICT_JIT_DECIDE=0";
  else decision = MakeDecisionPlan(program, options, &s.decision_note);
  auto fill = [&](const Plan& from, const CompiledKernels& compiled) {
    s.compile_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    s.compiled = from.compiled;
    s.constants = from.constants;
    s.interpreted = from.interpreted;
    s.interpreted_ops = from.interpreted_ops;
    s.dead = from.dead;
    s.kernels = from.kernels.size();
    s.cache_hit = compiled.cache_hit;
    s.disk_cache_hit = compiled.from_disk;
  };
  if (!decision.kernels.empty()) {
    // The column kernels wait until a row needs them (JitBackend::Evaluate).
    CompiledKernels compiled = CompileKernels(program, decision);
    if (compiled.error.empty() && compiled.fns.size() == decision.kernels.size()) {
      fill(decision, compiled);
      s.decision = true;
      return std::make_unique<JitBackend>(program, tables, std::move(plan), std::vector<KernelFn>{},
                                          reinterpret_cast<DecideFn>(reinterpret_cast<uintptr_t>(compiled.fns[0])));
    }
    s.decision_note = "LLVM failed: " + compiled.error;
  }
  CompiledKernels compiled = CompileKernels(program, plan);
  s.compile_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!compiled.error.empty() || compiled.fns.size() != plan.kernels.size()) {
    s.error = compiled.error.empty() ? "the JIT returned no code" : compiled.error;
    return exec::CreateInterpreter(program, tables);
  }
  fill(plan, compiled);
  return std::make_unique<JitBackend>(program, tables, std::move(plan), std::move(compiled.fns), nullptr);
}

}  // namespace edict::jit
