// Ledger and table reading: CSV fields -> typed columns, with a clear reason
// for every value that cannot be read.
#include "exec/ledger.h"

#include <fmt/format.h>

#include <algorithm>

#include "edict/runtime/checked.h"
#include "edict/runtime/country.h"
#include "edict/runtime/date.h"

namespace edict::exec {

namespace {
size_t CountLines(std::string_view s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }
// One past the last line break of s; 0 if it has none.
size_t LastLineEnd(std::string_view s) {
  const size_t nl = s.rfind('\n');
  return nl == std::string_view::npos ? 0 : nl + 1;
}
std::string Shown(std::string_view s) {
  std::string t(s.substr(0, 40));
  return s.size() > 40 ? t + "…" : t;
}
// `at least` / `at most` of the record's declaration.
std::string CheckBounds(const ir::Program& p, const ir::Field& f, const Column& col, size_t r, std::string_view text) {
  if (!f.has_min && !f.has_max) return {};
  auto cmp = [&](int64_t bound) {
    if (f.ty == ir::Ty::Dec) {
      const rt::Decimal& b = p.decimals[static_cast<size_t>(bound)];
      return col.dec[r] < b ? -1 : col.dec[r] > b ? 1 : 0;
    }
    return col.i64[r] < bound ? -1 : col.i64[r] > bound ? 1 : 0;
  };
  auto shown = [&](int64_t bound) {
    if (f.ty == ir::Ty::Dec) return rt::FormatDecimal(p.decimals[static_cast<size_t>(bound)]);
    if (f.ty == ir::Ty::Date) return rt::FormatDate(static_cast<int32_t>(bound));
    return std::to_string(bound);
  };
  if (f.has_min && cmp(f.min) < 0) return fmt::format("`{}` is {}, below its least value {}", f.name, Shown(text), shown(f.min));
  if (f.has_max && cmp(f.max) > 0) return fmt::format("`{}` is {}, above its greatest value {}", f.name, Shown(text), shown(f.max));
  return {};
}

}  // namespace

size_t BatchRows(const ir::Program& p) {
  size_t bytes = 0;  // per row
  for (const ir::Inst& in : p.insts) bytes += in.ty == ir::Ty::Dec ? 25 : 9;
  if (bytes * kBatchRows <= kValueBytes) return kBatchRows;
  return std::max(kMinBatchRows, kValueBytes / bytes);
}

int JudgedDateField(const ir::Program& p) {
  int found = -1;
  for (size_t i = 0; i < p.fields.size(); ++i) {
    if (p.fields[i].ty != ir::Ty::Date) continue;
    if (p.fields[i].name == "date") return static_cast<int>(i);
    if (found < 0) found = static_cast<int>(i);
  }
  return found;
}

std::string ParseValue(const ir::Program& p, const ir::Field& f, std::string_view text, Interner& texts, Column& col,
                       size_t r) {
  if (text.empty() && (f.optional || f.ty != ir::Ty::Text)) {
    if (f.optional) {
      col.status[r] = kAbsent;
      return {};
    }
    return fmt::format("`{}` is empty", f.name);
  }
  col.status[r] = kOk;
  switch (f.ty) {
    case ir::Ty::Text: col.i64[r] = texts.Intern(text); return {};
    case ir::Ty::Date: {
      auto d = rt::ParseDate(text);
      if (!d) return fmt::format("`{}` is not a date (YYYY-MM-DD): `{}`", f.name, Shown(text));
      col.i64[r] = *d;
      return CheckBounds(p, f, col, r, text);
    }
    case ir::Ty::Int: {
      auto v = rt::ParseInt64(text);
      if (!v) {
        bool digits = !text.empty() && text.find_first_not_of("-0123456789") == std::string_view::npos;
        return digits ? fmt::format("`{}` does not fit in a 64-bit integer: `{}`", f.name, Shown(text))
                      : fmt::format("`{}` is not a whole number: `{}`", f.name, Shown(text));
      }
      col.i64[r] = *v;
      return CheckBounds(p, f, col, r, text);
    }
    case ir::Ty::Dec: {
      auto v = rt::ParseDecimal(text);
      if (!v) return fmt::format("`{}` is not a decimal number: `{}`", f.name, Shown(text));
      col.dec[r] = *v;
      return CheckBounds(p, f, col, r, text);
    }
    case ir::Ty::Country: {
      // Two capital letters: a direct table (the common case); else the slow path.
      static const std::vector<int16_t> by_letters = [] {
        std::vector<int16_t> t(26 * 26, -1);
        for (int i = 0; i < rt::CountryCount(); ++i) {
          std::string_view c = rt::CountryCode(i);
          t[static_cast<size_t>((c[0] - 'A') * 26 + (c[1] - 'A'))] = static_cast<int16_t>(i);
        }
        return t;
      }();
      int idx = text.size() == 2 && text[0] >= 'A' && text[0] <= 'Z' && text[1] >= 'A' && text[1] <= 'Z'
                    ? by_letters[static_cast<size_t>((text[0] - 'A') * 26 + (text[1] - 'A'))]
                    : rt::CountryIndex(text);
      if (idx < 0) return fmt::format("`{}` is not an ISO 3166 country code: `{}`", f.name, Shown(text));
      col.i64[r] = idx;
      return {};
    }
    case ir::Ty::Enum: {
      const ir::Enum& e = p.enums[f.enum_id];
      for (size_t i = 0; i < e.variants.size(); ++i) {
        if (SameText(e.variants[i], text)) {
          col.i64[r] = static_cast<int64_t>(i);
          return {};
        }
      }
      std::string options;
      for (size_t i = 0; i < e.variants.size(); ++i) options += (i ? ", " : "") + e.variants[i];
      return fmt::format("`{}` is not one of {}: `{}`", f.name, options, Shown(text));
    }
    case ir::Ty::Bool:
      if (text == "true" || text == "yes" || text == "1") col.i64[r] = 1;
      else if (text == "false" || text == "no" || text == "0") col.i64[r] = 0;
      else return fmt::format("`{}` is not true or false: `{}`", f.name, Shown(text));
      return {};
  }
  return "unknown type";
}

bool LedgerReader::Open(const std::string& path, std::string* error) {
  csv_ = std::make_unique<rt::CsvReader>(path);
  std::vector<std::string> names;
  if (!csv_->ReadHeader(&names, error)) {
    *error = fmt::format("{}: {}", path, *error);
    return false;
  }
  header_size_ = names.size();
  line_ = csv_->line();
  skip_field_.assign(p_.fields.size(), false);
  for (size_t i = 0; i < p_.fields.size(); ++i) {
    bool read = false;
    for (const ir::Inst& in : p_.insts) read |= in.op == ir::Op::Field && in.imm == static_cast<int64_t>(i);
    skip_field_[i] = !read && p_.fields[i].ty == ir::Ty::Text;
  }
  std::vector<std::string> missing;
  column_of_field_.assign(p_.fields.size(), -1);
  for (size_t i = 0; i < p_.fields.size(); ++i) {
    const ir::Field& f = p_.fields[i];
    for (size_t c = 0; c < names.size(); ++c) {
      if (names[c] == f.name) column_of_field_[i] = static_cast<int>(c);
    }
    if (column_of_field_[i] < 0 && !f.optional) missing.push_back("`" + f.name + "`");
    if (f.is_key && key_field_ < 0) key_field_ = static_cast<int>(i);
  }
  if (!missing.empty()) {
    std::string list;
    for (size_t i = 0; i < missing.size(); ++i) list += (i ? ", " : "") + missing[i];
    *error = fmt::format("{}: the ledger has no column {} (record `{}` needs {})", path, list, p_.record,
                         missing.size() == 1 ? "it" : "them");
    return false;
  }
  interned_fields_.clear();
  for (size_t i = 0; i < p_.fields.size() && interned_fields_.size() < kPrefetchedTexts; ++i) {
    if (InternsField(i)) interned_fields_.push_back(i);
  }
  date_field_ = JudgedDateField(p_);
  if (date_field_ < 0 && !as_of_) {
    *error = fmt::format("record `{}` has no Date field to judge rows by; give --as-of", p_.record);
    return false;
  }
  return true;
}

void LedgerReader::ReadRow(const rt::CsvRow& row, Batch& b, size_t r, Interner& texts) const {
  b.line[r] = row.line;
  b.error[r].clear();
  b.id[r].clear();
  b.day[r] = as_of_.value_or(0);
  auto fail = [&](std::string why) { b.error[r] = fmt::format("line {}: {}", row.line, why); };
  if (!row.ok()) {
    fail(row.error_column ? fmt::format("{} at column {}", row.error, row.error_column) : row.error);
    return;
  }
  if (key_field_ >= 0 && static_cast<size_t>(column_of_field_[key_field_]) < row.fields.size()) {
    b.id[r].assign(row.fields[static_cast<size_t>(column_of_field_[key_field_])]);
  }
  if (row.fields.size() != header_size_) {
    fail(row.fields.empty() ? "empty line"
                            : fmt::format("{} fields where the header has {}", row.fields.size(), header_size_));
    return;
  }
  // Interning is a hash-table lookup that misses the cache: start the row's
  // lookups together, then read the fields in order.
  uint64_t hashes[kPrefetchedTexts];
  for (size_t k = 0; k < interned_fields_.size(); ++k) {
    hashes[k] = Interner::Hash(row.fields[static_cast<size_t>(column_of_field_[interned_fields_[k]])]);
    texts.Prefetch(hashes[k]);
  }
  size_t next_interned = 0;
  for (size_t i = 0; i < p_.fields.size(); ++i) {
    int c = column_of_field_[i];
    Column& col = b.fields[i];
    if (c < 0) {
      col.status[r] = kAbsent;
      continue;
    }
    if (skip_field_[i]) {
      col.status[r] = kOk;
      col.i64[r] = -1;  // never read
      continue;
    }
    const std::string_view text = row.fields[static_cast<size_t>(c)];
    if (next_interned < interned_fields_.size() && interned_fields_[next_interned] == i) {
      const uint64_t hash = hashes[next_interned++];
      if (!text.empty() || !p_.fields[i].optional) {  // else ParseValue: absent
        col.status[r] = kOk;
        col.i64[r] = texts.Intern(text, hash);
        continue;
      }
    }
    std::string why = ParseValue(p_, p_.fields[i], text, texts, col, r);
    if (!why.empty()) {
      fail(why);
      return;
    }
  }
  if (!as_of_) b.day[r] = static_cast<int32_t>(b.fields[static_cast<size_t>(date_field_)].i64[r]);
}

void LedgerReader::Size(Batch& b) const {
  const size_t n = batch_rows_;
  b.fields.resize(p_.fields.size());
  for (size_t i = 0; i < p_.fields.size(); ++i) b.fields[i].Resize(n, p_.fields[i].ty == ir::Ty::Dec);
  b.line.resize(n);
  b.error.resize(n);
  b.day.resize(n);
  b.id.resize(n);
}

void LedgerReader::Account(const Batch& b) {
  rows_ += b.rows;
  if (as_of_) return;
  for (size_t r = 0; r < b.rows; ++r) {
    if (!b.error[r].empty()) continue;
    const int32_t d = b.day[r];
    if (d < last_day_ && backwards_++ == 0) first_backwards_line_ = b.line[r];
    last_day_ = std::max(last_day_, d);
  }
}

bool LedgerReader::Next(Batch& b) {
  Size(b);
  size_t r = 0;
  rt::CsvRow row;
  while (r < batch_rows_ && csv_->Next(&row)) {
    ReadRow(row, b, r, texts_);
    ++r;
  }
  b.rows = r;
  Checked(b);
  Account(b);
  return r > 0;
}

bool LedgerReader::NextChunk(Chunk& c) {
  c.size = 0;
  c.read_error.clear();
  c.first_line = line_;
  if (chunk_end_) return false;
  // The line left over from the last piece first, then whole lines read on
  // until the piece is big enough, cut after its last line break. (c.bytes
  // only grows: it is reused piece after piece.)
  auto reserve = [&](size_t n) {
    if (c.bytes.size() < n) c.bytes.resize(std::max(n, 2 * c.bytes.size()));
  };
  reserve(carry_.size() + chunk_bytes_);
  c.bytes.replace(0, carry_.size(), carry_);
  c.size = carry_.size();
  carry_.clear();
  for (;;) {
    const size_t have = c.size;
    reserve(have + chunk_bytes_);
    const size_t got = csv_->ReadRaw(c.bytes.data() + have, chunk_bytes_);
    c.size += got;
    const std::string_view text = c.text();
    if (got == 0) {
      chunk_end_ = true;
      if (!csv_->error().empty()) {
        // As the CSV reader does: reading stops with an error row at the
        // line that could not be read whole.
        c.read_error = csv_->error();
        c.error_line = line_ + CountLines(text);
        // The line being read is left out, unless it is one too long to
        // keep, which the reader reports as such.
        if (!skipping_) c.size = LastLineEnd(text);
      }
      line_ += CountLines(c.text());
      return c.size > 0 || !c.read_error.empty();
    }
    if (skipping_) {
      // The rest of a line longer than any record may be: dropped (the CSV
      // reader reports it from what was kept).
      const size_t nl = text.find('\n', have);
      if (nl == std::string_view::npos) {
        c.size = have;
        continue;
      }
      c.bytes.erase(have, nl - have);
      c.size -= nl - have;
      skipping_ = false;
    }
    // (What came before `have` holds no line break.)
    const size_t tail_end = LastLineEnd(c.text().substr(have));
    const size_t end = tail_end == 0 ? 0 : have + tail_end;
    if (end == 0) {
      // No line break yet: one line longer than this piece. Past the longest
      // record, keep just enough for the reader to say it is too long, and
      // skip to its end.
      const size_t keep = rt::CsvOptions().max_record_bytes + 2;
      if (c.size > keep) {
        c.size = keep;
        skipping_ = true;
      }
      continue;
    }
    carry_.assign(c.bytes, end, c.size - end);
    c.size = end;
    line_ += CountLines(c.text());
    return true;
  }
}

void LedgerReader::ReadChunk(const Chunk& c, std::vector<Batch>& out, size_t* batches, Interner& texts) const {
  // The piece read in place, as Next reads.
  rt::CsvOptions options;
  options.starts_file = false;
  options.first_line = c.first_line;
  rt::CsvReader csv(c.bytes.data(), c.size, options);
  rt::CsvRow row;
  size_t n = 0;
  bool more = true;
  while (more) {
    if (out.size() <= n) out.emplace_back();
    Batch& b = out[n];
    Size(b);
    size_t r = 0;
    while (r < batch_rows_ && (more = csv.Next(&row))) ReadRow(row, b, r++, texts);
    if (!more && !c.read_error.empty()) {  // (more is false only with room left)
      rt::CsvRow error;
      error.line = c.error_line;
      error.error = c.read_error;
      ReadRow(error, out[n], r++, texts);
    }
    if (r == 0) break;
    out[n].rows = r;
    Checked(out[n]);
    ++n;
  }
  *batches = n;
}

void LedgerReader::Checked(Batch& b) {
  b.error_rows = 0;
  for (size_t r = 0; r < b.rows; ++r) b.error_rows += !b.error[r].empty();
  b.fields_without_errors = true;
  b.required_fields_present = true;
}

bool LoadTable(const ir::Program& p, size_t table, const std::string& path, Interner& texts, BoundTable* out,
               std::string* error) {
  const ir::Table& t = p.tables[table];
  rt::CsvReader csv(path);
  std::vector<std::string> names;
  if (!csv.ReadHeader(&names, error)) {
    *error = fmt::format("table `{}`: {}: {}", t.name, path, *error);
    return false;
  }
  std::vector<int> col_of(t.columns.size(), -1);
  size_t key = 0;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    for (size_t c = 0; c < names.size(); ++c) {
      if (names[c] == t.columns[i].name) col_of[i] = static_cast<int>(c);
    }
    if (col_of[i] < 0 && !t.columns[i].optional) {
      *error = fmt::format("table `{}`: {} has no column `{}`", t.name, path, t.columns[i].name);
      return false;
    }
    if (t.columns[i].is_key) key = i;
  }
  out->columns.assign(t.columns.size(), Column{});
  rt::CsvRow row;
  size_t r = 0;
  while (csv.Next(&row)) {
    if (!row.ok() || row.fields.size() != names.size()) {
      *error = fmt::format("table `{}`: {} line {}: {}", t.name, path, row.line,
                           row.ok() ? "wrong number of fields" : row.error);
      return false;
    }
    for (size_t i = 0; i < t.columns.size(); ++i) {
      Column& col = out->columns[i];
      col.Resize(r + 1, t.columns[i].ty == ir::Ty::Dec);
      if (col_of[i] < 0) {
        col.status[r] = kAbsent;
        continue;
      }
      std::string why = ParseValue(p, t.columns[i], row.fields[static_cast<size_t>(col_of[i])], texts, col, r);
      if (!why.empty()) {
        *error = fmt::format("table `{}`: {} line {}: {}", t.name, path, row.line, why);
        return false;
      }
    }
    int64_t k = out->columns[key].i64[r];
    if (!out->row_of.emplace(k, r).second) {
      *error = fmt::format("table `{}`: {} line {}: the key appears twice", t.name, path, row.line);
      return false;
    }
    ++r;
  }
  if (!csv.error().empty()) {
    *error = fmt::format("table `{}`: {}", t.name, csv.error());
    return false;
  }
  out->bound = true;
  return true;
}

}  // namespace edict::exec
