// The abstract syntax tree of one Edict file (a Module). Built by
// syntax::Parse, read by sema::Check and the printer; never mutated after
// parsing. Expressions live in a per-module arena and are referred to by
// pointer; Expr::id indexes side tables kept by later phases.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/source.h"

namespace edict::ast {

enum class ExprKind {
#define EDICT_EXPR(name) name,
#include "ast/ast_nodes.def"
};

enum class DeclKind {
#define EDICT_DECL(name, kw) name,
#include "ast/ast_nodes.def"
};

const char* ExprKindName(ExprKind k);
const char* DeclKeyword(DeclKind k);

enum class Op { None, Neg, Not, Add, Sub, Mul, Div, Eq, Ne, Lt, Le, Gt, Ge, And, Or, Otherwise };
const char* OpSpelling(Op op);

// A unit as written: `TPP`, `[TPP/chip]`; factors keep their order.
struct UnitAst {
  struct Factor {
    std::string name;   // empty for a numeric `1`
    int exponent = 1;   // +1 multiplied, -1 divided
    SourceRange range;
  };
  std::vector<Factor> factors;
  SourceRange range;
  bool present() const { return !factors.empty(); }
};

struct TypeRef {
  enum class Kind { Named, Optional, Set } kind = Kind::Named;
  std::string name;  // Named
  UnitAst unit;      // Named, optional
  std::unique_ptr<TypeRef> inner;
  SourceRange range;
};

struct Expr {
  ExprKind kind = ExprKind::Error;
  uint32_t id = 0;
  SourceRange range;
  Op op = Op::None;
  std::string text;
  int64_t int_value = 0;
  int32_t date_value = 0;
  bool bool_value = false;
  bool negated = false;
  UnitAst unit;
  std::vector<Expr*> kids;
};

struct Named {
  std::string name;
  SourceRange range;
};

struct Dated {
  int32_t date = 0;
  SourceRange range;
};

struct Decl {
  explicit Decl(DeclKind k) : kind(k) {}
  virtual ~Decl() = default;
  DeclKind kind;
  Named name;               // empty for prefer/test/amendment actions
  std::string title;        // the quoted title, if any
  std::string doc;          // the `///` lines before it, joined by '\n'
  std::string cites;
  SourceRange cites_range;
  SourceRange range;        // the whole declaration
  bool has_syntax_error = false;
};

template <typename T>
T* As(Decl* d) {
  return d && d->kind == T::kKind ? static_cast<T*>(d) : nullptr;
}
template <typename T>
const T* As(const Decl* d) {
  return d && d->kind == T::kKind ? static_cast<const T*>(d) : nullptr;
}

struct UnitDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Unit;
  UnitDecl() : Decl(kKind) {}
  Expr* factor = nullptr;  // `unit H100e = 15_832 TPP`: IntLit with unit
};

struct Variant {
  Named name;
  std::string title;
  std::unique_ptr<TypeRef> payload;
};

struct EnumDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Enum;
  EnumDecl() : Decl(kKind) {}
  std::vector<Variant> variants;
};

struct OutcomeDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Outcome;
  OutcomeDecl() : Decl(kKind) {}
  std::vector<Variant> variants;
  std::optional<Named> otherwise;
};

struct FieldDecl {
  Named name;
  std::unique_ptr<TypeRef> type;
  bool is_key = false;
  Expr* at_least = nullptr;  // `quantity: Int [chip] at least 1 chip`
  Expr* at_most = nullptr;
  std::string title;
  std::string doc;
};

struct RecordDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Record;
  RecordDecl() : Decl(kKind) {}
  std::vector<FieldDecl> fields;
};

struct TableDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Table;
  TableDecl() : Decl(kKind) {}
  std::vector<FieldDecl> fields;
};

struct InputDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Input;
  InputDecl() : Decl(kKind) {}
  std::unique_ptr<TypeRef> type;
};

// const, let and set share a shape: a name, an optional type, a value.
struct ValueDecl : Decl {
  using Decl::Decl;
  std::unique_ptr<TypeRef> type;
  Expr* value = nullptr;
};
struct ConstDecl : ValueDecl {
  static constexpr DeclKind kKind = DeclKind::Const;
  ConstDecl() : ValueDecl(kKind) {}
};
struct LetDecl : ValueDecl {
  static constexpr DeclKind kKind = DeclKind::Let;
  LetDecl() : ValueDecl(kKind) {}
};
struct SetChange {
  Dated on;
  bool add = true;
  Expr* members = nullptr;
  std::string cites;
  SourceRange range;
};
struct SetDecl : ValueDecl {
  static constexpr DeclKind kKind = DeclKind::Set;
  SetDecl() : ValueDecl(kKind) {}
  std::vector<SetChange> changes;
};

struct FlagsDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Flags;
  FlagsDecl() : Decl(kKind) {}
  std::vector<Variant> flags;  // payload unused
};

enum class Period { None, CalendarYear, Quarter, Month, Window };

struct CapLimit {
  Expr* value = nullptr;
  std::optional<Dated> from;
  SourceRange range;
};

struct CapDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Cap;
  CapDecl() : Decl(kKind) {}
  std::optional<UnitAst> counts;
  SourceRange counts_range;
  std::vector<Expr*> keys;
  SourceRange keys_range;
  Period period = Period::None;
  SourceRange period_range;
  Dated window_from, window_through;
  std::vector<CapLimit> limits;
  // Clauses given more than once, reported by the checker (E0505).
  std::vector<std::pair<std::string, SourceRange>> repeated;
};

struct Charge {
  Named cap;  // may be qualified: `module.cap` is stored as "module.cap"
  Expr* amount = nullptr;
  SourceRange range;
};

// `rule` and `exception x to y` (base set) share this node.
struct RuleDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Rule;
  RuleDecl() : Decl(kKind) {}
  std::optional<Named> exception_to;
  std::optional<Dated> effective, through;
  Expr* when = nullptr;
  Expr* then = nullptr;
  std::vector<Charge> charges;
  std::vector<Named> flags;
  std::vector<std::pair<std::string, SourceRange>> repeated;
};

struct PreferDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Prefer;
  PreferDecl() : Decl(kKind) {}
  std::vector<Named> order;
};

// Amendment actions name something of the amended regulation.
struct SuspendDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Suspend;
  SuspendDecl() : Decl(kKind) {}
  Named target;
  Dated from;
  std::optional<Dated> through;
};
struct RepealDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Repeal;
  RepealDecl() : Decl(kKind) {}
  Named target;
  Dated on;
};
struct ReplaceDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Replace;
  ReplaceDecl() : Decl(kKind) {}
  Named target;
  Dated on;
  Expr* with = nullptr;
};

struct Assignment {
  Expr* target = nullptr;  // `s.field`
  Expr* value = nullptr;
  SourceRange range;
};

struct TestRow {
  std::vector<Assignment> sets;
  Expr* expect = nullptr;
  std::vector<Named> flags;
  SourceRange range;
};

struct TestDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Test;
  TestDecl() : Decl(kKind) {}
  std::vector<Assignment> given;
  std::vector<TestRow> rows;
};

struct RegimeDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Regime;
  RegimeDecl() : Decl(kKind) {}
  std::vector<Named> includes;
};

enum class ModuleKind { Regulation, Library, Amendment };
const char* ModuleKindName(ModuleKind k);

struct Header {
  ModuleKind kind = ModuleKind::Regulation;
  Named name;
  std::optional<Named> target;  // amendments only
  std::string title;
  std::string doc;
  std::string cites;
  SourceRange cites_range;
  std::optional<Dated> published, effective, compliance, sunset;
  SourceRange range;
};

struct Module {
  uint32_t file = 0;
  bool parsed_header = false;  // false when the header itself did not parse
  Header header;
  std::vector<Named> uses;
  std::vector<std::unique_ptr<Decl>> decls;
  std::deque<Expr> exprs;  // arena; INVARIANT: exprs[i].id == i

  Expr* NewExpr(ExprKind kind, SourceRange range) {
    exprs.emplace_back();
    Expr* e = &exprs.back();
    e->kind = kind;
    e->range = range;
    e->id = static_cast<uint32_t>(exprs.size() - 1);
    return e;
  }
};

// A stable, indented text form of the module (`edict dump-ast`).
std::string Print(const Module& module, const SourceManager& sm);
// One-line source-like form of an expression (used in messages).
std::string PrintExpr(const Expr* e);
std::string PrintUnit(const UnitAst& u);
std::string PrintType(const TypeRef* t);

}  // namespace edict::ast
