#include "edict/runtime/self.h"

#include <unistd.h>

namespace edict::rt {

std::string ExecutableDir() {
  std::string self(4096, '\0');
  const ssize_t n = readlink("/proc/self/exe", self.data(), self.size());
  if (n <= 0 || static_cast<size_t>(n) >= self.size()) return "";
  self.resize(static_cast<size_t>(n));
  return self.substr(0, self.rfind('/') + 1);
}

}  // namespace edict::rt
