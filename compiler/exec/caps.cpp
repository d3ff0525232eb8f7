#include "exec/caps.h"

#include <algorithm>

namespace edict::exec {

size_t CapStore::KeyHash::operator()(const Key& k) const {
  uint64_t h = 1469598103934665603ull ^ k.cap;
  auto mix = [&](uint64_t v) { h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2); };
  mix(static_cast<uint64_t>(k.period));
  for (uint32_t i = 0; i < k.n; ++i) mix(static_cast<uint64_t>(k.parts[i]));
  return static_cast<size_t>(h);
}

int64_t* CapStore::NewPage() {
  owned_.emplace_back(new int64_t[kPageSize]());
  return owned_.back().get();
}

void CapStore::SwitchPeriod(uint32_t cap, int64_t period) {
  std::vector<int64_t*>& pages = periods_[cap][period];
  if (pages.empty()) pages.resize(static_cast<size_t>(kDenseKeys / kPageSize), nullptr);
  dense_[cap].period = period;
  dense_[cap].pages = pages.data();
}

int64_t* CapStore::SlowSlot(uint32_t cap, int64_t period, const int64_t* parts, uint32_t n) {
  Key key{cap, std::min(n, kMaxKeys), period, {}};
  std::copy(parts, parts + key.n, key.parts.begin());
  return &other_[key];
}

}  // namespace edict::exec
