// Reading a ledger on several threads (`edict run --threads N`, N >= 3), in
// three stages:
//
//   one thread cuts the file into pieces of whole lines, in order
//     (LedgerReader::NextChunk: it only looks for line breaks);
//   N - 2 workers split their pieces into records and parse and check the
//     values into batches (LedgerReader::ReadChunk, exactly as one thread
//     reads), each interning texts into its own Interner;
//   the caller's thread (Next) takes the batches back in ledger order, maps
//     each worker's text ids to the run's Interner and counts the rows
//     (LedgerReader::Account).
//
// So the rows, and everything judged from them, are the same as when one
// thread reads: only where batches end and which text gets which id can
// differ (a decision depends on neither: ids are only ever compared for
// equality). Rows stay in ledger order, so caps are charged in that order.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "exec/backend.h"
#include "exec/batch.h"
#include "exec/ledger.h"
#include "ir/ir.h"

namespace edict::exec {

class ParallelReader {
 public:
  // `reader` must be open; `texts` is the run's Interner (read and written
  // only by the caller's thread from now on). Starts 1 + workers threads.
  ParallelReader(const ir::Program& p, LedgerReader& reader, Interner& texts, size_t workers);
  ~ParallelReader();
  ParallelReader(const ParallelReader&) = delete;
  ParallelReader& operator=(const ParallelReader&) = delete;

  // The next batch in ledger order, valid until the next call; null at the end.
  const Batch* Next();

 private:
  struct Job {
    uint64_t seq = 0;
    Chunk chunk;
    std::vector<Batch> batches;  // [0, count) hold the piece's rows
    size_t count = 0;
    size_t worker = 0;
    size_t first_new = 0;               // the worker's Interner size before this piece
    // Texts it interned for this piece, by id from first_new (the worker's
    // Interner keeps their bytes, which never move, for the whole run).
    std::vector<std::string_view> new_texts;
  };

  void Split();
  void Work(size_t w);

  const ir::Program& p_;
  LedgerReader& reader_;
  Interner& texts_;
  std::vector<size_t> text_fields_;  // fields read as text ids

  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Job>> todo_;          // split, not yet converted, in order
  std::map<uint64_t, std::unique_ptr<Job>> done_;  // converted, by seq
  std::vector<std::unique_ptr<Job>> free_;         // for reuse
  size_t in_flight_ = 0;                           // jobs taken by Split and not yet given back
  size_t max_in_flight_;
  bool split_done_ = false, stopping_ = false;
  uint64_t total_ = 0;  // jobs split, once split_done_
  uint64_t next_ = 0;   // the seq Next returns next

  std::vector<std::unique_ptr<Interner>> locals_;  // by worker
  std::vector<std::vector<int64_t>> to_run_;       // by worker: local id -> the run's id
  std::unique_ptr<Job> current_;                   // whose batches Next is returning
  size_t current_batch_ = 0;                       // the next of them
  std::vector<std::thread> threads_;
};

}  // namespace edict::exec
