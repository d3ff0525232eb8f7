// ir::Lower: checked AST -> IR (see lower.h). Expressions become flat
// instructions (memoised per `let` and per constant); sets are evaluated here,
// once per date on which any membership changes; rule windows are computed
// from every date that touches them.
#include "ir/lower.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "edict/runtime/country.h"
#include "edict/runtime/date.h"

namespace edict::ir {
namespace {

using sema::Ref;
using sema::TypeKind;

constexpr int32_t kMin = INT32_MIN;
constexpr int32_t kMax = INT32_MAX;

// Interval arithmetic on sorted, disjoint lists.
std::vector<Interval> Subtract(const std::vector<Interval>& in, Interval cut) {
  std::vector<Interval> out;
  for (const Interval& iv : in) {
    if (cut.through < iv.from || cut.from > iv.through) {
      out.push_back(iv);
      continue;
    }
    if (cut.from > iv.from) out.push_back({iv.from, cut.from - 1});
    if (cut.through < iv.through) out.push_back({cut.through + 1, iv.through});
  }
  return out;
}

std::vector<Interval> Intersect(const std::vector<Interval>& in, Interval keep) {
  std::vector<Interval> out;
  for (const Interval& iv : in) {
    Interval r{std::max(iv.from, keep.from), std::min(iv.through, keep.through)};
    if (r.from <= r.through) out.push_back(r);
  }
  return out;
}

class Lowerer {
 public:
  Lowerer(const sema::CheckedProgram& c, const LowerOptions& o, std::string* error)
      : c_(c), o_(o), error_(error) {}

  std::optional<Program> Run();

 private:
  // ---- helpers ----
  InstId Emit(Inst in) {
    p_.insts.push_back(in);
    return static_cast<InstId>(p_.insts.size() - 1);
  }
  InstId Const(Ty ty, int64_t v, SourceRange r, uint32_t enum_id = UINT32_MAX) {
    auto key = std::make_tuple(static_cast<int>(ty), v, enum_id);
    auto it = consts_.find(key);
    if (it != consts_.end()) return it->second;
    Inst in{Op::Const, ty};
    in.imm = v;
    in.enum_id = enum_id;
    in.range = r;
    return consts_[key] = Emit(in);
  }
  int64_t Intern(const std::string& s) {
    auto it = text_ids_.find(s);
    if (it != text_ids_.end()) return it->second;
    p_.texts.push_back(s);
    return text_ids_[s] = static_cast<int64_t>(p_.texts.size() - 1);
  }
  // Equal values share a slot, so a set of decimals (whose members are
  // slots) can remove a value written again later.
  int64_t AddDecimal(rt::Decimal d) {
    auto it = decimal_ids_.find(d);
    if (it != decimal_ids_.end()) return it->second;
    p_.decimals.push_back(d);
    return decimal_ids_[d] = static_cast<int64_t>(p_.decimals.size() - 1);
  }
  uint32_t EnumId(const ast::Decl* d) {
    auto it = enum_ids_.find(d);
    if (it != enum_ids_.end()) return it->second;
    Enum e;
    e.name = d->name.name;
    if (auto* en = ast::As<ast::EnumDecl>(d)) {
      for (const auto& v : en->variants) e.variants.push_back(v.name.name);
    }
    p_.enums.push_back(e);
    return enum_ids_[d] = static_cast<uint32_t>(p_.enums.size() - 1);
  }
  Ty TyOf(const sema::Type& t, uint32_t* enum_id, bool* optional) {
    const sema::Type* b = &t;
    if (t.kind == TypeKind::Optional) {
      *optional = true;
      b = t.elem.get();
    }
    switch (b->kind) {
      case TypeKind::Bool: return Ty::Bool;
      case TypeKind::Int: return Ty::Int;
      case TypeKind::Decimal: return Ty::Dec;
      case TypeKind::Date: return Ty::Date;
      case TypeKind::Text: return Ty::Text;
      case TypeKind::Country: return Ty::Country;
      case TypeKind::Enum: *enum_id = EnumId(b->decl); return Ty::Enum;
      default: return Ty::Bool;
    }
  }
  const sema::Type& TypeOf(const ast::Expr* e) const {
    static const sema::Type error;
    auto it = c_.expr_types.find(e);
    return it == c_.expr_types.end() ? error : it->second;
  }
  const Ref* RefOf(const ast::Expr* e) const {
    auto it = c_.refs.find(e);
    return it == c_.refs.end() ? nullptr : &it->second;
  }
  bool Selected(const ast::Module* m) const { return selected_.count(m) > 0; }

  // ---- expressions ----
  InstId Lower(const ast::Expr* e);
  InstId LowerUncached(const ast::Expr* e);
  InstId AsDec(InstId i, SourceRange r) {
    if (p_.insts[i].ty == Ty::Dec) return i;
    Inst in{Op::ToDec, Ty::Dec};
    in.a = i;
    in.optional = p_.insts[i].optional;
    in.range = r;
    return Emit(in);
  }
  InstId Binary(Op op, Ty ty, InstId a, InstId b, SourceRange r) {
    Inst in{op, ty};
    in.a = a;
    in.b = b;
    in.range = r;
    return Emit(in);
  }
  InstId ValueOf(const ast::ValueDecl* d);
  std::optional<int64_t> ConstSlot(const ast::Expr* e, Ty* ty);
  uint32_t SetOf(const ast::Expr* e);
  std::vector<int64_t> SetAt(const ast::Expr* e, int32_t day);
  void SetDates(const ast::Expr* e, std::set<int32_t>& dates);

  // ---- declarations ----
  bool ChooseInput();
  void CollectActions();
  std::vector<Interval> RuleWindow(const ast::RuleDecl& r, const ast::Module& m);
  void LowerRules();
  void LowerTests();

  const sema::CheckedProgram& c_;
  const LowerOptions& o_;
  std::string* error_;
  Program p_;
  std::set<const ast::Module*> selected_;
  const ast::InputDecl* input_ = nullptr;
  const ast::Decl* record_ = nullptr;
  bool other_input_ = false;  // set when an expression reads another input

  std::map<std::tuple<int, int64_t, uint32_t>, InstId> consts_;
  std::unordered_map<std::string, int64_t> text_ids_;
  std::unordered_map<const ast::Decl*, uint32_t> enum_ids_;
  std::unordered_map<const ast::Expr*, InstId> expr_memo_;
  std::set<const ast::Expr*> poisoned_;  // reads an input other than input_
  std::unordered_map<const ast::Decl*, InstId> value_memo_;
  std::unordered_map<const void*, uint32_t> set_memo_;  // by set declaration, or by expression
  std::unordered_map<int64_t, InstId> field_memo_;
  std::unordered_map<const ast::Decl*, uint32_t> table_ids_;
  std::unordered_map<const ast::Decl*, uint32_t> cap_ids_;
  std::unordered_map<std::string, uint32_t> flag_ids_;
  // From the selected amendments.
  std::multimap<const ast::Decl*, const ast::SuspendDecl*> suspends_;
  std::multimap<const ast::Module*, const ast::SuspendDecl*> module_suspends_;
  std::map<const ast::Decl*, const ast::RepealDecl*> repeals_;
  std::map<const ast::Module*, const ast::RepealDecl*> module_repeals_;
  std::map<rt::Decimal, int64_t> decimal_ids_;  // value -> slot in p_.decimals
  std::multimap<const ast::Decl*, const ast::ReplaceDecl*> replaces_;  // target -> action
  std::map<const ast::RuleDecl*, const ast::ReplaceDecl*> replacement_of_;  // new rule -> action
};

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

// ---- declarations -----------------------------------------------------------

bool Lowerer::ChooseInput() {
  for (const ast::Module* m : c_.modules) {
    if (!Selected(m)) continue;
    for (const auto& d : m->decls) {
      auto* in = ast::As<ast::InputDecl>(d.get());
      if (!in || (!o_.input.empty() && in->name.name != o_.input && in->type->name != o_.input)) continue;
      input_ = in;
      break;
    }
    if (input_) break;
  }
  if (!input_) {
    // The input may be declared in a library the selected modules use.
    for (const ast::Module* m : c_.modules) {
      for (const auto& d : m->decls) {
        auto* in = ast::As<ast::InputDecl>(d.get());
        if (in && (o_.input.empty() || in->name.name == o_.input || in->type->name == o_.input)) {
          input_ = in;
          break;
        }
      }
      if (input_) break;
    }
  }
  if (!input_) {
    *error_ = o_.input.empty() ? "no module declares an `input`"
                               : "no `input` named `" + o_.input + "` or reading a record `" + o_.input + "` is declared";
    return false;
  }
  // The record it reads.
  for (const ast::Module* m : c_.modules) {
    for (const auto& d : m->decls) {
      if (d->kind == ast::DeclKind::Record && d->name.name == input_->type->name) record_ = d.get();
    }
  }
  if (!record_) {
    *error_ = "the input's record is not declared";
    return false;
  }
  p_.record = record_->name.name;
  for (const auto& f : static_cast<const ast::RecordDecl*>(record_)->fields) {
    Field fd;
    fd.name = f.name.name;
    auto it = c_.field_types.find(&f);
    if (it != c_.field_types.end()) {
      fd.ty = TyOf(it->second, &fd.enum_id, &fd.optional);
      const sema::Type& bt = it->second.kind == TypeKind::Optional ? *it->second.elem : it->second;
      fd.unit = bt.unit.ToString();
    } else {
      fd.ty = Ty::Text;
    }
    fd.is_key = f.is_key;
    auto bound = [&](const ast::Expr* e, bool* has, int64_t* slot) {
      if (!e) return;
      Ty ty;
      std::optional<int64_t> v = ConstSlot(e, &ty);
      if (!v) return;
      if (fd.ty == Ty::Dec && ty == Ty::Int) v = AddDecimal(rt::Decimal::FromInt(*v));
      *has = true;
      *slot = *v;
    };
    bound(f.at_least, &fd.has_min, &fd.min);
    bound(f.at_most, &fd.has_max, &fd.max);
    p_.fields.push_back(fd);
  }
  return true;
}

void Lowerer::CollectActions() {
  for (const ast::Module* m : c_.modules) {
    if (!Selected(m)) continue;
    for (const auto& dp : m->decls) {
      const ast::Decl* d = dp.get();
      auto di = c_.action_decl.find(d);
      auto mi = c_.action_module.find(d);
      if (auto* s = ast::As<ast::SuspendDecl>(d)) {
        if (di != c_.action_decl.end()) suspends_.emplace(di->second, s);
        else if (mi != c_.action_module.end()) module_suspends_.emplace(mi->second, s);
      } else if (auto* r = ast::As<ast::RepealDecl>(d)) {
        if (di != c_.action_decl.end()) repeals_[di->second] = r;
        else if (mi != c_.action_module.end()) module_repeals_[mi->second] = r;
      } else if (auto* r = ast::As<ast::ReplaceDecl>(d)) {
        if (di != c_.action_decl.end()) replaces_.emplace(di->second, r);
        auto w = c_.replace_with.find(d);
        if (w != c_.replace_with.end()) replacement_of_[w->second] = r;
      }
    }
  }
}

std::vector<Interval> Lowerer::RuleWindow(const ast::RuleDecl& r, const ast::Module& m) {
  const ast::Header& h = m.header;
  Interval w;
  if (r.effective) w.from = r.effective->date;
  else if (h.compliance) w.from = h.compliance->date;
  else if (h.effective) w.from = h.effective->date;
  if (r.through) w.through = r.through->date;
  if (h.sunset) w.through = std::min(w.through, h.sunset->date - 1);
  std::vector<Interval> out;
  if (w.from <= w.through) out.push_back(w);
  // The module, and every regulation it amends, may be suspended or repealed.
  std::vector<const ast::Module*> chain{&m};
  for (const ast::Module* cur = &m; cur->header.target;) {
    const ast::Module* next = nullptr;
    for (const ast::Module* x : c_.modules) {
      if (x->header.name.name == cur->header.target->name) next = x;
    }
    if (!next || std::find(chain.begin(), chain.end(), next) != chain.end()) break;
    chain.push_back(next);
    cur = next;
  }
  auto suspend = [&](const ast::SuspendDecl* s) {
    out = Subtract(out, {s->from.date, s->through ? s->through->date : kMax});
  };
  for (const ast::Module* x : chain) {
    auto range = module_suspends_.equal_range(x);
    for (auto it = range.first; it != range.second; ++it) suspend(it->second);
    auto rep = module_repeals_.find(x);
    if (rep != module_repeals_.end()) out = Subtract(out, {rep->second->on.date, kMax});
  }
  auto range = suspends_.equal_range(&r);
  for (auto it = range.first; it != range.second; ++it) suspend(it->second);
  auto rep = repeals_.find(&r);
  if (rep != repeals_.end()) out = Subtract(out, {rep->second->on.date, kMax});
  auto repl = replaces_.equal_range(&r);
  for (auto it = repl.first; it != repl.second; ++it) out = Subtract(out, {it->second->on.date, kMax});
  auto as_new = replacement_of_.find(&r);
  if (as_new != replacement_of_.end()) out = Intersect(out, {as_new->second->on.date, kMax});
  return out;
}

void Lowerer::LowerRules() {
  // Tables and caps first (rules refer to them).
  for (const ast::Module* m : c_.modules) {
    for (const auto& d : m->decls) {
      if (auto* t = ast::As<ast::TableDecl>(d.get())) {
        Table tb;
        tb.name = t->name.name;
        for (const auto& f : t->fields) {
          Field fd;
          fd.name = f.name.name;
          auto it = c_.field_types.find(&f);
          fd.ty = it != c_.field_types.end() ? TyOf(it->second, &fd.enum_id, &fd.optional) : Ty::Text;
          fd.is_key = f.is_key;
          tb.columns.push_back(fd);
        }
        p_.tables.push_back(tb);
        table_ids_[t] = static_cast<uint32_t>(p_.tables.size() - 1);
      }
      if (auto* f = ast::As<ast::FlagsDecl>(d.get())) {
        for (const auto& v : f->flags) {
          if (flag_ids_.count(v.name.name)) continue;
          p_.flags.push_back({v.name.name, v.title});
          flag_ids_[v.name.name] = static_cast<uint32_t>(p_.flags.size() - 1);
        }
      }
      if (auto* o = ast::As<ast::OutcomeDecl>(d.get()); o && p_.outcome.variants.empty()) {
        p_.outcome.name = o->name.name;
        for (size_t i = 0; i < o->variants.size(); ++i) {
          Outcome::Variant v{o->variants[i].name.name, UINT32_MAX};
          if (o->variants[i].payload) {
            // The payload enum, found by name among the modules.
            for (const ast::Module* mm : c_.modules) {
              for (const auto& dd : mm->decls) {
                if (dd->kind == ast::DeclKind::Enum && dd->name.name == o->variants[i].payload->name) {
                  v.payload_enum = EnumId(dd.get());
                }
              }
            }
          }
          p_.outcome.variants.push_back(v);
          if (o->otherwise && o->otherwise->name == v.name) p_.outcome.otherwise = static_cast<int32_t>(i);
        }
      }
    }
  }
  for (const ast::Module* m : c_.modules) {
    for (const auto& d : m->decls) {
      auto* cd = ast::As<ast::CapDecl>(d.get());
      if (!cd) continue;
      Cap cap;
      cap.name = cd->name.name;
      cap.title = cd->title;
      cap.citation = cd->cites;
      cap.range = cd->name.range;
      cap.unit = cd->counts ? ast::PrintUnit(*cd->counts) : "";
      other_input_ = false;
      for (const ast::Expr* k : cd->keys) cap.keys.push_back(Lower(k));
      if (other_input_) continue;  // a cap of another record
      if (cap.keys.size() > 6) {
        *error_ = "cap `" + cap.name + "` has more than 6 `per` keys";
        return;
      }
      switch (cd->period) {
        case ast::Period::CalendarYear:
        case ast::Period::None: cap.period = Period::CalendarYear; break;
        case ast::Period::Quarter: cap.period = Period::Quarter; break;
        case ast::Period::Month: cap.period = Period::Month; break;
        case ast::Period::Window:
          cap.period = Period::Window;
          cap.window = {cd->window_from.date, cd->window_through.date};
          break;
      }
      for (const auto& l : cd->limits) cap.limits.push_back({l.from ? l.from->date : kMin, Lower(l.value)});
      std::stable_sort(cap.limits.begin(), cap.limits.end(), [](const auto& a, const auto& b) { return a.from < b.from; });
      p_.caps.push_back(cap);
      cap_ids_[cd] = static_cast<uint32_t>(p_.caps.size() - 1);
    }
  }

  // Rules of the selected modules, bases before their exceptions.
  std::vector<std::pair<const ast::RuleDecl*, const ast::Module*>> pending;
  for (const ast::Module* m : c_.modules) {
    if (!Selected(m)) continue;
    for (const auto& d : m->decls) {
      if (auto* r = ast::As<ast::RuleDecl>(d.get())) pending.emplace_back(r, m);
    }
  }
  std::unordered_map<const ast::RuleDecl*, int32_t> index;
  std::set<const ast::RuleDecl*> dropped;
  for (bool progress = true; progress && !pending.empty();) {
    progress = false;
    for (auto it = pending.begin(); it != pending.end();) {
      const ast::RuleDecl* r = it->first;
      auto base_it = c_.exception_base.find(r);
      const ast::RuleDecl* base = base_it == c_.exception_base.end() ? nullptr : base_it->second;
      if (base && !index.count(base)) {
        bool base_pending = std::any_of(pending.begin(), pending.end(), [&](const auto& p) { return p.first == base; });
        if (base_pending) {
          ++it;
          continue;
        }
        dropped.insert(r);  // its base is not in this regime (or reads another record)
        it = pending.erase(it);
        progress = true;
        continue;
      }
      Rule rule;
      rule.name = r->name.name;
      rule.title = r->title;
      rule.citation = r->cites;
      rule.module = it->second->header.name.name;
      rule.doc = r->doc;
      rule.range = r->name.range;
      rule.in_force = RuleWindow(*r, *it->second);
      rule.base = base ? index.at(base) : -1;
      other_input_ = false;
      if (r->when) rule.when = Lower(r->when);
      for (const auto& ch : r->charges) {
        auto cc = c_.charge_cap.find(&ch);
        if (cc == c_.charge_cap.end() || !cap_ids_.count(cc->second)) continue;
        rule.charges.push_back({cap_ids_.at(cc->second), Lower(ch.amount), ch.range});
      }
      if (r->then) {
        const ast::Expr* t = r->then;
        const Ref* ref = RefOf(t);
        if (ref && ref->kind == Ref::Kind::OutcomeVariant) rule.outcome = ref->index;
        if (t->kind == ast::ExprKind::Call && !t->kids.empty()) {
          Ty ty;
          rule.basis = static_cast<int32_t>(ConstSlot(t->kids[0], &ty).value_or(-1));
        }
      }
      for (const auto& f : r->flags) rule.flags.push_back(flag_ids_.at(f.name));
      if (other_input_) {
        dropped.insert(r);
      } else {
        p_.rules.push_back(rule);
        index[r] = static_cast<int32_t>(p_.rules.size() - 1);
      }
      it = pending.erase(it);
      progress = true;
    }
  }
  // `prefer` ranks.
  for (const ast::Module* m : c_.modules) {
    if (!Selected(m)) continue;
    for (const auto& d : m->decls) {
      auto* pd = ast::As<ast::PreferDecl>(d.get());
      if (!pd) continue;
      for (size_t i = 0; i < pd->order.size(); ++i) {
        auto nr = c_.named_rule.find(&pd->order[i]);
        if (nr == c_.named_rule.end() || !index.count(nr->second)) continue;
        Rule& rule = p_.rules[static_cast<size_t>(index.at(nr->second))];
        rule.prefer = std::min(rule.prefer, static_cast<int32_t>(i));
      }
    }
  }
}

void Lowerer::LowerTests() {
  for (const ast::Module* m : c_.modules) {
    if (!Selected(m)) continue;
    for (const auto& d : m->decls) {
      auto* td = ast::As<ast::TestDecl>(d.get());
      if (!td) continue;
      Test t;
      t.title = td->title;
      t.module = m->header.name.name;
      t.range = td->range;
      bool usable = true;
      auto assign = [&](const std::vector<ast::Assignment>& as, TestRow& row) {
        for (const auto& a : as) {
          // The checker resolves `s.field = …` targets itself: match by name.
          if (a.target->kids.empty() || a.target->kids[0]->text != input_->name.name) {
            usable = false;  // a test of another record
            continue;
          }
          size_t idx = 0;
          for (; idx < p_.fields.size(); ++idx) {
            if (p_.fields[idx].name == a.target->text) break;
          }
          if (idx == p_.fields.size()) continue;
          Ty ty;
          std::optional<int64_t> v = ConstSlot(a.value, &ty);
          if (v && p_.fields[idx].ty == Ty::Dec && ty == Ty::Int) {
            rt::Decimal dv{static_cast<__int128>(*v) * 1000000000};
            v = AddDecimal(dv);
          }
          row.values[idx] = v.value_or(0);
          row.present[idx] = v.has_value();
        }
      };
      TestRow given;
      given.values.assign(p_.fields.size(), 0);
      given.present.assign(p_.fields.size(), false);
      assign(td->given, given);
      for (const auto& tr : td->rows) {
        TestRow row = given;
        assign(tr.sets, row);
        row.range = tr.range;
        const Ref* ref = RefOf(tr.expect);
        if (ref && ref->kind == Ref::Kind::OutcomeVariant) row.outcome = ref->index;
        if (tr.expect->kind == ast::ExprKind::Call && !tr.expect->kids.empty()) {
          Ty ty;
          row.basis = static_cast<int32_t>(ConstSlot(tr.expect->kids[0], &ty).value_or(-1));
        }
        for (const auto& f : tr.flags) row.flags.push_back(flag_ids_.at(f.name));
        row.check_flags = !tr.flags.empty();
        std::sort(row.flags.begin(), row.flags.end());
        t.rows.push_back(row);
      }
      if (usable) p_.tests.push_back(std::move(t));
    }
  }
}

std::optional<Program> Lowerer::Run() {
  std::set<std::string> wanted(o_.modules.begin(), o_.modules.end());
  for (const auto& name : wanted) {
    bool found = std::any_of(c_.modules.begin(), c_.modules.end(),
                             [&](const ast::Module* m) { return m->header.name.name == name; });
    if (!found) {
      *error_ = "no module named `" + name + "` is loaded";
      return std::nullopt;
    }
  }
  for (const ast::Module* m : c_.modules) {
    if (wanted.empty() || wanted.count(m->header.name.name)) selected_.insert(m);
  }
  p_.regime = o_.regime_name;
  for (const ast::Module* m : c_.modules) {
    if (Selected(m)) p_.modules.push_back(m->header.name.name);
  }
  if (p_.regime.empty()) {
    for (const auto& n : p_.modules) p_.regime += (p_.regime.empty() ? "" : "+") + n;
  }
  if (!ChooseInput()) return std::nullopt;
  CollectActions();
  LowerRules();
  if (!error_->empty()) return std::nullopt;
  LowerTests();
  return std::move(p_);
}

}  // namespace

std::optional<Program> Lower(const sema::CheckedProgram& checked, const LowerOptions& options, std::string* error) {
  return Lowerer(checked, options, error).Run();
}

std::vector<std::pair<std::string, std::vector<std::string>>> Regimes(const sema::CheckedProgram& checked) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const ast::Module* m : checked.modules) {
    for (const auto& d : m->decls) {
      auto* r = ast::As<ast::RegimeDecl>(d.get());
      if (!r) continue;
      std::vector<std::string> names;
      for (const auto& n : r->includes) names.push_back(n.name);
      out.emplace_back(r->name.name, names);
    }
  }
  return out;
}

}  // namespace edict::ir
