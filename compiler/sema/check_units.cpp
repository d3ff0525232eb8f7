// Declarations: resolving units (scales, derived units) and types.
#include <algorithm>

#include "edict/runtime/checked.h"
#include "edict/runtime/date.h"
#include "sema/checker.h"

namespace edict::sema {

using diag::Kind;

// ---- units and types ----------------------------------------------------------

std::optional<Unit> Checker::ResolveUnit(const ModuleInfo& mi, const ast::UnitAst& u, int64_t* factor) {
  // Each written unit is resolved (and its mistakes reported) once, however
  // often it is looked at (a cap's `counts` at every charge, say).
  auto memo = resolved_units_.find(&u);
  if (memo == resolved_units_.end()) {
    ResolvedUnit r;
    r.unit = ResolveUnitOnce(mi, u, &r.factor);
    memo = resolved_units_.emplace(&u, r).first;
  }
  *factor = memo->second.factor;
  return memo->second.unit;
}

std::optional<Unit> Checker::ResolveUnitOnce(const ModuleInfo& mi, const ast::UnitAst& u, int64_t* factor) {
  Unit out;
  *factor = 1;
  for (const auto& f : u.factors) {
    if (f.name.empty()) continue;  // `1` in `[1/chip]`
    bool ambiguous = false;
    auto sym = LookupAt(mi, Ns::Unit, f.name, f.range, &ambiguous);
    if (ambiguous) return std::nullopt;
    if (!sym) {
      auto d = diags_.Emit(Kind::UnknownUnit, f.range, f.name);
      std::string s = Suggest(mi, Ns::Unit, f.name);
      d.Help(s.empty() ? fmt::format("declare it: `unit {} \"what it measures\"`", f.name)
                       : fmt::format("did you mean `{}`?", s));
      return std::nullopt;
    }
    Unit one;
    one.exps[f.name] = 1;
    const auto* ud = ast::As<ast::UnitDecl>(sym->decl);
    if (ud && ud->factor) {
      // A scaled unit stands for its base times a factor.
      const ScaledUnit& b = BaseOf(ud);
      if (!b.ok) return std::nullopt;  // reported at the unit's declaration
      if (u.factors.size() != 1 || f.exponent != 1) {
        diags_.Emit(Kind::TypeMismatch, f.range, Tick(b.base), Tick(f.name))
            .Help(fmt::format("`{0}` is {1} `{2}`, and a scaled unit can only stand alone after a number, as in "
                              "`1 {0}`; inside brackets, write the base unit `{2}`",
                              f.name, b.factor, b.base));
        return std::nullopt;
      }
      *factor = b.factor;
      one.exps.clear();
      one.exps[b.base] = 1;
    }
    out = f.exponent > 0 ? out.Times(one) : out.Over(one);
  }
  return out;
}

const Checker::ScaledUnit& Checker::BaseOf(const ast::UnitDecl* u) {
  auto memo = scaled_.find(u);
  if (memo != scaled_.end()) return memo->second;
  ScaledUnit r;
  if (!u->factor) {
    r.ok = true;
    r.base = u->name.name;
    return scaled_[u] = r;
  }
  if (scaled_visiting_.count(u)) {
    // Back at a unit on the way: a cycle, still open (path = {u}).
    r.path = {u};
    return scaled_tmp_ = r;
  }
  const ast::Expr* f = u->factor;
  bool single = f->unit.factors.size() == 1 && !f->unit.factors[0].name.empty() && f->unit.factors[0].exponent == 1;
  if (u->has_syntax_error || f->kind != ast::ExprKind::IntLit || f->int_value <= 0 || !single) {
    return scaled_[u] = r;
  }
  auto next = LookupOne(*decl_module_.at(u), Ns::Unit, f->unit.factors[0].name);
  const auto* nd = next ? ast::As<ast::UnitDecl>(next->decl) : nullptr;
  if (!nd) return scaled_[u] = r;
  scaled_visiting_.insert(u);
  ScaledUnit n = BaseOf(nd);
  scaled_visiting_.erase(u);
  if (!n.cycle && !n.path.empty()) {
    // An open cycle: closed here if it started here, else carried back.
    n.path.insert(n.path.begin(), u);
    if (n.path.back() != u) return scaled_tmp_ = n;
    r.cycle = true;
    r.path = n.path;
    return scaled_[u] = r;
  }
  if (!n.ok) return scaled_[u] = r;
  r.base = n.base;
  if (rt::MulOverflows(f->int_value, n.factor, &r.factor)) {
    r.overflow = true;
    return scaled_[u] = r;
  }
  r.ok = true;
  return scaled_[u] = r;
}

Type Checker::ResolveType(const ModuleInfo& mi, const ast::TypeRef* t) {
  if (!t) return Type::Error();
  // Each written type is resolved (and its mistakes reported) once, however
  // often a field of that type is read.
  auto memo = resolved_types_.find(t);
  if (memo != resolved_types_.end()) return memo->second;
  Type result = ResolveTypeOnce(mi, t);
  resolved_types_[t] = result;
  return result;
}

Type Checker::ResolveTypeOnce(const ModuleInfo& mi, const ast::TypeRef* t) {
  switch (t->kind) {
    case ast::TypeRef::Kind::Optional: return Type::Wrap(TypeKind::Optional, ResolveType(mi, t->inner.get()));
    case ast::TypeRef::Kind::Set: return Type::Wrap(TypeKind::Set, ResolveType(mi, t->inner.get()));
    case ast::TypeRef::Kind::Named: break;
  }
  const std::string& n = t->name;
  if (n.empty()) return Type::Error();  // did not parse; the syntax error is reported
  auto number = [&](TypeKind k) {
    int64_t factor = 1;
    std::optional<Unit> u = ResolveUnit(mi, t->unit, &factor);
    if (u && factor != 1) {
      diags_.Emit(Kind::TypeMismatch, t->unit.range, Tick(u->ToString()), Tick(ast::PrintUnit(t->unit)))
          .Help(fmt::format("`{0}` is {1} `{2}`: write the type in `{2}`; amounts in rules may still be "
                            "written in `{0}`, e.g. `1_700 {0}`",
                            ast::PrintUnit(t->unit), factor, u->ToString()));
    }
    return u ? Type::Number(k, *u) : Type::Error();
  };
  auto no_unit = [&](Type ty) {
    if (t->unit.present()) {
      diags_.Emit(Kind::TypeMismatch, t->unit.range, "no unit", Tick(ast::PrintUnit(t->unit)))
          .Help("only `Int` and `Decimal` carry units");
    }
    return ty;
  };
  if (n == "Int") return number(TypeKind::Int);
  if (n == "Decimal") return number(TypeKind::Decimal);
  if (n == "Bool") return no_unit(Type::Simple(TypeKind::Bool));
  if (n == "Date") return no_unit(Type::Simple(TypeKind::Date));
  if (n == "Text") return no_unit(Type::Simple(TypeKind::Text));
  if (n == "Country") return no_unit(Type::Simple(TypeKind::Country));
  bool ambiguous = false;
  auto sym = LookupAt(mi, Ns::Type, n, t->range, &ambiguous);
  if (ambiguous) return Type::Error();
  if (!sym) {
    auto d = diags_.Emit(Kind::UnknownName, t->range, n);
    std::string s = Suggest(mi, Ns::Type, n);
    d.Help(s.empty() ? "the built-in types are `Bool`, `Int`, `Decimal`, `Date`, `Text` and `Country`"
                     : fmt::format("did you mean `{}`?", s));
    return Type::Error();
  }
  switch (sym->kind) {
    case Symbol::Kind::Enum: return no_unit(Type::Of(TypeKind::Enum, sym->decl));
    case Symbol::Kind::Outcome: return no_unit(Type::Of(TypeKind::Outcome, sym->decl));
    case Symbol::Kind::Record:
    case Symbol::Kind::Table: return no_unit(Record(sym->decl));
    default: return Type::Error();
  }
}

}  // namespace edict::sema
