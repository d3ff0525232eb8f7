// The decision step: given the values a backend computed for a batch, judge
// each row in order: which rules are in force and apply, which exception
// overrides which rule, which caps the decision charges (and whether the
// charge fits), and which flags are raised. Shared by both backends, so the
// meaning of rules, exceptions and caps is written once (docs/semantics.md).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "exec/batch.h"
#include "exec/caps.h"
#include "ir/ir.h"

namespace edict::exec {

struct Decision {
  bool error = false;          // the row is ERROR: `reason` says why
  std::string reason;
  int32_t outcome = -1;        // variant index
  int32_t basis = -1;
  int32_t rule = -1;           // deciding rule, -1 for the default outcome
  int32_t cap = -1;            // first cap charged, -1 for none
  int64_t charged = 0;
  int64_t headroom = 0;        // after the charge
  std::vector<uint32_t> flags; // sorted, unique
  std::string explain;         // JSON trace when explanations are on

  bool operator==(const Decision& o) const {
    return error == o.error && reason == o.reason && outcome == o.outcome && basis == o.basis && rule == o.rule &&
           cap == o.cap && charged == o.charged && headroom == o.headroom && flags == o.flags && explain == o.explain;
  }
  bool operator!=(const Decision& o) const { return !(*this == o); }

  // Back to a default Decision, keeping the buffers' capacity (reused row
  // after row).
  void Reset() {
    error = false;
    reason.clear();
    outcome = basis = rule = cap = -1;
    charged = headroom = 0;
    flags.clear();
    explain.clear();
  }
};

// One batch's decisions, a column per field: row r of each. The JIT's
// compiled decision step writes them in place, the decider row by row
// (Take), and an embedder can read them as columns.
struct Decisions {
  size_t rows = 0;
  size_t flag_words = 1;             // 64-bit words of flag bits per row
  std::vector<uint8_t> error;        // 1: the row is ERROR, reason[r] says why
  std::vector<int32_t> outcome, basis, rule, cap;  // as in Decision
  std::vector<int64_t> charged, headroom;
  std::vector<uint64_t> flags;       // row r, flag f: bit f % 64 of word r * flag_words + f / 64
  std::vector<std::string> reason;   // "" unless error[r]
  std::vector<std::string> explain;  // by row with explanations on; else empty

  // `rows` rows of a program with `flag_count` flags, none decided yet: no
  // error, empty texts; the other fields (flags too) are left as they were,
  // and whoever decides a row sets them all. Keeps the buffers' capacity.
  void Reset(size_t rows, size_t flag_count, bool explain);
  // Row r becomes `d`; texts are swapped with d's, so `d` is scratch after.
  void Take(size_t r, Decision& d);
  // Row r as one Decision (copies its texts: for tests and tools).
  Decision At(size_t r) const;
  bool Flag(size_t r, size_t f) const { return (flags[r * flag_words + f / 64] >> (f % 64)) & 1; }
  // Calls fn(f) for each flag f of row r, in increasing order.
  template <class Fn>
  void ForEachFlag(size_t r, Fn fn) const {
    for (size_t w = 0; w < flag_words; ++w) {
      for (uint64_t bits = flags[r * flag_words + w]; bits; bits &= bits - 1) {
        fn(static_cast<uint32_t>(w * 64 + static_cast<size_t>(__builtin_ctzll(bits))));
      }
    }
  }
};

struct CapUsage {
  int64_t peak = 0;            // largest usage of any one key and period
  int64_t limit_at_peak = 0;
  uint64_t charges = 0;
  uint64_t refusals = 0;       // charges that did not fit
};

// The order in which the decision step tries rules: the general rules (not
// exceptions), and each rule's exceptions, by `prefer` rank, then in program
// order. Shared with the JIT's compiled decision step.
struct RuleOrder {
  std::vector<uint32_t> general;
  std::vector<std::vector<uint32_t>> exceptions;  // by rule
};
RuleOrder OrderRules(const ir::Program& p);

class Decider {
 public:
  Decider(const ir::Program& p, const SourceManager* sm, bool explain);

  // Judges rows [0, batch.rows) of one batch, in order, updating the caps.
  // `values[i]` is the column of instruction i.
  void Decide(const Batch& batch, const std::vector<Column>& values, Decisions& out);
  // Judges one row (the next in order): what Decide does for each row. For
  // a backend that decides most rows itself (Backend::Judge) and leaves the
  // others here; both must then share caps() and usage().
  void DecideOne(const Batch& batch, size_t row, const std::vector<Column>& values, Decision& d);

  bool explain() const { return explain_; }
  const std::vector<CapUsage>& usage() const { return usage_; }
  std::vector<CapUsage>& usage() { return usage_; }
  CapStore& caps() { return caps_; }

 private:
  struct Pending {
    uint32_t cap;
    int64_t* slot;  // in caps_
    int64_t amount, used, limit;
  };

  // One row; returns false (and fills `d`) on a runtime error.
  void DecideRow(size_t row, int32_t day, const std::vector<Column>& values, Decision& d);
  bool Holds(size_t rule, size_t row, const std::vector<Column>& values, Decision& d, int8_t* memo);
  // Whether the charges of `rule` fit; fills `pending` (not yet recorded).
  bool Fits(size_t rule, size_t row, int32_t day, const std::vector<Column>& values, Decision& d,
            std::vector<Pending>& pending, std::string* why_not);
  // Among `candidates` (in preference order; exceptions to `over`, or the
  // general rules when `over` is -1), the rule that decides: the first that
  // holds and fits, resolved through its own exceptions; -1 if none applies.
  // Sets d.error on a conflict or a run-time error.
  int32_t Choose(const std::vector<uint32_t>& candidates, int32_t over, size_t row, int32_t day,
                 const std::vector<Column>& values, Decision& d, int8_t* memo);
  std::string Where(ir::InstId inst) const;
  std::string RuntimeReason(int64_t encoded) const;
  std::string RuleRef(size_t rule) const;

  const ir::Program& p_;
  const SourceManager* sm_;
  bool explain_;
  RuleOrder order_;
  CapStore caps_;
  std::vector<CapUsage> usage_;
  std::vector<std::string> trace_;                 // explanation fragments for the current row
  std::vector<int8_t> memo_;                       // per rule, for the current row: see Holds
  int32_t active_day_ = INT32_MIN;                 // the day active_ was computed for
  int64_t year_ = 0, quarter_ = 0, month_ = 0;     // of active_day_ (cap periods)
  std::vector<Pending> trial_;                     // charges of the rule being tried
  Decision scratch_;                               // the row being decided, for Decide
  std::vector<uint8_t> active_;                    // per rule: in force on active_day_
  std::vector<uint32_t> flag_rules_;               // flag-only rules in force on active_day_
};

}  // namespace edict::exec
