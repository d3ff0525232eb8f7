// edict_bench: measures a backend on a ledger, separating ingest (CSV ->
// columnar batches) from evaluation (backend + decision step, and each of the
// two alone), median of several runs. Not part of the test suite.
//
// usage: edict_bench --regime NAME --input LEDGER.csv [--runs N]
//                    [--backend interp|jit|both] [RULES...]
// With --backend both, the two backends run on the same batches, and their
// decision counts (by outcome, and ERROR) must agree. See README.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "driver/driver.h"
#include "exec/backend.h"
#include "exec/decide.h"
#include "exec/ledger.h"
#include "ir/lower.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

static double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main(int argc, char** argv) {
  std::string regime, input, backend_name = "interp";
  int runs = 5;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--regime" && i + 1 < argc) regime = argv[++i];
    else if (a == "--input" && i + 1 < argc) input = argv[++i];
    else if (a == "--runs" && i + 1 < argc) runs = std::atoi(argv[++i]);
    else if (a == "--backend" && i + 1 < argc) backend_name = argv[++i];
    else files.push_back(a);
  }
  if (files.empty()) {
    for (const auto& e : fs::recursive_directory_iterator(EDICT_STDLIB_DIR)) {
      if (e.path().extension() == ".edict") files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
  }
  edict::diag::Engine diags;
  auto c = edict::driver::Compile(files, {}, diags);
  if (diags.HasErrors()) {
    std::fprintf(stderr, "rule files have errors; run edict check\n");
    return 1;
  }
  edict::ir::LowerOptions lo;
  for (const auto& [name, mods] : edict::ir::Regimes(c->checked)) {
    if (name == regime) {
      lo.modules = mods;
      lo.regime_name = name;
    }
  }
  std::string error;
  auto p = edict::ir::Lower(c->checked, lo, &error);
  if (!p) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  std::vector<std::string> backends;
  if (backend_name == "both") backends = {"interp", "jit"};
  else backends = {backend_name};
  struct Times {
    std::vector<double> eval, backend, decide, setup;
    std::string report;
    std::vector<uint64_t> counts;  // decisions by outcome, + errors, for the cross-check
  };
  std::vector<Times> times(backends.size());
  std::vector<double> ingest;
  uint64_t rows = 0, bytes = fs::file_size(input);
  for (int run = 0; run < runs; ++run) {
    edict::exec::Interner texts(p->texts);
    edict::exec::LedgerReader reader(*p, texts, std::nullopt);
    if (!reader.Open(input, &error)) {
      std::fprintf(stderr, "%s\n", error.c_str());
      return 1;
    }
    std::vector<edict::exec::Batch> batches;
    auto t0 = Clock::now();
    for (;;) {
      batches.emplace_back();
      if (!reader.Next(batches.back())) {
        batches.pop_back();
        break;
      }
    }
    auto t1 = Clock::now();
    rows = reader.rows_read();
    ingest.push_back(std::chrono::duration<double>(t1 - t0).count());
    std::vector<edict::exec::BoundTable> tables(p->tables.size());
    for (size_t k = 0; k < backends.size(); ++k) {
      Times& t = times[k];
      auto s0 = Clock::now();
      auto backend = edict::exec::CreateBackend(backends[k], *p, tables, &t.report);
      if (!backend) {
        std::fprintf(stderr, "%s\n", t.report.c_str());
        return 1;
      }
      auto s1 = Clock::now();
      edict::exec::Decider decider(*p, &c->sources, false);
      std::vector<edict::exec::Column> values;
      std::vector<edict::exec::Decision> decisions;
      std::vector<uint64_t> counts(p->outcome.variants.size() + 1, 0);
      double in_backend = 0, in_decide = 0;
      for (const auto& b : batches) {
        auto e0 = Clock::now();
        backend->Evaluate(b, values);
        auto e1 = Clock::now();
        decider.Decide(b, values, decisions);
        auto e2 = Clock::now();
        in_backend += std::chrono::duration<double>(e1 - e0).count();
        in_decide += std::chrono::duration<double>(e2 - e1).count();
        for (size_t r = 0; r < b.rows; ++r) {
          const auto& d = decisions[r];
          ++counts[d.error ? counts.size() - 1 : static_cast<size_t>(d.outcome)];
        }
      }
      t.setup.push_back(std::chrono::duration<double>(s1 - s0).count());
      t.backend.push_back(in_backend);
      t.decide.push_back(in_decide);
      t.eval.push_back(in_backend + in_decide);
      t.counts = counts;
    }
  }
  double mi = Median(ingest);
  std::printf("regime %s, %llu rows, %.1f MB, median of %d runs\n", p->regime.c_str(),
              static_cast<unsigned long long>(rows), bytes / 1e6, runs);
  std::printf("  ingest (CSV -> batches):       %8.3f s  %12.0f rows/s  %7.1f MB/s\n", mi, rows / mi, bytes / 1e6 / mi);
  for (size_t k = 0; k < backends.size(); ++k) {
    const Times& t = times[k];
    double me = Median(t.eval), mb = Median(t.backend), md = Median(t.decide);
    std::printf("  %-6s evaluation (+decide):  %8.3f s  %12.0f rows/s\n", backends[k].c_str(), me, rows / me);
    std::printf("  %-6s   backend alone:       %8.3f s  %12.0f rows/s\n", backends[k].c_str(), mb, rows / mb);
    std::printf("  %-6s   decision step:       %8.3f s  %12.0f rows/s\n", backends[k].c_str(), md, rows / md);
    std::printf("  %-6s   backend setup:       %8.3f s first run (JIT: compiling), %.3f s median (JIT: cache)\n",
                backends[k].c_str(), t.setup.front(), Median(t.setup));
    if (!t.report.empty()) std::printf("  %s\n", t.report.c_str());
  }
  if (backends.size() == 2 && times[0].counts != times[1].counts) {
    std::printf("  MISMATCH: the backends decided differently\n");
    return 1;
  }
  return 0;
}
