// Reading a ledger on several threads (exec::ParallelReader: pieces of whole
// lines cut on one thread, read into batches on others) gives exactly the
// rows one thread reads (LedgerReader::Next), whatever the pieces' size:
// line numbers, error rows and their reasons, values, ids; including a
// byte-order mark, CRLF, empty lines, quotes left open, a last line without
// its line break, and a line longer than any record may be.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <fstream>
#include <random>
#include <sstream>

#include <unistd.h>

#include "driver/driver.h"
#include "exec/ledger.h"
#include "exec/parallel_reader.h"
#include "ir/lower.h"

using namespace edict;
namespace fs = std::filesystem;

namespace {

const char* kRules = R"(regulation chunks "chunks" cites "unit" effective 2025-01-01
unit u "units"
outcome Decision { NLR, LICENCE } otherwise NLR
record Row { id: Text key, date: Date, party: Text, amount: Int [u], licence: optional Text }
input r: Row
rule big "big" cites "unit" when r.amount > 100 u then LICENCE
rule bad "bad party" cites "unit" when r.party == "evil" then LICENCE
rule licensed "licensed" cites "unit" when r.licence == "L-1" then NLR
)";

// One row as read: everything a decision or an ERROR row can depend on
// (texts by content, not by id).
std::string Show(const ir::Program& p, const exec::Interner& texts, const exec::Batch& b, size_t r) {
  std::ostringstream s;
  s << b.line[r] << "|" << b.error[r] << "|" << b.id[r] << "|" << b.day[r];
  if (!b.error[r].empty()) return s.str();
  for (size_t f = 0; f < p.fields.size(); ++f) {
    const exec::Column& c = b.fields[f];
    s << "|" << int(c.status[r]) << ":";
    if (c.status[r] != exec::kOk) continue;
    if (p.fields[f].ty == ir::Ty::Text && p.fields[f].name != "id") s << texts.Text(c.i64[r]);
    else s << c.i64[r];
  }
  return s.str();
}

struct Fixture {
  fs::path dir;
  std::unique_ptr<driver::Compilation> c;
  ir::Program p;

  explicit Fixture(const std::string& rules = kRules) {
    dir = fs::temp_directory_path() / ("edict_parallel_reader_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "rules.edict") << rules;
    diag::Engine diags;
    c = driver::Compile({(dir / "rules.edict").string()}, {}, diags);
    REQUIRE_FALSE(diags.HasErrors());
    std::string error;
    auto lowered = ir::Lower(c->checked, ir::LowerOptions{}, &error);
    INFO(error);
    REQUIRE(lowered.has_value());
    p = std::move(*lowered);
  }
  ~Fixture() { fs::remove_all(dir); }

  std::vector<std::string> Sequential(const std::string& ledger) {
    exec::Interner texts(p.texts);
    exec::LedgerReader reader(p, texts, std::nullopt);
    std::string error;
    REQUIRE(reader.Open(ledger, &error));
    std::vector<std::string> rows;
    exec::Batch b;
    while (reader.Next(b)) {
      for (size_t r = 0; r < b.rows; ++r) rows.push_back(Show(p, texts, b, r));
    }
    return rows;
  }

  std::vector<std::string> Parallel(const std::string& ledger, size_t chunk_bytes, size_t workers) {
    exec::Interner texts(p.texts);
    exec::LedgerReader reader(p, texts, std::nullopt);
    reader.set_chunk_bytes(chunk_bytes);
    std::string error;
    REQUIRE(reader.Open(ledger, &error));
    std::vector<std::string> rows;
    exec::ParallelReader parallel(p, reader, texts, workers);
    while (const exec::Batch* b = parallel.Next()) {
      for (size_t r = 0; r < b->rows; ++r) rows.push_back(Show(p, texts, *b, r));
    }
    CHECK(reader.rows_read() == rows.size());
    return rows;
  }
};

}  // namespace

TEST_CASE("a ledger read on several threads gives the rows one thread reads") {
  Fixture fx;
  // Many rows (several batches), with every kind of awkward line here and there.
  std::mt19937 rng(7);
  std::string text = "\xEF\xBB\xBFid,date,party,amount,licence\r\n";
  const char* parties[] = {"acme", "evil", "\"quoted, party\"", "\"evil\"", "bolt"};
  for (int i = 0; i < 12000; ++i) {
    const unsigned k = rng() % 100;
    const std::string eol = rng() % 3 == 0 ? "\r\n" : "\n";
    if (k == 0) text += eol;                                          // empty line
    else if (k == 1) text += "x" + std::to_string(i) + ",2025-03-01,\"open,7," + eol;  // quote left open
    else if (k == 2) text += "\xEF\xBB\xBFy" + std::to_string(i) + ",2025-03-01,acme,7," + eol;  // BOM: data here
    else if (k == 3) text += "z" + std::to_string(i) + ",2025-13-01,acme,7," + eol;  // bad date
    else if (k == 4) text += "w" + std::to_string(i) + ",2025-03-01,acme,7" + eol;    // a field short
    else  // the licence: often absent, else one of many (each worker interns its own)
      text += "r" + std::to_string(i) + ",2025-0" + std::to_string(1 + rng() % 9) + "-1" + std::to_string(rng() % 10) +
              "," + parties[rng() % 5] + "," + std::to_string(rng() % 300) + "," +
              (rng() % 3 ? "" : "L-" + std::to_string(rng() % 5000)) + eol;
  }
  // A line longer than any record may be (16 MiB), then a last line without its line break.
  text += "long," + std::string((size_t{16} << 20) + 100, 'a') + "\n";
  text += "last,2025-04-01,acme,5,L-1";
  const std::string ledger = (fx.dir / "ledger.csv").string();
  std::ofstream(ledger, std::ios::binary) << text;

  const std::vector<std::string> want = fx.Sequential(ledger);
  REQUIRE(want.size() == 12002);
  CHECK(want.back().rfind("12003|", 0) == 0);  // header on line 1
  for (size_t chunk : {size_t{97}, size_t{4096}, size_t{1} << 20}) {
    for (size_t workers : {size_t{1}, size_t{3}}) {
      INFO("chunk bytes ", chunk, ", workers ", workers);
      const std::vector<std::string> got = fx.Parallel(ledger, chunk, workers);
      REQUIRE(got.size() == want.size());
      for (size_t i = 0; i < want.size(); ++i) {
        if (got[i] != want[i]) {
          INFO("row ", i);
          CHECK(got[i] == want[i]);
          break;
        }
      }
    }
  }
}

TEST_CASE("a ledger of a header only, or ending in a lone carriage return, reads alike on several threads") {
  Fixture fx;
  for (const std::string& text : {std::string("id,date,party,amount"), std::string("id,date,party,amount\n"),
                                  std::string("id,date,party,amount\na,2025-03-01,acme,5\r"),
                                  std::string("id,date,party,amount\n\n\n")}) {  // (no licence column: optional)
    const std::string ledger = (fx.dir / "small.csv").string();
    std::ofstream(ledger, std::ios::binary) << text;
    CHECK(fx.Parallel(ledger, 3, 2) == fx.Sequential(ledger));
  }
}

TEST_CASE("every Text field is interned, the ones past the row's prefetched texts too") {
  // LedgerReader::ReadRow hashes and prefetches the interned fields of a row
  // first (at most kPrefetchedTexts = 16 of them); 20 here, every fourth one
  // optional and often empty (absent), others sometimes empty (the text "").
  constexpr int kFields = 20;
  std::string rules = "regulation texts \"t\" cites \"unit\" effective 2025-01-01\n"
                      "outcome Decision { NLR, LICENCE } otherwise NLR\n"
                      "record Row { id: Text key, date: Date";
  std::string when;
  for (int i = 0; i < kFields; ++i) {
    const std::string f = "t" + std::to_string(i);
    rules += ", " + f + (i % 4 == 3 ? ": optional Text" : ": Text");
    when += std::string(i ? " or " : "") + (i % 4 == 3 ? "(r." + f + " otherwise \"\")" : "r." + f) + " == \"x\"";
  }
  rules += " }\ninput r: Row\nrule hit \"hit\" cites \"unit\" when " + when + " then LICENCE\n";
  Fixture fx(rules);
  REQUIRE(fx.p.fields.size() == kFields + 2);

  std::mt19937 rng(11);
  std::string text = "id,date";
  for (int i = 0; i < kFields; ++i) text += ",t" + std::to_string(i);
  text += "\n";
  std::vector<std::string> want;
  for (int row = 0; row < 3000; ++row) {
    std::string line = "r" + std::to_string(row) + ",2025-02-0" + std::to_string(1 + rng() % 9);
    std::string values = std::to_string(row + 2) + "||r" + std::to_string(row);
    for (int i = 0; i < kFields; ++i) {
      const unsigned k = rng() % 10;
      // Empty, short, or longer than a word; some repeat across rows.
      const std::string v = k == 0 ? "" : k < 5 ? std::string(1 + rng() % 3, static_cast<char>('a' + rng() % 4))
                                            : "text " + std::to_string(rng() % 200) + " of field " + std::to_string(i);
      line += "," + v;
      values += v.empty() && i % 4 == 3 ? "|1:" : "|0:" + v;
    }
    text += line + "\n";
    want.push_back(values);
  }
  const std::string ledger = (fx.dir / "texts.csv").string();
  std::ofstream(ledger, std::ios::binary) << text;
  const std::vector<std::string> got = fx.Sequential(ledger);
  REQUIRE(got.size() == want.size());
  for (size_t r = 0; r < got.size(); ++r) {
    // Show() gives line|error|id|day|id field|date field|t0|...: all but
    // the day and the id and date fields.
    std::vector<std::string> parts;
    for (size_t at = 0;;) {
      const size_t bar = got[r].find('|', at);
      parts.push_back(got[r].substr(at, bar - at));
      if (bar == std::string::npos) break;
      at = bar + 1;
    }
    REQUIRE(parts.size() == 6 + kFields);
    std::string g = parts[0] + "|" + parts[1] + "|" + parts[2];
    for (size_t i = 6; i < parts.size(); ++i) g += "|" + parts[i];
    CHECK(g == want[r]);
  }
  CHECK(fx.Parallel(ledger, 4096, 2) == got);

  // And one id per text: a hash paired with the wrong field's text would
  // still read back right, as a second copy.
  exec::Interner texts(fx.p.texts);
  exec::LedgerReader reader(fx.p, texts, std::nullopt);
  std::string error;
  REQUIRE(reader.Open(ledger, &error));
  std::map<std::string, int64_t> id_of;
  exec::Batch b;
  while (reader.Next(b)) {
    for (size_t f = 2; f < fx.p.fields.size(); ++f) {
      for (size_t r = 0; r < b.rows; ++r) {
        if (b.fields[f].status[r] != exec::kOk) continue;
        const int64_t id = b.fields[f].i64[r];
        CHECK(id_of.emplace(std::string(texts.Text(id)), id).first->second == id);
      }
    }
  }
  size_t constants_read = 0;  // texts the rules also name ("" here)
  for (const auto& [text, id] : id_of) constants_read += static_cast<size_t>(id) < fx.p.texts.size();
  CHECK(texts.size() == fx.p.texts.size() + id_of.size() - constants_read);
}
