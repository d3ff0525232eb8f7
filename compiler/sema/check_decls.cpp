// Declarations: constants/lets/sets, tests, unit declarations, `prefer`, and
// the dispatch by declaration kind (units and types: check_units.cpp; caps,
// rules and amendments: check_rules.cpp).
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
