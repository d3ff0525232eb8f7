// Throughput benchmark for CsvReader on synthetic ledgers (19 short fields a line). Built with the other
// benchmarks (-DEDICT_BUILD_BENCHMARKS=ON, bench/CMakeLists.txt; bench/run_bench.sh runs it), or by hand:
//
// from the repository root,
//   g++ -std=c++17 -O2 -Iruntime/include bench/csv_bench.cpp runtime/src/csv.cpp -o /tmp/csv_bench
// Run:
//   /tmp/csv_bench [--mb N] [--dir DIR] [--passes N]
// It writes DIR/edict_csv_bench_plain.csv (no quotes) and
// DIR/edict_csv_bench_quoted.csv (every 4th line has a quoted party name with
// a comma, every 64th an escaped "" quote), each about N MB (default 200,
// DIR default /tmp), reuses them when they already have the right size, and
// reports the best of --passes runs (default 3) with a warm page cache.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "edict/runtime/csv.h"

namespace {

using edict::rt::CsvOptions;
using edict::rt::CsvReader;
using edict::rt::CsvRow;

const char kHeader[] =
    "txn_id,date,exporter,consignee,consignee_country,end_user_country,eccn,hs_code,item,quantity,"
    "unit,unit_price,currency,amount,tpp,performance_density,license,license_exception,status\n";

// xorshift64: deterministic and fast.
struct Rng {
  uint64_t state = 0x2545F4914F6CDD1Dull;
  uint64_t Next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
};

void AppendLine(Rng& rng, uint64_t id, bool quoted, std::string* out) {
  static const char* const kCountries[] = {"US", "DE", "CN", "SG", "AE", "IN", "JP", "KR", "MY", "GB", "NL", "IL"};
  static const char* const kEccns[] = {"3A090.a", "4A090.a", "3A090.b", "5A992.c", "EAR99"};
  static const char* const kItems[] = {"H100", "H20", "MI300X", "B200", "L40S", "A100", "Gaudi3"};
  static const char* const kStatus[] = {"shipped", "pending", "held", "cancelled"};
  char buffer[512];
  const unsigned month = 1 + static_cast<unsigned>(rng.Below(12));
  const unsigned day = 1 + static_cast<unsigned>(rng.Below(28));
  const unsigned quantity = 1 + static_cast<unsigned>(rng.Below(5000));
  const unsigned price_cents = 100000 + static_cast<unsigned>(rng.Below(4000000));
  const uint64_t consignee = rng.Below(100000);
  std::string party;
  if (quoted && id % 4 == 0) {
    party = id % 64 == 0 ? "\"Consignee \"\"" + std::to_string(consignee) + "\"\", Ltd\""
                         : "\"Consignee " + std::to_string(consignee) + ", Ltd\"";
  } else {
    party = "C" + std::to_string(consignee);
  }
  const int n = std::snprintf(
      buffer, sizeof buffer, "%llu,2025-%02u-%02u,EXP%03u,%s,%s,%s,%s,8473.30,%s,%u,chip,%u.%02u,USD,%llu.%02u,%u,%u.%u,%s,%s,%s\n",
      static_cast<unsigned long long>(id), month, day, static_cast<unsigned>(rng.Below(1000)), party.c_str(),
      kCountries[rng.Below(12)], kCountries[rng.Below(12)], kEccns[rng.Below(5)], kItems[rng.Below(7)], quantity,
      price_cents / 100, price_cents % 100, static_cast<unsigned long long>(uint64_t{quantity} * (price_cents / 100)),
      price_cents % 100, static_cast<unsigned>(rng.Below(20000)), static_cast<unsigned>(rng.Below(20)),
      static_cast<unsigned>(rng.Below(10)), rng.Below(3) == 0 ? "D1234567" : "", rng.Below(5) == 0 ? "LPP" : "",
      kStatus[rng.Below(4)]);
  out->append(buffer, static_cast<size_t>(n));
}

long long FileSize(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return -1;
  std::fseek(f, 0, SEEK_END);
  const long long size = std::ftell(f);
  std::fclose(f);
  return size;
}

// Writes about target_bytes of ledger to path unless it is already there.
bool EnsureLedger(const std::string& path, bool quoted, uint64_t target_bytes) {
  const long long existing = FileSize(path);
  if (existing >= 0 && static_cast<uint64_t>(existing) >= target_bytes &&
      static_cast<uint64_t>(existing) < target_bytes + 4096) {
    return true;
  }
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    return false;
  }
  Rng rng;
  std::string block = kHeader;
  uint64_t written = 0;
  uint64_t id = 1;
  while (written + block.size() < target_bytes) {
    if (block.size() >= (1u << 20)) {
      std::fwrite(block.data(), 1, block.size(), f);
      written += block.size();
      block.clear();
    }
    AppendLine(rng, id++, quoted, &block);
  }
  std::fwrite(block.data(), 1, block.size(), f);
  std::fclose(f);
  return true;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

struct Result {
  double seconds = 0;
  uint64_t rows = 0;
  uint64_t fields = 0;
  uint64_t field_bytes = 0;
  uint64_t checksum = 0;
  uint64_t errors = 0;
};

Result ReadAll(const std::string& path, const CsvOptions& options) {
  Result result;
  const auto start = std::chrono::steady_clock::now();
  CsvReader reader(path, options);
  std::vector<std::string> names;
  std::string error;
  if (!reader.ReadHeader(&names, &error)) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), error.c_str());
    std::exit(1);
  }
  CsvRow row;
  while (reader.Next(&row)) {
    ++result.rows;
    if (!row.ok()) ++result.errors;
    result.fields += row.FieldCount();
    // Touch every field, as a caller converting them would.
    for (std::string_view field : row.fields) {
      result.field_bytes += field.size();
      if (!field.empty()) result.checksum += static_cast<unsigned char>(field.back());
    }
  }
  result.seconds = Seconds(start);
  return result;
}

// The I/O ceiling: reading the file in 1 MiB chunks and doing nothing else.
double ReadRaw(const std::string& path) {
  const auto start = std::chrono::steady_clock::now();
  std::FILE* f = std::fopen(path.c_str(), "rb");
  std::setvbuf(f, nullptr, _IONBF, 0);
  std::vector<char> buffer(1 << 20);
  uint64_t sum = 0;
  size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), f)) > 0) sum += static_cast<unsigned char>(buffer[got - 1]);
  std::fclose(f);
  if (sum == 42) std::puts("");
  return Seconds(start);
}

void Report(const char* label, const std::string& path, const CsvOptions& options, int passes) {
  const double megabytes = static_cast<double>(FileSize(path)) / 1e6;
  Result best;
  for (int i = 0; i < passes; ++i) {
    const Result r = ReadAll(path, options);
    if (i == 0 || r.seconds < best.seconds) best = r;
  }
  std::printf("%-34s %8.1f MB %10llu rows %5.3f s %8.1f MB/s %8.2f M rows/s  (%llu fields, %llu error rows, checksum %llu)\n", label,
              megabytes, static_cast<unsigned long long>(best.rows), best.seconds, megabytes / best.seconds,
              static_cast<double>(best.rows) / best.seconds / 1e6, static_cast<unsigned long long>(best.fields),
              static_cast<unsigned long long>(best.errors), static_cast<unsigned long long>(best.checksum % 1000));
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t megabytes = 200;
  std::string dir = "/tmp";
  int passes = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--mb") == 0) {
      megabytes = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (std::strcmp(argv[i], "--dir") == 0) {
      dir = argv[i + 1];
    } else if (std::strcmp(argv[i], "--passes") == 0) {
      passes = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: %s [--mb N] [--dir DIR] [--passes N]\n", argv[0]);
      return 2;
    }
  }
  const std::string plain = dir + "/edict_csv_bench_plain.csv";
  const std::string quoted = dir + "/edict_csv_bench_quoted.csv";
  if (!EnsureLedger(plain, false, megabytes * 1000000) || !EnsureLedger(quoted, true, megabytes * 1000000)) return 1;

  double raw_best = 0;
  for (int i = 0; i < passes; ++i) {
    const double s = ReadRaw(plain);
    if (i == 0 || s < raw_best) raw_best = s;
  }
  std::printf("%-34s %8.1f MB %30s %8.1f MB/s\n", "raw fread, 1 MiB chunks", static_cast<double>(FileSize(plain)) / 1e6,
              "", static_cast<double>(FileSize(plain)) / 1e6 / raw_best);

  CsvOptions single_line;
  CsvOptions multiline;
  multiline.allow_multiline_quotes = true;
  Report("plain, default options", plain, single_line, passes);
  Report("quoted 1/4 lines, default options", quoted, single_line, passes);
  Report("quoted 1/4 lines, multiline quotes", quoted, multiline, passes);
  return 0;
}
