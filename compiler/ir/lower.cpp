// ir::Lower: checked AST -> IR (see lower.h). Here: the declarations (the
// input record, amendments, rule windows computed from every date that
// touches them, rules, tests) and the entry points; expressions and sets are
// in lower_exprs.cpp; the Lowerer class in lowerer.h.
#include "ir/lowerer.h"

namespace edict::ir {
namespace lowering {

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

}  // namespace lowering


std::optional<Program> Lower(const sema::CheckedProgram& checked, const LowerOptions& options, std::string* error) {
  return lowering::Lowerer(checked, options, error).Run();
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
