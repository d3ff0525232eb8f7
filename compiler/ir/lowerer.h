// The lowering pass's state (ir::Lower, lower.h), shared by lower_exprs.cpp
// (expressions, sets) and lower.cpp (declarations: inputs, amendments, rule
// windows, rules, tests). Internal to ir/.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "edict/runtime/country.h"
#include "edict/runtime/date.h"
#include "ir/lower.h"

namespace edict::ir::lowering {

using sema::Ref;
using sema::TypeKind;

constexpr int32_t kMin = INT32_MIN;
constexpr int32_t kMax = INT32_MAX;

// Interval arithmetic on sorted, disjoint lists (lower.cpp).
std::vector<Interval> Subtract(const std::vector<Interval>& in, Interval cut);
std::vector<Interval> Intersect(const std::vector<Interval>& in, Interval keep);

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

}  // namespace edict::ir::lowering
