// Streaming RFC 4180 CSV reader for transaction ledgers: chunked input, zero-copy fields, error rows for malformed records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace edict::rt {

struct CsvOptions {
  // Field separator. Must not be '"', '\n' or '\r'.
  char delimiter = ',';
  // Bytes requested from the source per read; the buffer starts at this size
  // and grows only for a record longer than it. Tests use tiny values.
  size_t chunk_size = size_t{1} << 20;
  // false (the default, right for ledgers): a quoted field must close on the
  // line where it opened; a quote still open at the end of the line makes that
  // one line an error row "unbalanced quote", and reading resumes on the next.
  // true: RFC 4180 newlines inside quoted fields, bounded by
  // max_quoted_field_bytes; see CsvReader for how errors resume.
  bool allow_multiline_quotes = false;
  // With allow_multiline_quotes: a quoted field longer than this, counted from
  // its opening quote, is an error "quoted field too long".
  size_t max_quoted_field_bytes = size_t{64} << 10;
  // A record (one physical line, or with allow_multiline_quotes the whole
  // record) longer than this, not counting its final LF or CRLF, is an error
  // row "record too long"; an overlong line is never buffered whole.
  size_t max_record_bytes = size_t{16} << 20;
  // Whether the input starts the file: a UTF-8 byte-order mark at its very
  // start is then skipped, and its first line is line 1. A reader of a piece
  // cut from the middle of a file (whole lines) sets false and the piece's
  // first line number.
  bool starts_file = true;
  uint64_t first_line = 1;
};

// One record. Every string_view (fields, raw) points into the reader's
// buffers (or into the memory it reads in place) and is valid only until the
// next call to CsvReader::Next or ReadHeader on the same reader.
struct CsvRow {
  // 1-based physical line on which the record starts. Lines are counted by
  // '\n' only, so CRLF and LF files number the same way.
  uint64_t line = 0;
  // Unquoted field values: the surrounding quotes of a quoted field removed
  // and each "" inside it turned into ". Empty when `error` is set.
  //  - An empty line (nothing, or only "\r", before its '\n') gives ZERO
  //    fields and no error. A line holding just `""` gives one empty field.
  //    Callers must not drop empty lines silently.
  //  - "a," gives two fields ("a", ""), "," gives two empty fields.
  // The reader never compares field counts with the header: that is the
  // caller's job.
  std::vector<std::string_view> fields;
  // The record's text as it is in the file, without its final line break
  // (for an error row: the physical line where the record starts). Empty for
  // an empty line, for a single physical line that is too long, and for read
  // errors.
  std::string_view raw;
  // Empty if the record is well formed; otherwise one of
  //   "stray quote"                    a '"' inside an unquoted field (ab"c)
  //   "unbalanced quote"               a quoted field that never closes
  //   "character after closing quote"  "ab"c  (only the delimiter or the end
  //                                    of the line may follow a closing quote)
  //   "stray carriage return"          a '\r' in an unquoted field that is not
  //                                    part of the line's CRLF
  //   "quoted field too long"          see CsvOptions::max_quoted_field_bytes
  //   "record too long"                see CsvOptions::max_record_bytes
  //   "read error: ..."                the source failed; this is the last row
  std::string error;
  // For the first four errors: 1-based byte column in `raw` of the offending
  // character (for "unbalanced quote", of the opening quote); otherwise 0.
  size_t error_column = 0;

  size_t FieldCount() const { return fields.size(); }
  bool ok() const { return error.empty(); }
};

// Reads records one at a time from a file, a stream or memory, never holding more
// than one chunk plus the current record in memory.
//
//   CsvReader reader(path);
//   std::vector<std::string> names;
//   std::string error;
//   if (!reader.ReadHeader(&names, &error)) { /* report error */ }
//   CsvRow row;
//   while (reader.Next(&row)) {
//     if (!row.ok()) { /* ERROR row at row.line: row.error */ continue; }
//     if (row.FieldCount() != names.size()) { /* ERROR row */ continue; }
//     ...
//   }
//   if (!reader.error().empty()) { /* also reported as the last row */ }
//
// Input rules: LF or CRLF line breaks (a lone '\r' at the very end of the
// input is also taken as a line break); the last line may lack a line break;
// a UTF-8 byte-order mark at the very start is skipped (anywhere else it is
// data). No record is ever dropped or merged with another: every physical
// line ends up in exactly one returned row, either inside a well-formed record
// or as (the first line of) an error row. After an error row, reading resumes
// at the physical line following the one where the bad record starts; with
// allow_multiline_quotes this means the lines swallowed by an unterminated
// quote are read again as records of their own.
class CsvReader {
 public:
  // Opens `path` for reading. An open failure is reported by ReadHeader
  // (false), by Next (false) and by error().
  explicit CsvReader(const std::string& path, const CsvOptions& options = CsvOptions());
  // Reads from `in`, which must outlive the reader.
  explicit CsvReader(std::istream& in, const CsvOptions& options = CsvOptions());
  // Reads the `size` bytes at `data` in place, without copying them (they
  // must outlive the reader); options.chunk_size is not used.
  CsvReader(const char* data, size_t size, const CsvOptions& options = CsvOptions());
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the first record as the header and copies its fields into *names.
  // Call it once, before Next. Returns false with *error set (prefixed with
  // "line N: " when it is about a record) if the input cannot be read, is
  // empty, or the header record is malformed or an empty line.
  bool ReadHeader(std::vector<std::string>* names, std::string* error);

  // Reads the next record into *row (its previous contents are replaced).
  // Returns false at the end of the input, and after a failure (bad options,
  // open failure, or after the "read error" row has been returned).
  bool Next(CsvRow* row);

  // For a caller that splits the input itself (exec::ParallelReader), after
  // ReadHeader: copies up to `size` bytes of the input not yet consumed
  // (first those already buffered, then from the source) and returns how
  // many; bytes read before a failure are returned, and the next call
  // returns 0 (error() says why); 0 at the end of the input. Next must not
  // be called once this has been.
  size_t ReadRaw(char* destination, size_t size);
  // The physical line number of the first byte Next has not consumed (not
  // updated by ReadRaw).
  uint64_t line() const { return line_; }

  // Why the reader stopped early: bad options, open failure or read error.
  // Empty if no such failure has occurred.
  const std::string& error() const { return error_; }

 private:
  enum class ParseResult { kOk, kError, kNeedMore };

  void Init();      // checks the options
  void Allocate();  // the buffer, for a file or a stream
  // Moves the unconsumed bytes to the buffer's start, grows the buffer if it
  // is full, and reads once. Sets eof_ when the source is exhausted. Returns
  // false (with error_ set) on a read error.
  bool Fill();
  size_t ReadSource(char* destination, size_t size);
  // Discards input up to and including the next '\n' (after "record too long").
  bool SkipRestOfLine();
  // Parses the record that starts at `start`, when it contains a quote.
  // Single-line mode: [start, limit) is exactly the line's content.
  // Multiline mode: [start, limit) is the buffered data (at most a window of
  // max_record_bytes + 2); kNeedMore, possible only if more_may_come, asks
  // for more input, after which the record is parsed again from its start.
  ParseResult ParseQuoted(size_t start, size_t limit, bool multiline, bool more_may_come, CsvRow* row,
                          size_t* record_end, size_t* content_end);
  void SetRowError(CsvRow* row, const char* message, size_t column);
  bool ReturnReadError(CsvRow* row);

  CsvOptions options_;
  std::FILE* file_ = nullptr;
  std::istream* stream_ = nullptr;
  std::unique_ptr<char[]> buffer_;  // null when reading memory in place
  const char* data_ = nullptr;      // buffer_, or the memory read in place
  size_t capacity_ = 0;
  size_t begin_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // one past the last buffered byte
  bool eof_ = false;  // the source has nothing more to give
  bool done_ = false;
  bool bom_checked_ = false;
  bool skip_pending_ = false;
  uint64_t line_ = 1;  // physical line of the byte at begin_
  std::string scratch_;  // unescaped copies of quoted fields containing ""
  std::string error_;
};

}  // namespace edict::rt
