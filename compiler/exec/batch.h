// The columnar batch interface between the ledger reader, the backends and
// the decision step. A batch holds up to BatchRows(program) rows (kBatchRows,
// fewer for a large program) of the input record
// as one column per field; both backends compute instruction values over a
// whole batch at once (the JIT compiles exactly this interface).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "edict/runtime/decimal.h"
#include "ir/ir.h"

namespace edict::exec {

inline constexpr size_t kBatchRows = 4096;

// Rows per batch for program p: kBatchRows, or fewer for a large program, so
// that the value columns a backend keeps (one per instruction, 9 bytes a row,
// 25 for a decimal) stay within about kValueBytes; never fewer than
// kMinBatchRows. The ledger reader cuts batches this size; the backends size
// their columns to it (or to a larger batch they are given).
inline constexpr size_t kValueBytes = size_t{32} << 20;
inline constexpr size_t kMinBatchRows = 64;
size_t BatchRows(const ir::Program& p);

// Per-slot status of a computed value.
enum Status : uint8_t { kOk = 0, kAbsent = 1, kError = 2 };

// Runtime error codes (a value in error carries one, plus the instruction).
enum class RuntimeError : uint8_t { None, IntOverflow, DecimalOverflow, DivisionByZero };
const char* RuntimeErrorText(RuntimeError e);

// One value per row. For Status kError, i64 holds the error's origin:
// EncodeError(inst, code), whatever the column's type.
struct Column {
  std::vector<int64_t> i64;        // the value (every type but Dec), or the error origin
  std::vector<rt::Decimal> dec;    // Dec values
  std::vector<uint8_t> status;     // Status
  void Resize(size_t n, bool decimal) {
    i64.resize(n);
    if (decimal) dec.resize(n);
    status.resize(n);
  }
};

inline int64_t EncodeError(ir::InstId inst, RuntimeError code) {
  return (static_cast<int64_t>(inst) << 8) | static_cast<int64_t>(code);
}
inline ir::InstId ErrorInst(int64_t e) { return static_cast<ir::InstId>(e >> 8); }
inline RuntimeError ErrorCode(int64_t e) { return static_cast<RuntimeError>(e & 0xFF); }

struct Batch {
  size_t rows = 0;
  std::vector<Column> fields;      // by ir::Program::fields index
  std::vector<uint64_t> line;      // 1-based line in the ledger (or test row)
  std::vector<std::string> error;  // non-empty: the row could not be read
  std::vector<int32_t> day;        // the date the row is judged on (its date, or --as-of)
  std::vector<std::string> id;     // the key field as written, for output
  // What the ledger reader knows of the batch, so that a backend need not
  // look: how many rows have `error` set (SIZE_MAX: not counted), whether
  // no field holds kError (the reader writes kOk or kAbsent only), and
  // whether every field not declared optional is kOk in every row without
  // `error` (the reader makes such a row an error).
  size_t error_rows = SIZE_MAX;
  bool fields_without_errors = false;
  bool required_fields_present = false;
};

}  // namespace edict::exec
