// Reading a ledger (CSV) into batches: columns mapped by header name to the
// input record's fields, each value parsed and validated by its type. A row
// that cannot be read becomes an error row in the batch (never dropped).
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "edict/runtime/csv.h"
#include "exec/backend.h"
#include "exec/batch.h"
#include "ir/ir.h"

namespace edict::exec {

// The Date field a row is judged by: the one named `date`, else the first
// Date field; -1 if the record has none.
int JudgedDateField(const ir::Program& p);

// Parses one field value of type `f` into row `r` of `col`; returns an
// error message (empty on success). Shared by ledgers and bound tables.
std::string ParseValue(const ir::Program& p, const ir::Field& f, std::string_view text, Interner& texts,
                       Column& col, size_t r);

// A piece of a ledger, whole lines, for reading on several threads: what
// LedgerReader::NextChunk cuts and ReadChunk reads.
struct Chunk {
  std::string bytes;        // [0, size): whole lines (the last may lack its line break at the end of the file)
  size_t size = 0;
  uint64_t first_line = 0;  // the physical line number of bytes[0]
  std::string read_error;   // set: the input failed after `bytes`, at line error_line
  uint64_t error_line = 0;
  std::string_view text() const { return std::string_view(bytes.data(), size); }
};

class LedgerReader {
 public:
  LedgerReader(const ir::Program& p, Interner& texts, std::optional<int32_t> as_of)
      : p_(p), texts_(texts), as_of_(as_of), batch_rows_(BatchRows(p)) {}
  // Opens the file and maps the header; false with `error` set when a
  // required column is missing or the file cannot be read.
  bool Open(const std::string& path, std::string* error);
  // Fills `b` with up to batch_rows() rows; false when no rows were left.
  bool Next(Batch& b);
  // Next in three steps, for reading on several threads (ParallelReader):
  // NextChunk cuts the rest of the file into pieces of whole lines (in
  // order, one thread; false at the end); ReadChunk reads a piece's records
  // into batches out[0, *batches) exactly as Next would, interning texts
  // into `texts` (any thread, each with its own Interner, whose ids the
  // caller maps to the run's); Account counts a batch's rows and the dates
  // that go backwards (in order, one thread). Next must not be called once
  // NextChunk has been.
  bool NextChunk(Chunk& c);
  // Bytes NextChunk reads at a time (1 MiB; tests make it small).
  void set_chunk_bytes(size_t n) { chunk_bytes_ = std::max<size_t>(n, 1); }
  void ReadChunk(const Chunk& c, std::vector<Batch>& out, size_t* batches, Interner& texts) const;
  void Account(const Batch& b);
  // Whether field i is read as a text id (a Text field some rule reads).
  bool InternsField(size_t i) const {
    return p_.fields[i].ty == ir::Ty::Text && !skip_field_[i] && column_of_field_[i] >= 0;
  }
  size_t batch_rows() const { return batch_rows_; }
  uint64_t rows_read() const { return rows_; }
  uint64_t dates_backwards() const { return backwards_; }
  uint64_t first_backwards_line() const { return first_backwards_line_; }

 private:
  void ReadRow(const rt::CsvRow& row, Batch& b, size_t r, Interner& texts) const;
  void Size(Batch& b) const;
  static void Checked(Batch& b);  // sets error_rows and fields_without_errors

  const ir::Program& p_;
  Interner& texts_;
  std::optional<int32_t> as_of_;
  size_t batch_rows_;
  std::unique_ptr<rt::CsvReader> csv_;
  std::vector<int> column_of_field_;  // -1: optional field absent from the file
  std::vector<bool> skip_field_;      // Text fields no instruction reads: not interned
  // The fields InternsField, in order (at most kPrefetchedTexts): ReadRow
  // hashes them and prefetches their interner slots before reading the row.
  static constexpr size_t kPrefetchedTexts = 16;
  std::vector<size_t> interned_fields_;
  size_t header_size_ = 0;
  int date_field_ = -1;
  int key_field_ = -1;
  uint64_t rows_ = 0;
  int32_t last_day_ = INT32_MIN;
  uint64_t backwards_ = 0, first_backwards_line_ = 0;
  // NextChunk's: the next line's number, the start of a line not yet
  // handed out, whether inside an overlong line, whether the input is done.
  uint64_t line_ = 0;
  std::string carry_;
  bool skipping_ = false, chunk_end_ = false;
  size_t chunk_bytes_ = size_t{1} << 20;
};

// Loads `--table NAME=FILE` into a BoundTable; false with `error` set.
bool LoadTable(const ir::Program& p, size_t table, const std::string& path, Interner& texts, BoundTable* out,
               std::string* error);

}  // namespace edict::exec
