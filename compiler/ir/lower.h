// ir::Lower: a checked program and a choice of modules (a regime) -> one
// ir::Program. Resolves every date: which rule is in force when (module
// dates, rule dates, the amendments' suspensions, repeals and replacements),
// set membership by date, constant versions, cap limits.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/ir.h"
#include "sema/check.h"

namespace edict::ir {

struct LowerOptions {
  // Modules whose rules are in the regime (regulations and amendments, by
  // name). Empty: every module given. Libraries they use come along.
  std::vector<std::string> modules;
  std::string regime_name;
  // The record judged; empty: the first `input` of the first module.
  std::string input;
};

// Returns nullopt (and says why in `error`) if the regime cannot be built,
// e.g. a named module does not exist or no module declares an input.
// INVARIANT: `checked` has no errors.
std::optional<Program> Lower(const sema::CheckedProgram& checked, const LowerOptions& options,
                             std::string* error);

// The regimes declared in the loaded modules: name -> included modules.
std::vector<std::pair<std::string, std::vector<std::string>>> Regimes(const sema::CheckedProgram& checked);

}  // namespace edict::ir
