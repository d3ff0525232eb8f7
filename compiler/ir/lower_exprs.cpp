// ir::Lower, expressions: flat instructions, memoised per `let` and per
// constant; sets evaluated once per date on which any membership changes.
#include "ir/lowerer.h"

namespace edict::ir::lowering {

// ---- expressions -------------------------------------------------------------

InstId Lowerer::Lower(const ast::Expr* e) {
  auto it = expr_memo_.find(e);
  if (it != expr_memo_.end()) {
    if (poisoned_.count(e)) other_input_ = true;
    return it->second;
  }
  bool outer = other_input_;
  other_input_ = false;
  InstId id = LowerUncached(e);
  if (other_input_) poisoned_.insert(e);
  other_input_ = other_input_ || outer;
  expr_memo_[e] = id;
  return id;
}

InstId Lowerer::ValueOf(const ast::ValueDecl* d) {
  auto it = value_memo_.find(d);
  if (it != value_memo_.end()) {
    if (poisoned_.count(d->value)) other_input_ = true;
    return it->second;
  }
  InstId base = Lower(d->value);
  // Constants an amendment of the regime replaces become a date switch.
  std::vector<DateSwitch::Version> versions{{kMin, base}};
  auto range = replaces_.equal_range(d);
  for (auto r = range.first; r != range.second; ++r) {
    InstId v = Lower(r->second->with);
    if (p_.insts[v].ty != p_.insts[base].ty && p_.insts[base].ty == Ty::Dec) v = AsDec(v, r->second->with->range);
    versions.push_back({r->second->on.date, v});
  }
  InstId out = base;
  if (versions.size() > 1) {
    std::stable_sort(versions.begin(), versions.end(),
                     [](const auto& a, const auto& b) { return a.from < b.from; });
    p_.switches.push_back({d->name.name, versions});
    Inst in{Op::DateSwitch, p_.insts[base].ty};
    in.imm = static_cast<int64_t>(p_.switches.size() - 1);
    in.enum_id = p_.insts[base].enum_id;
    in.range = d->name.range;
    out = Emit(in);
  }
  value_memo_[d] = out;
  return out;
}

std::optional<int64_t> Lowerer::ConstSlot(const ast::Expr* e, Ty* ty) {
  const sema::Type& t = TypeOf(e);
  uint32_t enum_id = UINT32_MAX;
  bool opt = false;
  *ty = TyOf(t, &enum_id, &opt);
  switch (e->kind) {
    case ast::ExprKind::IntLit: {
      auto f = c_.literal_factor.find(e);
      return e->int_value * (f == c_.literal_factor.end() ? 1 : f->second);
    }
    case ast::ExprKind::TextLit: return Intern(e->text);
    case ast::ExprKind::DateLit: return e->date_value;
    case ast::ExprKind::BoolLit: return e->bool_value ? 1 : 0;
    case ast::ExprKind::DecimalLit:
    case ast::ExprKind::PercentLit: {
      InstId i = Lower(e);
      return p_.insts[i].imm;
    }
    case ast::ExprKind::Unary:
      if (e->op == ast::Op::Neg && e->kids[0]->kind == ast::ExprKind::IntLit) {
        auto v = ConstSlot(e->kids[0], ty);
        if (v) return -*v;
      }
      if (e->op == ast::Op::Neg &&
          (e->kids[0]->kind == ast::ExprKind::DecimalLit || e->kids[0]->kind == ast::ExprKind::PercentLit)) {
        auto v = ConstSlot(e->kids[0], ty);  // a decimal slot
        if (v) return AddDecimal(rt::Negate(p_.decimals[static_cast<size_t>(*v)]));
      }
      return std::nullopt;
    case ast::ExprKind::Name:
    case ast::ExprKind::Field: {
      const Ref* r = RefOf(e);
      if (!r) return std::nullopt;
      if (r->kind == Ref::Kind::Country) return r->index;
      if (r->kind == Ref::Kind::Variant) return r->index;
      if (r->kind == Ref::Kind::Const) {
        return ConstSlot(static_cast<const ast::ConstDecl*>(r->decl)->value, ty);
      }
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

void Lowerer::SetDates(const ast::Expr* e, std::set<int32_t>& dates) {
  if (!e) return;
  const Ref* r = RefOf(e);
  if (r && r->kind == Ref::Kind::Set) {
    auto* sd = static_cast<const ast::SetDecl*>(r->decl);
    for (const auto& ch : sd->changes) dates.insert(ch.on.date);
    auto range = replaces_.equal_range(sd);
    for (auto it = range.first; it != range.second; ++it) {
      dates.insert(it->second->on.date);
      SetDates(it->second->with, dates);
    }
    SetDates(sd->value, dates);
    for (const auto& ch : sd->changes) SetDates(ch.members, dates);
    return;
  }
  for (const ast::Expr* k : e->kids) SetDates(k, dates);
}

std::vector<int64_t> Lowerer::SetAt(const ast::Expr* e, int32_t day) {
  std::vector<int64_t> out;
  const Ref* r = RefOf(e);
  if (r && r->kind == Ref::Kind::Set) {
    auto* sd = static_cast<const ast::SetDecl*>(r->decl);
    const ast::Expr* value = sd->value;
    int32_t replaced_on = kMin;
    auto range = replaces_.equal_range(sd);
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second->on.date <= day && it->second->on.date >= replaced_on) {
        value = it->second->with;
        replaced_on = it->second->on.date;
      }
    }
    std::set<int64_t> members;
    for (int64_t m : SetAt(value, day)) members.insert(m);
    if (replaced_on == kMin) {
      for (const auto& ch : sd->changes) {
        if (ch.on.date > day) continue;
        for (int64_t m : SetAt(ch.members, day)) {
          if (ch.add) members.insert(m);
          else members.erase(m);
        }
      }
    }
    return {members.begin(), members.end()};
  }
  switch (e->kind) {
    case ast::ExprKind::SetLit:
      for (const ast::Expr* k : e->kids) {
        Ty ty;
        if (auto v = ConstSlot(k, &ty)) out.push_back(*v);
      }
      break;
    case ast::ExprKind::Binary: {
      std::vector<int64_t> a = SetAt(e->kids[0], day), b = SetAt(e->kids[1], day);
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      if (e->op == ast::Op::Add) std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
      else std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
      return out;
    }
    case ast::ExprKind::If: break;
    default: break;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

uint32_t Lowerer::SetOf(const ast::Expr* e) {
  const Ref* r = RefOf(e);
  // A named set is one table however often it is used.
  const void* memo_key = r && r->kind == Ref::Kind::Set ? static_cast<const void*>(r->decl) : e;
  auto it = set_memo_.find(memo_key);
  if (it != set_memo_.end()) return it->second;
  DatedSet s;
  s.name = r && r->kind == Ref::Kind::Set ? r->decl->name.name : ast::PrintExpr(e);
  uint32_t enum_id = UINT32_MAX;
  bool opt = false;
  const sema::Type& t = TypeOf(e);
  s.elem = t.kind == TypeKind::Set && t.elem ? TyOf(*t.elem, &enum_id, &opt) : Ty::Int;
  std::set<int32_t> dates{kMin};
  SetDates(e, dates);
  for (int32_t d : dates) {
    std::vector<int64_t> members = SetAt(e, d);
    if (!s.versions.empty() && s.versions.back().members == members) continue;
    s.versions.push_back({d, std::move(members)});
  }
  p_.sets.push_back(std::move(s));
  return set_memo_[memo_key] = static_cast<uint32_t>(p_.sets.size() - 1);
}

InstId Lowerer::LowerUncached(const ast::Expr* e) {
  const sema::Type& t = TypeOf(e);
  uint32_t enum_id = UINT32_MAX;
  bool optional = false;
  Ty ty = TyOf(t, &enum_id, &optional);
  SourceRange r = e->range;
  switch (e->kind) {
    case ast::ExprKind::Error: return Const(Ty::Bool, 0, r);
    case ast::ExprKind::IntLit: {
      Ty dummy;
      return Const(Ty::Int, *ConstSlot(e, &dummy), r);
    }
    case ast::ExprKind::DecimalLit:
    case ast::ExprKind::PercentLit: {
      std::optional<rt::Decimal> d = rt::ParseDecimal(e->text);
      rt::Decimal v = d.value_or(rt::Decimal{});
      if (e->kind == ast::ExprKind::PercentLit) v.units /= 100;  // exact: a percent has at most 7 decimals here
      auto f = c_.literal_factor.find(e);
      if (f != c_.literal_factor.end()) v.units *= f->second;
      Inst in{Op::Const, Ty::Dec};
      in.imm = AddDecimal(v);
      in.range = r;
      return Emit(in);
    }
    case ast::ExprKind::TextLit: return Const(Ty::Text, Intern(e->text), r);
    case ast::ExprKind::DateLit: return Const(Ty::Date, e->date_value, r);
    case ast::ExprKind::BoolLit: return Const(Ty::Bool, e->bool_value, r);
    case ast::ExprKind::Name:
    case ast::ExprKind::Field: {
      const Ref* ref = RefOf(e);
      if (ref) {
        switch (ref->kind) {
          case Ref::Kind::Const:
          case Ref::Kind::Let: return ValueOf(static_cast<const ast::ValueDecl*>(ref->decl));
          case Ref::Kind::Variant: return Const(Ty::Enum, ref->index, r, EnumId(ref->decl));
          case Ref::Kind::Country: return Const(Ty::Country, ref->index, r);
          case Ref::Kind::Field: {
            const ast::Expr* base = e->kids[0];
            if (base->kind == ast::ExprKind::Index) {
              const Ref* tref = RefOf(base->kids[0]);
              uint32_t table = tref ? table_ids_.at(tref->decl) : 0;
              Inst in{Op::TableGet, ty};
              in.a = Lower(base->kids[1]);
              in.imm = table;
              in.b = static_cast<InstId>(ref->index);
              in.optional = true;
              in.enum_id = enum_id;
              in.range = r;
              return Emit(in);
            }
            const Ref* bref = RefOf(base);
            if (!bref || bref->kind != Ref::Kind::Input || bref->decl != input_) {
              other_input_ = true;
              return Const(ty, 0, r, enum_id);
            }
            auto fm = field_memo_.find(ref->index);
            if (fm != field_memo_.end()) return fm->second;
            Inst in{Op::Field, ty};
            in.imm = ref->index;
            in.optional = optional;
            in.enum_id = enum_id;
            in.range = r;
            return field_memo_[ref->index] = Emit(in);
          }
          default: break;
        }
      }
      return Const(Ty::Bool, 0, r);
    }
    case ast::ExprKind::Index: {
      // Only reached through `is present` (see Is); a bare lookup means "found".
      const Ref* tref = RefOf(e->kids[0]);
      Inst in{Op::InTable, Ty::Bool};
      in.a = Lower(e->kids[1]);
      in.imm = tref ? table_ids_.at(tref->decl) : 0;
      in.range = r;
      return Emit(in);
    }
    case ast::ExprKind::Call: {
      const std::string& fn = e->text;
      if (fn == "year" || fn == "quarter" || fn == "month") {
        Inst in{fn == "year" ? Op::Year : fn == "quarter" ? Op::Quarter : Op::Month, Ty::Int};
        in.a = Lower(e->kids[0]);
        in.range = r;
        return Emit(in);
      }
      if (fn == "min" || fn == "max") {
        InstId a = Lower(e->kids[0]), b = Lower(e->kids[1]);
        if (ty == Ty::Dec) {
          a = AsDec(a, r);
          b = AsDec(b, r);
        }
        return Binary(fn == "min" ? Op::Min : Op::Max, ty, a, b, r);
      }
      return Const(Ty::Bool, 0, r);  // outcomes are not values; see LowerRules
    }
    case ast::ExprKind::SetLit: return Const(Ty::Bool, 0, r);  // sets only appear after `in`
    case ast::ExprKind::Unary: {
      Inst in{e->op == ast::Op::Not ? Op::Not : Op::Neg, ty};
      in.a = Lower(e->kids[0]);
      in.range = r;
      return Emit(in);
    }
    case ast::ExprKind::Binary: {
      InstId a = Lower(e->kids[0]), b = Lower(e->kids[1]);
      Ty ta = p_.insts[a].ty, tb = p_.insts[b].ty;
      auto numeric_pair = [&]() {
        if ((ta == Ty::Dec) != (tb == Ty::Dec) && (ta == Ty::Int || tb == Ty::Int)) {
          a = AsDec(a, r);
          b = AsDec(b, r);
        }
      };
      switch (e->op) {
        case ast::Op::And: return Binary(Op::And, Ty::Bool, a, b, r);
        case ast::Op::Or: return Binary(Op::Or, Ty::Bool, a, b, r);
        case ast::Op::Otherwise: {
          InstId out = Binary(Op::Otherwise, ty, a, b, r);
          p_.insts[out].enum_id = enum_id;
          return out;
        }
        case ast::Op::Eq: case ast::Op::Ne: case ast::Op::Lt: case ast::Op::Le: case ast::Op::Gt: case ast::Op::Ge: {
          numeric_pair();
          Op op = e->op == ast::Op::Eq ? Op::Eq : e->op == ast::Op::Ne ? Op::Ne : e->op == ast::Op::Lt ? Op::Lt
                  : e->op == ast::Op::Le ? Op::Le : e->op == ast::Op::Gt ? Op::Gt : Op::Ge;
          return Binary(op, Ty::Bool, a, b, r);
        }
        case ast::Op::Div:
          return Binary(Op::Div, Ty::Dec, AsDec(a, r), AsDec(b, r), r);
        case ast::Op::Add: case ast::Op::Sub: case ast::Op::Mul: {
          if (ty == Ty::Dec) {
            a = AsDec(a, r);
            b = AsDec(b, r);
          }
          Op op = e->op == ast::Op::Add ? Op::Add : e->op == ast::Op::Sub ? Op::Sub : Op::Mul;
          return Binary(op, ty, a, b, r);
        }
        default: return Const(Ty::Bool, 0, r);
      }
    }
    case ast::ExprKind::In: {
      const sema::Type& rt_type = TypeOf(e->kids[1]);
      InstId x = Lower(e->kids[0]);
      Inst in{rt_type.kind == TypeKind::Set ? Op::InSet : Op::InTable, Ty::Bool};
      in.a = x;
      if (in.op == Op::InSet) {
        in.imm = SetOf(e->kids[1]);
      } else {
        const Ref* tref = RefOf(e->kids[1]);
        in.imm = tref ? table_ids_.at(tref->decl) : 0;
      }
      in.range = r;
      InstId out = Emit(in);
      if (!e->negated) return out;
      Inst n{Op::Not, Ty::Bool};
      n.a = out;
      n.range = r;
      return Emit(n);
    }
    case ast::ExprKind::Is: {
      const ast::Expr* x = e->kids[0];
      InstId present;
      if (x->kind == ast::ExprKind::Index) {
        present = Lower(x);  // InTable
      } else {
        Inst in{Op::IsPresent, Ty::Bool};
        in.a = Lower(x);
        in.range = r;
        present = Emit(in);
      }
      bool want_present = (e->text == "present") != e->negated;
      if (want_present) return present;
      Inst n{Op::Not, Ty::Bool};
      n.a = present;
      n.range = r;
      return Emit(n);
    }
    case ast::ExprKind::If: {
      Inst in{Op::If, ty};
      in.a = Lower(e->kids[0]);
      in.b = Lower(e->kids[1]);
      in.c = Lower(e->kids[2]);
      if (ty == Ty::Dec) {
        in.b = AsDec(in.b, r);
        in.c = AsDec(in.c, r);
      }
      in.enum_id = enum_id;
      in.optional = optional;
      in.range = r;
      return Emit(in);
    }
  }
  return Const(Ty::Bool, 0, r);
}

}  // namespace edict::ir::lowering
