// The Checker class shared by check.cpp (modules, scopes, cross-rule
// analyses), check_decls.cpp, check_units.cpp and check_rules.cpp (one
// method per declaration kind) and check_exprs.cpp (expressions and names).
// Internal to sema/.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "sema/check.h"

namespace edict::sema {

// Namespaces: a rule and a constant may share a name without conflict.
enum class Ns { Type, Unit, Value, Rule, Cap, Flag, Regime, Count };

struct Symbol {
  enum class Kind { Unit, Enum, Outcome, Record, Table, Input, Const, Let, Set, Variant, OutcomeVariant, Flag, Cap, Rule, Regime };
  Kind kind;
  const ast::Decl* decl = nullptr;
  const ast::Module* module = nullptr;
  int index = -1;  // variant / flag index within decl
  SourceRange range;
};
const char* KindPhrase(Symbol::Kind k);  // "a rule", "a constant", ...
inline bool IsVariant(const Symbol& s) {
  return s.kind == Symbol::Kind::Variant || s.kind == Symbol::Kind::OutcomeVariant;
}
// `s` in backticks, for a code fragment or type inside a message.
inline std::string Tick(const std::string& s) { return "`" + s + "`"; }
// "`intro` `A`, `B` and `C`": a help line listing variants (at most eight).
std::string VariantList(const std::string& intro, const std::vector<ast::Variant>& variants);

struct ModuleInfo {
  const ast::Module* m = nullptr;
  const ModuleInfo* target = nullptr;  // amendments
  std::vector<const ModuleInfo*> uses;
  std::vector<const ModuleInfo*> visible;  // self, amended chain, uses: lookup order
  size_t chain_len = 1;                    // visible[0, chain_len): self and the amended chain
  std::unordered_map<std::string, std::vector<Symbol>> names[static_cast<int>(Ns::Count)];
  const ast::InputDecl* default_input = nullptr;
  const std::string& name() const { return m->header.name.name; }
};

// Where an expression is checked.
struct ExprCtx {
  const ModuleInfo* mi = nullptr;
  const char* constant_what = nullptr;  // non-null: inputs are not allowed (E0310)
  std::set<const ast::Decl*>* inputs = nullptr;  // inputs read, for E0311
};

// A date window, both ends inclusive; nullopt ends are open.
struct Window {
  std::optional<int32_t> from, through;
  bool Overlaps(const Window& o) const;
  bool Empty() const { return from && through && *from > *through; }
};

class Checker {
 public:
  explicit Checker(diag::Engine& diags) : diags_(diags) {}
  CheckedProgram Run(const std::vector<const ast::Module*>& modules);

  // ---- check.cpp ----
  void RegisterModules(const std::vector<const ast::Module*>& modules);
  void Declare(ModuleInfo& mi);
  void AddSymbol(ModuleInfo& mi, Ns ns, const std::string& name, Symbol sym);
  // Every declaration a plain name may mean: the first of the module and
  // its amended chain that declares it; else all the used modules that do.
  // Enum and outcome variants are gathered from every visible module (the
  // expected type chooses between them).
  std::vector<Symbol> Lookup(const ModuleInfo& mi, Ns ns, const std::string& name) const;
  // The first of Lookup (or `module.name`), without reporting anything.
  std::optional<Symbol> LookupOne(const ModuleInfo& mi, Ns ns, const std::string& name) const;
  // LookupOne for a name written at `at`: when two used modules declare it
  // (not as variants), reports E0210 there, sets *ambiguous and gives nullopt.
  std::optional<Symbol> LookupAt(const ModuleInfo& mi, Ns ns, const std::string& name, SourceRange at,
                                 bool* ambiguous);
  void ReportAmbiguous(const std::vector<Symbol>& found, const std::string& name, SourceRange at, Ns ns);
  // `mod.x` or `mod` where `mod` is a module named by `use` or `to` that was
  // not found: E0204 was reported there, so nothing more is said.
  bool MissingModule(const ModuleInfo& mi, const std::string& name) const;
  const ModuleInfo* FindModule(const std::string& name) const;
  std::string Suggest(const ModuleInfo& mi, Ns ns, const std::string& name) const;
  // Whether a visible declaration of one of `kinds` has a syntax error, so
  // that a name it might have declared is not reported as unknown.
  bool BrokenDeclInScope(const ModuleInfo& mi, std::initializer_list<ast::DeclKind> kinds) const;
  void CheckHeader(const ModuleInfo& mi);
  void CheckRuleGraph();
  void CheckReplacementCycles();
  Window RuleWindow(const ast::Module& m, const ast::RuleDecl& r) const;

  // ---- check_decls.cpp, check_units.cpp, check_rules.cpp ----
  void CheckDecl(const ModuleInfo& mi, const ast::Decl& d);
  std::optional<Unit> ResolveUnit(const ModuleInfo& mi, const ast::UnitAst& u, int64_t* factor);
  std::optional<Unit> ResolveUnitOnce(const ModuleInfo& mi, const ast::UnitAst& u, int64_t* factor);
  Type ResolveType(const ModuleInfo& mi, const ast::TypeRef* t);
  Type ResolveTypeOnce(const ModuleInfo& mi, const ast::TypeRef* t);
  Type ValueDeclType(const ModuleInfo& mi, const ast::ValueDecl& d, std::set<const ast::Decl*>* inputs);
  void CheckCap(const ModuleInfo& mi, const ast::CapDecl& c);
  void CheckRule(const ModuleInfo& mi, const ast::RuleDecl& r);
  void CheckAction(const ModuleInfo& mi, const ast::Decl& d);
  void CheckTest(const ModuleInfo& mi, const ast::TestDecl& t);
  void CheckOutcomeValue(const ModuleInfo& mi, const ast::Expr* e, const char* clause);
  void CheckOutcomes();
  void CheckPrefer(const ModuleInfo& mi, const ast::PreferDecl& p);
  void CheckUnitDecl(const ModuleInfo& mi, const ast::UnitDecl& u);
  // A scaled unit followed to its base unit: `unit kH = 1_000 H100e` is
  // 15_832_000 TPP. ok is false when the chain is broken (reported at the
  // unit's declaration): a cycle, an unknown or compound unit, overflow.
  struct ScaledUnit {
    bool ok = false, cycle = false, overflow = false;
    std::string base;
    int64_t factor = 1;
    std::vector<const ast::UnitDecl*> path;  // the cycle, when there is one
  };
  const ScaledUnit& BaseOf(const ast::UnitDecl* u);
  const ast::OutcomeDecl* OutcomeInScope(const ModuleInfo& mi) const;
  std::optional<Symbol> ResolveRule(const ModuleInfo& mi, const ast::Named& n, bool report);
  void CheckFlagName(const ModuleInfo& mi, const ast::Named& n);
  void CheckDateOrder(const char* a_what, const std::optional<ast::Dated>& a, const char* b_what,
                      const std::optional<ast::Dated>& b, bool strict);
  void NoteDecl(diag::Builder& b, const ast::Decl* d, const std::string& what);
  void ReportTwoInputs(SourceRange at, const std::string& who, const std::set<const ast::Decl*>& read);

  // ---- check_exprs.cpp ----
  Type CheckExpr(const ExprCtx& ctx, const ast::Expr* e, const Type* expected = nullptr);
  Type CheckBool(const ExprCtx& ctx, const ast::Expr* e);
  void NoteRef(const ast::Expr* e, const Symbol& s);  // records what `e` names, for ir::Lower
  Type CheckName(const ExprCtx& ctx, const ast::Expr* e, const Type* expected);
  Type CheckField(const ExprCtx& ctx, const ast::Expr* e, const Type* expected);
  Type CheckCall(const ExprCtx& ctx, const ast::Expr* e, const Type* expected);
  Type CheckBinary(const ExprCtx& ctx, const ast::Expr* e);
  Type SymbolType(const ExprCtx& ctx, const Symbol& s, const ast::Expr* at);
  Type VariantType(const Symbol& s, const ast::Expr* at, bool called);
  // Several declarations for one value name: the variant of the expected
  // type, or E0210 / E0301 (reported) and nullopt.
  std::optional<Symbol> ChooseValue(const std::vector<Symbol>& found, const std::string& name, SourceRange at,
                                    const Type* expected);
  std::optional<int64_t> ConstInt(const ModuleInfo& mi, const ast::Expr* e, bool* overflow, int depth = 0);
  Type Record(const ast::Decl* d) const { return Type::Of(TypeKind::Record, d); }

  diag::Engine& diags_;
  std::vector<std::unique_ptr<ModuleInfo>> modules_;
  std::map<std::string, ModuleInfo*> by_name_;
  CheckedProgram out_;
  // let/const/set memo, for lazy checking and cycle detection.
  struct ValueState {
    bool visiting = false, done = false;
    Type type;
    std::set<const ast::Decl*> inputs;
  };
  std::unordered_map<const ast::Decl*, ValueState> values_;
  std::vector<const ast::Decl*> value_stack_;
  std::unordered_map<const ast::Decl*, const ModuleInfo*> decl_module_;
  std::unordered_map<const ast::TypeRef*, Type> resolved_types_;  // ResolveType's memo
  struct ResolvedUnit {
    std::optional<Unit> unit;
    int64_t factor = 1;
  };
  std::unordered_map<const ast::UnitAst*, ResolvedUnit> resolved_units_;  // ResolveUnit's memo
  std::unordered_map<const ast::UnitDecl*, ScaledUnit> scaled_;         // BaseOf's memo
  std::set<const ast::UnitDecl*> scaled_visiting_;
  ScaledUnit scaled_tmp_;  // an open cycle, carried back up BaseOf's recursion
  std::set<const ast::UnitDecl*> unit_cycle_reported_;
  // Rules with their resolved base (exceptions), for the rule graph.
  struct RuleInfo {
    const ast::RuleDecl* rule;
    const ModuleInfo* mi;
    const ast::RuleDecl* base = nullptr;
  };
  std::vector<RuleInfo> rules_;
};

}  // namespace edict::sema
