// Declarations: units and types, constants/lets/sets, caps, rules and
// exceptions, `prefer`, amendment actions, tests and regimes.
#include <algorithm>

#include "edict/runtime/checked.h"
#include "edict/runtime/date.h"
#include "sema/checker.h"

namespace edict::sema {

using diag::Kind;

// E0311 for `who`, naming the first two inputs it reads in declaration order.
void Checker::ReportTwoInputs(SourceRange at, const std::string& who, const std::set<const ast::Decl*>& read) {
  std::vector<const ast::Decl*> v(read.begin(), read.end());
  std::sort(v.begin(), v.end(), [](const ast::Decl* a, const ast::Decl* b) {
    return std::make_pair(a->range.file, a->range.begin) < std::make_pair(b->range.file, b->range.begin);
  });
  diags_.Emit(Kind::TwoInputs, at, who, v[0]->name.name, v[1]->name.name)
      .Help("read one input per rule; other records can be looked up in a `table`, e.g. `licences[s.id]`");
}

void Checker::NoteDecl(diag::Builder& b, const ast::Decl* d, const std::string& what) {
  if (!d) return;
  std::string label = what;
  if (!d->doc.empty()) {
    std::string first = d->doc.substr(0, d->doc.find('\n'));
    label += ": " + first;
  } else if (!d->title.empty()) {
    label += ": " + d->title;
  }
  b.NoteAt(d->name.range, label);
}

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

// ---- const / let / set ------------------------------------------------------------

Type Checker::ValueDeclType(const ModuleInfo& mi, const ast::ValueDecl& d, std::set<const ast::Decl*>* inputs) {
  ValueState& st = values_[&d];
  if (st.done) {
    if (inputs) inputs->insert(st.inputs.begin(), st.inputs.end());
    return st.type;
  }
  if (st.visiting) {
    std::string chain;
    auto it = std::find(value_stack_.begin(), value_stack_.end(), &d);
    for (; it != value_stack_.end(); ++it) chain += "`" + (*it)->name.name + "` → ";
    chain += "`" + d.name.name + "`";
    diags_.Emit(Kind::DefinitionCycle, d.name.range, d.name.name, chain)
        .Help("define one of them without the others");
    return Type::Error();
  }
  if (d.has_syntax_error) return Type::Error();
  st.visiting = true;
  value_stack_.push_back(&d);
  ExprCtx ctx;
  ctx.mi = &mi;
  std::set<const ast::Decl*> read;
  ctx.inputs = &read;
  bool is_const = d.kind == ast::DeclKind::Const;
  bool is_set = d.kind == ast::DeclKind::Set;
  if (is_const) ctx.constant_what = "a constant";
  if (is_set) ctx.constant_what = "a set's members";

  Type declared;
  bool has_declared = d.type != nullptr;
  if (has_declared) {
    declared = ResolveType(mi, d.type.get());
    // `set Tier1: Country = {...}` names the element type.
    if (is_set && declared.kind != TypeKind::Set) declared = Type::Wrap(TypeKind::Set, declared);
  }
  Type t = CheckExpr(ctx, d.value, has_declared ? &declared : nullptr);
  if (is_set && !t.IsError() && t.kind != TypeKind::Set) {
    diags_.Emit(Kind::TypeMismatch, d.value->range, "a set", Tick(t.ToString()))
        .Help(fmt::format("write the members in braces: `{{ {} }}`", ast::PrintExpr(d.value)));
    t = Type::Error();
  } else if (has_declared && !t.Matches(declared)) {
    auto b = diags_.Emit(Kind::TypeMismatch, d.value->range, Tick(declared.ToString()), Tick(t.ToString()));
    b.Label(t.ToString()).NoteAt(d.type->range, "declared type");
    if (t.IsNumber() && declared.IsNumber() && t.unit.empty()) {
      b.Help(fmt::format("give the number its unit, e.g. `{} {}`", ast::PrintExpr(d.value),
                         declared.unit.AfterNumber()));
    } else if (declared.kind == TypeKind::Date && d.value->kind == ast::ExprKind::TextLit) {
      b.Help(fmt::format("a date is written without quotes: `{}`", d.value->text));
    }
  }
  Type result = has_declared ? declared : t;
  if (read.size() > 1) {
    ReportTwoInputs(d.name.range, d.name.name, read);
    // Reported here: the rules that use it are not reported again for it;
    // they go on as if it read only the first input declared.
    const ast::Decl* first = *std::min_element(read.begin(), read.end(), [](const ast::Decl* a, const ast::Decl* b) {
      return std::make_pair(a->range.file, a->range.begin) < std::make_pair(b->range.file, b->range.begin);
    });
    read = {first};
  }
  if (is_const && t.kind == TypeKind::Int) {
    bool overflow = false;
    ConstInt(mi, d.value, &overflow);
    if (overflow) {
      diags_.Emit(Kind::ConstantOverflow, d.value->range)
          .Help("whole numbers are exact 64-bit integers; a larger unit keeps the number small");
    }
  }
  if (is_set) {
    const ast::SetDecl& s = static_cast<const ast::SetDecl&>(d);
    std::optional<int32_t> last;
    for (const auto& ch : s.changes) {
      Type mt = CheckExpr(ctx, ch.members, result.IsError() ? nullptr : &result);
      if (!mt.IsError() && !result.IsError() && mt.kind != TypeKind::Set) {
        diags_.Emit(Kind::TypeMismatch, ch.members->range, Tick(result.ToString()), Tick(mt.ToString()))
            .Help(fmt::format("write the members in braces: `{{ {} }}`", ast::PrintExpr(ch.members)));
      } else if (!mt.IsError() && !result.IsError() && !mt.Matches(result)) {
        diags_.Emit(Kind::MixedSet, ch.members->range, result.Inner().ToString(), mt.Inner().ToString())
            .Help(fmt::format("`{}` holds `{}`; add members of that type", d.name.name, result.Inner().ToString()));
      }
      if (last && ch.on.date < *last) {
        diags_.Emit(Kind::DatesUnordered, ch.on.range, ch.add ? "an addition" : "a removal",
                    rt::FormatDate(ch.on.date), rt::FormatDate(*last))
            .Help("list membership changes in date order, so the set reads as its history");
      }
      last = std::max(last.value_or(ch.on.date), ch.on.date);
    }
  }
  value_stack_.pop_back();
  st.visiting = false;
  st.done = true;
  st.type = result;
  st.inputs = read;
  if (inputs) inputs->insert(read.begin(), read.end());
  return result;
}

// ---- caps -------------------------------------------------------------------------

void Checker::CheckCap(const ModuleInfo& mi, const ast::CapDecl& c) {
  for (const auto& [what, range] : c.repeated) {
    diags_.Emit(Kind::RepeatedClause, range, fmt::format("`{}` is given twice", what))
        .Help("a cap has one of each clause, except `limit`");
  }
  Type unit_type = Type::Error();
  if (!c.counts) {
    diags_.Emit(Kind::MissingClause, c.name.range, "cap", c.name.name, "counts")
        .Help("say what the cap measures, e.g. `counts TPP`");
  } else {
    int64_t factor = 1;
    if (auto u = ResolveUnit(mi, *c.counts, &factor)) {
      if (factor != 1) {
        diags_.Emit(Kind::TypeMismatch, c.counts->range, Tick(u->ToString()), Tick(ast::PrintUnit(*c.counts)))
            .Help(fmt::format("a cap counts in the base unit `{}`; its limit can be written in `{}`",
                              u->ToString(), ast::PrintUnit(*c.counts)));
      }
      unit_type = Type::Number(TypeKind::Int, *u);
    }
  }
  if (c.period == ast::Period::None) {
    diags_.Emit(Kind::MissingClause, c.name.range, "cap", c.name.name, "each")
        .Help("say when the cap starts over: `each calendar year`, `each quarter`, `each month`, or a fixed "
              "`over 2025-01-13 through 2027-12-31`");
  }
  if (c.period == ast::Period::Window && c.window_through.date < c.window_from.date) {
    diags_.Emit(Kind::EmptyWindow, c.period_range, rt::FormatDate(c.window_from.date),
                rt::FormatDate(c.window_through.date))
        .Help("write the first day, then the last: `over 2025-01-13 through 2027-12-31`");
  }
  ExprCtx ctx;
  ctx.mi = &mi;
  std::set<const ast::Decl*> read;
  ctx.inputs = &read;
  for (const ast::Expr* k : c.keys) {
    Type t = CheckExpr(ctx, k);
    Type bare = t.kind == TypeKind::Optional ? t.Inner() : t;
    bool ok = bare.IsError() || bare.kind == TypeKind::Text || bare.kind == TypeKind::Country ||
              bare.kind == TypeKind::Enum || bare.kind == TypeKind::Int;
    if (!ok) {
      diags_.Emit(Kind::BadKeyType, k->range, t.ToString())
          .Help("key the cap by whom the quota is for, e.g. `per s.consignee`");
    }
  }
  if (read.size() > 1) {
    ReportTwoInputs(c.keys_range, c.name.name, read);
  }
  if (c.limits.empty()) {
    diags_.Emit(Kind::MissingClause, c.name.range, "cap", c.name.name, "limit")
        .Help("give the quota: `limit 26_900_000 TPP`");
  }
  ExprCtx cctx;
  cctx.mi = &mi;
  cctx.constant_what = "a cap's limit";
  std::optional<int32_t> last;
  int undated = 0;
  for (const auto& l : c.limits) {
    Type t = CheckExpr(cctx, l.value, unit_type.IsError() ? nullptr : &unit_type);
    if (!t.IsError() && !unit_type.IsError() && !t.Matches(unit_type)) {
      auto d = diags_.Emit(Kind::TypeMismatch, l.value->range, Tick(unit_type.ToString()), Tick(t.ToString()));
      d.Label(t.ToString()).Help(fmt::format("cap `{}` counts `{}`", c.name.name, unit_type.ToString()));
    } else if (t.kind == TypeKind::Int) {
      bool overflow = false;
      auto v = ConstInt(mi, l.value, &overflow);
      if (overflow) diags_.Emit(Kind::ConstantOverflow, l.value->range);
      else if (v && *v < 0) {
        diags_.Emit(Kind::TypeMismatch, l.value->range, "a limit of 0 or more", Tick(ast::PrintExpr(l.value)));
      }
    }
    if (!l.from) {
      if (++undated == 2) {
        diags_.Emit(Kind::RepeatedClause, l.range, "`limit` is given twice")
            .Help("a later limit takes a date: `limit 270_000 H100e from 2026-01-01`");
      }
    } else {
      if (last && l.from->date < *last) {
        diags_.Emit(Kind::DatesUnordered, l.from->range, "a limit", rt::FormatDate(l.from->date),
                    rt::FormatDate(*last))
            .Help("list a cap's limits in date order");
      }
      last = std::max(last.value_or(l.from->date), l.from->date);
    }
  }
  if (c.cites.empty()) {
    diags_.Emit(Kind::MissingCitation, c.name.range, "cap", c.name.name)
        .Help("add `cites \"15 CFR 740.29(a)\"` (where the quota is set)");
  }
}

// ---- rules ------------------------------------------------------------------------

const ast::OutcomeDecl* Checker::OutcomeInScope(const ModuleInfo& mi) const {
  for (const ModuleInfo* p : mi.visible) {
    for (const auto& d : p->m->decls) {
      if (auto* o = ast::As<ast::OutcomeDecl>(d.get())) return o;
    }
  }
  return nullptr;
}

std::optional<Symbol> Checker::ResolveRule(const ModuleInfo& mi, const ast::Named& n, bool report) {
  if (!report) return LookupOne(mi, Ns::Rule, n.name);
  bool ambiguous = false;
  auto sym = LookupAt(mi, Ns::Rule, n.name, n.range, &ambiguous);
  if (sym || ambiguous || MissingModule(mi, n.name)) return sym;
  size_t dot = n.name.find('.');
  std::string where = dot == std::string::npos ? mi.name() : n.name.substr(0, dot);
  std::string bare = dot == std::string::npos ? n.name : n.name.substr(dot + 1);
  auto d = diags_.Emit(Kind::UnknownRule, n.range, bare, where);
  std::string s = Suggest(mi, Ns::Rule, bare);
  if (!s.empty()) d.Help(fmt::format("did you mean `{}`?", s));
  else d.Help("rules are named by the word after `rule` or `exception`");
  return std::nullopt;
}

void Checker::CheckFlagName(const ModuleInfo& mi, const ast::Named& n) {
  if (LookupOne(mi, Ns::Flag, n.name)) return;
  if (BrokenDeclInScope(mi, {ast::DeclKind::Flags})) return;  // it may be the one lost
  auto d = diags_.Emit(Kind::UnknownFlag, n.range, n.name);
  std::string s = Suggest(mi, Ns::Flag, n.name);
  d.Help(s.empty() ? fmt::format("declare it: `flags {{ {} \"what it warns of\" }}`", n.name)
                   : fmt::format("did you mean `{}`?", s));
}

void Checker::CheckOutcomeValue(const ModuleInfo& mi, const ast::Expr* e, const char* clause) {
  const ast::OutcomeDecl* o = OutcomeInScope(mi);
  if (!o) {
    diags_.Emit(Kind::NoOutcome, e->range, clause)
        .Help("declare the decisions: `outcome Decision { NLR, LICENSE_REQUIRED(Review) } otherwise NLR`");
    return;
  }
  ExprCtx ctx;
  ctx.mi = &mi;
  ctx.constant_what = "an outcome";
  Type want = Type::Of(TypeKind::Outcome, o);
  Type t = CheckExpr(ctx, e, &want);
  if (!t.Matches(want)) {
    diags_.Emit(Kind::TypeMismatch, e->range, Tick(want.ToString()), Tick(t.ToString()))
        .Label(t.ToString())
        .Help(fmt::format("a rule decides one of the variants of `{}`", o->name.name));
  }
}

void Checker::CheckRule(const ModuleInfo& mi, const ast::RuleDecl& r) {
  for (const auto& [what, range] : r.repeated) {
    diags_.Emit(Kind::RepeatedClause, range, fmt::format("`{}` is given twice", what))
        .Help(what == "when" ? "join the conditions with `and` or `or`" : "keep one");
  }
  RuleInfo info{&r, &mi, nullptr};
  if (r.exception_to) {
    if (auto base = ResolveRule(mi, *r.exception_to, true)) {
      info.base = static_cast<const ast::RuleDecl*>(base->decl);
      out_.exception_base[&r] = info.base;
    }
  }
  rules_.push_back(info);

  ExprCtx ctx;
  ctx.mi = &mi;
  std::set<const ast::Decl*> read;
  ctx.inputs = &read;
  if (r.when) {
    CheckBool(ctx, r.when);
    if (r.when->kind == ast::ExprKind::BoolLit && !r.when->bool_value) {
      diags_.Emit(Kind::NeverApplies, r.name.range, r.name.name, "its condition is `false`")
          .Help("repeal a rule with an amendment rather than disabling it");
    }
  }
  if (r.then) CheckOutcomeValue(mi, r.then, "then");
  if (!r.then && r.flags.empty()) {
    diags_.Emit(Kind::RuleDecidesNothing, r.name.range, r.name.name)
        .Help("add `then LICENSE_REQUIRED(DENIAL)` (a decision) or `flag GP10` (a warning)");
  }
  for (const auto& f : r.flags) CheckFlagName(mi, f);
  for (const auto& ch : r.charges) {
    Type amount = CheckExpr(ctx, ch.amount);
    bool ambiguous = false;
    auto cap = LookupAt(mi, Ns::Cap, ch.cap.name, ch.cap.range, &ambiguous);
    if (ambiguous || (!cap && MissingModule(mi, ch.cap.name))) continue;
    if (!cap) {
      // Declared, but not as a cap: a rule, a constant, ...
      std::optional<Symbol> other;
      for (Ns ns : {Ns::Value, Ns::Rule, Ns::Flag, Ns::Type, Ns::Unit, Ns::Regime}) {
        if ((other = LookupOne(mi, ns, ch.cap.name))) break;
      }
      if (other) {
        diags_.Emit(Kind::WrongKindOfName, ch.cap.range, ch.cap.name, KindPhrase(other->kind), "a cap")
            .Help("`charge` draws on a cap: `charge allowance by s.quantity`");
        continue;
      }
      auto d = diags_.Emit(Kind::UnknownName, ch.cap.range, ch.cap.name);
      size_t dot = ch.cap.name.find('.');
      std::string bare = dot == std::string::npos ? ch.cap.name : ch.cap.name.substr(dot + 1);
      std::string s = Suggest(mi, Ns::Cap, bare);
      if (!s.empty()) {
        d.Help(fmt::format("`charge` names a cap: did you mean the cap `{}`?", s));
      } else {
        std::vector<std::string> caps;
        for (const ModuleInfo* p : mi.visible) {
          for (const auto& dp : p->m->decls) {
            if (dp->kind == ast::DeclKind::Cap && !dp->name.name.empty()) caps.push_back(Tick(dp->name.name));
          }
        }
        std::string list;
        for (size_t i = 0; i < caps.size() && i < 8; ++i) {
          list += (i ? (i + 1 == std::min<size_t>(caps.size(), 8) && caps.size() <= 8 ? " and " : ", ") : "") + caps[i];
        }
        if (caps.size() > 8) list += fmt::format(" and {} more", caps.size() - 8);
        d.Help(caps.empty() ? fmt::format("`charge` names a cap, and no cap is in scope: declare it with `cap {}`", bare)
                            : fmt::format("`charge` names a cap; the caps in scope are {}", list));
      }
      continue;
    }
    auto* cd = static_cast<const ast::CapDecl*>(cap->decl);
    out_.charge_cap[&ch] = cd;
    if (amount.IsError() || !cd->counts || cd->has_syntax_error) continue;
    int64_t factor = 1;
    std::optional<Unit> cu = ResolveUnit(*decl_module_.at(cd), *cd->counts, &factor);
    if (!cu) continue;
    if (amount.kind == TypeKind::Decimal) {
      diags_.Emit(Kind::ChargeNotInteger, ch.amount->range, amount.ToString())
          .Help("caps keep exact whole numbers; charge an `Int`");
    } else if (amount.kind != TypeKind::Int || amount.unit != *cu) {
      auto d = diags_.Emit(Kind::ChargeUnitMismatch, ch.amount->range, cd->name.name, cu->ToString(),
                           amount.ToString());
      d.Label(amount.ToString());
      NoteDecl(d, cd, "the cap");
      Unit missing = cu->Over(amount.unit);
      d.Help(missing.empty() || amount.kind != TypeKind::Int
                 ? fmt::format("charge an amount in `{}`", cu->ToString())
                 : fmt::format("multiply by an amount in `{}` to get `{}`", missing.ToString(), cu->ToString()));
    }
  }
  if (read.size() > 1) {
    ReportTwoInputs(r.name.range, r.name.name, read);
  }
  CheckDateOrder("`effective`", r.effective, "`through`", r.through, false);
  // A rule outside the life of its regulation never applies.
  const ast::Header& h = mi.m->header;
  if (r.through && h.effective && r.through->date < h.effective->date) {
    diags_.Emit(Kind::NeverApplies, r.name.range, r.name.name,
                fmt::format("it ends ({}) before `{}` takes effect ({})", rt::FormatDate(r.through->date),
                            h.name.name, rt::FormatDate(h.effective->date)))
        .Help("check the rule's `through` date against the regulation's `effective` date");
  }
  // A sunset before the effective date is reported with the header (E0401);
  // rules are not measured against it.
  bool sunset_ok = !h.effective || !h.sunset || h.sunset->date > h.effective->date;
  if (r.effective && h.sunset && sunset_ok && r.effective->date >= h.sunset->date) {
    diags_.Emit(Kind::NeverApplies, r.name.range, r.name.name,
                fmt::format("it starts ({}) after `{}` sunsets ({})", rt::FormatDate(r.effective->date),
                            h.name.name, rt::FormatDate(h.sunset->date)))
        .Help("check the rule's `effective` date against the regulation's `sunset`");
  }
  if (r.cites.empty()) {
    diags_.Emit(Kind::MissingCitation, r.name.range, r.exception_to ? "exception" : "rule", r.name.name)
        .Help("add `cites \"15 CFR 740.27\"`: every decision shows where it comes from");
  }
}

// ---- amendments ---------------------------------------------------------------------

void Checker::CheckAction(const ModuleInfo& mi, const ast::Decl& d) {
  const char* verb = ast::DeclKeyword(d.kind);
  if (mi.m->header.kind != ast::ModuleKind::Amendment) {
    diags_.Emit(Kind::NotAnAmendment, d.range.begin == d.range.end ? d.range : SourceRange{d.range.file, d.range.begin, d.range.begin + static_cast<uint32_t>(std::string(verb).size())}, verb)
        .Help(fmt::format("start an amendment file: `amendment NAME to {} \"title\"`", mi.name()));
    return;
  }
  // An amendment whose regulation is unknown (E0204, E0208, E0212): what
  // its actions name cannot be looked up.
  if (!mi.target) return;
  const ast::Named* target = nullptr;
  if (auto* s = ast::As<ast::SuspendDecl>(&d)) target = &s->target;
  if (auto* r = ast::As<ast::RepealDecl>(&d)) target = &r->target;
  if (auto* r = ast::As<ast::ReplaceDecl>(&d)) target = &r->target;
  if (!target || target->name.empty()) return;
  bool replace = d.kind == ast::DeclKind::Replace;
  const char* participle = d.kind == ast::DeclKind::Suspend ? "suspended" : d.kind == ast::DeclKind::Repeal ? "repealed"
                                                                                                         : "replaced";

  // What it names: a rule, a constant or set, anything else declared (which
  // cannot be amended), or a whole regulation.
  std::optional<Symbol> sym;
  bool ambiguous = false;
  for (Ns ns : {Ns::Rule, Ns::Value, Ns::Cap, Ns::Type, Ns::Unit, Ns::Flag, Ns::Regime}) {
    sym = LookupAt(mi, ns, target->name, target->range, &ambiguous);
    if (sym || ambiguous) break;
  }
  if (ambiguous) return;
  const ModuleInfo* whole = sym ? nullptr : FindModule(target->name);
  if (!sym && !whole) {
    if (MissingModule(mi, target->name)) return;  // `groups.x`, where `use groups` was not found (E0204)
    std::string where = mi.target->name();
    size_t dot = target->name.find('.');
    std::string bare = dot == std::string::npos ? target->name : target->name.substr(dot + 1);
    if (dot != std::string::npos) where = target->name.substr(0, dot);
    auto b = diags_.Emit(Kind::UnknownRule, target->range, bare, where);
    std::string s = Suggest(mi, Ns::Rule, bare);
    b.Help(s.empty() ? fmt::format("an amendment names a rule, constant or set of `{}`, or a whole regulation", where)
                     : fmt::format("did you mean `{}`?", s));
    return;
  }

  // Whether this action can apply to it: E0510 otherwise, and nothing more
  // is checked about the target.
  std::string why;  // the help line when it cannot
  if (whole) {
    if (whole == &mi) {
      why = fmt::format("this is the amendment itself; to end it, give its header a `sunset`");
    } else if (whole->m->header.kind == ast::ModuleKind::Library) {
      why = "a library holds shared declarations, not rules in force";
    } else if (replace) {
      why = "replace its rules one by one, or repeal it and add new rules";
    }
  } else {
    using K = Symbol::Kind;
    switch (sym->kind) {
      case K::Rule: break;
      case K::Const:
      case K::Set:
        if (!replace) {
          why = fmt::format("{} is not in force by itself; {} the rules that use it, or replace its value",
                            KindPhrase(sym->kind), verb);
        }
        break;
      case K::Flag: why = fmt::format("a flag is raised by rules; {} the rules that raise it", verb); break;
      case K::OutcomeVariant:
        why = replace ? "an amendment replaces rules, constants and sets"
                      : fmt::format("a decision is not in force by itself; {} the rules that reach it", verb);
        break;
      case K::Regime:
        why = replace ? "an amendment replaces rules, constants and sets"
                      : fmt::format("a regime only groups modules; {} the regulations it includes", verb);
        break;
      default:
        why = replace ? "an amendment replaces rules, constants and sets"
                      : fmt::format("{} is not in force by itself; {} the rules that use it", KindPhrase(sym->kind), verb);
        break;
    }
  }
  if (!why.empty()) {
    diags_.Emit(Kind::BadAmendTarget, target->range, target->name, participle).Help(why);
  } else {
    if (sym) out_.action_decl[&d] = sym->decl;
    else out_.action_module[&d] = whole->m;
  }

  if (auto* s = ast::As<ast::SuspendDecl>(&d); s && s->through && s->through->date < s->from.date) {
    diags_.Emit(Kind::EmptyWindow, s->through->range, rt::FormatDate(s->from.date), rt::FormatDate(s->through->date))
        .NoteAt(s->from.range, "the suspension starts here")
        .Help("`through` is the last day of the suspension");
  }
  if (auto* r = ast::As<ast::ReplaceDecl>(&d); r && sym && why.empty()) {
    if (sym->kind == Symbol::Kind::Rule) {
      if (r->with->kind != ast::ExprKind::Name) {
        diags_.Emit(Kind::TypeMismatch, r->with->range, "the name of a rule", Tick(ast::PrintExpr(r->with)))
            .Help("declare the new rule in this amendment and name it: `replace lpp on 2026-01-01 with lpp_2026`");
      } else if (auto nr = ResolveRule(mi, {r->with->text, r->with->range}, true)) {
        out_.replace_with[&d] = static_cast<const ast::RuleDecl*>(nr->decl);
        if (nr->decl == sym->decl) {
          diags_.Emit(Kind::NoChange, r->with->range, fmt::format("`{}` is replaced with itself", r->with->text))
              .Help("declare the new rule in this amendment and name it after `with`");
        }
      }
    } else if (auto* vd = dynamic_cast<const ast::ValueDecl*>(sym->decl)) {
      ExprCtx ctx;
      ctx.mi = &mi;
      ctx.constant_what = "a replacement value";
      std::set<const ast::Decl*> none;
      Type want = ValueDeclType(*decl_module_.at(sym->decl), *vd, &none);
      Type got = CheckExpr(ctx, r->with, want.IsError() ? nullptr : &want);
      if (!got.Matches(want)) {
        auto b = diags_.Emit(Kind::TypeMismatch, r->with->range, Tick(want.ToString()), Tick(got.ToString()));
        b.Label(got.ToString());
        NoteDecl(b, sym->decl, "the value replaced");
      }
    }
  }
  const auto& h = mi.m->header;
  std::optional<ast::Dated> when;
  if (auto* s = ast::As<ast::SuspendDecl>(&d)) when = s->from;
  if (auto* r = ast::As<ast::RepealDecl>(&d)) when = r->on;
  if (auto* r = ast::As<ast::ReplaceDecl>(&d)) when = r->on;
  CheckDateOrder("the amendment's effective date", h.effective, std::string("`").append(verb).append("`").c_str(), when, false);
}

// ---- tests ----------------------------------------------------------------------------

void Checker::CheckTest(const ModuleInfo& mi, const ast::TestDecl& t) {
  ExprCtx vctx;
  vctx.mi = &mi;
  vctx.constant_what = "a test value";
  // field -> where it was set, per input
  using Assigned = std::map<std::string, SourceRange>;
  const ast::InputDecl* input = nullptr;
  // Returns false when an assignment's field could not be told (E0508,
  // E0203): the row is then not checked for unset fields, which would only
  // repeat that mistake.
  auto check_assigns = [&](const std::vector<ast::Assignment>& as, Assigned& into) {
    Assigned here;
    bool understood = true;
    for (const auto& a : as) {
      const ast::Expr* tg = a.target;
      if (tg->kind != ast::ExprKind::Field || tg->kids[0]->kind != ast::ExprKind::Name) {
        auto b = diags_.Emit(Kind::NotAssignable, tg->range);
        if (tg->kind == ast::ExprKind::Name && mi.default_input) {
          b.Help(fmt::format("write `{}.{}`", mi.default_input->name.name, tg->text));
        } else {
          b.Help("write `s.quantity = 1_699`");
        }
        CheckExpr(vctx, a.value);
        understood = false;
        continue;
      }
      bool ambiguous = false;
      auto sym = LookupAt(mi, Ns::Value, tg->kids[0]->text, tg->kids[0]->range, &ambiguous);
      if (ambiguous) {
        understood = false;
        continue;
      }
      if (!sym || sym->kind != Symbol::Kind::Input) {
        auto b = diags_.Emit(Kind::NotAssignable, tg->kids[0]->range);
        if (sym) b.Label(std::string("this is ") + KindPhrase(sym->kind));
        b.Help("write `s.quantity = 1_699`");
        CheckExpr(vctx, a.value);
        understood = false;
        continue;
      }
      auto* in = ast::As<ast::InputDecl>(sym->decl);
      if (input && input != in) {
        diags_.Emit(Kind::TwoInputs, tg->range, t.title, input->name.name, in->name.name)
            .Help("a test fills in the one input its rules read");
      }
      input = in;
      Type rt = ResolveType(*decl_module_.at(in), in->type.get());
      const ast::RecordDecl* rec = rt.kind == TypeKind::Record ? ast::As<ast::RecordDecl>(rt.decl) : nullptr;
      if (!rec) continue;
      const ast::FieldDecl* field = nullptr;
      for (const auto& f : rec->fields) {
        if (f.name.name == tg->text) field = &f;
      }
      if (!field) {
        if (!rec->has_syntax_error) diags_.Emit(Kind::UnknownField, tg->range, rec->name.name, tg->text);
        CheckExpr(vctx, a.value);
        understood = false;
        continue;
      }
      Type ft = ResolveType(*decl_module_.at(rec), field->type.get());
      const Type& want = ft.kind == TypeKind::Optional ? ft.Inner() : ft;
      Type got = CheckExpr(vctx, a.value, &want);
      if (!got.Matches(want)) {
        auto b = diags_.Emit(Kind::TypeMismatch, a.value->range, Tick(want.ToString()), Tick(got.ToString()));
        b.Label(got.ToString());
        if (got.IsNumber() && got.unit.empty() && !want.unit.empty()) {
          b.Help(fmt::format("write the unit: `{} {}`", ast::PrintExpr(a.value), want.unit.AfterNumber()));
        }
      }
      if (here.count(tg->text)) {
        diags_.Emit(Kind::RepeatedClause, tg->range, fmt::format("`{}` is given twice", ast::PrintExpr(tg)))
            .NoteAt(here[tg->text], "first set here")
            .Help("keep one; a row may change a field its test's `given` line sets");
      }
      here[tg->text] = tg->range;
      into[tg->text] = tg->range;
    }
    return understood;
  };
  Assigned given;
  bool given_understood = check_assigns(t.given, given);
  for (const auto& row : t.rows) {
    Assigned all = given;
    bool understood = check_assigns(row.sets, all) && given_understood;
    if (row.expect) CheckOutcomeValue(mi, row.expect, "expect");
    for (const auto& f : row.flags) CheckFlagName(mi, f);
    const ast::InputDecl* in = input ? input : mi.default_input;
    if (!in || !understood) continue;
    Type rt = ResolveType(*decl_module_.at(in), in->type.get());
    const ast::RecordDecl* rec = rt.kind == TypeKind::Record ? ast::As<ast::RecordDecl>(rt.decl) : nullptr;
    if (!rec) continue;
    std::vector<std::string> missing;
    for (const auto& f : rec->fields) {
      if (f.type && f.type->kind == ast::TypeRef::Kind::Optional) continue;
      if (!all.count(f.name.name)) missing.push_back("`" + in->name.name + "." + f.name.name + "`");
    }
    if (!missing.empty()) {
      std::string list;
      for (size_t i = 0; i < missing.size() && i < 4; ++i) list += (i ? ", " : "") + missing[i];
      if (missing.size() > 4) list += fmt::format(" and {} more", missing.size() - 4);
      diags_.Emit(Kind::TestFieldUnset, row.range, list)
          .Help("set it in the test's `given` line (shared by every row) or in the row");
    }
  }
  if (t.rows.empty()) {
    diags_.Emit(Kind::MissingClause, t.range, "test", t.title, "row")
        .Help("add `row s.quantity = 1 expect NLR`");
  }
}

// ---- units and prefer ---------------------------------------------------------------

void Checker::CheckUnitDecl(const ModuleInfo& mi, const ast::UnitDecl& u) {
  if (!u.factor) return;
  const ast::Expr* f = u.factor;
  if (f->kind != ast::ExprKind::IntLit) {
    diags_.Emit(Kind::TypeMismatch, f->range, "a whole number", Tick(ast::PrintExpr(f)))
        .Help("a scaled unit is a whole multiple of another, so that amounts stay exact");
    return;
  }
  if (f->int_value <= 0) {
    diags_.Emit(Kind::TypeMismatch, f->range, "a positive number", Tick(ast::PrintExpr(f)));
    return;
  }
  const auto& factors = f->unit.factors;
  if (factors.size() != 1 || factors[0].name.empty() || factors[0].exponent != 1) {
    diags_.Emit(Kind::TypeMismatch, f->unit.range, "one unit name", Tick(ast::PrintUnit(f->unit)))
        .Help(fmt::format("a scaled unit is a whole multiple of one unit name; write `{}` where the amount is "
                          "needed, or name it with `const`",
                          ast::PrintExpr(f)));
    return;
  }
  // Followed first, so that a cycle is reported at its first unit.
  const ScaledUnit b = BaseOf(&u);
  // An unknown (E0313) or ambiguous (E0210) unit is reported here.
  int64_t factor = 1;
  ResolveUnit(mi, f->unit, &factor);
  if (b.cycle && !unit_cycle_reported_.count(&u)) {
    std::string chain;
    for (const ast::UnitDecl* p : b.path) {
      chain += (chain.empty() ? "" : " → ") + Tick(p->name.name);
      unit_cycle_reported_.insert(p);
    }
    diags_.Emit(Kind::DefinitionCycle, f->unit.range, u.name.name, chain)
        .Help("one unit of the chain must be a base unit, declared without `=`");
  } else if (b.overflow) {
    diags_.Emit(Kind::ConstantOverflow, f->range)
        .Help(fmt::format("`{}` in its base unit does not fit in a 64-bit integer; choose a smaller unit", u.name.name));
  }
}

// `prefer a, b, c`: rules with one base, each named once. Exceptions to one
// rule, or general rules (semantics.md §5); two different bases is an error.
void Checker::CheckPrefer(const ModuleInfo& mi, const ast::PreferDecl& p) {
  std::map<const ast::RuleDecl*, const ast::Named*> seen;
  const ast::Named* first = nullptr;
  const ast::RuleDecl* first_base = nullptr;
  // The base an exception names, or nullptr for a general rule; false when
  // it names no known rule (E0207, reported with the exception).
  auto base_of = [&](const ast::RuleDecl* r, const ast::RuleDecl** base) {
    *base = nullptr;
    if (!r->exception_to) return true;
    auto b = ResolveRule(*decl_module_.at(r), *r->exception_to, false);
    if (!b) return false;
    *base = static_cast<const ast::RuleDecl*>(b->decl);
    return true;
  };
  auto describe = [](const ast::RuleDecl* base) {
    return base ? fmt::format("an exception to `{}`", base->name.name) : std::string("a general rule");
  };
  for (const auto& n : p.order) {
    auto s = ResolveRule(mi, n, true);
    if (!s) continue;
    auto* rule = static_cast<const ast::RuleDecl*>(s->decl);
    if (seen.count(rule)) {
      diags_.Emit(Kind::DuplicateName, n.range, n.name, "listed")
          .NoteAt(seen[rule]->range, "first listed here")
          .Help("name each rule once; the first listed decides first");
      continue;
    }
    seen[rule] = &n;
    out_.named_rule[&n] = rule;
    const ast::RuleDecl* base = nullptr;
    if (!base_of(rule, &base)) continue;
    if (!first) {
      first = &n;
      first_base = base;
      continue;
    }
    if (base != first_base) {
      diags_.Emit(Kind::WrongKindOfName, n.range, n.name, describe(base), describe(first_base))
          .NoteAt(first->range, fmt::format("`{}` is {}", first->name, describe(first_base)))
          .Help("`prefer` ranks exceptions to one rule, or general rules; write one `prefer` for each");
    }
  }
}

// ---- dispatch ---------------------------------------------------------------------------

void Checker::CheckDecl(const ModuleInfo& mi, const ast::Decl& d) {
  switch (d.kind) {
    case ast::DeclKind::Unit: CheckUnitDecl(mi, static_cast<const ast::UnitDecl&>(d)); break;
    case ast::DeclKind::Enum:
      for (const auto& v : static_cast<const ast::EnumDecl&>(d).variants) {
        if (!v.payload) continue;
        diags_.Emit(Kind::PayloadMismatch, v.payload->range, v.name.name, "takes no basis")
            .Help(fmt::format("only the variants of an `outcome` carry a basis; write `{}` alone", v.name.name));
      }
      break;
    case ast::DeclKind::Flags: break;
    case ast::DeclKind::Outcome: {
      auto& o = static_cast<const ast::OutcomeDecl&>(d);
      for (const auto& v : o.variants) {
        if (!v.payload) continue;
        Type p = ResolveType(mi, v.payload.get());
        if (!p.IsError() && p.kind != TypeKind::Enum) {
          diags_.Emit(Kind::TypeMismatch, v.payload->range, "an enum", Tick(p.ToString()))
              .Help("an outcome's basis is one of a fixed list: declare it with `enum`");
        }
      }
      if (o.otherwise) {
        auto it = std::find_if(o.variants.begin(), o.variants.end(),
                               [&](const ast::Variant& v) { return v.name.name == o.otherwise->name; });
        if (it == o.variants.end()) {
          diags_.Emit(Kind::UnknownVariant, o.otherwise->range, o.otherwise->name, o.name.name)
              .Help(VariantList(fmt::format("the variants of `{}` are", o.name.name), o.variants));
        } else if (it->payload) {
          diags_.Emit(Kind::PayloadMismatch, o.otherwise->range, o.otherwise->name, "needs a basis, so it cannot be the default")
              .Help("the default decision applies when no rule does; pick a variant without a basis");
        }
      }
      break;
    }
    case ast::DeclKind::Record:
    case ast::DeclKind::Table: {
      const auto& fields = d.kind == ast::DeclKind::Record ? static_cast<const ast::RecordDecl&>(d).fields
                                                           : static_cast<const ast::TableDecl&>(d).fields;
      std::map<std::string, SourceRange> seen;
      int keys = 0;
      for (const auto& f : fields) {
        if (seen.count(f.name.name)) {
          diags_.Emit(Kind::DuplicateName, f.name.range, f.name.name, "declared")
              .NoteAt(seen[f.name.name], "first declared here")
              .Help("a record has one column of each name; remove or rename one");
        }
        seen[f.name.name] = f.name.range;
        Type ft = ResolveType(mi, f.type.get());
        out_.field_types[&f] = ft;
        keys += f.is_key;
        // `at least` / `at most`: a constant of the field's own type.
        for (const ast::Expr* bound : {f.at_least, f.at_most}) {
          if (!bound || ft.IsError()) continue;
          const Type& want = ft.kind == TypeKind::Optional ? ft.Inner() : ft;
          ExprCtx ctx;
          ctx.mi = &mi;
          ctx.constant_what = "a field's bound";
          Type got = CheckExpr(ctx, bound, &want);
          if (got.IsError()) continue;
          if (!(want.IsNumber() || want.kind == TypeKind::Date)) {
            diags_.Emit(Kind::BadOperands, bound->range, f.at_least == bound ? "at least" : "at most",
                        want.ToString(), got.ToString())
                .Help("only numbers and dates have bounds");
          } else if (!got.Matches(want) && !(want.kind == TypeKind::Decimal && got.kind == TypeKind::Int &&
                                             got.unit == want.unit)) {
            diags_.Emit(Kind::TypeMismatch, bound->range, Tick(want.ToString()), Tick(got.ToString()))
                .Label(got.ToString())
                .Help(want.unit.empty() || want.kind == TypeKind::Date
                          ? std::string("write the bound as a value of the field's type")
                          : fmt::format("write the bound in the field's unit, e.g. `{} {} {}`",
                                        f.at_least == bound ? "at least" : "at most",
                                        (bound->kind == ast::ExprKind::IntLit || bound->kind == ast::ExprKind::DecimalLit) &&
                                                !bound->unit.present()
                                            ? ast::PrintExpr(bound)
                                            : std::string("1"),
                                        want.unit.AfterNumber()));
          }
        }
      }
      if (d.kind == ast::DeclKind::Table && keys != 1) {
        diags_.Emit(Kind::BadTableKey, d.name.range, d.name.name, keys)
            .Help(keys == 0 ? "mark the column rows are looked up by: `name: Text key`"
                            : "rows are looked up by one column; keep `key` on that one only");
      }
      break;
    }
    case ast::DeclKind::Input: {
      auto& in = static_cast<const ast::InputDecl&>(d);
      Type t = ResolveType(mi, in.type.get());
      if (!t.IsError() && !(t.kind == TypeKind::Record && ast::As<ast::RecordDecl>(t.decl))) {
        diags_.Emit(Kind::TypeMismatch, in.type->range, "a record", Tick(t.ToString()))
            .Help("an input is one row of the ledger: declare its columns with `record`");
      }
      break;
    }
    case ast::DeclKind::Const:
    case ast::DeclKind::Let:
    case ast::DeclKind::Set:
      ValueDeclType(mi, static_cast<const ast::ValueDecl&>(d), nullptr);
      break;
    case ast::DeclKind::Cap: CheckCap(mi, static_cast<const ast::CapDecl&>(d)); break;
    case ast::DeclKind::Rule: CheckRule(mi, static_cast<const ast::RuleDecl&>(d)); break;
    case ast::DeclKind::Prefer: CheckPrefer(mi, static_cast<const ast::PreferDecl&>(d)); break;
    case ast::DeclKind::Suspend:
    case ast::DeclKind::Repeal:
    case ast::DeclKind::Replace: CheckAction(mi, d); break;
    case ast::DeclKind::Test: CheckTest(mi, static_cast<const ast::TestDecl&>(d)); break;
    case ast::DeclKind::Regime:
      for (const auto& n : static_cast<const ast::RegimeDecl&>(d).includes) {
        if (!FindModule(n.name)) {
          diags_.Emit(Kind::UnknownModule, n.range, n.name)
              .Help("a regime includes regulations and amendments by their header names");
        }
      }
      break;
  }
}

}  // namespace edict::sema
