// The caps' ledger for one run: how much of each cap has been used, per
// period and per value of its `per` keys. Shared by the decision step
// (exec/decide.cpp) and the JIT's compiled decision step, which reach the
// same counters through Slot().
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

  explicit CapStore(size_t caps) : caps_(caps) {}

  // The counter of `cap` in `period` for the key values parts[0..n) (an
  // absent key value is INT64_MIN); 0 the first time it is asked for.
  int64_t* Slot(uint32_t cap, int64_t period, const int64_t* parts, uint32_t n) {
    if (n <= 1) {
      const int64_t k = n == 0 ? 0 : parts[0];
      if (k >= 0 && k < kDenseKeys) {
        PerCap& c = caps_[cap];
        if (c.period != period || !c.pages) SwitchPeriod(c, period);
        std::unique_ptr<int64_t[]>& page = (*c.pages)[static_cast<size_t>(k >> kPageBits)];
        if (!page) page = NewPage();
        return &page[static_cast<size_t>(k & (kPageSize - 1))];
      }
    }
    return SlowSlot(cap, period, parts, n);
  }

 private:
  static constexpr int kPageBits = 12;
  static constexpr int64_t kPageSize = int64_t{1} << kPageBits;
  static constexpr int64_t kDenseKeys = int64_t{1} << 24;
  using Pages = std::vector<std::unique_ptr<int64_t[]>>;  // kDenseKeys / kPageSize entries
  struct PerCap {
    int64_t period = INT64_MIN;
    Pages* pages = nullptr;                      // of `period`
    std::unordered_map<int64_t, Pages> periods;  // node-based: Pages never move
  };
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

  static std::unique_ptr<int64_t[]> NewPage() { return std::unique_ptr<int64_t[]>(new int64_t[kPageSize]()); }
  void SwitchPeriod(PerCap& c, int64_t period);
  int64_t* SlowSlot(uint32_t cap, int64_t period, const int64_t* parts, uint32_t n);

  std::vector<PerCap> caps_;
  std::unordered_map<Key, int64_t, KeyHash> other_;  // node-based: counters never move
};

}  // namespace edict::exec
