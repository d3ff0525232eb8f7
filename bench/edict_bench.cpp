// edict_bench: measures the interpreter on a ledger, separating ingest (CSV
// -> columnar batches) from evaluation (backend + decision step), median of
// several runs. Not part of the test suite; see bench/README.md.
//
// usage: edict_bench --regime NAME --input LEDGER.csv [--runs N] [RULES...]
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
  std::string regime, input;
  int runs = 5;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--regime" && i + 1 < argc) regime = argv[++i];
    else if (a == "--input" && i + 1 < argc) input = argv[++i];
    else if (a == "--runs" && i + 1 < argc) runs = std::atoi(argv[++i]);
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
  std::vector<double> ingest, eval;
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
    std::vector<edict::exec::BoundTable> tables(p->tables.size());
    auto backend = edict::exec::CreateInterpreter(*p, tables);
    edict::exec::Decider decider(*p, &c->sources, false);
    std::vector<edict::exec::Column> values;
    std::vector<edict::exec::Decision> decisions;
    uint64_t decided = 0;
    for (const auto& b : batches) {
      backend->Evaluate(b, values);
      decider.Decide(b, values, decisions);
      for (size_t r = 0; r < b.rows; ++r) decided += !decisions[r].error;
    }
    auto t2 = Clock::now();
    rows = reader.rows_read();
    ingest.push_back(std::chrono::duration<double>(t1 - t0).count());
    eval.push_back(std::chrono::duration<double>(t2 - t1).count());
    (void)decided;
  }
  double mi = Median(ingest), me = Median(eval);
  std::printf("regime %s, %llu rows, %.1f MB, median of %d runs\n", p->regime.c_str(),
              static_cast<unsigned long long>(rows), bytes / 1e6, runs);
  std::printf("  ingest (CSV -> batches):     %8.3f s  %12.0f rows/s  %7.1f MB/s\n", mi, rows / mi, bytes / 1e6 / mi);
  std::printf("  evaluation (interp+decide):  %8.3f s  %12.0f rows/s\n", me, rows / me);
  return 0;
}
