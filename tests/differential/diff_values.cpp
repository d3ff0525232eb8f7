// Value-level differential test of the backends: for a set of programs (every
// instruction kind in all_ops/, the stdlib regimes, the e2e rule files, the
// tutorial), generated batches full of edge cases (overflowing whole numbers,
// decimals at the ends of their range, zero divisors, absent and erroneous
// fields, codes outside every set, days on the dates sets and constants
// change, unsorted days, unreadable rows, odd batch sizes) are evaluated by
// the interpreter and by the JIT. Every live instruction must have the same
// status in every row, the same value when present (decimals compared by
// units) and the same error origin when in error; the decisions made from
// the two sets of values must be identical too. The JIT must really have
// compiled something, and a second JIT of the same program must come from
// the cache. Exit 77 (CTest: skipped) when the JIT is not built.
//
// usage: edict_diff_values SOURCE_DIR [--seed N] [--batches N]
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "driver/driver.h"
#include "edict/runtime/date.h"
#include "exec/backend.h"
#include "exec/decide.h"
#include "ir/lower.h"

namespace fs = std::filesystem;
using namespace edict;

namespace {

struct Source {
  std::string name;
  std::vector<std::string> files;
  std::string regime;  // empty: all the files' modules
  std::string record;
};

std::vector<std::string> EdictFiles(const fs::path& dir, bool recursive) {
  std::vector<std::string> out;
  if (recursive) {
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (e.path().extension() == ".edict") out.push_back(e.path().string());
    }
  } else {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() == ".edict") out.push_back(e.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  uint64_t U(uint64_t n) { return n ? rng_() % n : 0; }
  bool P(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int64_t Pick(std::initializer_list<int64_t> v) { return *(v.begin() + U(v.size())); }

  int64_t Int() {
    switch (U(6)) {
      case 0: return static_cast<int64_t>(U(11)) - 5;
      case 1: return static_cast<int64_t>(U(2000001)) - 1000000;
      case 2: return Pick({INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1, 3037000499, -3037000499, 3037000500,
                           int64_t{1} << 32, -(int64_t{1} << 32), int64_t{1} << 62});
      case 3: return Pick({0, 1, 49, 50, 51, 99, 100, 101, 199, 200, 201, 1000, 1700, 4800, 15832});
      case 4: return static_cast<int64_t>(rng_());
      default: return static_cast<int64_t>(U(100000));
    }
  }
  __int128 DecUnits() {
    const __int128 max = rt::kDecimalMaxUnits;
    switch (U(7)) {
      case 0: return static_cast<__int128>(static_cast<int64_t>(U(21)) - 10) * rt::kDecimalScale;
      case 1: return static_cast<__int128>(static_cast<int64_t>(rng_() >> 20)) - (int64_t{1} << 43);
      case 2: {
        __int128 v = Pick({0, 1, -1, 500000000, -500000000, 1500000000, 125000000, 2500000000});
        return v;
      }
      case 3: return Pick({0, 1, -1}) == 0 ? max : (U(2) ? -max : max - static_cast<__int128>(U(1000)));
      case 4: return (static_cast<__int128>(rng_()) << 60) * (U(2) ? 1 : -1);
      case 5: return static_cast<__int128>(Int()) * rt::kDecimalScale;
      default: return static_cast<__int128>(U(1000000)) * 1000;
    }
  }
  int32_t Day() {
    static const int32_t lo = rt::DaysFromCivil(2019, 1, 1), hi = rt::DaysFromCivil(2027, 12, 31);
    static const int32_t edges[] = {rt::DaysFromCivil(2022, 1, 1),  rt::DaysFromCivil(2023, 1, 1),
                                    rt::DaysFromCivil(2023, 6, 1),  rt::DaysFromCivil(2023, 11, 17),
                                    rt::DaysFromCivil(2024, 1, 1),  rt::DaysFromCivil(2024, 3, 15),
                                    rt::DaysFromCivil(2024, 7, 1),  rt::DaysFromCivil(2025, 1, 1),
                                    rt::DaysFromCivil(2025, 1, 13), rt::DaysFromCivil(2025, 5, 13),
                                    rt::DaysFromCivil(2025, 9, 29), rt::DaysFromCivil(2025, 11, 9),
                                    rt::DaysFromCivil(2026, 1, 15), rt::DaysFromCivil(2026, 2, 3),
                                    rt::DaysFromCivil(2026, 11, 10)};
    switch (U(8)) {
      case 0: return edges[U(sizeof edges / sizeof edges[0])] + static_cast<int32_t>(U(3)) - 1;
      case 1: return static_cast<int32_t>(Pick({-1000000, 0, 2932896, -719162}));
      default: return lo + static_cast<int32_t>(U(static_cast<uint64_t>(hi - lo + 1)));
    }
  }

 private:
  std::mt19937_64 rng_;
};

// One field value of type `ty` into row r of `c`.
void FillValue(Gen& g, const ir::Program& p, ir::Ty ty, uint32_t enum_id, exec::Column& c, size_t r) {
  switch (ty) {
    case ir::Ty::Bool: c.i64[r] = g.P(0.05) ? 7 : static_cast<int64_t>(g.U(2)); break;
    case ir::Ty::Int: c.i64[r] = g.Int(); break;
    case ir::Ty::Dec: c.dec[r].units = g.DecUnits(); c.i64[r] = 0; break;
    case ir::Ty::Date: c.i64[r] = g.Day(); break;
    case ir::Ty::Text: c.i64[r] = static_cast<int64_t>(g.U(p.texts.size() + 12)); break;
    case ir::Ty::Country:
      c.i64[r] = g.P(0.05) ? g.Pick({-1, 1023, 1024, 5000, INT64_MAX}) : static_cast<int64_t>(g.U(260));
      break;
    case ir::Ty::Enum: {
      size_t n = enum_id < p.enums.size() ? p.enums[enum_id].variants.size() : 3;
      c.i64[r] = g.P(0.03) ? g.Pick({-1, 64, 1023, 1024}) : static_cast<int64_t>(g.U(n));
      break;
    }
  }
}

// Tables with rows keyed by some of the program's texts (and others).
std::vector<exec::BoundTable> MakeTables(Gen& g, const ir::Program& p) {
  std::vector<exec::BoundTable> tables(p.tables.size());
  for (size_t t = 0; t < p.tables.size(); ++t) {
    if (g.P(0.2)) continue;  // unbound: empty
    const ir::Table& table = p.tables[t];
    exec::BoundTable& b = tables[t];
    b.bound = true;
    const size_t rows = 1 + g.U(40);
    b.columns.resize(table.columns.size());
    for (size_t c = 0; c < table.columns.size(); ++c) b.columns[c].Resize(rows, table.columns[c].ty == ir::Ty::Dec);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t c = 0; c < table.columns.size(); ++c) {
        const ir::Field& f = table.columns[c];
        exec::Column& col = b.columns[c];
        FillValue(g, p, f.ty, f.enum_id, col, r);
        col.status[r] = f.optional && g.P(0.3) ? exec::kAbsent : exec::kOk;
        if (f.is_key) {
          col.status[r] = exec::kOk;
          col.i64[r] = static_cast<int64_t>(g.U(p.texts.size() + 12));
          b.row_of.emplace(col.i64[r], r);
        }
      }
    }
  }
  return tables;
}

void MakeBatch(Gen& g, const ir::Program& p, size_t rows, exec::Batch& b) {
  b.rows = rows;
  const size_t cap = std::max(rows, exec::kBatchRows);
  b.fields.resize(p.fields.size());
  for (size_t i = 0; i < p.fields.size(); ++i) b.fields[i].Resize(cap, p.fields[i].ty == ir::Ty::Dec);
  b.line.assign(rows, 0);
  b.error.assign(rows, "");
  b.day.assign(rows, 0);
  b.id.assign(rows, "");
  const double absent = g.P(0.5) ? 0.02 : 0.15;
  const double error = g.P(0.5) ? 0.0 : 0.03;
  for (size_t r = 0; r < rows; ++r) {
    b.line[r] = r + 1;
    if (g.P(0.02)) b.error[r] = "line " + std::to_string(r + 1) + ": unreadable";
    for (size_t i = 0; i < p.fields.size(); ++i) {
      const ir::Field& f = p.fields[i];
      exec::Column& c = b.fields[i];
      FillValue(g, p, f.ty, f.enum_id, c, r);
      c.status[r] = exec::kOk;
      if (g.P(f.optional ? 0.3 : absent)) c.status[r] = exec::kAbsent;
      if (g.P(error)) {
        c.status[r] = exec::kError;
        c.i64[r] = exec::EncodeError(static_cast<ir::InstId>(g.U(p.insts.size() + 1)), exec::RuntimeError::IntOverflow);
      }
    }
  }
  // Days: one day, a sorted run, or all over the place.
  const int mode = static_cast<int>(g.U(4));
  int32_t day = g.Day();
  std::vector<int32_t> days(rows);
  for (size_t r = 0; r < rows; ++r) days[r] = mode == 0 ? day : g.Day();
  if (mode == 1 || mode == 2) std::sort(days.begin(), days.end());
  for (size_t r = 0; r < rows; ++r) b.day[r] = days[r];
}

std::string Show(const exec::Column& c, size_t r, bool dec) {
  std::string s = c.status[r] == exec::kOk ? "ok" : c.status[r] == exec::kAbsent ? "absent" : "error";
  if (c.status[r] == exec::kError) {
    s += fmt::format("(inst {}, {})", exec::ErrorInst(c.i64[r]), exec::RuntimeErrorText(exec::ErrorCode(c.i64[r])));
  } else if (c.status[r] == exec::kOk) {
    s += dec ? " " + rt::FormatDecimal(c.dec[r]) : fmt::format(" {}", c.i64[r]);
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: edict_diff_values SOURCE_DIR [--seed N] [--batches N]\n");
    return 2;
  }
  const fs::path root = argv[1];
  uint64_t seed = 20250101;
  int batches = 10;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 10);
    if (a == "--batches") batches = std::atoi(argv[i + 1]);
  }
  if (!exec::JitAvailable()) {
    std::printf("SKIPPED: the JIT is not built\n");
    return 77;
  }

  std::vector<Source> sources;
  sources.push_back({"all_ops", EdictFiles(root / "tests/differential/all_ops", false), "", ""});
  const auto stdlib = EdictFiles(root / "stdlib", true);
  for (const char* regime : {"in_force", "diffusion_2025", "baseline_2023"}) sources.push_back({regime, stdlib, regime, ""});
  sources.push_back({"diffusion_2025 (model weights)", stdlib, "diffusion_2025", "m"});
  sources.push_back({"tutorial", EdictFiles(root / "examples/tutorial", false), "", ""});
  for (const auto& e : fs::directory_iterator(root / "tests/golden/e2e")) {
    if (!e.is_directory()) continue;
    auto files = EdictFiles(e.path(), false);
    if (!files.empty()) sources.push_back({"e2e/" + e.path().filename().string(), files, "", ""});
  }
  std::sort(sources.begin() + 6, sources.end(), [](const Source& a, const Source& b) { return a.name < b.name; });

  const std::regex stats(R"(jit: (\d+) instructions compiled)");
  int failures = 0;
  size_t total_compiled = 0;
  Gen g(seed);
  const size_t sizes[] = {exec::kBatchRows, 1000, 513, 7, 1, exec::kBatchRows, 0, 64, 4095, 2};
  for (const Source& src : sources) {
    diag::Engine diags;
    driver::Options opts;
    auto c = driver::Compile(src.files, opts, diags);
    if (diags.HasErrors()) {
      std::printf("FAIL %s: the rule files have errors\n", src.name.c_str());
      ++failures;
      continue;
    }
    ir::LowerOptions lo;
    lo.input = src.record;
    if (!src.regime.empty()) {
      for (const auto& [name, modules] : ir::Regimes(c->checked)) {
        if (name == src.regime) {
          lo.modules = modules;
          lo.regime_name = name;
        }
      }
    }
    std::string error;
    auto p = ir::Lower(c->checked, lo, &error);
    if (!p) {
      std::printf("FAIL %s: %s\n", src.name.c_str(), error.c_str());
      ++failures;
      continue;
    }
    std::vector<exec::BoundTable> tables = MakeTables(g, *p);
    std::string report;
    auto interp = exec::CreateBackend("interp", *p, tables, nullptr);
    auto jit = exec::CreateBackend("jit", *p, tables, &report);
    std::smatch m;
    size_t compiled = std::regex_search(report, m, stats) ? std::stoul(m[1]) : 0;
    if (report.find("every instruction interpreted") != std::string::npos) {
      std::printf("FAIL %s: %s\n", src.name.c_str(), report.c_str());
      ++failures;
    }
    total_compiled += compiled;
    // The same program again: the kernels come from the cache.
    std::string again;
    exec::CreateBackend("jit", *p, tables, &again);
    if (compiled > 0 && again.find("found in the cache") == std::string::npos) {
      std::printf("FAIL %s: a second JIT of the same program was not found in the cache: %s\n", src.name.c_str(),
                  again.c_str());
      ++failures;
    }

    exec::Decider dec_i(*p, &c->sources, true), dec_j(*p, &c->sources, true);
    // Without explanations, as `edict run` judges: the JIT's compiled
    // decision step (Backend::Judge) against the interpreter's decisions.
    exec::Decider plain_i(*p, &c->sources, false), plain_j(*p, &c->sources, false);
    std::vector<exec::Column> vi, vj, scratch;
    exec::Decisions di, dj, pi, pj;
    std::vector<uint8_t> live;
    size_t compared = 0, rows_total = 0, mismatches = 0;
    exec::Batch b;
    for (int k = 0; k < batches; ++k) {
      const size_t rows = sizes[static_cast<size_t>(k) % (sizeof sizes / sizeof sizes[0])];
      MakeBatch(g, *p, rows, b);
      // Now and then a fresh values vector (as `edict test` does per test).
      if (k % 4 == 3) {
        vi.clear();
        vj.clear();
      }
      interp->Evaluate(b, vi);
      jit->Evaluate(b, vj);
      rows_total += rows;
      exec::MarkLive(*p, b, &live);
      for (size_t i = 0; i < p->insts.size(); ++i) {
        if (!live[i]) continue;
        const bool dec = p->insts[i].ty == ir::Ty::Dec;
        const exec::Column &x = vi[i], &y = vj[i];
        for (size_t r = 0; r < rows; ++r) {
          ++compared;
          bool same = x.status[r] == y.status[r];
          if (same && x.status[r] == exec::kOk) same = dec ? x.dec[r].units == y.dec[r].units : x.i64[r] == y.i64[r];
          if (same && x.status[r] == exec::kError) same = x.i64[r] == y.i64[r];
          if (same) continue;
          if (++mismatches <= 10) {
            const ir::Inst& in = p->insts[i];
            std::printf("FAIL %s: batch %d row %zu %%%zu = %s %s: interp %s, jit %s\n", src.name.c_str(), k, r, i,
                        ir::OpName(in.op), ir::TyName(in.ty), Show(x, r, dec).c_str(), Show(y, r, dec).c_str());
          }
        }
      }
      plain_i.Decide(b, vi, pi);
      jit->Judge(b, scratch, plain_j, pj);
      for (size_t r = 0; r < rows; ++r) {
        const exec::Decision x = pi.At(r), y = pj.At(r);
        if (x == y) continue;
        if (++mismatches <= 10) {
          std::printf("FAIL %s: batch %d row %zu: compiled decision differs (interp: %s; jit: %s)\n", src.name.c_str(),
                      k, r, x.error ? x.reason.c_str() : std::to_string(x.outcome).c_str(),
                      y.error ? y.reason.c_str() : std::to_string(y.outcome).c_str());
        }
      }
      dec_i.Decide(b, vi, di);
      dec_j.Decide(b, vj, dj);
      for (size_t r = 0; r < rows; ++r) {
        const exec::Decision x = di.At(r), y = dj.At(r);
        if (x == y) continue;
        if (++mismatches <= 10) {
          std::printf("FAIL %s: batch %d row %zu: decisions differ (interp: %s; jit: %s)\n", src.name.c_str(), k, r,
                      x.error ? x.reason.c_str() : std::to_string(x.outcome).c_str(),
                      y.error ? y.reason.c_str() : std::to_string(y.outcome).c_str());
        }
      }
    }
    if (mismatches) ++failures;
    std::printf("%s %s: %zu rows, %zu live values compared, %zu mismatches; %s\n", mismatches ? "FAIL" : "ok  ",
                src.name.c_str(), rows_total, compared, mismatches, report.c_str());
  }
  if (total_compiled == 0) {
    std::printf("FAIL: the JIT compiled nothing at all\n");
    ++failures;
  }
  std::printf("%zu programs, %d failed\n", sources.size(), failures);
  return failures ? 1 : 0;
}
