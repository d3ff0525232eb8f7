// edict_bench: on the same columnar batches, measures the interpreter, the
// JIT and the hand-written C++ baseline (handwritten.cpp), verifies that all
// three decide every row alike, and measures ingest (CSV -> batches) and
// output writing separately. Median of several runs. Not part of the tests.
//
// usage: edict_bench [--regime NAME] --input LEDGER.csv [--runs N]
//                    [--backends interp,jit,hand[,floor]] [--table NAME=FILE]...
//                    [--output FILE] [--no-verify] [--json FILE] [--repeat K] [RULES...]
//
// Each run reads the ledger streaming, one batch reused as `edict run` does
// (timed: ingest), then again keeping every batch in memory, then each backend
// in turn judges all of them with fresh caps (timed: backend Evaluate and the
// decision step exec::Decider; for `hand`, its own Decide), then the JIT's
// decisions are written as `edict run` writes CSV to --output (default
// /dev/null; timed: writing). The first run also verifies, on its batches
// and with fresh state, row by row: jit against interp (every output field)
// and hand against interp (error, outcome, basis, rule, cap, charged, flags);
// any mismatch prints the rows and exits 1. --repeat K judges the kept
// batches K times per run (fresh caps each time; the time reported is per
// pass), so that a profiler sees mostly evaluation. Without --regime, every
// rule of RULES is judged, as `edict run` does. `floor` (see Floor)
// times a loop with no rules over the same arrays. See README.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "driver/driver.h"
#include "exec/backend.h"
#include "exec/decide.h"
#include "exec/ledger.h"
#include "exec/run.h"
#include "handwritten.h"
#include "ir/lower.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using edict::bench::HandDecision;
namespace exec = edict::exec;
namespace ir = edict::ir;

namespace {

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }


std::string Show(const ir::Program& p, const exec::Decision& d) {
  if (d.error) return "ERROR (" + d.reason + ")";
  std::string s = p.outcome.variants[static_cast<size_t>(d.outcome)].name;
  if (d.basis >= 0) s += fmt::format("({})", d.basis);
  s += fmt::format(" rule={} cap={} charged={} headroom={} flags=[", d.rule >= 0 ? p.rules[d.rule].name : "-",
                   d.cap >= 0 ? p.caps[d.cap].name : "-", d.charged, d.headroom);
  for (uint32_t f : d.flags) s += p.flags[f].name + std::string(" ");
  return s + "]";
}
std::string Show(const ir::Program& p, const HandDecision& d) {
  if (d.error) return "ERROR";
  std::string s = p.outcome.variants[static_cast<size_t>(d.outcome)].name;
  if (d.basis >= 0) s += fmt::format("({})", d.basis);
  s += fmt::format(" rule={} cap={} charged={} flags=[", d.rule >= 0 ? p.rules[d.rule].name : "-",
                   d.cap >= 0 ? p.caps[d.cap].name : "-", d.charged);
  for (size_t f = 0; f < p.flags.size(); ++f) {
    if (d.flags >> f & 1) s += p.flags[f].name + " ";
  }
  return s + "]";
}
bool Same(const exec::Decision& a, const HandDecision& h) {
  if (a.error || h.error) return a.error == h.error;
  uint64_t flags = 0;
  for (uint32_t f : a.flags) flags |= uint64_t{1} << f;
  return a.outcome == h.outcome && a.basis == h.basis && a.rule == h.rule && a.cap == h.cap &&
         a.charged == h.charged && flags == h.flags;
}

struct Series {
  std::vector<double> total, backend, decide, setup;
  std::string report;
  std::vector<uint64_t> counts;  // by outcome, then errors
};

// `floor`: no rules at all. Each row reads every field the program reads
// (value and status) and writes every column of exec::Decisions the
// compiled decision step writes, from a sum of what it read: what streaming
// those arrays in and out costs with no logic at all. (A judge reads only
// the fields its rules reach for a row, so it could beat this a little, not
// by much.)
void Floor(const ir::Program& p, const exec::Batch& b, exec::Decisions& out) {
  std::vector<size_t> fields;
  for (const ir::Inst& in : p.insts) {
    if (in.op == ir::Op::Field && std::find(fields.begin(), fields.end(), size_t(in.imm)) == fields.end()) {
      fields.push_back(static_cast<size_t>(in.imm));
    }
  }
  std::vector<const uint8_t*> status;
  std::vector<const int64_t*> ints;
  std::vector<const edict::rt::Decimal*> decs;
  for (size_t f : fields) {
    status.push_back(b.fields[f].status.data());
    if (p.fields[f].ty == ir::Ty::Dec) decs.push_back(b.fields[f].dec.data());
    else ints.push_back(b.fields[f].i64.data());
  }
  out.Reset(b.rows, p.flags.size(), false);
  for (size_t r = 0; r < b.rows; ++r) {
    int64_t sum = b.day[r];
    for (const uint8_t* s : status) sum += s[r];
    for (const int64_t* v : ints) sum ^= v[r];
    for (const edict::rt::Decimal* v : decs) sum ^= static_cast<int64_t>(v[r].units);
    out.outcome[r] = static_cast<int32_t>(sum & 1);
    out.basis[r] = static_cast<int32_t>(sum & 2) - 1;
    out.rule[r] = static_cast<int32_t>(sum & 7);
    out.cap[r] = -1;
    out.charged[r] = sum;
    out.headroom[r] = sum >> 1;
    out.flags[r * out.flag_words] = static_cast<uint64_t>(sum) & 3;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string regime, input, backends_arg = "interp,jit,hand", output = "/dev/null", json;
  int runs = 5, repeat = 1;
  bool verify = true;
  std::map<std::string, std::string> table_files;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--regime" && i + 1 < argc) regime = argv[++i];
    else if (a == "--input" && i + 1 < argc) input = argv[++i];
    else if (a == "--runs" && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    else if ((a == "--backends" || a == "--backend") && i + 1 < argc) backends_arg = argv[++i];
    else if (a == "--output" && i + 1 < argc) output = argv[++i];
    else if (a == "--json" && i + 1 < argc) json = argv[++i];
    else if (a == "--no-verify") verify = false;
    else if (a == "--repeat" && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
    else if (a == "--table" && i + 1 < argc) {
      std::string t = argv[++i];
      size_t eq = t.find('=');
      if (eq == std::string::npos) {
        std::fprintf(stderr, "--table NAME=FILE\n");
        return 2;
      }
      table_files[t.substr(0, eq)] = t.substr(eq + 1);
    } else if (a.rfind("--", 0) == 0) {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    } else {
      files.push_back(a);
    }
  }
  if (input.empty()) {
    std::fprintf(stderr, "usage: edict_bench [--regime NAME] --input LEDGER.csv [--runs N] [--backends interp,jit,hand]\n"
                         "                   [--table NAME=FILE]... [--output FILE] [--no-verify] [--json FILE] [--repeat K] [RULES...]\n");
    return 2;
  }
  if (backends_arg == "both") backends_arg = "interp,jit";
  std::vector<std::string> backends;
  bool hand = false, floor = false;
  for (size_t s = 0; s <= backends_arg.size();) {
    size_t e = backends_arg.find(',', s);
    if (e == std::string::npos) e = backends_arg.size();
    std::string b = backends_arg.substr(s, e - s);
    if (b == "hand") hand = true;
    else if (b == "floor") floor = true;
    else if (!b.empty()) backends.push_back(b);
    s = e + 1;
  }
  // As `edict run` does: the JIT plugin (and libLLVM) loads, and LLVM is set
  // up, on another thread while the rules and the ledger are read.
  std::vector<std::future<void>> preparing;
  for (const auto& b : backends) preparing.push_back(exec::PrepareBackend(b == "jit-columns" ? "jit" : b));
  if (files.empty()) {
    for (const auto& e : fs::recursive_directory_iterator(EDICT_STDLIB_DIR)) {
      if (e.path().extension() == ".edict") files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
  }

  auto c0 = Clock::now();
  edict::diag::Engine diags;
  auto c = edict::driver::Compile(files, {}, diags);
  if (diags.HasErrors()) {
    std::fprintf(stderr, "rule files have errors; run edict check\n");
    return 1;
  }
  ir::LowerOptions lo;
  for (const auto& [name, mods] : ir::Regimes(c->checked)) {
    if (name == regime) {
      lo.modules = mods;
      lo.regime_name = name;
    }
  }
  if (!regime.empty() && lo.regime_name.empty()) {
    std::fprintf(stderr, "no regime `%s`\n", regime.c_str());
    return 2;
  }
  std::string error;
  auto p = ir::Lower(c->checked, lo, &error);
  if (!p) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  const double rules_seconds = Since(c0);

  std::vector<Series> series(backends.size());
  Series hand_series, floor_series;
  std::vector<double> ingest, ingest_kept, writing;
  uint64_t rows = 0, bytes = fs::file_size(input);
  uint64_t verified = 0, jit_mismatches = 0, hand_mismatches = 0;
  bool verified_jit = false;

  for (int run = 0; run < runs; ++run) {
    exec::Interner texts(p->texts);
    std::vector<exec::BoundTable> tables(p->tables.size());
    for (size_t t = 0; t < p->tables.size(); ++t) {
      auto it = table_files.find(p->tables[t].name);
      if (it != table_files.end() && !exec::LoadTable(*p, t, it->second, texts, &tables[t], &error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
      }
    }
    // Ingest as `edict run` reads: one batch, reused (a separate interner, so
    // that the batches kept below intern their texts exactly as a run does).
    {
      exec::Interner stream_texts(p->texts);
      std::vector<exec::BoundTable> stream_tables(p->tables.size());
      for (size_t t = 0; t < p->tables.size(); ++t) {
        auto it = table_files.find(p->tables[t].name);
        if (it != table_files.end()) exec::LoadTable(*p, t, it->second, stream_texts, &stream_tables[t], &error);
      }
      exec::LedgerReader stream(*p, stream_texts, std::nullopt);
      if (!stream.Open(input, &error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
      }
      exec::Batch batch;
      auto t0 = Clock::now();
      while (stream.Next(batch)) {
      }
      ingest.push_back(Since(t0));
    }
    // Then every batch kept in memory, for the evaluation runs.
    exec::LedgerReader reader(*p, texts, std::nullopt);
    if (!reader.Open(input, &error)) {
      std::fprintf(stderr, "%s\n", error.c_str());
      return 1;
    }
    std::vector<exec::Batch> batches;
    auto t0 = Clock::now();
    for (;;) {
      batches.emplace_back();
      if (!reader.Next(batches.back())) {
        batches.pop_back();
        break;
      }
    }
    ingest_kept.push_back(Since(t0));
    rows = reader.rows_read();

    for (size_t k = 0; k < backends.size(); ++k) {
      Series& t = series[k];
      auto s0 = Clock::now();
      // jit-columns: the JIT's column kernels with the shared decision step
      // (as `--explain` runs), for comparison with its compiled decision step.
      const bool columns = backends[k] == "jit-columns";
      if (columns) setenv("EDICT_JIT_DECIDE", "0", 1);
      auto backend = exec::CreateBackend(columns ? "jit" : backends[k], *p, tables, &t.report);
      if (columns) unsetenv("EDICT_JIT_DECIDE");
      const bool fused = t.report.find("decision step compiled") != std::string::npos;
      t.setup.push_back(Since(s0));  // run 0 of the JIT: compiling; later runs: its in-process cache
      if (!backend) {
        std::fprintf(stderr, "%s\n", t.report.c_str());
        return 1;
      }
      std::vector<exec::Column> values;
      exec::Decisions decisions;
      for (int pass = 1; pass < repeat; ++pass) {  // --repeat: untimed passes, for a profiler
        exec::Decider fresh(*p, &c->sources, false);
        for (const auto& b : batches) backend->Judge(b, values, fresh, decisions);  // Evaluate + Decide when not fused
      }
      exec::Decider decider(*p, &c->sources, false);
      std::vector<uint64_t> counts(p->outcome.variants.size() + 1, 0);
      double in_backend = 0, in_decide = 0, in_write = 0;
      const bool write = backends[k] == backends.back();
      std::ofstream out;
      if (write) out.open(output, std::ios::binary);
      exec::DecisionWriter writer(*p, out, /*jsonl=*/false, /*explain=*/false);  // as `edict run --output F.csv`
      for (const auto& b : batches) {
        auto e0 = Clock::now();
        if (fused) backend->Judge(b, values, decider, decisions);  // values and decisions in one
        else backend->Evaluate(b, values);
        auto e1 = Clock::now();
        if (!fused) decider.Decide(b, values, decisions);
        auto e2 = Clock::now();
        in_backend += std::chrono::duration<double>(e1 - e0).count();
        in_decide += std::chrono::duration<double>(e2 - e1).count();
        if (write) {
          writer.Write(b, decisions);
          in_write += Since(e2);
        }
        for (size_t r = 0; r < b.rows; ++r) {
          ++counts[decisions.error[r] ? counts.size() - 1 : static_cast<size_t>(decisions.outcome[r])];
        }
      }
      if (write) {
        auto w0 = Clock::now();
        writer.Flush();
        out.flush();
        in_write += Since(w0);
        writing.push_back(in_write);
      }
      t.backend.push_back(in_backend);
      if (!fused) t.decide.push_back(in_decide);
      t.total.push_back(in_backend + in_decide);
      t.counts = counts;
    }

    if (hand) {
      auto s0 = Clock::now();
      auto h = edict::bench::CreateHandWritten(*p, tables, &error);
      hand_series.setup.push_back(Since(s0));
      if (!h) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
      }
      std::vector<HandDecision> decisions;
      std::vector<uint64_t> counts(p->outcome.variants.size() + 1, 0);
      double in_hand = 0;
      for (const auto& b : batches) {
        auto e0 = Clock::now();
        h->Decide(b, decisions);
        in_hand += Since(e0);
        for (size_t r = 0; r < b.rows; ++r) {
          ++counts[decisions[r].error ? counts.size() - 1 : static_cast<size_t>(decisions[r].outcome)];
        }
      }
      hand_series.total.push_back(in_hand);
      hand_series.counts = counts;
    }
    if (floor) {
      exec::Decisions decisions;
      uint64_t ones = 0;
      double in_floor = 0;
      for (const auto& b : batches) {
        auto e0 = Clock::now();
        Floor(*p, b, decisions);
        in_floor += Since(e0);
        for (size_t r = 0; r < b.rows; ++r) ones += static_cast<uint64_t>(decisions.outcome[r]);
      }
      floor_series.total.push_back(in_floor);
      floor_series.counts = {ones};
    }

    // Verification, on the first run's batches, with fresh state, untimed.
    if (run == 0 && verify) {
      std::unique_ptr<exec::Backend> ref = exec::CreateBackend("interp", *p, tables, nullptr);
      std::unique_ptr<exec::Backend> jit;
      if (exec::JitAvailable() && std::find(backends.begin(), backends.end(), "jit") != backends.end()) {
        jit = exec::CreateBackend("jit", *p, tables, nullptr);
        verified_jit = true;
      }
      std::unique_ptr<edict::bench::HandWritten> h;
      if (hand) h = edict::bench::CreateHandWritten(*p, tables, &error);
      exec::Decider ref_decider(*p, &c->sources, false), jit_decider(*p, &c->sources, false);
      std::vector<exec::Column> ref_values, jit_values;
      exec::Decisions ref_d, jit_d;
      std::vector<HandDecision> hand_d;
      for (const auto& b : batches) {
        ref->Evaluate(b, ref_values);
        ref_decider.Decide(b, ref_values, ref_d);
        if (jit) jit->Judge(b, jit_values, jit_decider, jit_d);
        if (h) h->Decide(b, hand_d);
        for (size_t r = 0; r < b.rows; ++r) {
          const exec::Decision want = ref_d.At(r);
          if (jit && want != jit_d.At(r) && ++jit_mismatches <= 10) {
            std::printf("MISMATCH line %llu (id %s): interp %s\n                      jit    %s\n",
                        static_cast<unsigned long long>(b.line[r]), b.id[r].c_str(), Show(*p, want).c_str(),
                        Show(*p, jit_d.At(r)).c_str());
          }
          if (h && !Same(want, hand_d[r]) && ++hand_mismatches <= 10) {
            std::printf("MISMATCH line %llu (id %s): interp %s\n                      hand   %s\n",
                        static_cast<unsigned long long>(b.line[r]), b.id[r].c_str(), Show(*p, want).c_str(),
                        Show(*p, hand_d[r]).c_str());
          }
        }
        verified += b.rows;
      }
    }
  }

  // ---- report -----------------------------------------------------------
  const double mi = Median(ingest);
  std::printf("regime %s, %llu rows, %.1f MB, median of %d runs\n", regime.empty() ? "(every rule)" : p->regime.c_str(),
              static_cast<unsigned long long>(rows), bytes / 1e6, runs);
  std::printf("  rules: parse, check, lower        %8.3f s\n", rules_seconds);
  const double mk = Median(ingest_kept);
  std::printf("  ingest (CSV -> batches):          %8.3f s  %12.0f rows/s  %7.1f MB/s  (one batch reused, as edict run)\n",
              mi, rows / mi, bytes / 1e6 / mi);
  std::printf("  ingest, every batch kept:         %8.3f s  %12.0f rows/s  %7.1f MB/s  (for the evaluation runs)\n", mk,
              rows / mk, bytes / 1e6 / mk);
  const char* cache_env = std::getenv("EDICT_CACHE_DIR");
  const bool cold = cache_env && (std::string(cache_env).empty() || std::string(cache_env) == "off");
  std::map<std::string, double> rate;
  std::string json_backends;
  for (size_t k = 0; k < backends.size(); ++k) {
    const Series& t = series[k];
    double me = Median(t.total), mb = Median(t.backend), md = Median(t.decide);
    std::vector<double> cached(t.setup.begin() + 1, t.setup.end());
    rate[backends[k]] = rows / me;
    std::printf("  %-6s evaluation (+decide):     %8.3f s  %12.0f rows/s\n", backends[k].c_str(), me, rows / me);
    if (!t.decide.empty()) {
      std::printf("  %-6s   backend alone:          %8.3f s  %12.0f rows/s\n", backends[k].c_str(), mb, rows / mb);
      std::printf("  %-6s   decision step:          %8.3f s  %12.0f rows/s\n", backends[k].c_str(), md, rows / md);
    } else {
      std::printf("  %-6s   (decision step compiled: values and decisions in one pass)\n", backends[k].c_str());
    }
    std::printf("  %-6s   backend setup:          %8.1f ms first (%s), %.1f ms median later (in-process cache)\n",
                backends[k].c_str(), t.setup.front() * 1e3,
                backends[k].rfind("jit", 0) != 0 ? "cold"
                : cold               ? "cold: JIT compile, EDICT_CACHE_DIR=off"
                                     : "JIT compile, or a JIT disk-cache hit: set EDICT_CACHE_DIR=off for cold",
                Median(cached) * 1e3);
    if (!t.report.empty()) std::printf("  %-6s   %s\n", backends[k].c_str(), t.report.c_str());
    json_backends += fmt::format(
        "{}\"{}\": {{\"eval_s\": {:.6f}, \"eval_rows_per_s\": {:.0f}, \"backend_s\": {:.6f}, \"decide_s\": {}, "
        "\"setup_first_ms\": {:.3f}, \"setup_cached_ms\": {:.3f}}}",
        json_backends.empty() ? "" : ", ", backends[k], me, rows / me, mb,
        t.decide.empty() ? std::string("null") : fmt::format("{:.6f}", md), t.setup.front() * 1e3,
        Median(cached) * 1e3);
  }
  // The engines outside exec::Backend: one time each.
  auto report = [&](const char* name, const char* label, const Series& s) {
    const double m = Median(s.total);
    rate[name] = rows / m;
    std::printf("  %-6s %s:  %8.3f s  %12.0f rows/s\n", name, label, m, rows / m);
    json_backends += fmt::format("{}\"{}\": {{\"eval_s\": {:.6f}, \"eval_rows_per_s\": {:.0f}}}",
                                 json_backends.empty() ? "" : ", ", name, m, rows / m);
  };
  if (hand) report("hand", "decisions (hand-written)", hand_series);
  if (floor) report("floor", "(no rules: the same arrays read and written)", floor_series);
  double mw = Median(writing);
  if (!writing.empty()) {
    std::printf("  writing CSV (%s):  %8.3f s  %12.0f rows/s\n", output.c_str(), mw, rows / mw);
  }
  std::string ratios;
  auto ratio = [&](const char* a, const char* b) {
    if (!rate.count(a) || !rate.count(b)) return;
    double r = rate[a] / rate[b];
    std::printf("  throughput %s / %s: %.3f  (%s takes %.2fx the time of %s)\n", a, b, r, a, 1 / r, b);
    ratios += fmt::format("{}\"{}_over_{}\": {:.4f}", ratios.empty() ? "" : ", ", a, b, r);
  };
  ratio("jit", "hand");
  ratio("jit", "interp");
  ratio("jit", "jit-columns");
  ratio("interp", "hand");
  ratio("jit", "floor");
  ratio("hand", "floor");
  if (verify) {
    std::printf("  verified %llu rows row by row against interp: jit %s, hand %s\n",
                static_cast<unsigned long long>(verified),
                verified_jit ? (jit_mismatches ? fmt::format("{} MISMATCHES", jit_mismatches).c_str() : "identical")
                             : "not run",
                hand ? (hand_mismatches ? fmt::format("{} MISMATCHES", hand_mismatches).c_str() : "identical") : "not run");
  }
  bool counts_differ = false;
  for (size_t k = 1; k < backends.size(); ++k) counts_differ |= series[k].counts != series[0].counts;
  if (hand && !backends.empty()) counts_differ |= hand_series.counts != series[0].counts;
  if (counts_differ) std::printf("  MISMATCH: the decision counts of the timed runs differ\n");
  if (!json.empty()) {
    std::ofstream j(json);
    j << fmt::format(
        "{{\"regime\": \"{}\", \"rows\": {}, \"bytes\": {}, \"runs\": {}, \"rules_s\": {:.6f}, \"ingest_s\": {:.6f}, "
        "\"ingest_kept_s\": {:.6f}, "
        "\"ingest_rows_per_s\": {:.0f}, \"ingest_mb_per_s\": {:.2f}, \"write_s\": {:.6f}, \"write_rows_per_s\": {:.0f}, "
        "\"backends\": {{{}}}, \"ratios\": {{{}}}, \"verified_rows\": {}, \"jit_mismatches\": {}, "
        "\"hand_mismatches\": {}}}\n",
        p->regime, rows, bytes, runs, rules_seconds, mi, mk, rows / mi, bytes / 1e6 / mi, mw, mw > 0 ? rows / mw : 0.0,
        json_backends, ratios, verified, jit_mismatches, hand_mismatches);
  }
  if (jit_mismatches || hand_mismatches || counts_differ) {
    std::fprintf(stderr, "edict_bench: FAILED: decisions differ (see MISMATCH above)\n");
    return 1;
  }
  return 0;
}
