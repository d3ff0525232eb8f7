// One interface, two backends (the interpreter, interp/, and the LLVM JIT,
// jit/): a backend computes the value of every IR instruction over a batch.
// What the values mean for decisions is exec/decide.h's business, shared by
// both.
#pragma once

#include <future>
#include <memory>
#include <string_view>
#include <string>
#include <unordered_map>
#include <vector>

#include "exec/batch.h"
#include "exec/interner.h"
#include "ir/ir.h"

namespace edict::exec {

// A reference table bound to a CSV file at run time (`--table NAME=FILE`).
struct BoundTable {
  bool bound = false;
  std::unordered_map<int64_t, size_t> row_of;  // key slot -> row
  std::vector<Column> columns;                 // by ir::Table::columns index
};

class Decider;
struct Decisions;

class Backend {
 public:
  virtual ~Backend() = default;
  // values.size() == program.insts.size() on return; values[i] has batch.rows rows.
  virtual void Evaluate(const Batch& batch, std::vector<Column>& values) = 0;
  // Judges the batch's rows in order, updating `decider`'s caps: row r of
  // `out` is row r's decision. By default Evaluate, then decider.Decide (decide.cpp).
  // A backend that compiles the decision step too must decide every row
  // exactly as the decider would; `values` is then scratch space.
  virtual void Judge(const Batch& batch, std::vector<Column>& values, Decider& decider, Decisions& out);
  virtual std::string Name() const = 0;
};

std::unique_ptr<Backend> CreateInterpreter(const ir::Program& program, const std::vector<BoundTable>& tables);

// The instructions the decision step can read for this batch: those of rules
// in force on some day of the batch (conditions, charges, the keys and limits
// of their caps), and everything they use. A backend computes exactly these;
// the columns of the others are left as they were.
void MarkLive(const ir::Program& program, const Batch& batch, std::vector<uint8_t>* live);

// The interpreter's meaning of one instruction at a time, for a backend that
// compiles some instructions and leaves the others to the interpreter.
class InstEvaluator {
 public:
  virtual ~InstEvaluator() = default;
  // Computes values[id] over the batch, exactly as the interpreter does;
  // the columns of its operands must already hold this batch's values.
  virtual void EvaluateInst(ir::InstId id, const Batch& batch, std::vector<Column>& values) = 0;
};
std::unique_ptr<InstEvaluator> CreateInstEvaluator(const ir::Program& program, const std::vector<BoundTable>& tables);

// The backends by name (exec/backend_factory.cpp): "interp", or "jit" when
// the JIT is built (EDICT_ENABLE_JIT). Null with *report saying why for an
// unknown name or a JIT that is not built; otherwise *report (if given) says
// what the backend did, e.g. how many instructions the JIT compiled. A JIT
// whose plugin cannot be loaded interprets everything, and *report says why.
std::unique_ptr<Backend> CreateBackend(const std::string& name, const ir::Program& program,
                                       const std::vector<BoundTable>& tables, std::string* report);
// Starts loading what backend `name` needs, on another thread, and returns
// at once: for the JIT, its plugin (libedict_jit.so, which loads libLLVM)
// and LLVM's set-up, about 60 ms that a run overlaps with reading its rules.
// CreateBackend waits for it if it is still going. The caller keeps the
// future until it is done with backends: its destructor waits for the
// loading, which must not be cut short by the process exiting. An empty
// future for "interp" and after the first call.
std::future<void> PrepareBackend(const std::string& name);
// Why CreateBackend(name, ...) would return null, or "" if it would not.
std::string BackendProblem(const std::string& name);
// Whether this build has the JIT; "jit" if so, else "interp".
bool JitAvailable();
// The JIT plugin a run would load (the first that exists of where it is
// looked for), or "" (none found, or no JIT in this build).
std::string JitPluginPath();
const char* DefaultBackend();

}  // namespace edict::exec
