// Unit tests for the streaming CSV reader: quoting, line breaks, BOM, empty lines, error rows, line numbers, chunk edges.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "edict/runtime/csv.h"

using namespace edict::rt;

namespace {

// One line of text per row: "L<line> [f1][f2]" or "L<line> ERROR <error> @<column> raw=<raw>".
// Control characters are shown escaped so failures are readable.
std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out;
}

std::string DumpRow(const CsvRow& row) {
  std::string out = "L" + std::to_string(row.line);
  if (!row.ok()) {
    out += " ERROR " + row.error + " @" + std::to_string(row.error_column) + " raw=" + Escape(row.raw);
  } else {
    out += " ";
    for (std::string_view field : row.fields) out += "[" + Escape(field) + "]";
  }
  return out + "\n";
}

std::string DumpAll(CsvReader& reader) {
  std::string out;
  CsvRow row;
  while (reader.Next(&row)) out += DumpRow(row);
  if (!reader.error().empty()) out += "READER ERROR " + reader.error() + "\n";
  return out;
}

// Every case is also read in place (the reader of a ledger's pieces on
// several threads), which must give the same rows.
std::string Dump(const std::string& input, CsvOptions options = CsvOptions()) {
  std::istringstream in(input);
  CsvReader reader(in, options);
  const std::string out = DumpAll(reader);
  CsvReader in_place(input.data(), input.size(), options);
  CHECK(DumpAll(in_place) == out);
  return out;
}

CsvOptions Multiline() {
  CsvOptions options;
  options.allow_multiline_quotes = true;
  return options;
}

CsvOptions WithChunk(CsvOptions options, size_t chunk_size) {
  options.chunk_size = chunk_size;
  return options;
}

// A ledger with every kind of line the reader must handle.
std::string MessyLedger() {
  std::string s;
  s += "\xEF\xBB\xBF" "id,date,party,amount\r\n";
  s += "1,2025-01-01,\"Acme, Ltd\",19.4\r\n";
  s += "2,2025-01-02,\"say \"\"hi\"\"\",-0.5\n";
  s += "\n";
  s += "\r\n";
  s += "3,2025-01-01,\"Acme Ltd,US\n";  // unbalanced
  s += "4,ab\"c,x,y\n";                 // stray quote
  s += "5,\"abc\"x,1,2\n";              // character after closing quote
  s += "6,\"\",\"\"\"\",\n";            // empty quoted, a lone escaped quote, trailing empty field
  s += "7,a\rb,c\n";                    // stray carriage return
  s += "8," + std::string(100, 'x') + ",\"" + std::string(50, 'y') + "\"\"" + std::string(50, 'z') + "\"\r\n";
  s += "9,\"multi\nline\",z\n";  // one record only with multiline quotes
  s += "10,\"\"\"\"\"\"\r\n";    // a field holding two quotes
  s += ",\n";
  s += "11,\"un\"\"terminated\n";  // never closes: with multiline quotes, the lines below are read again
  s += "12,\"a\",\"b\"\n";
  s += "13,plain\r\n";
  s += "14,end";  // no final newline
  return s;
}

}  // namespace

TEST_CASE("csv: plain records, field counts and line numbers") {
  CHECK(Dump("") == "");
  CHECK(Dump("a,b,c\n1,2,3\n") == "L1 [a][b][c]\nL2 [1][2][3]\n");
  CHECK(Dump("a,b,c\n1,2") == "L1 [a][b][c]\nL2 [1][2]\n");  // the caller compares counts
  CHECK(Dump("a,\n,\n,,x") == "L1 [a][]\nL2 [][]\nL3 [][][x]\n");
  CHECK(Dump("x") == "L1 [x]\n");
  CHECK(Dump(" a , b ") == "L1 [ a ][ b ]\n");  // spaces are data

  std::istringstream in("h1,h2\nv1,v2\n");
  CsvReader reader(in);
  CsvRow row;
  REQUIRE(reader.Next(&row));
  CHECK(row.FieldCount() == 2);
  CHECK(row.fields[0] == "h1");
  CHECK(row.raw == "h1,h2");
  REQUIRE(reader.Next(&row));
  CHECK(row.line == 2);
  CHECK(row.fields[1] == "v2");
  CHECK_FALSE(reader.Next(&row));
  CHECK_FALSE(reader.Next(&row));  // stays at the end
  CHECK(reader.error().empty());
}

TEST_CASE("csv: quoted fields and escaped quotes") {
  CHECK(Dump("\"Acme, Ltd\",2\n") == "L1 [Acme, Ltd][2]\n");
  CHECK(Dump("\"say \"\"hi\"\"\",x\n") == "L1 [say \"hi\"][x]\n");
  CHECK(Dump("\"\"\n") == "L1 []\n");  // one empty field, unlike an empty line
  CHECK(Dump("\"\",\"\"\n") == "L1 [][]\n");
  CHECK(Dump("\"\"\"\"\n") == "L1 [\"]\n");
  CHECK(Dump("a,\"b\"\n") == "L1 [a][b]\n");
  CHECK(Dump("\"a\",\n") == "L1 [a][]\n");
  CHECK(Dump("\"a\r\nb\"\n") == "L1 ERROR unbalanced quote @1 raw=\"a\n"
                                "L2 ERROR stray quote @2 raw=b\"\n");
  CHECK(Dump("\"x\ry\",1\n") == "L1 [x\\ry][1]\n");  // a '\r' inside quotes is data
  CHECK(Dump("\"a;b\";c\n", [] {
          CsvOptions o;
          o.delimiter = ';';
          return o;
        }()) == "L1 [a;b][c]\n");

  // The views of an escaped field stay valid while the rest of the record is read.
  std::istringstream in("\"a\"\"b\",\"c\"\"d\",\"e\"\"f\"\n");
  CsvReader reader(in);
  CsvRow row;
  REQUIRE(reader.Next(&row));
  REQUIRE(row.FieldCount() == 3);
  CHECK(row.fields[0] == "a\"b");
  CHECK(row.fields[1] == "c\"d");
  CHECK(row.fields[2] == "e\"f");
  CHECK(row.raw == "\"a\"\"b\",\"c\"\"d\",\"e\"\"f\"");
}

TEST_CASE("csv: CRLF, LF, and a last line without a line break") {
  const std::string expected = "L1 [a][b]\nL2 [1][\"x\"]\n";
  CHECK(Dump("a,b\n1,\"\"\"x\"\"\"\n") == expected);
  CHECK(Dump("a,b\r\n1,\"\"\"x\"\"\"\r\n") == expected);
  CHECK(Dump("a,b\r\n1,\"\"\"x\"\"\"") == expected);
  CHECK(Dump("a,b\n1,\"\"\"x\"\"\"\r") == expected);  // a lone '\r' at the very end
  CHECK(Dump("a,b\r\n\r\n") == "L1 [a][b]\nL2 \n");
}

TEST_CASE("csv: UTF-8 byte-order mark") {
  CHECK(Dump("\xEF\xBB\xBFid,x\n1,2\n") == "L1 [id][x]\nL2 [1][2]\n");
  CHECK(Dump("\xEF\xBB\xBF") == "");
  CHECK(Dump("\xEF\xBB\xBF\"q\"\n") == "L1 [q]\n");
  CHECK(Dump("a\n\xEF\xBB\xBF" "b\n") == "L1 [a]\nL2 [\xEF\xBB\xBF" "b]\n");  // only at the start
  CHECK(Dump("\xEF\xBB") == "L1 [\xEF\xBB]\n");

  std::istringstream in("\xEF\xBB\xBFid,amount\r\n");
  CsvReader reader(in, WithChunk(CsvOptions(), 1));
  std::vector<std::string> names;
  std::string error;
  REQUIRE(reader.ReadHeader(&names, &error));
  CHECK(names == std::vector<std::string>{"id", "amount"});
}

TEST_CASE("csv: empty lines are rows with zero fields") {
  CHECK(Dump("\n") == "L1 \n");
  CHECK(Dump("a\n\nb\n") == "L1 [a]\nL2 \nL3 [b]\n");
  CHECK(Dump("a\n\n") == "L1 [a]\nL2 \n");
  CHECK(Dump("a\r\n\r\n\r\nb") == "L1 [a]\nL2 \nL3 \nL4 [b]\n");

  std::istringstream in("a\n\n");
  CsvReader reader(in);
  CsvRow row;
  REQUIRE(reader.Next(&row));
  REQUIRE(reader.Next(&row));
  CHECK(row.ok());
  CHECK(row.line == 2);
  CHECK(row.FieldCount() == 0);
  CHECK(row.raw.empty());
  CHECK_FALSE(reader.Next(&row));
}

TEST_CASE("csv: malformed lines become error rows and the next line still reads") {
  // The ledger case: a stray opening quote must not swallow the rest of the file.
  CHECK(Dump("1,2025-01-01,\"Acme Ltd,US\n2,2025-01-02,Beta,DE\n3,x\n") ==
        "L1 ERROR unbalanced quote @14 raw=1,2025-01-01,\"Acme Ltd,US\n"
        "L2 [2][2025-01-02][Beta][DE]\n"
        "L3 [3][x]\n");
  CHECK(Dump("x,ab\"c,d\r\nok\n") == "L1 ERROR stray quote @5 raw=x,ab\"c,d\nL2 [ok]\n");
  CHECK(Dump("x,\"ab\"c,d\nok\n") == "L1 ERROR character after closing quote @7 raw=x,\"ab\"c,d\nL2 [ok]\n");
  CHECK(Dump("\"ab\" ,d\nok\n") == "L1 ERROR character after closing quote @5 raw=\"ab\" ,d\nL2 [ok]\n");
  CHECK(Dump(" \"ab\",d\nok\n") == "L1 ERROR stray quote @2 raw= \"ab\",d\nL2 [ok]\n");
  CHECK(Dump("\"ab\"\"\nok\n") == "L1 ERROR unbalanced quote @1 raw=\"ab\"\"\nL2 [ok]\n");
  CHECK(Dump("\"\nok") == "L1 ERROR unbalanced quote @1 raw=\"\nL2 [ok]\n");
  CHECK(Dump("a\rb,c\nok\n") == "L1 ERROR stray carriage return @2 raw=a\\rb,c\nL2 [ok]\n");
  CHECK(Dump("\"a\",b\r\r\nok\n") == "L1 ERROR stray carriage return @6 raw=\"a\",b\\r\nL2 [ok]\n");
  CHECK(Dump("\"a\"\r\r\nok\n") == "L1 ERROR character after closing quote @4 raw=\"a\"\\r\nL2 [ok]\n");

  std::istringstream in("a,\"b\nc,d\n");
  CsvReader reader(in);
  CsvRow row;
  REQUIRE(reader.Next(&row));
  CHECK_FALSE(row.ok());
  CHECK(row.error == "unbalanced quote");
  CHECK(row.error_column == 3);
  CHECK(row.FieldCount() == 0);
  CHECK(row.line == 1);
  REQUIRE(reader.Next(&row));
  CHECK(row.ok());
  CHECK(row.line == 2);
  CHECK(row.FieldCount() == 2);
}

TEST_CASE("csv: a delimiter, quote or carriage return at every position of a long line") {
  const size_t length = 41;
  for (size_t i = 0; i < length; ++i) {
    CAPTURE(i);
    std::string line(length, 'a');
    line[i] = ',';
    const std::string before(i, 'a');
    const std::string after(length - i - 1, 'a');
    CHECK(Dump(line + "\nz\n") == "L1 [" + before + "][" + after + "]\nL2 [z]\n");
    line[i] = '"';
    const std::string quote_error = i == 0 ? "unbalanced quote @1" : "stray quote @" + std::to_string(i + 1);
    CHECK(Dump(line + "\nz\n") == "L1 ERROR " + quote_error + " raw=" + line + "\nL2 [z]\n");
    line[i] = '\r';
    if (i + 1 < length) {
      CHECK(Dump(line + "\nz\n") == "L1 ERROR stray carriage return @" + std::to_string(i + 1) + " raw=" +
                                         before + "\\r" + after + "\nL2 [z]\n");
    } else {
      CHECK(Dump(line + "\nz\n") == "L1 [" + before + "]\nL2 [z]\n");  // the CRLF's '\r'
    }
    // Several delimiters in one eight-byte word, and empty fields.
    std::string many(length, ',');
    many[i] = 'b';
    CHECK(Dump(many) == [&] {
      std::string e = "L1 ";
      std::string field;
      for (size_t k = 0; k <= length; ++k) {
        if (k == length || many[k] == ',') {
          e += "[" + field + "]";
          field.clear();
        } else {
          field += many[k];
        }
      }
      return e + "\n";
    }());
  }
}

TEST_CASE("csv: multiline quotes when allowed") {
  CHECK(Dump("a,\"x\ny\",b\nc\n", Multiline()) == "L1 [a][x\\ny][b]\nL3 [c]\n");
  CHECK(Dump("\"x\r\ny\"\r\nc\r\n", Multiline()) == "L1 [x\\r\\ny]\nL3 [c]\n");
  CHECK(Dump("\"\n\n\"\n\nz", Multiline()) == "L1 [\\n\\n]\nL4 \nL5 [z]\n");
  CHECK(Dump("\"a\"\"\nb\",\"c\nd\"\ne", Multiline()) == "L1 [a\"\\nb][c\\nd]\nL4 [e]\n");
  // Single-line records read the same as without the option.
  CHECK(Dump("a,\"b\"\"\",c\r\nx,y\n", Multiline()) == Dump("a,\"b\"\"\",c\r\nx,y\n"));
  // Unterminated at the end of the input: an error for its first line, and
  // the lines it swallowed are read again.
  CHECK(Dump("1,\"abc\n2,ok\n3,fine", Multiline()) ==
        "L1 ERROR unbalanced quote @3 raw=1,\"abc\nL2 [2][ok]\nL3 [3][fine]\n");
  // An error after a field that spanned lines also covers only the first line.
  CHECK(Dump("1,\"a\nb\"x\n2\n", Multiline()) ==
        "L1 ERROR character after closing quote @8 raw=1,\"a\n"
        "L2 ERROR stray quote @2 raw=b\"x\n"
        "L3 [2]\n");
  // Bounded: a quoted field longer than max_quoted_field_bytes is an error.
  CsvOptions bounded = Multiline();
  bounded.max_quoted_field_bytes = 10;
  CHECK(Dump("1,\"aaaa\nbbbbbbbbbbbbbbb\",2\n3\n", bounded) ==
        "L1 ERROR quoted field too long @3 raw=1,\"aaaa\n"
        "L2 ERROR stray quote @16 raw=bbbbbbbbbbbbbbb\",2\n"
        "L3 [3]\n");
  CHECK(Dump("1,\"aaaaaaaa\"\n", bounded) == "L1 [1][aaaaaaaa]\n");  // exactly 10 bytes with its quotes
  CHECK(Dump("1,\"aaaaaaaaa\"\n", bounded) == "L1 ERROR quoted field too long @3 raw=1,\"aaaaaaaaa\"\n");
}

TEST_CASE("csv: records longer than max_record_bytes") {
  CsvOptions options;
  options.max_record_bytes = 8;
  const std::string input = "12345678\r\n123456789\n" + std::string(100, 'x') + "\nok\n\"123456\"\n\"1234567\"\n";
  const std::string expected =
      "L1 [12345678]\nL2 ERROR record too long @0 raw=\nL3 ERROR record too long @0 raw=\nL4 [ok]\n"
      "L5 [123456]\nL6 ERROR record too long @0 raw=\n";
  for (size_t chunk : {1, 2, 3, 7, 8, 9, 16, 1000}) {
    CAPTURE(chunk);
    CHECK(Dump(input, WithChunk(options, chunk)) == expected);
    CsvOptions multiline = WithChunk(options, chunk);
    multiline.allow_multiline_quotes = true;
    CHECK(Dump(input, multiline) == expected);
    CHECK(Dump("\"12\n345\"\r\nok\n", multiline) == "L1 [12\\n345]\nL3 [ok]\n");
    CHECK(Dump("\"12\n3456\"\nok\n", multiline) ==
          "L1 ERROR record too long @0 raw=\"12\nL2 ERROR stray quote @5 raw=3456\"\nL3 [ok]\n");
  }
}

TEST_CASE("csv: the same rows for every chunk size, fields straddling chunk edges") {
  const std::string input = MessyLedger();
  for (bool multiline : {false, true}) {
    CAPTURE(multiline);
    CsvOptions options;
    options.allow_multiline_quotes = multiline;
    const std::string reference = Dump(input, options);  // 1 MiB chunks: all in one read
    for (size_t chunk = 1; chunk <= 80; ++chunk) {
      CAPTURE(chunk);
      REQUIRE(Dump(input, WithChunk(options, chunk)) == reference);
    }
    CHECK(Dump(input, WithChunk(options, 4096)) == reference);
  }

  const std::string single_line =
      "L1 [id][date][party][amount]\n"
      "L2 [1][2025-01-01][Acme, Ltd][19.4]\n"
      "L3 [2][2025-01-02][say \"hi\"][-0.5]\n"
      "L4 \n"
      "L5 \n"
      "L6 ERROR unbalanced quote @14 raw=3,2025-01-01,\"Acme Ltd,US\n"
      "L7 ERROR stray quote @5 raw=4,ab\"c,x,y\n"
      "L8 ERROR character after closing quote @8 raw=5,\"abc\"x,1,2\n"
      "L9 [6][][\"][]\n"
      "L10 ERROR stray carriage return @4 raw=7,a\\rb,c\n"
      "L11 [8][" + std::string(100, 'x') + "][" + std::string(50, 'y') + "\"" + std::string(50, 'z') + "]\n"
      "L12 ERROR unbalanced quote @3 raw=9,\"multi\n"
      "L13 ERROR stray quote @5 raw=line\",z\n"
      "L14 [10][\"\"]\n"
      "L15 [][]\n"
      "L16 ERROR unbalanced quote @4 raw=11,\"un\"\"terminated\n"
      "L17 [12][a][b]\n"
      "L18 [13][plain]\n"
      "L19 [14][end]\n";
  CHECK(Dump(input) == single_line);

  const std::string multiline =
      "L1 [id][date][party][amount]\n"
      "L2 [1][2025-01-01][Acme, Ltd][19.4]\n"
      "L3 [2][2025-01-02][say \"hi\"][-0.5]\n"
      "L4 \n"
      "L5 \n"
      // The quote opened on line 6 closes at 4,ab" on line 7 (byte 31 of the record).
      "L6 ERROR character after closing quote @32 raw=3,2025-01-01,\"Acme Ltd,US\n"
      "L7 ERROR stray quote @5 raw=4,ab\"c,x,y\n"
      "L8 ERROR character after closing quote @8 raw=5,\"abc\"x,1,2\n"
      "L9 [6][][\"][]\n"
      "L10 ERROR stray carriage return @4 raw=7,a\\rb,c\n"
      "L11 [8][" + std::string(100, 'x') + "][" + std::string(50, 'y') + "\"" + std::string(50, 'z') + "]\n"
      "L12 [9][multi\\nline][z]\n"
      "L14 [10][\"\"]\n"
      "L15 [][]\n"
      // The quote opened on line 16 closes at 12," on line 17.
      "L16 ERROR character after closing quote @24 raw=11,\"un\"\"terminated\n"
      "L17 [12][a][b]\n"
      "L18 [13][plain]\n"
      "L19 [14][end]\n";
  CHECK(Dump(input, Multiline()) == multiline);
}

TEST_CASE("csv: ReadHeader") {
  {
    std::istringstream in("id,amount\n1,2\n");
    CsvReader reader(in);
    std::vector<std::string> names;
    std::string error;
    REQUIRE(reader.ReadHeader(&names, &error));
    CHECK(names == std::vector<std::string>{"id", "amount"});
    CsvRow row;
    REQUIRE(reader.Next(&row));
    CHECK(row.line == 2);
  }
  auto header_error = [](const std::string& input) {
    std::istringstream in(input);
    CsvReader reader(in);
    std::vector<std::string> names;
    std::string error;
    CHECK_FALSE(reader.ReadHeader(&names, &error));
    CHECK(names.empty());
    return error;
  };
  CHECK(header_error("") == "empty input: no header line");
  CHECK(header_error("\xEF\xBB\xBF") == "empty input: no header line");
  CHECK(header_error("\nid\n") == "line 1: empty header line");
  CHECK(header_error("id,\"amount\n") == "line 1: unbalanced quote at column 4");
}

TEST_CASE("csv: bad options and unreadable input") {
  CsvOptions options;
  options.delimiter = '"';
  std::istringstream in("a\n");
  CsvReader reader(in, options);
  CsvRow row;
  CHECK_FALSE(reader.Next(&row));
  CHECK(reader.error().find("delimiter") != std::string::npos);

  CsvReader missing("/nonexistent/edict/ledger.csv");
  std::vector<std::string> names;
  std::string error;
  CHECK_FALSE(missing.ReadHeader(&names, &error));
  CHECK(error.find("cannot open /nonexistent/edict/ledger.csv") == 0);
  CHECK_FALSE(missing.Next(&row));
  CHECK(missing.error() == error);

  std::istringstream failed("a\n");
  failed.setstate(std::ios::failbit);
  CsvReader not_open(failed);
  CHECK_FALSE(not_open.Next(&row));
  CHECK_FALSE(not_open.error().empty());
}

TEST_CASE("csv: a file larger than the default 1 MiB chunk") {
  // ~3.5 MB, so fields straddle the real chunk edges; compared with the
  // stream reader at a tiny chunk size and with the values written.
  std::string content = "id,party,amount\n";
  const int rows = 60000;
  for (int i = 0; i < rows; ++i) {
    content += std::to_string(i) + ",";
    if (i % 3 == 0) {
      content += "\"Party \"\"" + std::to_string(i) + "\"\", Inc\"";
    } else {
      content += "Party" + std::to_string(i);
    }
    content += "," + std::to_string(i * 7) + ".25" + (i % 2 ? "\r\n" : "\n");
  }
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("edict_test_csv_" + std::to_string(::getpid()) + ".csv");
  {
    std::ofstream out(path, std::ios::binary);
    out << content;
  }
  CsvReader reader(path.string());
  std::vector<std::string> names;
  std::string error;
  REQUIRE(reader.ReadHeader(&names, &error));
  CHECK(names.size() == 3);
  CsvRow row;
  int seen = 0;
  bool all_match = true;
  while (reader.Next(&row)) {
    const int i = seen++;
    const std::string party = i % 3 == 0 ? "Party \"" + std::to_string(i) + "\", Inc" : "Party" + std::to_string(i);
    const bool match = row.ok() && row.line == static_cast<uint64_t>(i) + 2 && row.FieldCount() == 3 &&
                       row.fields[0] == std::to_string(i) && row.fields[1] == party &&
                       row.fields[2] == std::to_string(i * 7) + ".25";
    if (!match) {
      all_match = false;
      FAIL_CHECK("row " << i << ": " << DumpRow(row));
      break;
    }
  }
  CHECK(all_match);
  CHECK(seen == rows);
  CHECK(reader.error().empty());
  CHECK(Dump(content, WithChunk(CsvOptions(), 7)) == Dump(content));
  std::filesystem::remove(path);
}
