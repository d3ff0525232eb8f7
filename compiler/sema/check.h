// sema::Check: the parsed modules of one program -> a CheckedProgram.
// Resolves names across modules (`use`, amendments), checks types and units,
// dates, caps, rules, exceptions, amendments and tests, and reports every
// problem it finds to the diagnostic engine. The AST is not changed; facts
// about it live in side tables keyed by node.
#pragma once

#include <unordered_map>
#include <vector>

#include "ast/ast.h"
#include "diag/diagnostic.h"
#include "sema/types.h"

namespace edict::sema {

struct CheckedProgram {
  std::vector<const ast::Module*> modules;
  std::unordered_map<const ast::Expr*, Type> expr_types;
};

CheckedProgram Check(const std::vector<const ast::Module*>& modules, diag::Engine& diags);

}  // namespace edict::sema
