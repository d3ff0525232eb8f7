// Bulk evaluation (`edict run`) and inline tests (`edict test`) over one IR
// program: ledger -> batches -> backend -> decisions -> output rows.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/source.h"
#include "exec/decide.h"
#include "ir/ir.h"

namespace edict::exec {

struct RunOptions {
  std::string input;                         // ledger CSV
  std::string output;                        // empty or "-": stdout; *.jsonl: JSON lines
  std::optional<int32_t> as_of;              // judge every row on this date
  bool explain = false;
  std::map<std::string, std::string> tables; // NAME -> CSV file
  bool progress = false;                     // progress bar on stderr
  int threads = 1;  // 1; 2: a reader thread; 3+: ParallelReader; 0: DefaultThreads(backend)
  std::string backend = "interp";            // "interp" or "jit" (exec::CreateBackend)
};

struct RunSummary {
  uint64_t rows = 0, errors = 0;
  std::map<std::string, uint64_t> decisions;  // "NLR", "LICENSE_EXCEPTION(LPP)", "ERROR", ...
  double seconds = 0;
  uint64_t dates_backwards = 0, first_backwards_line = 0;
  std::vector<CapUsage> caps;
  std::string fatal;                          // set when the run could not start
  std::string backend_report;                 // what the backend did (the JIT: what it compiled)
};

// The threads `edict run` uses when not told: 1 on one core; else, with
// the JIT, the cores + 2; with the interpreter, the cores + 1 (at most 16).
int DefaultThreads(const std::string& backend);

RunSummary RunLedger(const ir::Program& p, const SourceManager& sm, const RunOptions& o);

// Writes decision rows, in the library's output contract (`id, decision,
// basis, rule, citation, cap, charged, headroom, flags, error[, explain]`),
// as CSV or as JSON lines, through one growing buffer flushed in large
// blocks (formatting output was half of a run's time when done per field).
class DecisionWriter {
 public:
  DecisionWriter(const ir::Program& p, std::ostream& out, bool jsonl, bool explain);
  ~DecisionWriter();
  // One output row per row of the batch (its id, or its line number when
  // it has none).
  void Write(const Batch& batch, const Decisions& d);
  void Flush();

 private:
  // Row r's flags, by name, separated by ';'.
  void AppendFlags(std::string& to, const Decisions& d, size_t r) const;
  static bool NeedsQuotes(const std::string& s);
  static std::string Quoted(const std::string& s);
  void Field(const std::string& s);

  const ir::Program& p_;
  std::ostream& out_;
  bool jsonl_, explain_;
  std::string buf_;
  std::vector<std::string> rule_csv_, citation_csv_, cap_csv_;  // quoted for CSV once, by rule / cap index
};
// The text printed on stderr after a run: counts, caps, speed.
std::string FormatSummary(const ir::Program& p, const RunSummary& s);

struct TestReport {
  uint64_t passed = 0, failed = 0;
  std::string text;  // one line per failure, plus the closing "N passed, N failed"
  std::string fatal;           // the backend could not be created
  std::string backend_report;  // what the backend did
};
TestReport RunTests(const ir::Program& p, const SourceManager& sm, const std::string& backend = "interp");

}  // namespace edict::exec
