#include "exec/interner.h"

#include <cstring>
#include <stdexcept>

namespace edict::exec {

namespace {

constexpr size_t kBlockBytes = 64 * 1024;

inline uint64_t Mix(uint64_t h, uint64_t w) {
  h = (h ^ w) * 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 29);
}

}  // namespace

// Whole words, the tail read as one overlapping word (no byte loop), then a
// final avalanche so that both the slot (low bits) and the tag (high bits)
// depend on every byte.
uint64_t Interner::Hash(std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
  uint64_t h = 0xcbf29ce484222325ull ^ n;
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) h = Mix(h, text_bytes::Load8(p + i));
    h = Mix(h, text_bytes::Load8(p + n - 8));
  } else if (n >= 4) {
    h = Mix(h, (static_cast<uint64_t>(text_bytes::Load4(p)) << 32) | text_bytes::Load4(p + n - 4));
  } else if (n > 0) {
    const auto byte = [&](size_t i) { return static_cast<uint64_t>(static_cast<unsigned char>(p[i])); };
    h = Mix(h, byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16);
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

Interner::Interner(const std::vector<std::string>& constants) : slots_(1024) {
  for (const auto& s : constants) Intern(s);
}

const char* Interner::Store(std::string_view s) {
  if (s.size() > UINT32_MAX) throw std::length_error("a text of 4 GiB or more");
  const size_t need = s.size() + 4;
  char* at;
  if (need > kBlockBytes / 4) {  // a long text gets a block of its own
    blocks_.push_back(std::make_unique<char[]>(need));
    at = blocks_.back().get();
  } else {
    if (need > free_size_) {
      blocks_.push_back(std::make_unique<char[]>(kBlockBytes));
      free_ = blocks_.back().get();
      free_size_ = kBlockBytes;
    }
    at = free_;
    free_ += need;
    free_size_ -= need;
  }
  const auto size = static_cast<uint32_t>(s.size());
  std::memcpy(at, &size, 4);
  if (!s.empty()) std::memcpy(at + 4, s.data(), s.size());
  return at;
}

void Interner::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.size() * 2, Slot{});
  const size_t mask = slots_.size() - 1;
  for (const Slot& v : old) {
    if (!v.id1) continue;
    size_t at = Hash(Stored(v.text)) & mask;
    while (slots_[at].id1) at = (at + 1) & mask;
    slots_[at] = v;
  }
}

int64_t Interner::Intern(std::string_view s, uint64_t hash) {
  const auto tag = static_cast<uint32_t>(hash >> 32);
  const size_t mask = slots_.size() - 1;
  for (size_t at = hash & mask;; at = (at + 1) & mask) {
    const Slot v = slots_[at];
    if (!v.id1) {
      if (texts_.size() >= UINT32_MAX - 1) throw std::length_error("more than 2^32 - 2 distinct texts");
      texts_.push_back(Store(s));
      slots_[at] = Slot{tag, static_cast<uint32_t>(texts_.size()), texts_.back()};
      if (texts_.size() * 2 > slots_.size()) Grow();
      return static_cast<int64_t>(texts_.size() - 1);
    }
    // The tag rules out almost every other text without touching it.
    if (v.tag == tag && SameText(Stored(v.text), s)) return static_cast<int64_t>(v.id1 - 1);
  }
}

}  // namespace edict::exec
