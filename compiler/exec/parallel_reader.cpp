#include "exec/parallel_reader.h"

namespace edict::exec {

ParallelReader::ParallelReader(const ir::Program& p, LedgerReader& reader, Interner& texts, size_t workers)
    : p_(p), reader_(reader), texts_(texts), max_in_flight_(2 * workers + 4) {
  for (size_t i = 0; i < p.fields.size(); ++i) {
    if (reader.InternsField(i)) text_fields_.push_back(i);
  }
  // Every Interner starts from the program's texts, with the same ids.
  const size_t constants = Interner(p.texts).size();
  for (size_t w = 0; w < workers; ++w) {
    locals_.push_back(std::make_unique<Interner>(p.texts));
    to_run_.emplace_back(constants);
    for (size_t id = 0; id < constants; ++id) to_run_.back()[id] = static_cast<int64_t>(id);
  }
  threads_.emplace_back([this] { Split(); });
  for (size_t w = 0; w < workers; ++w) threads_.emplace_back([this, w] { Work(w); });
}

ParallelReader::~ParallelReader() {
  {
    std::lock_guard<std::mutex> lock(m_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void ParallelReader::Split() {
  for (uint64_t seq = 0;; ++seq) {
    std::unique_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(m_);
      cv_.wait(lock, [&] { return in_flight_ < max_in_flight_ || stopping_; });
      if (stopping_) return;
      ++in_flight_;
      if (!free_.empty()) {
        job = std::move(free_.back());
        free_.pop_back();
      }
    }
    if (!job) job = std::make_unique<Job>();
    const bool more = reader_.NextChunk(job->chunk);
    std::lock_guard<std::mutex> lock(m_);
    if (!more) {
      free_.push_back(std::move(job));
      --in_flight_;
      split_done_ = true;
      total_ = seq;
      cv_.notify_all();
      return;
    }
    job->seq = seq;
    todo_.push_back(std::move(job));
    cv_.notify_all();
  }
}

void ParallelReader::Work(size_t w) {
  Interner& local = *locals_[w];
  for (;;) {
    std::unique_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(m_);
      cv_.wait(lock, [&] { return !todo_.empty() || split_done_ || stopping_; });
      if (todo_.empty() || stopping_) return;
      job = std::move(todo_.front());
      todo_.pop_front();
    }
    job->worker = w;
    job->first_new = local.size();
    reader_.ReadChunk(job->chunk, job->batches, &job->count, local);
    job->new_texts.clear();
    for (size_t id = job->first_new; id < local.size(); ++id) job->new_texts.push_back(local.Text(static_cast<int64_t>(id)));
    std::lock_guard<std::mutex> lock(m_);
    const uint64_t seq = job->seq;
    done_[seq] = std::move(job);
    cv_.notify_all();
  }
}

const Batch* ParallelReader::Next() {
  while (!current_ || current_batch_ == current_->count) {
    std::unique_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(m_);
      if (current_) {
        free_.push_back(std::move(current_));
        --in_flight_;
        cv_.notify_all();
      }
      cv_.wait(lock, [&] { return done_.count(next_) || (split_done_ && next_ >= total_); });
      if (!done_.count(next_)) return nullptr;
      job = std::move(done_[next_]);
      done_.erase(next_);
      ++next_;
    }
    // A worker reads its pieces in ledger order, so its new texts come
    // here in the order of its ids.
    std::vector<int64_t>& to_run = to_run_[job->worker];
    for (std::string_view t : job->new_texts) to_run.push_back(texts_.Intern(t));
    for (size_t k = 0; k < job->count; ++k) {
      Batch& b = job->batches[k];
      for (size_t f : text_fields_) {
        // Only present values hold an id (an absent one's slot is stale).
        int64_t* ids = b.fields[f].i64.data();
        const uint8_t* status = b.fields[f].status.data();
        for (size_t r = 0; r < b.rows; ++r) {
          if (b.error[r].empty() && status[r] == kOk) ids[r] = to_run[static_cast<size_t>(ids[r])];
        }
      }
    }
    current_ = std::move(job);
    current_batch_ = 0;
  }
  const Batch& b = current_->batches[current_batch_++];
  reader_.Account(b);
  return &b;
}

}  // namespace edict::exec
