// CsvReader: chunked buffering, a memchr fast path for lines without quotes, and a quote-aware slow path.
#include "edict/runtime/csv.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace edict::rt {

namespace {

constexpr char kUtf8Bom[] = "\xEF\xBB\xBF";

// memchr over [p, p + n) that accepts n == 0.
inline const char* FindByte(const char* p, char c, size_t n) {
  return n == 0 ? nullptr : static_cast<const char*>(std::memchr(p, c, n));
}

// Splits the unquoted line [first, last) at delimiters, appending to *fields.
// Returns the first '"' or '\r' in the line instead, if there is one (the
// fields appended so far are then meaningless).
const char* SplitPlainLine(const char* first, const char* last, char delimiter,
                           std::vector<std::string_view>* fields) {
  const char* field_start = first;
  const char* p = first;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  // Eight bytes at a time: a byte of x is zero exactly where the high bit of
  // zero_bytes(x) is set (no carry crosses a byte, so there are no false hits).
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7Full;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  auto zero_bytes = [](uint64_t x) { return ~(((x & kLow7) + kLow7) | x) & kHigh; };
  const uint64_t delimiters = kOnes * static_cast<unsigned char>(delimiter);
  const uint64_t quotes = kOnes * static_cast<unsigned char>('"');
  const uint64_t returns = kOnes * static_cast<unsigned char>('\r');
  for (; last - p >= 8; p += 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    if ((zero_bytes(word ^ quotes) | zero_bytes(word ^ returns)) != 0) break;  // the loop below finds it
    for (uint64_t hits = zero_bytes(word ^ delimiters); hits != 0; hits &= hits - 1) {
      const char* d = p + (__builtin_ctzll(hits) >> 3);
      fields->emplace_back(field_start, static_cast<size_t>(d - field_start));
      field_start = d + 1;
    }
  }
#endif
  for (; p != last; ++p) {
    const char c = *p;
    if (c == delimiter) {
      fields->emplace_back(field_start, static_cast<size_t>(p - field_start));
      field_start = p + 1;
    } else if (c == '"' || c == '\r') {
      return p;
    }
  }
  fields->emplace_back(field_start, static_cast<size_t>(last - field_start));
  return nullptr;
}

}  // namespace

CsvReader::CsvReader(const std::string& path, const CsvOptions& options) : options_(options) {
  Init();
  if (!error_.empty()) return;
  Allocate();
  file_ = std::fopen(path.c_str(), "rb");
  if (file_ == nullptr) {
    error_ = "cannot open " + path + ": " + std::strerror(errno);
    return;
  }
  // Reads are already chunk-sized; stdio's own buffer would only add a copy.
  std::setvbuf(file_, nullptr, _IONBF, 0);
}

CsvReader::CsvReader(std::istream& in, const CsvOptions& options) : options_(options) {
  Init();
  if (!error_.empty()) return;
  Allocate();
  stream_ = &in;
  if (!in) error_ = "input stream is not readable";
}

CsvReader::CsvReader(const char* data, size_t size, const CsvOptions& options) : options_(options) {
  Init();
  if (!error_.empty()) return;
  data_ = data;  // read in place
  capacity_ = end_ = size;
  eof_ = true;
}

CsvReader::~CsvReader() {
  if (file_ != nullptr) std::fclose(file_);
}

void CsvReader::Allocate() {
  capacity_ = options_.chunk_size;
  buffer_.reset(new char[capacity_]);
  data_ = buffer_.get();
}

void CsvReader::Init() {
  const char delimiter = options_.delimiter;
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
    error_ = "invalid CSV options: the delimiter cannot be a quote or a line break";
  } else if (options_.chunk_size == 0 || options_.max_record_bytes == 0 || options_.max_quoted_field_bytes == 0) {
    error_ = "invalid CSV options: chunk_size, max_record_bytes and max_quoted_field_bytes must be positive";
  }
  if (!error_.empty()) return;
  bom_checked_ = !options_.starts_file;
  line_ = options_.first_line;
}

size_t CsvReader::ReadRaw(char* destination, size_t size) {
  if (!error_.empty() || size == 0) return 0;
  size_t got = std::min(size, end_ - begin_);
  std::memcpy(destination, data_ + begin_, got);
  begin_ += got;
  // What was read before a failure is returned; the next call returns 0.
  if (got < size && !eof_) got += ReadSource(destination + got, size - got);
  return got;
}

size_t CsvReader::ReadSource(char* destination, size_t size) {
  if (file_ != nullptr) {
    const size_t got = std::fread(destination, 1, size, file_);
    if (got < size) {
      if (std::ferror(file_)) {
        error_ = std::string("read error: ") + std::strerror(errno);
      } else {
        eof_ = true;
      }
    }
    return got;
  }
  if (stream_ != nullptr) {
    stream_->read(destination, static_cast<std::streamsize>(size));
    const size_t got = static_cast<size_t>(stream_->gcount());
    if (got < size) {
      if (stream_->bad()) {
        error_ = "read error: the input stream failed";
      } else {
        eof_ = true;
      }
    }
    return got;
  }
  eof_ = true;
  return 0;
}

bool CsvReader::Fill() {
  char* data = buffer_.get();
  if (begin_ > 0) {
    std::memmove(data, data + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == capacity_) {
    // The current record is longer than the buffer: grow it. Bounded by
    // max_record_bytes (plus one chunk), because callers check that first.
    const size_t new_capacity = capacity_ * 2;
    std::unique_ptr<char[]> bigger(new char[new_capacity]);
    std::memcpy(bigger.get(), data, end_);
    buffer_ = std::move(bigger);
    data_ = buffer_.get();
    capacity_ = new_capacity;
  }
  end_ += ReadSource(buffer_.get() + end_, capacity_ - end_);
  return error_.empty();
}

bool CsvReader::SkipRestOfLine() {
  for (;;) {
    const char* data = data_;
    const char* hit = FindByte(data + begin_, '\n', end_ - begin_);
    if (hit != nullptr) {
      begin_ = static_cast<size_t>(hit - data) + 1;
      ++line_;
      return true;
    }
    begin_ = end_;
    if (eof_) return true;
    if (!Fill()) return false;
  }
}

void CsvReader::SetRowError(CsvRow* row, const char* message, size_t column) {
  row->fields.clear();
  row->error = message;
  row->error_column = column;
}

bool CsvReader::ReturnReadError(CsvRow* row) {
  row->fields.clear();
  row->raw = {};
  row->error = error_;
  row->error_column = 0;
  done_ = true;
  return true;
}

bool CsvReader::ReadHeader(std::vector<std::string>* names, std::string* error) {
  names->clear();
  CsvRow row;
  if (!Next(&row)) {
    *error = error_.empty() ? "empty input: no header line" : error_;
    return false;
  }
  const std::string where = "line " + std::to_string(row.line) + ": ";
  if (!row.ok()) {
    *error = where + row.error;
    if (row.error_column > 0) *error += " at column " + std::to_string(row.error_column);
    return false;
  }
  if (row.fields.empty()) {
    *error = where + "empty header line";
    return false;
  }
  names->reserve(row.fields.size());
  for (std::string_view field : row.fields) names->emplace_back(field);
  return true;
}

bool CsvReader::Next(CsvRow* row) {
  row->fields.clear();
  row->raw = {};
  row->error.clear();
  row->error_column = 0;
  row->line = line_;
  if (done_) return false;
  if (!error_.empty()) {  // bad options or open failure
    done_ = true;
    return false;
  }
  if (skip_pending_) {
    if (!SkipRestOfLine()) return ReturnReadError(row);
    skip_pending_ = false;
    row->line = line_;
  }
  if (!bom_checked_) {
    while (end_ - begin_ < 3 && !eof_) {
      if (!Fill()) return ReturnReadError(row);
    }
    if (end_ - begin_ >= 3 && std::memcmp(data_ + begin_, kUtf8Bom, 3) == 0) begin_ += 3;
    bom_checked_ = true;
  }

  // Find the end of the physical line starting at begin_.
  size_t scanned = 0;  // bytes after begin_ known to hold no '\n'
  size_t newline = 0;  // index of the line's '\n', or end_ for a last line without one
  for (;;) {
    const char* data = data_;
    const char* hit = FindByte(data + begin_ + scanned, '\n', end_ - begin_ - scanned);
    if (hit != nullptr) {
      newline = static_cast<size_t>(hit - data);
      break;
    }
    scanned = end_ - begin_;
    if (eof_) {
      if (scanned == 0) {
        done_ = true;
        return false;
      }
      newline = end_;
      break;
    }
    if (scanned > options_.max_record_bytes + 1) {  // +1: the line may end in a CRLF's '\r'
      // Do not buffer an endless line: report it now, discard the rest later.
      SetRowError(row, "record too long", 0);
      begin_ = end_;
      skip_pending_ = true;
      return true;
    }
    if (!Fill()) return ReturnReadError(row);
  }

  const char* data = data_;
  const size_t start = begin_;
  const size_t next_line = newline < end_ ? newline + 1 : end_;
  size_t content_end = newline;
  if (content_end > start && data[content_end - 1] == '\r') --content_end;
  const size_t content_size = content_end - start;
  if (content_size > options_.max_record_bytes) {
    SetRowError(row, "record too long", 0);
    begin_ = next_line;
    ++line_;
    return true;
  }

  if (content_size == 0) {  // empty line: zero fields
    begin_ = next_line;
    ++line_;
    return true;
  }

  const char* first = data + start;
  const char* last = data + content_end;
  const char* special = SplitPlainLine(first, last, options_.delimiter, &row->fields);
  const bool has_quote =
      special != nullptr && (*special == '"' || FindByte(special, '"', static_cast<size_t>(last - special)) != nullptr);
  if (!has_quote) {
    // Fast path: no quotes, so the record is this line and fields end at delimiters.
    row->raw = std::string_view(first, content_size);
    begin_ = next_line;
    ++line_;
    if (special != nullptr) SetRowError(row, "stray carriage return", static_cast<size_t>(special - first) + 1);
    return true;
  }
  row->fields.clear();  // the quote-aware parsers below start over

  if (!options_.allow_multiline_quotes) {
    size_t record_end = 0;
    size_t record_content_end = 0;
    ParseQuoted(start, content_end, /*multiline=*/false, /*more_may_come=*/false, row, &record_end,
                &record_content_end);
    row->raw = std::string_view(first, content_size);
    begin_ = next_line;
    ++line_;
    return true;
  }

  // Multiline quotes: the record may continue past this line. Parse it over
  // everything buffered; when that is not enough, read more and parse again
  // from the record's start (Fill moves the data, so offsets are relative).
  const size_t first_line_size = next_line - start;
  for (;;) {
    data = data_;
    // Never look at more than max_record_bytes + 2 bytes (room for a CRLF),
    // and treat a view of that size as unfinished even if the input ends
    // there, so the outcome never depends on how much happens to be buffered:
    // needing more than that view means the record is too long.
    const size_t window = options_.max_record_bytes + 2;
    const bool full_window = end_ - begin_ >= window;
    const size_t limit = full_window ? begin_ + window : end_;
    size_t record_end = 0;
    size_t record_content_end = 0;
    const ParseResult result = ParseQuoted(begin_, limit, /*multiline=*/true, /*more_may_come=*/full_window || !eof_,
                                           row, &record_end, &record_content_end);
    if (result == ParseResult::kNeedMore) {
      if (full_window) {
        SetRowError(row, "record too long", 0);
      } else {
        if (!Fill()) return ReturnReadError(row);
        continue;
      }
    } else if (result == ParseResult::kOk && record_content_end - begin_ > options_.max_record_bytes) {
      SetRowError(row, "record too long", 0);
    }
    if (!row->ok()) {
      // The error covers the record's first physical line only; resume on the next one.
      const size_t raw_end = begin_ + content_size;
      row->raw = std::string_view(data + begin_, raw_end - begin_);
      begin_ += first_line_size;
      ++line_;
      return true;
    }
    row->raw = std::string_view(data + begin_, record_content_end - begin_);
    line_ += 1 + static_cast<uint64_t>(std::count(data + begin_, data + record_content_end, '\n'));
    begin_ = record_end;
    return true;
  }
}

CsvReader::ParseResult CsvReader::ParseQuoted(size_t start, size_t limit, bool multiline, bool more_may_come,
                                              CsvRow* row, size_t* record_end, size_t* content_end) {
  const char* data = data_;
  const char delimiter = options_.delimiter;
  row->fields.clear();
  scratch_.clear();
  // Unescaped text is never longer than its source, so views into scratch_
  // stay valid: nothing appended below can reallocate it.
  scratch_.reserve(limit - start);

  // The physical line being parsed: its '\n' (or the end) and the end of its
  // content (before a CRLF's '\r'). In single-line mode [start, limit) is the content.
  size_t line_end = limit;
  size_t line_content_end = limit;
  // Sets line_end / line_content_end for the line containing `from`; false if more input is needed.
  auto locate_line = [&](size_t from) {
    const char* hit = FindByte(data + from, '\n', limit - from);
    if (hit != nullptr) {
      line_end = static_cast<size_t>(hit - data);
    } else if (more_may_come) {
      return false;
    } else {
      line_end = limit;
    }
    line_content_end = line_end;
    if (line_content_end > from && data[line_content_end - 1] == '\r') --line_content_end;
    return true;
  };
  if (multiline && !locate_line(start)) return ParseResult::kNeedMore;

  size_t pos = start;
  for (;;) {  // one field per iteration
    if (pos < line_content_end && data[pos] == '"') {
      const size_t open = pos;
      size_t segment = pos + 1;  // start of the not yet copied text
      bool escaped = false;
      const size_t scratch_begin = scratch_.size();
      size_t close = 0;
      pos = segment;
      for (;;) {
        const char* hit = FindByte(data + pos, '"', limit - pos);
        if (hit == nullptr) {
          if (multiline && limit - open + 1 > options_.max_quoted_field_bytes) {
            SetRowError(row, "quoted field too long", open - start + 1);
            return ParseResult::kError;
          }
          if (more_may_come) return ParseResult::kNeedMore;
          SetRowError(row, "unbalanced quote", open - start + 1);
          return ParseResult::kError;
        }
        const size_t quote = static_cast<size_t>(hit - data);
        if (multiline && quote - open + 1 > options_.max_quoted_field_bytes) {
          SetRowError(row, "quoted field too long", open - start + 1);
          return ParseResult::kError;
        }
        if (quote + 1 < limit && data[quote + 1] == '"') {  // "" stands for one quote
          scratch_.append(data + segment, quote + 1 - segment);
          escaped = true;
          pos = quote + 2;
          segment = pos;
          continue;
        }
        if (quote + 1 == limit && more_may_come) return ParseResult::kNeedMore;
        close = quote;
        break;
      }
      if (escaped) {
        scratch_.append(data + segment, close - segment);
        row->fields.emplace_back(scratch_.data() + scratch_begin, scratch_.size() - scratch_begin);
      } else {
        row->fields.emplace_back(data + segment, close - segment);
      }
      pos = close + 1;
      if (multiline && pos > line_end && !locate_line(pos)) return ParseResult::kNeedMore;
      if (pos == line_content_end) break;  // end of the record
      if (data[pos] == delimiter) {
        ++pos;
        continue;
      }
      SetRowError(row, "character after closing quote", pos - start + 1);
      return ParseResult::kError;
    }

    // Unquoted field: up to the next delimiter or the end of the line.
    const char* field = data + pos;
    const char* found = FindByte(field, delimiter, line_content_end - pos);
    const size_t field_end = found != nullptr ? static_cast<size_t>(found - data) : line_content_end;
    if (const char* q = FindByte(field, '"', field_end - pos)) {
      SetRowError(row, "stray quote", static_cast<size_t>(q - data) - start + 1);
      return ParseResult::kError;
    }
    if (const char* cr = FindByte(field, '\r', field_end - pos)) {
      SetRowError(row, "stray carriage return", static_cast<size_t>(cr - data) - start + 1);
      return ParseResult::kError;
    }
    row->fields.emplace_back(field, field_end - pos);
    if (found == nullptr) break;  // end of the record
    pos = field_end + 1;
  }
  *content_end = line_content_end;
  *record_end = line_end < limit ? line_end + 1 : limit;
  return ParseResult::kOk;
}

}  // namespace edict::rt
