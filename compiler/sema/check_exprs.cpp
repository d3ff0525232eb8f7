// Expressions: name resolution (values, enum variants, country codes,
// qualified names), types, units, optionals, and constant folding of whole
// numbers for overflow checks.
#include <algorithm>
#include <cctype>

#include "edict/runtime/checked.h"
#include "edict/runtime/country.h"
#include "sema/checker.h"

namespace edict::sema {

using diag::Kind;
using ast::ExprKind;
using ast::Op;

namespace {

bool LooksLikeCountry(const std::string& s) {
  if (s.size() < 2 || s.size() > 3) return false;
  for (char c : s) {
    if (!std::isalpha(static_cast<unsigned char>(c))) return false;
  }
  return s.size() == 2 ? std::isupper(static_cast<unsigned char>(s[0])) && std::isupper(static_cast<unsigned char>(s[1]))
                       : rt::SuggestCountry(s).has_value();
}

const char* Verb(Op op) {
  switch (op) {
    case Op::Add: return "add";
    case Op::Sub: return "subtract";
    case Op::Otherwise: return "combine";
    default: return "compare";
  }
}

}  // namespace

void Checker::NoteRef(const ast::Expr* e, const Symbol& s) {
  using K = Symbol::Kind;
  Ref::Kind k;
  switch (s.kind) {
    case K::Input: k = Ref::Kind::Input; break;
    case K::Const: k = Ref::Kind::Const; break;
    case K::Let: k = Ref::Kind::Let; break;
    case K::Set: k = Ref::Kind::Set; break;
    case K::Variant: k = Ref::Kind::Variant; break;
    case K::OutcomeVariant: k = Ref::Kind::OutcomeVariant; break;
    case K::Table: k = Ref::Kind::Table; break;
    default: return;
  }
  out_.refs[e] = Ref{k, s.decl, s.index};
}

Type Checker::CheckBool(const ExprCtx& ctx, const ast::Expr* e) {
  Type t = CheckExpr(ctx, e);
  if (!t.IsError() && t.kind != TypeKind::Bool) {
    auto d = diags_.Emit(Kind::NotBool, e->range, t.ToString()).Label(t.ToString());
    if (t.kind == TypeKind::Optional && t.Inner().kind == TypeKind::Bool) {
      d.Help(fmt::format("write `{} otherwise false` to say what an absent value means", ast::PrintExpr(e)));
    } else {
      d.Help("compare it with something, e.g. `x > 0` or `x in SomeSet`");
    }
  }
  return Type::Simple(TypeKind::Bool);
}

Type Checker::CheckExpr(const ExprCtx& ctx, const ast::Expr* e, const Type* expected) {
  if (!e) return Type::Error();
  Type t;
  switch (e->kind) {
    case ExprKind::Error: t = Type::Error(); break;
    case ExprKind::IntLit:
    case ExprKind::DecimalLit: {
      TypeKind k = e->kind == ExprKind::IntLit ? TypeKind::Int : TypeKind::Decimal;
      int64_t factor = 1;
      std::optional<Unit> u = ResolveUnit(*ctx.mi, e->unit, &factor);
      if (!u) { t = Type::Error(); break; }
      if (factor != 1) out_.literal_factor[e] = factor;
      if (k == TypeKind::Int && factor != 1) {
        int64_t out;
        if (rt::MulOverflows(e->int_value, factor, &out)) {
          diags_.Emit(Kind::ConstantOverflow, e->range)
              .Help(fmt::format("`{}` is {} `{}`; the product does not fit", ast::PrintUnit(e->unit), factor,
                                u->ToString()));
        }
      }
      t = Type::Number(k, *u);
      break;
    }
    case ExprKind::PercentLit: t = Type::Number(TypeKind::Decimal, {}); break;
    case ExprKind::TextLit: t = Type::Simple(TypeKind::Text); break;
    case ExprKind::DateLit: t = Type::Simple(TypeKind::Date); break;
    case ExprKind::BoolLit: t = Type::Simple(TypeKind::Bool); break;
    case ExprKind::Name: t = CheckName(ctx, e, expected); break;
    case ExprKind::Field: t = CheckField(ctx, e, expected); break;
    case ExprKind::Index: {
      Type base = CheckExpr(ctx, e->kids[0]);
      if (base.IsError()) { CheckExpr(ctx, e->kids[1]); t = Type::Error(); break; }
      const ast::TableDecl* table = base.kind == TypeKind::Record ? ast::As<ast::TableDecl>(base.decl) : nullptr;
      if (!table) {
        diags_.Emit(Kind::BadOperands, e->range, "[ ]", base.ToString(), "a key")
            .Help("only a `table` can be looked up by key, e.g. `entity_list[s.consignee]`");
        CheckExpr(ctx, e->kids[1]);
        t = Type::Error();
        break;
      }
      Type key_type = Type::Error();
      for (const auto& f : table->fields) {
        if (f.is_key) key_type = ResolveType(*decl_module_.at(table), f.type.get());
      }
      Type k = CheckExpr(ctx, e->kids[1], &key_type);
      if (!k.Matches(key_type) && !(k.kind == TypeKind::Optional && k.Inner().Matches(key_type))) {
        diags_.Emit(Kind::TypeMismatch, e->kids[1]->range, Tick(key_type.ToString()), Tick(k.ToString()))
            .Help(fmt::format("`{}` is keyed by `{}`", table->name.name, key_type.ToString()));
      }
      t = Type::Wrap(TypeKind::Optional, Record(table));
      break;
    }
    case ExprKind::Call: t = CheckCall(ctx, e, expected); break;
    case ExprKind::SetLit: {
      const Type* elem_expected = expected && expected->kind == TypeKind::Set ? expected->elem.get() : nullptr;
      Type elem = elem_expected ? *elem_expected : Type::Error();
      bool have = elem_expected != nullptr;
      for (const ast::Expr* k : e->kids) {
        Type kt = CheckExpr(ctx, k, have ? &elem : nullptr);
        if (kt.IsError()) continue;
        if (!have) {
          elem = kt;
          have = true;
        } else if (!kt.Matches(elem)) {
          diags_.Emit(Kind::MixedSet, k->range, elem.ToString(), kt.ToString())
              .Label(kt.ToString())
              .Help(fmt::format("every member must be a `{}`", elem.ToString()));
        }
      }
      t = Type::Wrap(TypeKind::Set, elem);
      break;
    }
    case ExprKind::Unary: {
      if (e->op == Op::Not) {
        CheckBool(ctx, e->kids[0]);
        t = Type::Simple(TypeKind::Bool);
      } else {
        Type in = CheckExpr(ctx, e->kids[0]);
        if (!in.IsError() && !in.IsNumber()) {
          diags_.Emit(Kind::BadOperands, e->range, "-", in.ToString(), in.ToString())
              .Help("`-` works on numbers (`Int`, `Decimal`)");
          in = Type::Error();
        }
        t = in;
      }
      break;
    }
    case ExprKind::Binary: t = CheckBinary(ctx, e); break;
    case ExprKind::In: {
      Type rhs = CheckExpr(ctx, e->kids[1]);
      const Type* elem = nullptr;
      Type key_type;
      if (rhs.kind == TypeKind::Set) {
        elem = rhs.elem.get();
      } else if (rhs.kind == TypeKind::Record && ast::As<ast::TableDecl>(rhs.decl)) {
        for (const auto& f : ast::As<ast::TableDecl>(rhs.decl)->fields) {
          if (f.is_key) key_type = ResolveType(*decl_module_.at(rhs.decl), f.type.get());
        }
        elem = &key_type;
      } else if (!rhs.IsError()) {
        diags_.Emit(Kind::TypeMismatch, e->kids[1]->range, "a set or a table", Tick(rhs.ToString()))
            .Help("`in` tests membership, e.g. `s.consignee_country in Tier1`");
      }
      Type lhs = CheckExpr(ctx, e->kids[0], elem);
      Type bare = lhs.kind == TypeKind::Optional ? lhs.Inner() : lhs;
      if (elem && !bare.Matches(*elem)) {
        diags_.Emit(Kind::TypeMismatch, e->kids[0]->range, Tick(elem->ToString()), Tick(lhs.ToString()))
            .Label(lhs.ToString())
            .Help(fmt::format("the members of `{}` are `{}`", ast::PrintExpr(e->kids[1]), elem->ToString()));
      }
      t = Type::Simple(TypeKind::Bool);
      break;
    }
    case ExprKind::Is: {
      Type in = CheckExpr(ctx, e->kids[0]);
      if (!in.IsError() && in.kind != TypeKind::Optional) {
        diags_.Emit(Kind::NoChange, e->range,
                    fmt::format("`{}` is never absent, so this condition is always {}", ast::PrintExpr(e->kids[0]),
                                (e->text == "present") != e->negated ? "true" : "false"))
            .Help("only `optional` fields can be absent");
      }
      t = Type::Simple(TypeKind::Bool);
      break;
    }
    case ExprKind::If: {
      CheckBool(ctx, e->kids[0]);
      Type a = CheckExpr(ctx, e->kids[1], expected);
      Type b = CheckExpr(ctx, e->kids[2], a.IsError() ? expected : &a);
      if (!a.Matches(b)) {
        diags_.Emit(Kind::TypeMismatch, e->kids[2]->range, Tick(a.ToString()), Tick(b.ToString()))
            .Help("both branches of `if` give the same type");
      }
      t = a.IsError() ? b : a;
      break;
    }
  }
  out_.expr_types[e] = t;
  return t;
}

Type Checker::CheckBinary(const ExprCtx& ctx, const ast::Expr* e) {
  const ast::Expr* l = e->kids[0];
  const ast::Expr* r = e->kids[1];
  if (e->op == Op::And || e->op == Op::Or) {
    CheckBool(ctx, l);
    CheckBool(ctx, r);
    return Type::Simple(TypeKind::Bool);
  }
  // Check the side that does not need context first, so that `x == UVEU`
  // resolves `UVEU` against the type of `x`.
  // A side that is `<error>` is passed on as the hint all the same, so that
  // an ambiguous variant on the other side is not reported as well.
  bool right_first = l->kind == ExprKind::Name && r->kind != ExprKind::Name;
  Type a, b;
  if (right_first) {
    b = CheckExpr(ctx, r);
    a = CheckExpr(ctx, l, &b);
  } else {
    a = CheckExpr(ctx, l);
    const Type* hint = a.kind == TypeKind::Optional ? a.elem.get() : &a;
    b = CheckExpr(ctx, r, hint);
  }
  if (a.IsError() || b.IsError()) {
    bool cmp = e->op >= Op::Eq && e->op <= Op::Ge;
    return cmp ? Type::Simple(TypeKind::Bool) : Type::Error();
  }

  auto absent = [&](const ast::Expr* side, const Type& t) {
    diags_.Emit(Kind::MaybeAbsent, side->range, ast::PrintExpr(side))
        .Label(t.ToString())
        .Help(fmt::format("say what an absent value means: `{} otherwise …`", ast::PrintExpr(side)));
  };
  auto bad = [&]() {
    bool order = e->op >= Op::Lt && e->op <= Op::Ge;
    diags_.Emit(Kind::BadOperands, e->range, ast::OpSpelling(e->op), a.ToString(), b.ToString())
        .Help(order ? fmt::format("`{}` orders numbers or dates; text can only be compared with `==` or `!=`",
                                  ast::OpSpelling(e->op))
                    : fmt::format("`{}` works on numbers (`Int`, `Decimal`)", ast::OpSpelling(e->op)));
    return Type::Error();
  };
  auto unit_mismatch = [&]() {
    auto d = diags_.Emit(Kind::UnitMismatch, e->range, Verb(e->op), a.ToString(), b.ToString());
    d.NoteAt(l->range, "this is `" + a.ToString() + "`").NoteAt(r->range, "this is `" + b.ToString() + "`");
    if (a.unit.empty() || b.unit.empty()) {
      // The side without a unit, if it is a number as written, with the
      // other side's unit.
      const ast::Expr* bare = a.unit.empty() ? l : r;
      const Unit& want = a.unit.empty() ? b.unit : a.unit;
      bool literal = (bare->kind == ExprKind::IntLit || bare->kind == ExprKind::DecimalLit) && !bare->unit.present();
      d.Help(literal ? fmt::format("give the number its unit: `{} {}`", ast::PrintExpr(bare), want.AfterNumber())
                     : fmt::format("give the number its unit, e.g. `1 {}`", want.AfterNumber()));
    } else {
      d.Help("convert one side: multiply or divide by a quantity with the right unit");
    }
  };

  switch (e->op) {
    case Op::Otherwise: {
      if (a.kind != TypeKind::Optional) {
        diags_.Emit(Kind::NoChange, e->range,
                    fmt::format("`{}` is never absent, so `otherwise` has no effect", ast::PrintExpr(l)))
            .Help("remove `otherwise …`");
        return a;
      }
      if (!a.Inner().Matches(b)) {
        diags_.Emit(Kind::TypeMismatch, r->range, Tick(a.Inner().ToString()), Tick(b.ToString())).Label(b.ToString());
      }
      return a.Inner();
    }
    case Op::Eq:
    case Op::Ne: {
      Type x = a.kind == TypeKind::Optional ? a.Inner() : a;
      Type y = b.kind == TypeKind::Optional ? b.Inner() : b;
      if (x.IsNumber() && y.IsNumber()) {
        if (x.unit != y.unit) unit_mismatch();
        return Type::Simple(TypeKind::Bool);
      }
      if (!x.Matches(y)) {
        diags_.Emit(Kind::TypeMismatch, r->range, Tick(x.ToString()), Tick(y.ToString()))
            .Label(y.ToString())
            .NoteAt(l->range, "this is `" + x.ToString() + "`");
      }
      return Type::Simple(TypeKind::Bool);
    }
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge: {
      if (a.kind == TypeKind::Optional) { absent(l, a); return Type::Simple(TypeKind::Bool); }
      if (b.kind == TypeKind::Optional) { absent(r, b); return Type::Simple(TypeKind::Bool); }
      if (a.IsNumber() && b.IsNumber()) {
        if (a.unit != b.unit) unit_mismatch();
      } else if (!(a.kind == TypeKind::Date && b.kind == TypeKind::Date)) {
        bad();
      }
      return Type::Simple(TypeKind::Bool);
    }
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div: {
      if (a.kind == TypeKind::Optional) { absent(l, a); return Type::Error(); }
      if (b.kind == TypeKind::Optional) { absent(r, b); return Type::Error(); }
      if ((e->op == Op::Add || e->op == Op::Sub) && a.kind == TypeKind::Set && b.kind == TypeKind::Set) {
        if (!a.Matches(b)) {
          diags_.Emit(Kind::MixedSet, e->range, a.Inner().ToString(), b.Inner().ToString());
          return Type::Error();
        }
        return a.Inner().IsError() ? b : a;
      }
      if (!a.IsNumber() || !b.IsNumber()) return bad();
      TypeKind k = (a.kind == TypeKind::Decimal || b.kind == TypeKind::Decimal || e->op == Op::Div)
                       ? TypeKind::Decimal
                       : TypeKind::Int;
      if (e->op == Op::Mul) return Type::Number(k, a.unit.Times(b.unit));
      if (e->op == Op::Div) return Type::Number(k, a.unit.Over(b.unit));
      if (a.unit != b.unit) {
        unit_mismatch();
        return Type::Error();
      }
      return Type::Number(k, a.unit);
    }
    default:
      return bad();
  }
}

Type Checker::VariantType(const Symbol& s, const ast::Expr* at, bool called) {
  if (s.kind == Symbol::Kind::Variant) return Type::Of(TypeKind::Enum, s.decl);
  auto* o = ast::As<ast::OutcomeDecl>(s.decl);
  const ast::Variant& v = o->variants[static_cast<size_t>(s.index)];
  if (v.payload && !called) {
    diags_.Emit(Kind::PayloadMismatch, at->range, v.name.name,
                "needs a basis, a `" + ast::PrintType(v.payload.get()) + "`")
        .Help(fmt::format("write `{}(…)` with one `{}`", v.name.name, ast::PrintType(v.payload.get())));
  }
  return Type::Of(TypeKind::Outcome, s.decl);
}

Type Checker::SymbolType(const ExprCtx& ctx, const Symbol& s, const ast::Expr* at) {
  using K = Symbol::Kind;
  switch (s.kind) {
    case K::Input: {
      if (ctx.constant_what) {
        diags_.Emit(Kind::NotConstant, at->range, ctx.constant_what)
            .Help("a transaction's fields can be read in `let`, `when`, `charge` and cap keys");
        return Type::Error();
      }
      if (ctx.inputs) ctx.inputs->insert(s.decl);
      auto* in = ast::As<ast::InputDecl>(s.decl);
      return ResolveType(*decl_module_.at(s.decl), in->type.get());
    }
    case K::Const:
    case K::Let:
    case K::Set: {
      std::set<const ast::Decl*> inputs;
      Type t = ValueDeclType(*decl_module_.at(s.decl), *static_cast<const ast::ValueDecl*>(s.decl), &inputs);
      if (!inputs.empty()) {
        if (ctx.constant_what) {
          diags_.Emit(Kind::NotConstant, at->range, ctx.constant_what)
              .Help(fmt::format("`{}` reads a transaction", s.decl->name.name));
          return Type::Error();
        }
        if (ctx.inputs) ctx.inputs->insert(inputs.begin(), inputs.end());
      }
      return t;
    }
    case K::Variant:
    case K::OutcomeVariant: return VariantType(s, at, false);
    case K::Table: return Record(s.decl);
    default:
      diags_.Emit(Kind::WrongKindOfName, at->range, at->text, KindPhrase(s.kind), "a value");
      return Type::Error();
  }
}

std::optional<Symbol> Checker::ChooseValue(const std::vector<Symbol>& found, const std::string& name,
                                           SourceRange at, const Type* expected) {
  if (!std::all_of(found.begin(), found.end(), IsVariant)) {
    ReportAmbiguous(found, name, at, Ns::Value);
    return std::nullopt;
  }
  // Variants of several enums or outcomes: the expected type decides.
  const Type* want = expected;
  if (want && want->kind == TypeKind::Optional) want = want->elem.get();
  if (want && want->IsError()) return std::nullopt;  // the type it should have is a mistake reported elsewhere
  if (!want) {
    ReportAmbiguous(found, name, at, Ns::Value);
    return std::nullopt;
  }
  for (const Symbol& s : found) {
    TypeKind k = s.kind == Symbol::Kind::Variant ? TypeKind::Enum : TypeKind::Outcome;
    if (want->kind == k && want->decl == s.decl) return s;
  }
  std::string owners;
  for (size_t i = 0; i < found.size(); ++i) {
    owners += (i ? (i + 1 == found.size() ? " or " : ", ") : "") + Tick(found[i].decl->name.name);
  }
  auto d = diags_.Emit(Kind::TypeMismatch, at, Tick(want->ToString()), Tick(name));
  d.Label("a variant of " + owners);
  if (auto* en = ast::As<ast::EnumDecl>(want->decl)) {
    d.Help(VariantList(fmt::format("the variants of `{}` are", en->name.name), en->variants));
  } else if (auto* oc = ast::As<ast::OutcomeDecl>(want->decl)) {
    d.Help(VariantList(fmt::format("the variants of `{}` are", oc->name.name), oc->variants));
  }
  return std::nullopt;
}

Type Checker::CheckName(const ExprCtx& ctx, const ast::Expr* e, const Type* expected) {
  const std::string& name = e->text;
  if (name.empty()) return Type::Error();  // did not parse; the syntax error is reported
  std::vector<Symbol> found = Lookup(*ctx.mi, Ns::Value, name);
  if (found.size() > 1) {
    auto chosen = ChooseValue(found, name, e->range, expected);
    if (!chosen) return Type::Error();
    found = {*chosen};
  }
  if (found.size() == 1) {
    NoteRef(e, found[0]);
    return SymbolType(ctx, found[0], e);
  }

  // Not a declared name: maybe a country code.
  if (rt::IsIsoCountry(name)) {
    out_.refs[e] = Ref{Ref::Kind::Country, nullptr, rt::CountryIndex(name)};
    return Type::Simple(TypeKind::Country);
  }
  if (LooksLikeCountry(name)) {
    auto d = diags_.Emit(Kind::UnknownCountry, e->range, name);
    if (auto s = rt::SuggestCountry(name)) d.Help(fmt::format("did you mean `{}`?", *s));
    else d.Help("countries are written as ISO 3166-1 alpha-2 codes, like `US`, `CN` or `MO`");
    return Type::Simple(TypeKind::Country);
  }
  if (MissingModule(*ctx.mi, name)) return Type::Error();  // `use groups` not found: E0204 there
  if (FindModule(name)) {
    diags_.Emit(Kind::WrongKindOfName, e->range, name, "a regulation", "a value")
        .Help(fmt::format("name something in it: `{}.…`", name));
    return Type::Error();
  }
  // Declared, but not as a value: a unit, a type, a rule, a cap, ...
  if (auto u = LookupOne(*ctx.mi, Ns::Unit, name)) {
    diags_.Emit(Kind::WrongKindOfName, e->range, name, KindPhrase(u->kind), "a value")
        .Help(fmt::format("an amount is a number with its unit, e.g. `1 {}`; a compound unit goes in brackets, "
                          "e.g. `4_800 [TPP/{}]`",
                          name, name));
    return Type::Error();
  }
  for (Ns ns : {Ns::Type, Ns::Rule, Ns::Cap, Ns::Flag, Ns::Regime}) {
    if (auto other = LookupOne(*ctx.mi, ns, name)) {
      diags_.Emit(Kind::WrongKindOfName, e->range, name, KindPhrase(other->kind), "a value")
          .Help("a value is a constant, a `let` definition, a set, an input or a variant");
      return Type::Error();
    }
  }
  // An enum or outcome that did not parse may have lost this variant.
  if (BrokenDeclInScope(*ctx.mi, {ast::DeclKind::Enum, ast::DeclKind::Outcome})) return Type::Error();
  auto d = diags_.Emit(Kind::UnknownName, e->range, name);
  // `us`: a country code in the wrong case, rather than a near name.
  std::string upper = name;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::optional<std::string> country;
  if (std::all_of(name.begin(), name.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); })) {
    if (upper.size() == 2 && rt::IsIsoCountry(upper)) country = upper;
    else if (upper.size() == 3 && rt::SuggestCountry(upper)) country = std::string(*rt::SuggestCountry(upper));
  }
  std::string s = Suggest(*ctx.mi, Ns::Value, name);
  if (country) d.Help(fmt::format("did you mean the country `{}`? country codes are written in capitals", *country));
  else if (!s.empty()) d.Help(fmt::format("did you mean `{}`?", s));
  else d.Help("declare it with `const`, `let` or `set`, or `use` the library that does");
  return Type::Error();
}

Type Checker::CheckField(const ExprCtx& ctx, const ast::Expr* e, const Type* expected) {
  const ast::Expr* base = e->kids[0];
  // `Module.name` and `Enum.Variant`.
  if (base->kind == ExprKind::Name && Lookup(*ctx.mi, Ns::Value, base->text).empty()) {
    if (const ModuleInfo* m = FindModule(base->text)) {
      auto it = m->names[static_cast<int>(Ns::Value)].find(e->text);
      if (it == m->names[static_cast<int>(Ns::Value)].end() || it->second.empty()) {
        diags_.Emit(Kind::UnknownName, e->range, base->text + "." + e->text)
            .Help(fmt::format("`{}` declares no value named `{}`", base->text, e->text));
        return Type::Error();
      }
      Symbol sym = it->second.front();
      if (it->second.size() > 1) {
        auto chosen = ChooseValue(it->second, e->text, e->range, expected);
        if (!chosen) return Type::Error();
        sym = *chosen;
      }
      NoteRef(e, sym);
      return SymbolType(ctx, sym, e);
    }
    bool ambiguous = false;
    auto ty = LookupAt(*ctx.mi, Ns::Type, base->text, base->range, &ambiguous);
    if (ambiguous) return Type::Error();
    if (ty && (ty->kind == Symbol::Kind::Enum || ty->kind == Symbol::Kind::Outcome)) {
      // The variant of that enum, wherever the enum is declared.
      const auto& variants = ty->kind == Symbol::Kind::Enum ? ast::As<ast::EnumDecl>(ty->decl)->variants
                                                            : ast::As<ast::OutcomeDecl>(ty->decl)->variants;
      for (size_t i = 0; i < variants.size(); ++i) {
        if (variants[i].name.name != e->text) continue;
        Symbol s{ty->kind == Symbol::Kind::Enum ? Symbol::Kind::Variant : Symbol::Kind::OutcomeVariant, ty->decl,
                 ty->module, static_cast<int>(i), variants[i].name.range};
        NoteRef(e, s);
        return VariantType(s, e, false);
      }
      if (ty->decl->has_syntax_error) return Type::Error();  // the variant may be the one lost
      diags_.Emit(Kind::UnknownVariant, e->range, e->text, base->text)
          .Help(VariantList(fmt::format("the variants of `{}` are", base->text), variants));
      return Type::Error();
    }
  }
  // `s.quantity` where no transaction may be read: underline the field read,
  // not just the input's name.
  if (ctx.constant_what && base->kind == ExprKind::Name) {
    std::vector<Symbol> found = Lookup(*ctx.mi, Ns::Value, base->text);
    if (found.size() == 1 && found[0].kind == Symbol::Kind::Input) {
      diags_.Emit(Kind::NotConstant, e->range, ctx.constant_what)
          .Help("a transaction's fields can be read in `let`, `when`, `charge` and cap keys");
      return Type::Error();
    }
  }
  Type bt = CheckExpr(ctx, base);
  if (bt.IsError()) return Type::Error();
  bool optional = bt.kind == TypeKind::Optional;
  const Type& rec = optional ? bt.Inner() : bt;
  if (rec.kind != TypeKind::Record) {
    diags_.Emit(Kind::UnknownField, e->range, rec.ToString(), e->text)
        .Help("only records and table rows have fields");
    return Type::Error();
  }
  const std::vector<ast::FieldDecl>* fields = nullptr;
  if (auto* r = ast::As<ast::RecordDecl>(rec.decl)) fields = &r->fields;
  if (auto* t = ast::As<ast::TableDecl>(rec.decl)) fields = &t->fields;
  for (const auto& f : *fields) {
    if (f.name.name != e->text) continue;
    out_.refs[e] = Ref{Ref::Kind::Field, rec.decl, static_cast<int>(&f - fields->data())};
    Type ft = ResolveType(*decl_module_.at(rec.decl), f.type.get());
    if (optional && ft.kind != TypeKind::Optional) return Type::Wrap(TypeKind::Optional, ft);
    return ft;
  }
  // A record that did not parse may have lost the field after its error.
  if (rec.decl->has_syntax_error) return Type::Error();
  auto d = diags_.Emit(Kind::UnknownField, e->range, rec.ToString(), e->text);
  std::string best;
  size_t best_len = 0;
  for (const auto& f : *fields) {
    // Prefer a field sharing the longest prefix with the unknown name.
    size_t n = 0;
    while (n < f.name.name.size() && n < e->text.size() && f.name.name[n] == e->text[n]) ++n;
    if (n > best_len) { best_len = n; best = f.name.name; }
  }
  if (best_len >= 3) d.Help(fmt::format("did you mean `{}`?", best));
  NoteDecl(d, rec.decl, "declared here");
  return Type::Error();
}

Type Checker::CheckCall(const ExprCtx& ctx, const ast::Expr* e, const Type* expected) {
  const std::string& fn = e->text;
  size_t n = e->kids.size();
  auto arity = [&](size_t want, const std::string& help) {
    if (n == want) return true;
    diags_.Emit(Kind::WrongArgCount, e->range, fn, fmt::format("{} argument{}", want, want == 1 ? "" : "s"), n)
        .Help(help);
    for (const ast::Expr* k : e->kids) CheckExpr(ctx, k);
    return false;
  };
  if (fn == "min" || fn == "max") {
    if (!arity(2, fmt::format("`{}(a, b)` gives the {} of two amounts in the same unit", fn,
                              fn == "min" ? "smaller" : "larger"))) {
      return Type::Error();
    }
    Type a = CheckExpr(ctx, e->kids[0]);
    Type b = CheckExpr(ctx, e->kids[1]);
    if (a.IsError() || b.IsError()) return Type::Error();
    if (!a.IsNumber() || !b.IsNumber()) {
      diags_.Emit(Kind::BadOperands, e->range, fn, a.ToString(), b.ToString())
          .Help(fmt::format("`{}` works on numbers (`Int`, `Decimal`)", fn));
      return Type::Error();
    }
    if (a.unit != b.unit) {
      diags_.Emit(Kind::UnitMismatch, e->range, "compare", a.ToString(), b.ToString())
          .NoteAt(e->kids[0]->range, "this is `" + a.ToString() + "`")
          .NoteAt(e->kids[1]->range, "this is `" + b.ToString() + "`")
          .Help("give both amounts the same unit");
      return Type::Error();
    }
    return a.kind == TypeKind::Decimal ? a : b;
  }
  if (fn == "year" || fn == "quarter" || fn == "month") {
    if (!arity(1, fmt::format("`{}(s.date)` takes one date", fn))) return Type::Error();
    Type a = CheckExpr(ctx, e->kids[0]);
    if (!a.IsError() && a.kind != TypeKind::Date) {
      diags_.Emit(Kind::TypeMismatch, e->kids[0]->range, "`Date`", Tick(a.ToString()))
          .Help(fmt::format("`{}(s.date)` takes one date", fn));
    }
    return Type::Number(TypeKind::Int, {});
  }
  // An outcome with its basis: `LICENSE_EXCEPTION(AIA)`.
  std::vector<Symbol> found = Lookup(*ctx.mi, Ns::Value, fn);
  const Symbol* outcome = nullptr;
  for (const Symbol& s : found) {
    if (s.kind != Symbol::Kind::OutcomeVariant) continue;
    // The one of the expected outcome; else the first (a second outcome
    // is reported as such, E0202).
    if (!outcome || (expected && expected->decl == s.decl && outcome->decl != expected->decl)) outcome = &s;
  }
  if (!outcome) {
    auto d = diags_.Emit(Kind::UnknownName, e->range, fn);
    d.Help("the functions are `min`, `max`, `year`, `quarter` and `month`; an outcome with a basis is written "
           "`LICENSE_EXCEPTION(AIA)`");
    for (const ast::Expr* k : e->kids) CheckExpr(ctx, k);
    return Type::Error();
  }
  NoteRef(e, *outcome);
  auto* o = ast::As<ast::OutcomeDecl>(outcome->decl);
  const ast::Variant& v = o->variants[static_cast<size_t>(outcome->index)];
  if (!v.payload) {
    diags_.Emit(Kind::PayloadMismatch, e->range, fn, "takes no basis")
        .Help(fmt::format("write `{}` alone", fn));
    for (const ast::Expr* k : e->kids) CheckExpr(ctx, k);
    return Type::Of(TypeKind::Outcome, o);
  }
  if (!arity(1, fmt::format("`{}` takes one basis, a `{}`", fn, ast::PrintType(v.payload.get())))) {
    return Type::Of(TypeKind::Outcome, o);
  }
  Type want = ResolveType(*decl_module_.at(o), v.payload.get());
  Type got = CheckExpr(ctx, e->kids[0], &want);
  if (!got.Matches(want)) {
    diags_.Emit(Kind::TypeMismatch, e->kids[0]->range, Tick(want.ToString()), Tick(got.ToString()))
        .Help(fmt::format("`{}` takes a `{}`", fn, want.ToString()));
  }
  return Type::Of(TypeKind::Outcome, o);
}

std::optional<int64_t> Checker::ConstInt(const ModuleInfo& mi, const ast::Expr* e, bool* overflow, int depth) {
  if (!e || depth > 64) return std::nullopt;  // 64: deeper than any sane constant; cycles are E0212
  ++depth;
  switch (e->kind) {
    case ExprKind::IntLit: {
      int64_t factor = 1;
      if (!ResolveUnit(mi, e->unit, &factor)) return std::nullopt;
      int64_t out;
      // A literal too large in its scaled unit is reported by CheckExpr.
      if (rt::MulOverflows(e->int_value, factor, &out)) return std::nullopt;
      return out;
    }
    case ExprKind::Name: {
      auto s = LookupOne(mi, Ns::Value, e->text);
      if (!s || s->kind != Symbol::Kind::Const) return std::nullopt;
      auto* c = static_cast<const ast::ConstDecl*>(s->decl);
      return ConstInt(*decl_module_.at(c), c->value, overflow, depth);
    }
    case ExprKind::Unary: {
      if (e->op != Op::Neg) return std::nullopt;
      auto v = ConstInt(mi, e->kids[0], overflow, depth);
      if (!v) return std::nullopt;
      int64_t out;
      if (rt::SubOverflows(0, *v, &out)) { *overflow = true; return std::nullopt; }
      return out;
    }
    case ExprKind::Binary: {
      if (e->op != Op::Add && e->op != Op::Sub && e->op != Op::Mul) return std::nullopt;
      auto a = ConstInt(mi, e->kids[0], overflow, depth);
      auto b = ConstInt(mi, e->kids[1], overflow, depth);
      if (!a || !b) return std::nullopt;
      int64_t out;
      bool of = e->op == Op::Add ? rt::AddOverflows(*a, *b, &out)
                : e->op == Op::Sub ? rt::SubOverflows(*a, *b, &out)
                                   : rt::MulOverflows(*a, *b, &out);
      if (of) { *overflow = true; return std::nullopt; }
      return out;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace edict::sema
