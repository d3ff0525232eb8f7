// The caps' ledger for one run: how much of each cap has been used, per
// period and per value of its `per` keys. Shared by the decision step
// (exec/decide.cpp) and the JIT's compiled decision step, which reach the
// same counters through Slot() or, inline, through dense().
//
// A counter's address never changes once handed out, so a caller may hold
// the addresses of a row's trial charges until it records them.
//
// Most caps have one key whose values are small whole numbers (interned
// texts, countries, enum variants): those counters live in pages indexed by
// the key, for the cap's most recent period, with no hashing. Any other key
// (several keys, an absent key, a large or negative value) goes to a hash map.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace edict::exec {

class CapStore {
 public:
  static constexpr uint32_t kMaxKeys = 6;  // ir::Lower refuses caps with more
  static constexpr int kPageBits = 12;
  static constexpr int64_t kPageSize = int64_t{1} << kPageBits;
  static constexpr int64_t kDenseKeys = int64_t{1} << 24;

  // Per cap, where its dense counters are: the JIT's compiled decision step
  // reads this (kernel.h) to find a counter without a call. `pages` (for
  // `period`) holds kDenseKeys / kPageSize page pointers, null for a page
  // not made yet; the counter of key k is pages[k >> kPageBits][k & (kPageSize - 1)].
  struct Dense {
    int64_t period = INT64_MIN;  // no period yet
    int64_t** pages = nullptr;
  };

  explicit CapStore(size_t caps) : dense_(caps), periods_(caps) {}

  // The counter of `cap` in `period` for the key values parts[0..n) (an
  // absent key value is INT64_MIN); 0 the first time it is asked for.
  int64_t* Slot(uint32_t cap, int64_t period, const int64_t* parts, uint32_t n) {
    if (n <= 1) {
      const int64_t k = n == 0 ? 0 : parts[0];
      if (k >= 0 && k < kDenseKeys) {
        Dense& d = dense_[cap];
        if (d.period != period || !d.pages) SwitchPeriod(cap, period);
        int64_t*& page = d.pages[k >> kPageBits];
        if (!page) page = NewPage();
        return &page[k & (kPageSize - 1)];
      }
    }
    return SlowSlot(cap, period, parts, n);
  }

  const Dense* dense() const { return dense_.data(); }

 private:
  struct Key {
    uint32_t cap;
    uint32_t n;
    int64_t period;
    std::array<int64_t, kMaxKeys> parts{};
    bool operator==(const Key& o) const {
      return cap == o.cap && period == o.period && n == o.n && parts == o.parts;
    }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };

  int64_t* NewPage();
  void SwitchPeriod(uint32_t cap, int64_t period);
  int64_t* SlowSlot(uint32_t cap, int64_t period, const int64_t* parts, uint32_t n);

  std::vector<Dense> dense_;  // by cap; never resized (the JIT holds its address)
  // By cap, by period: the page pointers (each vector sized once, so its
  // data never moves; node-based map: vectors never move).
  std::vector<std::unordered_map<int64_t, std::vector<int64_t*>>> periods_;
  std::vector<std::unique_ptr<int64_t[]>> owned_;     // every page
  std::unordered_map<Key, int64_t, KeyHash> other_;  // node-based: counters never move
};

}  // namespace edict::exec
