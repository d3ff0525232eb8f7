// Declarations: caps, rules and exceptions, and amendment actions.
#include <algorithm>

#include "edict/runtime/checked.h"
#include "edict/runtime/date.h"
#include "sema/checker.h"

namespace edict::sema {

using diag::Kind;

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

}  // namespace edict::sema
