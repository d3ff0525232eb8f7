// RunLedger and RunTests: the batch loop shared by every backend.
#include "exec/run.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "edict/runtime/country.h"
#include "edict/runtime/date.h"
#include "exec/backend.h"
#include "exec/ledger.h"
#include "exec/parallel_reader.h"

namespace edict::exec {
namespace {

// The outcome's payload variant's name, "" for none.
const std::string& BasisName(const ir::Program& p, int32_t outcome, int32_t basis) {
  static const std::string kNone;
  if (outcome < 0 || basis < 0) return kNone;
  uint32_t e = p.outcome.variants[static_cast<size_t>(outcome)].payload_enum;
  return e < p.enums.size() ? p.enums[e].variants[static_cast<size_t>(basis)] : kNone;
}

// "NLR", "LICENSE_EXCEPTION(LPP)": the summary's and the tests' name of a decision.
std::string DecisionKey(const ir::Program& p, int32_t outcome, int32_t basis) {
  const std::string& k = p.outcome.variants[static_cast<size_t>(outcome)].name;
  const std::string& b = BasisName(p, outcome, basis);
  return b.empty() ? k : k + "(" + b + ")";
}

}  // namespace

DecisionWriter::DecisionWriter(const ir::Program& p, std::ostream& out, bool jsonl, bool explain)
    : p_(p), out_(out), jsonl_(jsonl), explain_(explain) {
  // The program's names and citations, written on most rows, are quoted
  // for CSV once.
  for (const ir::Rule& r : p.rules) {
    rule_csv_.push_back(Quoted(r.name));
    citation_csv_.push_back(Quoted(r.citation));
  }
  for (const ir::Cap& c : p.caps) cap_csv_.push_back(Quoted(c.name));
  if (!jsonl_) {
    buf_ += "id,decision,basis,rule,citation,cap,charged,headroom,flags,error";
    buf_ += explain_ ? ",explain\n" : "\n";
  }
}

DecisionWriter::~DecisionWriter() { Flush(); }

void DecisionWriter::Flush() {
  out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  buf_.clear();
}

void DecisionWriter::Write(const Batch& batch, const Decisions& d) {
  const ir::Program& p = p_;
  for (size_t r = 0; r < batch.rows; ++r) {
    const bool error = d.error[r] != 0;
    const int32_t outcome = error ? -1 : d.outcome[r];
    const ir::Rule* rule = d.rule[r] >= 0 ? &p.rules[static_cast<size_t>(d.rule[r])] : nullptr;
    const ir::Cap* cap = d.cap[r] >= 0 ? &p.caps[static_cast<size_t>(d.cap[r])] : nullptr;
    const std::string& basis = BasisName(p, outcome, error ? -1 : d.basis[r]);
    if (jsonl_) {
      std::string flags;
      AppendFlags(flags, d, r);
      nlohmann::ordered_json j{{"id", batch.id[r].empty() ? std::to_string(batch.line[r]) : batch.id[r]},
                               {"decision", error ? "ERROR" : p.outcome.variants[static_cast<size_t>(outcome)].name},
                               {"basis", basis},
                               {"rule", rule ? rule->name : ""},
                               {"citation", rule ? rule->citation : ""},
                               {"cap", cap ? cap->name : ""},
                               {"charged", cap ? std::to_string(d.charged[r]) : ""},
                               {"headroom", cap ? std::to_string(d.headroom[r]) : ""},
                               {"flags", flags},
                               {"error", d.reason[r]}};
      if (explain_) {
        const std::string* e = d.explain.empty() ? nullptr : &d.explain[r];
        j["explain"] = !e || e->empty() ? nlohmann::ordered_json() : nlohmann::ordered_json::parse(*e);
      }
      buf_ += j.dump();
      buf_ += '\n';
    } else {
      if (batch.id[r].empty()) fmt::format_to(std::back_inserter(buf_), "{}", batch.line[r]);
      else Field(batch.id[r]);
      buf_ += ',';
      buf_ += error ? "ERROR" : p.outcome.variants[static_cast<size_t>(outcome)].name;
      buf_ += ',';
      buf_ += basis;
      buf_ += ',';
      if (rule) buf_ += rule_csv_[static_cast<size_t>(d.rule[r])];
      buf_ += ',';
      if (rule) buf_ += citation_csv_[static_cast<size_t>(d.rule[r])];
      buf_ += ',';
      if (cap) {
        buf_ += cap_csv_[static_cast<size_t>(d.cap[r])];
        fmt::format_to(std::back_inserter(buf_), ",{},{},", d.charged[r], d.headroom[r]);
      } else {
        buf_ += ",,,";
      }
      AppendFlags(buf_, d, r);
      buf_ += ',';
      Field(d.reason[r]);
      if (explain_) {
        buf_ += ',';
        if (!d.explain.empty()) Field(d.explain[r]);
      }
      buf_ += '\n';
    }
    if (buf_.size() > (1u << 20)) Flush();
  }
}

void DecisionWriter::AppendFlags(std::string& to, const Decisions& d, size_t r) const {
  bool first = true;
  d.ForEachFlag(r, [&](uint32_t f) {
    if (!first) to += ';';
    first = false;
    to += p_.flags[f].name;
  });
}

bool DecisionWriter::NeedsQuotes(const std::string& s) {
  for (char c : s) {
    if (c == ',' || c == '"' || c == '\n' || c == '\r') return true;
  }
  return false;
}

std::string DecisionWriter::Quoted(const std::string& s) {
  if (!NeedsQuotes(s)) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + '"';
}

void DecisionWriter::Field(const std::string& s) {
  if (NeedsQuotes(s)) buf_ += Quoted(s);
  else buf_ += s;
}


namespace {

// A bounded queue of batches between the reader thread and the evaluator,
// with a pool so batches (and their column buffers) are reused.
class BatchPipe {
 public:
  // `depth` batches, and up to `max_depth` while growing (see StopGrowing).
  BatchPipe(size_t depth, size_t max_depth) : depth_(depth), max_depth_(max_depth), allocated_(depth) {
    for (size_t i = 0; i < depth; ++i) free_.push_back(std::make_unique<Batch>());
    growing_ = max_depth_ > depth_;
  }
  std::unique_ptr<Batch> Free() {
    std::unique_lock<std::mutex> lock(m_);
    cv_.wait(lock, [&] { return !free_.empty() || (growing_ && allocated_ < max_depth_); });
    if (free_.empty()) {
      ++allocated_;
      return std::make_unique<Batch>();
    }
    auto b = std::move(free_.back());
    free_.pop_back();
    return b;
  }
  // From now on at most `depth` batches are kept (the extra ones are freed
  // as they come back).
  void StopGrowing() {
    std::lock_guard<std::mutex> lock(m_);
    growing_ = false;
  }
  void Push(std::unique_ptr<Batch> b) {
    std::lock_guard<std::mutex> lock(m_);
    full_.push_back(std::move(b));
    cv_.notify_all();
  }
  void Close() {
    std::lock_guard<std::mutex> lock(m_);
    closed_ = true;
    cv_.notify_all();
  }
  // The next batch in order, or null when the reader is done.
  std::unique_ptr<Batch> Pop() {
    std::unique_lock<std::mutex> lock(m_);
    cv_.wait(lock, [&] { return !full_.empty() || closed_; });
    if (full_.empty()) return nullptr;
    auto b = std::move(full_.front());
    full_.pop_front();
    return b;
  }
  void Recycle(std::unique_ptr<Batch> b) {
    std::lock_guard<std::mutex> lock(m_);
    if (!growing_ && allocated_ > depth_) {
      --allocated_;  // b is freed
    } else {
      free_.push_back(std::move(b));
    }
    cv_.notify_all();
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  const size_t depth_, max_depth_;
  size_t allocated_;
  bool growing_ = false;
  std::vector<std::unique_ptr<Batch>> free_;
  std::deque<std::unique_ptr<Batch>> full_;
  bool closed_ = false;
};

}  // namespace

int DefaultThreads(const std::string& backend) {
  // Measured on 2 cores, 10M rows (bench/RESULTS.md): the pieces of the
  // ledger are cut on a thread that does little, and parsing them is most
  // of the work; with the JIT, judging is light and 4 threads (2 parsing)
  // beat 3; with the interpreter, judging competes with the parsing and 3
  // is best. So: the cores + 2 with the JIT, the cores + 1 with the
  // interpreter.
  const unsigned cores = std::thread::hardware_concurrency();
  if (cores < 2) return 1;
  return static_cast<int>(std::min(backend == "jit" ? cores + 2 : cores + 1, 16u));
}

RunSummary RunLedger(const ir::Program& p, const SourceManager& sm, const RunOptions& o) {
  RunSummary s;
  auto start = std::chrono::steady_clock::now();
  Interner texts(p.texts);
  std::vector<BoundTable> tables(p.tables.size());
  for (size_t t = 0; t < p.tables.size(); ++t) {
    auto it = o.tables.find(p.tables[t].name);
    if (it == o.tables.end()) continue;  // an unbound table is empty: nothing is in it
    std::string error;
    if (!LoadTable(p, t, it->second, texts, &tables[t], &error)) {
      s.fatal = error;
      return s;
    }
  }
  for (const auto& [name, path] : o.tables) {
    bool known = false;
    for (const auto& t : p.tables) known |= t.name == name;
    if (!known) {
      s.fatal = fmt::format("--table {}: the rules declare no table named `{}`", name, name);
      return s;
    }
  }
  LedgerReader reader(p, texts, o.as_of);
  std::string error;
  if (!reader.Open(o.input, &error)) {
    s.fatal = error;
    return s;
  }
  s.fatal = BackendProblem(o.backend);
  if (!s.fatal.empty()) return s;
  // Made below: with a reader thread, while it reads ahead (the JIT compiles
  // meanwhile).
  std::unique_ptr<Backend> backend;
  auto make_backend = [&] {
    backend = CreateBackend(o.backend, p, tables, &s.backend_report);
    if (!backend) backend = CreateInterpreter(p, tables);  // not reached: BackendProblem checked
  };
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (!o.output.empty() && o.output != "-") {
    file.open(o.output, std::ios::binary);
    if (!file) {
      s.fatal = fmt::format("cannot write `{}`", o.output);
      return s;
    }
    out = &file;
  }
  bool jsonl = o.output.size() >= 6 && o.output.compare(o.output.size() - 6, 6, ".jsonl") == 0;
  DecisionWriter writer(p, *out, jsonl, o.explain);
  Decider decider(p, &sm, o.explain);
  std::vector<Column> values;
  Decisions decisions;
  // Decision counts by (outcome, basis); names are made once at the end.
  size_t stride = 1;
  for (const auto& v : p.outcome.variants) {
    if (v.payload_enum < p.enums.size()) stride = std::max(stride, p.enums[v.payload_enum].variants.size() + 1);
  }
  std::vector<uint64_t> counts(p.outcome.variants.size() * stride, 0);
  auto last_progress = start;
  auto process = [&](const Batch& batch) {
    backend->Judge(batch, values, decider, decisions);
    writer.Write(batch, decisions);
    for (size_t r = 0; r < batch.rows; ++r) {
      if (decisions.error[r]) ++s.errors;
      else ++counts[static_cast<size_t>(decisions.outcome[r]) * stride + static_cast<size_t>(decisions.basis[r] + 1)];
    }
    s.rows += batch.rows;
    if (o.progress) {
      auto now = std::chrono::steady_clock::now();
      if (now - last_progress > std::chrono::milliseconds(250) && now - start > std::chrono::seconds(1)) {
        last_progress = now;
        double secs = std::chrono::duration<double>(now - start).count();
        std::fprintf(stderr, "\r%llu rows, %.0f rows/s   ", static_cast<unsigned long long>(s.rows), s.rows / secs);
      }
    }
  };
  const int threads = o.threads > 0 ? o.threads : DefaultThreads(o.backend);
  if (threads <= 1) {
    make_backend();
    Batch batch;
    while (reader.Next(batch)) process(batch);
  } else if (threads >= 3) {
    // Pieces of whole lines cut on one thread, read into batches on N - 2
    // (ParallelReader), judged and written here, in order.
    ParallelReader parallel(p, reader, texts, static_cast<size_t>(threads) - 2);
    make_backend();
    while (const Batch* b = parallel.Next()) process(*b);
  } else {
    // Two stages: a reader thread parses batches ahead while this thread
    // evaluates, decides and writes them in order, so the output is the same
    // as with one thread. While the backend is being made (the JIT compiles
    // for a tenth of a second or more), the reader may read up to 64 batches
    // ahead instead of 4.
    BatchPipe pipe(4, 64);
    std::thread producer([&] {
      for (;;) {
        std::unique_ptr<Batch> b = pipe.Free();
        if (!reader.Next(*b)) break;
        pipe.Push(std::move(b));
      }
      pipe.Close();
    });
    make_backend();
    pipe.StopGrowing();
    while (std::unique_ptr<Batch> b = pipe.Pop()) {
      process(*b);
      pipe.Recycle(std::move(b));
    }
    producer.join();
  }
  for (size_t v = 0; v < p.outcome.variants.size(); ++v) {
    for (size_t k = 0; k < stride; ++k) {
      uint64_t n = counts[v * stride + k];
      if (!n) continue;
      s.decisions[DecisionKey(p, static_cast<int32_t>(v), static_cast<int32_t>(k) - 1)] = n;
    }
  }
  if (s.errors) s.decisions["ERROR"] = s.errors;
  if (o.progress && std::chrono::steady_clock::now() - start > std::chrono::seconds(1)) std::fprintf(stderr, "\n");
  writer.Flush();
  out->flush();
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  s.dates_backwards = reader.dates_backwards();
  s.first_backwards_line = reader.first_backwards_line();
  s.caps = decider.usage();
  return s;
}

std::string FormatSummary(const ir::Program& p, const RunSummary& s) {
  std::string out = fmt::format("{} rows under {}: {} decided, {} ERROR\n", s.rows, p.regime, s.rows - s.errors,
                                s.errors);
  for (const auto& [k, n] : s.decisions) out += fmt::format("  {:<36} {:>10}\n", k, n);
  for (size_t i = 0; i < s.caps.size(); ++i) {
    const CapUsage& u = s.caps[i];
    if (u.charges == 0 && u.refusals == 0) continue;
    out += fmt::format("  cap {}: {} charges, {} refused; peak {} of {} {} (headroom {})\n", p.caps[i].name, u.charges,
                       u.refusals, u.peak, u.limit_at_peak, p.caps[i].unit, u.limit_at_peak - u.peak);
  }
  if (s.dates_backwards) {
    out += fmt::format("  warning: dates go backwards {} times (first at line {}); rows are judged in file order\n",
                       s.dates_backwards, s.first_backwards_line);
  }
  out += fmt::format("  {:.3f} s, {:.0f} rows/s\n", s.seconds, s.seconds > 0 ? s.rows / s.seconds : 0.0);
  return out;
}

TestReport RunTests(const ir::Program& p, const SourceManager& sm, const std::string& backend_name) {
  TestReport rep;
  std::vector<BoundTable> tables(p.tables.size());
  auto backend = CreateBackend(backend_name, p, tables, &rep.backend_report);
  if (!backend) {
    rep.fatal = rep.backend_report;
    return rep;
  }
  const int date_field = JudgedDateField(p);
  for (const ir::Test& t : p.tests) {
    // Each test starts with empty caps; its rows run in order.
    Decider decider(p, &sm, false);
    Batch b;
    b.rows = t.rows.size();
    b.fields.resize(p.fields.size());
    for (size_t i = 0; i < p.fields.size(); ++i) b.fields[i].Resize(b.rows, p.fields[i].ty == ir::Ty::Dec);
    b.line.assign(b.rows, 0);
    b.error.assign(b.rows, "");
    b.day.assign(b.rows, 0);
    b.id.assign(b.rows, "");
    for (size_t r = 0; r < b.rows; ++r) {
      const ir::TestRow& row = t.rows[r];
      for (size_t i = 0; i < p.fields.size(); ++i) {
        Column& c = b.fields[i];
        c.status[r] = row.present[i] ? kOk : kAbsent;
        if (p.fields[i].ty == ir::Ty::Dec) c.dec[r] = row.present[i] ? p.decimals[static_cast<size_t>(row.values[i])] : rt::Decimal{};
        else c.i64[r] = row.values[i];
        if (static_cast<int>(i) == date_field && row.present[i]) b.day[r] = static_cast<int32_t>(row.values[i]);
      }
    }
    std::vector<Column> values;
    Decisions decisions;
    backend->Judge(b, values, decider, decisions);
    bool ok = true;
    for (size_t r = 0; r < b.rows; ++r) {
      const ir::TestRow& row = t.rows[r];
      const Decision d = decisions.At(r);
      // Flags are compared only where the row names some (`expect X flag F`).
      bool match = !d.error && d.outcome == row.outcome && d.basis == row.basis &&
                   (!row.check_flags || d.flags == row.flags);
      if (match) continue;
      ok = false;
      std::string want = p.outcome.variants[static_cast<size_t>(std::max(row.outcome, 0))].name;
      if (row.basis >= 0) {
        uint32_t e = p.outcome.variants[static_cast<size_t>(row.outcome)].payload_enum;
        want += "(" + p.enums[e].variants[static_cast<size_t>(row.basis)] + ")";
      }
      for (uint32_t f : row.flags) want += " flag " + p.flags[f].name;
      std::string got = d.error ? "ERROR: " + d.reason : DecisionKey(p, d.outcome, d.basis);
      if (!d.error) {
        for (uint32_t f : d.flags) got += " flag " + p.flags[f].name;
        if (d.rule >= 0) got += " (rule `" + p.rules[static_cast<size_t>(d.rule)].name + "`)";
      }
      std::string where;
      if (row.range.file < sm.size()) {
        LineCol lc = sm.Get(row.range.file).Locate(row.range.begin);
        where = fmt::format("{}:{}:{}: ", sm.Get(row.range.file).path(), lc.line, lc.column);
      }
      rep.text += fmt::format("{}test \"{}\", row {}: expected {}, got {}\n", where, t.title, r + 1, want, got);
    }
    (ok ? rep.passed : rep.failed)++;
  }
  rep.text += fmt::format("{} passed, {} failed\n", rep.passed, rep.failed);
  return rep;
}

}  // namespace edict::exec
