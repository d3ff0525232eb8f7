// Text interning for one run: the program's text constants keep their ids
// (0 .. constants - 1); texts read from ledgers and tables get the next ones.
// Rules compare Text values by id, so a reader thread interns every Text
// field of every row: this is on the ledger's hot path.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace edict::exec {

namespace text_bytes {
inline uint64_t Load8(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}
inline uint32_t Load4(const char* p) {
  uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}
}  // namespace text_bytes

// a == b, compared by words, inlined (std::string_view's == calls memcmp;
// the texts a ledger compares are short).
inline bool SameText(std::string_view a, std::string_view b) {
  using text_bytes::Load4;
  using text_bytes::Load8;
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      if (Load8(x + i) != Load8(y + i)) return false;
    }
    return Load8(x + n - 8) == Load8(y + n - 8);
  }
  if (n >= 4) return Load4(x) == Load4(y) && Load4(x + n - 4) == Load4(y + n - 4);
  for (size_t i = 0; i < n; ++i) {
    if (x[i] != y[i]) return false;
  }
  return true;
}

class Interner {
 public:
  explicit Interner(const std::vector<std::string>& constants);
  Interner(const Interner&) = delete;
  Interner& operator=(const Interner&) = delete;

  static uint64_t Hash(std::string_view s);
  // The id of s (a new one if s is new). With s's Hash, computed ahead:
  // Prefetch(hash) a little before Intern(s, hash) hides the table's cache
  // miss behind other work (the ledger reader does this for a row's Text
  // fields).
  int64_t Intern(std::string_view s) { return Intern(s, Hash(s)); }
  int64_t Intern(std::string_view s, uint64_t hash);
  void Prefetch(uint64_t hash) const { __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]); }

  size_t size() const { return texts_.size(); }  // ids are 0 .. size() - 1
  // Valid as long as the Interner: texts never move.
  std::string_view Text(int64_t id) const { return Stored(texts_.at(static_cast<size_t>(id))); }

 private:
  // Open addressing. A slot holds the high 32 bits of its text's hash, its
  // id + 1 (0: an empty slot) and where its bytes are, so that finding a
  // text touches the slot and the text's bytes only.
  struct Slot {
    uint32_t tag = 0;
    uint32_t id1 = 0;
    const char* text = nullptr;
  };
  // A stored text: its size (4 bytes), then its bytes.
  static std::string_view Stored(const char* text) {
    uint32_t size;
    std::memcpy(&size, text, 4);
    return {text + 4, size};
  }
  const char* Store(std::string_view s);
  void Grow();

  std::vector<Slot> slots_;
  std::vector<const char*> texts_;  // by id
  // The stored texts, in blocks that never move.
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* free_ = nullptr;
  size_t free_size_ = 0;
};

}  // namespace edict::exec
