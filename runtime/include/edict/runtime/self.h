// Where the running program is, so that an installed edict finds what was
// installed with it (its rule library, its JIT plugin) without a path
// built into it.
#pragma once

#include <string>

namespace edict::rt {

// The directory of the running executable, with a trailing '/'
// (/proc/self/exe); "" if it cannot be known.
std::string ExecutableDir();

}  // namespace edict::rt
