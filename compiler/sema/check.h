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

// What a name in an expression refers to, recorded for ir::Lower.
struct Ref {
  enum class Kind { Input, Const, Let, Set, Variant, OutcomeVariant, Table, Country, Field };
  Kind kind;
  const ast::Decl* decl = nullptr;  // the declaration (record/table for Field)
  int index = -1;                   // variant, field or country index
};

struct CheckedProgram {
  std::vector<const ast::Module*> modules;
  std::unordered_map<const ast::Expr*, Type> expr_types;
  std::unordered_map<const ast::Expr*, Ref> refs;
  std::unordered_map<const ast::FieldDecl*, Type> field_types;
  std::unordered_map<const ast::Expr*, int64_t> literal_factor;  // `1_700 H100e`: 15_832 (absent = 1)
  std::unordered_map<const ast::Decl*, const ast::Module*> decl_module;
  std::unordered_map<const ast::RuleDecl*, const ast::RuleDecl*> exception_base;
  std::unordered_map<const ast::Charge*, const ast::CapDecl*> charge_cap;
  std::unordered_map<const ast::Named*, const ast::RuleDecl*> named_rule;  // `prefer`, `replace … with`
  // Amendment actions: the rule, constant or set named, or else the module.
  std::unordered_map<const ast::Decl*, const ast::Decl*> action_decl;
  std::unordered_map<const ast::Decl*, const ast::Module*> action_module;
  std::unordered_map<const ast::Decl*, const ast::RuleDecl*> replace_with;  // `replace r on D with r2`
};

CheckedProgram Check(const std::vector<const ast::Module*>& modules, diag::Engine& diags);

}  // namespace edict::sema
