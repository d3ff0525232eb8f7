// The checker's driver: modules and their scopes, header dates, and the
// analyses that look at all rules at once (exception cycles, shadowed rules,
// exceptions never in force with their base).
#include <algorithm>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "edict/runtime/date.h"
#include "sema/checker.h"

namespace edict::sema {

using diag::Kind;

const char* KindPhrase(Symbol::Kind k) {
  switch (k) {
    case Symbol::Kind::Unit: return "a unit";
    case Symbol::Kind::Enum: return "an enum";
    case Symbol::Kind::Outcome: return "an outcome";
    case Symbol::Kind::Record: return "a record";
    case Symbol::Kind::Table: return "a table";
    case Symbol::Kind::Input: return "an input";
    case Symbol::Kind::Const: return "a constant";
    case Symbol::Kind::Let: return "a `let` definition";
    case Symbol::Kind::Set: return "a set";
    case Symbol::Kind::Variant: return "an enum variant";
    case Symbol::Kind::OutcomeVariant: return "an outcome";
    case Symbol::Kind::Flag: return "a flag";
    case Symbol::Kind::Cap: return "a cap";
    case Symbol::Kind::Rule: return "a rule";
    case Symbol::Kind::Regime: return "a regime";
  }
  return "a name";
}

std::string VariantList(const std::string& intro, const std::vector<ast::Variant>& variants) {
  std::string s = intro;
  size_t n = std::min<size_t>(variants.size(), 8);
  for (size_t i = 0; i < n; ++i) {
    s += (i == 0 ? " " : i + 1 == n && n == variants.size() ? " and " : ", ");
    s += "`" + variants[i].name.name + "`";
  }
  if (n < variants.size()) s += fmt::format(" and {} more", variants.size() - n);
  return s;
}

bool Window::Overlaps(const Window& o) const {
  if (Empty() || o.Empty()) return false;
  if (from && o.through && *from > *o.through) return false;
  if (o.from && through && *o.from > *through) return false;
  return true;
}

CheckedProgram Check(const std::vector<const ast::Module*>& modules, diag::Engine& diags) {
  return Checker(diags).Run(modules);
}

CheckedProgram Checker::Run(const std::vector<const ast::Module*>& modules) {
  out_.modules = modules;
  RegisterModules(modules);
  for (auto& mi : modules_) Declare(*mi);
  CheckOutcomes();
  for (auto& mi : modules_) {
    CheckHeader(*mi);
    for (const auto& d : mi->m->decls) {
      if (!d->has_syntax_error) CheckDecl(*mi, *d);
    }
  }
  CheckRuleGraph();
  CheckReplacementCycles();
  return std::move(out_);
}

// ---- modules ----------------------------------------------------------------

const ModuleInfo* Checker::FindModule(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

void Checker::RegisterModules(const std::vector<const ast::Module*>& modules) {
  for (const ast::Module* m : modules) {
    if (!m->parsed_header) continue;
    auto mi = std::make_unique<ModuleInfo>();
    mi->m = m;
    const std::string& name = m->header.name.name;
    if (auto* prev = FindModule(name)) {
      diags_.Emit(Kind::DuplicateName, m->header.name.range, name, "declared")
          .NoteAt(prev->m->header.name.range, "first declared here")
          .Help("each regulation, amendment and library needs its own name");
      continue;
    }
    by_name_[name] = mi.get();
    modules_.push_back(std::move(mi));
  }
  for (auto& mi : modules_) {
    const ast::Header& h = mi->m->header;
    if (h.target) {
      const ModuleInfo* t = FindModule(h.target->name);
      if (!t) {
        diags_.Emit(Kind::UnknownModule, h.target->range, h.target->name)
            .Help("pass the file that declares it to `edict check` as well, or put it beside this one");
      } else if (t->m->header.kind == ast::ModuleKind::Library) {
        diags_.Emit(Kind::WrongKindOfName, h.target->range, h.target->name, "a library",
                    "a regulation or amendment")
            .Help("an amendment changes a regulation; a library is shared with `use`");
      } else if (t == mi.get()) {
        diags_.Emit(Kind::DefinitionCycle, h.target->range, h.target->name, "it amends itself")
            .Help("after `to`, name the regulation this amendment changes");
      } else {
        mi->target = t;
      }
    }
    for (const auto& u : mi->m->uses) {
      const ModuleInfo* t = FindModule(u.name);
      if (!t) {
        diags_.Emit(Kind::UnknownModule, u.range, u.name)
            .Help("pass the file that declares it to `edict check` as well, or put it beside this one");
      } else if (t == mi.get()) {
        diags_.Emit(Kind::DefinitionCycle, u.range, u.name, "it uses itself")
            .Help(fmt::format("remove `use {}`: a module always sees its own declarations", u.name));
      } else if (std::find(mi->uses.begin(), mi->uses.end(), t) == mi->uses.end()) {
        mi->uses.push_back(t);
      }
    }
  }
  // Amendments that amend each other, with no regulation at the end of the
  // chain: reported once per cycle, at its first module in load order.
  std::set<const ModuleInfo*> in_cycle;
  for (auto& mi : modules_) {
    std::vector<const ModuleInfo*> path;
    const ModuleInfo* p = mi.get();
    while (p && std::find(path.begin(), path.end(), p) == path.end()) {
      path.push_back(p);
      p = p->target;
    }
    if (p != mi.get() || path.size() < 2 || in_cycle.count(mi.get())) continue;
    std::string chain = "it amends";
    for (size_t i = 1; i < path.size(); ++i) {
      chain += fmt::format(" `{}`, which amends", path[i]->name());
    }
    chain += fmt::format(" `{}`", mi->name());
    in_cycle.insert(path.begin(), path.end());
    diags_.Emit(Kind::DefinitionCycle, mi->m->header.target->range, mi->name(), chain)
        .Help("an amendment changes an earlier regulation or amendment: the chain of `to` must end at a "
              "regulation");
  }
  // Visible modules: self, the amended chain, then uses (of each, in order).
  for (auto& mi : modules_) {
    std::vector<const ModuleInfo*> chain;
    for (const ModuleInfo* p = mi.get(); p && std::find(chain.begin(), chain.end(), p) == chain.end();
         p = p->target) {
      chain.push_back(p);
    }
    mi->visible = chain;
    mi->chain_len = chain.size();
    for (const ModuleInfo* p : chain) {
      for (const ModuleInfo* u : p->uses) {
        if (std::find(mi->visible.begin(), mi->visible.end(), u) == mi->visible.end()) mi->visible.push_back(u);
      }
    }
  }
}

void Checker::AddSymbol(ModuleInfo& mi, Ns ns, const std::string& name, Symbol sym) {
  if (name.empty()) return;
  auto& slot = mi.names[static_cast<int>(ns)][name];
  bool variant = sym.kind == Symbol::Kind::Variant || sym.kind == Symbol::Kind::OutcomeVariant;
  for (const Symbol& prev : slot) {
    bool prev_variant = prev.kind == Symbol::Kind::Variant || prev.kind == Symbol::Kind::OutcomeVariant;
    // Variants of different enums may share a name; the expected type decides.
    if (variant && prev_variant && prev.decl != sym.decl) continue;
    diags_.Emit(Kind::DuplicateName, sym.range, name, "declared")
        .NoteAt(prev.range, "first declared here")
        .Help("give one of them another name");
    return;
  }
  slot.push_back(sym);
}

void Checker::Declare(ModuleInfo& mi) {
  using K = Symbol::Kind;
  for (const auto& dp : mi.m->decls) {
    const ast::Decl* d = dp.get();
    decl_module_[d] = &mi;
    out_.decl_module[d] = mi.m;
    Symbol s{K::Rule, d, mi.m, -1, d->name.range};
    // The built-in types are found before declared ones: `enum Bool` could
    // never be used.
    static const char* const kBuiltin[] = {"Bool", "Int", "Decimal", "Date", "Text", "Country"};
    bool is_type = d->kind == ast::DeclKind::Enum || d->kind == ast::DeclKind::Outcome ||
                   d->kind == ast::DeclKind::Record || d->kind == ast::DeclKind::Table;
    if (is_type && std::find(std::begin(kBuiltin), std::end(kBuiltin), d->name.name) != std::end(kBuiltin)) {
      diags_.Emit(Kind::WrongKindOfName, d->name.range, d->name.name, "a built-in type",
                  fmt::format("a new {}", ast::DeclKeyword(d->kind)))
          .Help("choose another name: `Bool`, `Int`, `Decimal`, `Date`, `Text` and `Country` always mean the "
                "built-in types");
    }
    switch (d->kind) {
      case ast::DeclKind::Unit: s.kind = K::Unit; AddSymbol(mi, Ns::Unit, d->name.name, s); break;
      case ast::DeclKind::Enum: {
        s.kind = K::Enum;
        AddSymbol(mi, Ns::Type, d->name.name, s);
        auto* e = ast::As<ast::EnumDecl>(d);
        for (size_t i = 0; i < e->variants.size(); ++i) {
          AddSymbol(mi, Ns::Value, e->variants[i].name.name,
                    {K::Variant, d, mi.m, static_cast<int>(i), e->variants[i].name.range});
        }
        break;
      }
      case ast::DeclKind::Outcome: {
        s.kind = K::Outcome;
        AddSymbol(mi, Ns::Type, d->name.name, s);
        auto* o = ast::As<ast::OutcomeDecl>(d);
        for (size_t i = 0; i < o->variants.size(); ++i) {
          AddSymbol(mi, Ns::Value, o->variants[i].name.name,
                    {K::OutcomeVariant, d, mi.m, static_cast<int>(i), o->variants[i].name.range});
        }
        break;
      }
      case ast::DeclKind::Record: s.kind = K::Record; AddSymbol(mi, Ns::Type, d->name.name, s); break;
      case ast::DeclKind::Table:
        s.kind = K::Table;
        AddSymbol(mi, Ns::Type, d->name.name, s);
        AddSymbol(mi, Ns::Value, d->name.name, s);
        break;
      case ast::DeclKind::Input:
        s.kind = K::Input;
        AddSymbol(mi, Ns::Value, d->name.name, s);
        if (!mi.default_input) mi.default_input = ast::As<ast::InputDecl>(d);
        break;
      case ast::DeclKind::Const: s.kind = K::Const; AddSymbol(mi, Ns::Value, d->name.name, s); break;
      case ast::DeclKind::Let: s.kind = K::Let; AddSymbol(mi, Ns::Value, d->name.name, s); break;
      case ast::DeclKind::Set: s.kind = K::Set; AddSymbol(mi, Ns::Value, d->name.name, s); break;
      case ast::DeclKind::Flags: {
        auto* f = ast::As<ast::FlagsDecl>(d);
        for (size_t i = 0; i < f->flags.size(); ++i) {
          AddSymbol(mi, Ns::Flag, f->flags[i].name.name,
                    {K::Flag, d, mi.m, static_cast<int>(i), f->flags[i].name.range});
        }
        break;
      }
      case ast::DeclKind::Cap: s.kind = K::Cap; AddSymbol(mi, Ns::Cap, d->name.name, s); break;
      case ast::DeclKind::Rule: s.kind = K::Rule; AddSymbol(mi, Ns::Rule, d->name.name, s); break;
      case ast::DeclKind::Regime: s.kind = K::Regime; AddSymbol(mi, Ns::Regime, d->name.name, s); break;
      case ast::DeclKind::Prefer:
      case ast::DeclKind::Suspend:
      case ast::DeclKind::Repeal:
      case ast::DeclKind::Replace:
      case ast::DeclKind::Test: break;
    }
  }
  // Inputs of the amended regulation are this module's inputs too.
  if (!mi.default_input) {
    for (const ModuleInfo* p : mi.visible) {
      if (p->default_input) {
        mi.default_input = p->default_input;
        break;
      }
    }
  }
}

std::vector<Symbol> Checker::Lookup(const ModuleInfo& mi, Ns ns, const std::string& name) const {
  auto slot = [&](const ModuleInfo* p) -> const std::vector<Symbol>* {
    const auto& table = p->names[static_cast<int>(ns)];
    auto it = table.find(name);
    return it != table.end() && !it->second.empty() ? &it->second : nullptr;
  };
  std::vector<Symbol> out;
  const ModuleInfo* hit = nullptr;
  size_t chain = std::min(mi.chain_len, mi.visible.size());
  for (size_t i = 0; i < chain && !hit; ++i) {
    if (auto* s = slot(mi.visible[i])) {
      out = *s;
      hit = mi.visible[i];
    }
  }
  // A declaration of the module or its chain hides the used modules' ones,
  // except that variants of every visible enum and outcome are candidates.
  if (hit && !std::all_of(out.begin(), out.end(), IsVariant)) return out;
  for (size_t i = 0; i < mi.visible.size(); ++i) {
    const ModuleInfo* p = mi.visible[i];
    const std::vector<Symbol>* s = p == hit ? nullptr : slot(p);
    if (!s) continue;
    for (const Symbol& sym : *s) {
      if ((hit || i < chain) && !IsVariant(sym)) continue;
      bool dup = std::any_of(out.begin(), out.end(),
                             [&](const Symbol& o) { return o.decl == sym.decl && o.index == sym.index; });
      if (!dup) out.push_back(sym);
    }
  }
  return out;
}

std::optional<Symbol> Checker::LookupOne(const ModuleInfo& mi, Ns ns, const std::string& name) const {
  // `module.name` looks in that module only.
  size_t dot = name.find('.');
  if (dot != std::string::npos) {
    const ModuleInfo* m = FindModule(name.substr(0, dot));
    if (!m) return std::nullopt;
    const auto& table = m->names[static_cast<int>(ns)];
    auto it = table.find(name.substr(dot + 1));
    if (it == table.end() || it->second.empty()) return std::nullopt;
    return it->second.front();
  }
  std::vector<Symbol> all = Lookup(mi, ns, name);
  if (all.empty()) return std::nullopt;
  return all.front();
}

std::optional<Symbol> Checker::LookupAt(const ModuleInfo& mi, Ns ns, const std::string& name, SourceRange at,
                                        bool* ambiguous) {
  if (name.find('.') != std::string::npos) return LookupOne(mi, ns, name);
  std::vector<Symbol> all = Lookup(mi, ns, name);
  if (all.empty()) return std::nullopt;
  // Flags are one flag per name, whoever declares them.
  if (all.size() > 1 && ns != Ns::Flag && !std::all_of(all.begin(), all.end(), IsVariant)) {
    ReportAmbiguous(all, name, at, ns);
    if (ambiguous) *ambiguous = true;
    return std::nullopt;
  }
  return all.front();
}

void Checker::ReportAmbiguous(const std::vector<Symbol>& found, const std::string& name, SourceRange at, Ns ns) {
  // Variants are told apart by their enum, other names by their module.
  // (by their module too when two enums share a name).
  bool variants = std::all_of(found.begin(), found.end(), IsVariant);
  auto qualify = [&](bool by_enum) {
    std::vector<std::string> v;
    for (const Symbol& s : found) {
      std::string o = fmt::format("`{}.{}`", by_enum ? s.decl->name.name : s.module->header.name.name, name);
      if (std::find(v.begin(), v.end(), o) == v.end()) v.push_back(o);
    }
    return v;
  };
  std::vector<std::string> options = qualify(variants);
  if (options.size() < found.size()) options = qualify(false);
  std::string list;
  for (size_t i = 0; i < options.size(); ++i) {
    list += (i ? (i + 1 == options.size() ? " or " : ", ") : "") + options[i];
  }
  auto d = diags_.Emit(Kind::AmbiguousName, at, name, list);
  // Values, rules and caps can be qualified; types, units and regimes cannot.
  bool qualifiable = variants || ns == Ns::Value || ns == Ns::Rule || ns == Ns::Cap;
  if (qualifiable) {
    d.Help(fmt::format("write {} (or whichever is meant)", options.front()));
  } else {
    d.Help("a type, unit or regime name cannot be qualified: rename one of them, or `use` only one of the modules");
  }
  if (!variants) {
    for (const Symbol& s : found) d.NoteAt(s.range, fmt::format("declared in `{}`", s.module->header.name.name));
  }
}

bool Checker::MissingModule(const ModuleInfo& mi, const std::string& name) const {
  std::string mod = name.substr(0, name.find('.'));
  if (FindModule(mod)) return false;
  for (size_t i = 0; i < std::min(mi.chain_len, mi.visible.size()); ++i) {
    const ast::Module* m = mi.visible[i]->m;
    if (m->header.target && m->header.target->name == mod) return true;
    for (const auto& u : m->uses) {
      if (u.name == mod) return true;
    }
  }
  return false;
}

namespace {
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

std::string Checker::Suggest(const ModuleInfo& mi, Ns ns, const std::string& name) const {
  std::string best;
  size_t best_d = std::max<size_t>(1, name.size() / 3) + 1;
  for (const ModuleInfo* p : mi.visible) {
    for (const auto& [candidate, syms] : p->names[static_cast<int>(ns)]) {
      size_t d = EditDistance(name, candidate);
      if (d < best_d || (d == best_d && !best.empty() && candidate < best)) {
        if (d < best_d) best_d = d;
        best = candidate;
      }
    }
  }
  return best;
}

bool Checker::BrokenDeclInScope(const ModuleInfo& mi, std::initializer_list<ast::DeclKind> kinds) const {
  for (const ModuleInfo* p : mi.visible) {
    for (const auto& d : p->m->decls) {
      if (d->has_syntax_error && std::find(kinds.begin(), kinds.end(), d->kind) != kinds.end()) return true;
    }
  }
  return false;
}

// One `outcome` per program: rules of every module decide among the same
// variants. A later one (in load order) is reported, with the first.
void Checker::CheckOutcomes() {
  const ast::OutcomeDecl* first = nullptr;
  for (auto& mi : modules_) {
    for (const auto& d : mi->m->decls) {
      auto* o = ast::As<ast::OutcomeDecl>(d.get());
      if (!o || o->name.name.empty()) continue;
      if (!first) {
        first = o;
        continue;
      }
      auto b = diags_.Emit(Kind::DuplicateName, o->name.range, "outcome", "declared");
      NoteDecl(b, first, "the first `outcome`");
      b.Help(fmt::format("a program has one outcome, which every rule decides; add these variants to `{}`",
                         first->name.name));
    }
  }
}

// ---- dates -------------------------------------------------------------------

void Checker::CheckDateOrder(const char* a_what, const std::optional<ast::Dated>& a, const char* b_what,
                             const std::optional<ast::Dated>& b, bool strict) {
  if (!a || !b) return;
  bool bad = strict ? b->date <= a->date : b->date < a->date;
  if (!bad) return;
  diags_.Emit(Kind::DatesOutOfOrder, b->range, b_what, rt::FormatDate(b->date), strict ? "on or before" : "before",
              a_what, rt::FormatDate(a->date))
      .NoteAt(a->range, std::string(a_what) + " is set here")
      .Help(strict ? fmt::format("{} must come after {}", b_what, a_what)
                   : fmt::format("{} cannot come before {}", b_what, a_what));
}

void Checker::CheckHeader(const ModuleInfo& mi) {
  const ast::Header& h = mi.m->header;
  CheckDateOrder("the effective date", h.effective, "the compliance date", h.compliance, false);
  CheckDateOrder("the effective date", h.effective, "the sunset", h.sunset, true);
  CheckDateOrder("the compliance date", h.compliance, "the sunset", h.sunset, true);
  if (h.kind == ast::ModuleKind::Regulation && h.cites.empty()) {
    diags_.Emit(Kind::MissingCitation, h.name.range, "regulation", h.name.name)
        .Help("add `cites \"90 FR 4544\"` (the Federal Register or CFR reference) to the header");
  }
}

Window Checker::RuleWindow(const ast::Module& m, const ast::RuleDecl& r) const {
  Window w;
  if (m.header.effective) w.from = m.header.effective->date;
  if (m.header.sunset) w.through = m.header.sunset->date - 1;
  if (r.effective) w.from = w.from ? std::max(*w.from, r.effective->date) : r.effective->date;
  if (r.through) w.through = w.through ? std::min(*w.through, r.through->date) : r.through->date;
  return w;
}

// ---- all rules at once ---------------------------------------------------

// A replacement value that reads, directly or through other constants, sets
// and their own replacements, the constant or set it replaces has no value
// to stand on (`replace C on D with C + 1`): E0212, like any definition
// cycle. Checked once every amendment is known, so cycles across
// replacements (`replace A with B` and `replace B with A`) are found too.
void Checker::CheckReplacementCycles() {
  std::multimap<const ast::Decl*, const ast::ReplaceDecl*> replaces;  // target -> replacement
  for (const auto& [action, target] : out_.action_decl) {
    if (auto* r = ast::As<ast::ReplaceDecl>(action); r && r->with && dynamic_cast<const ast::ValueDecl*>(target)) {
      replaces.emplace(target, r);
    }
  }
  // The value declarations `e` reads, each with a path of names to it.
  auto reads = [&](const ast::Expr* e, std::vector<const ast::Expr*>& out) {
    std::vector<const ast::Expr*> stack{e};
    while (!stack.empty()) {
      const ast::Expr* x = stack.back();
      stack.pop_back();
      if (!x) continue;
      out.push_back(x);
      for (const ast::Expr* k : x->kids) stack.push_back(k);
    }
  };
  std::vector<const ast::ReplaceDecl*> order;
  for (const auto& [target, r] : replaces) order.push_back(r);
  std::sort(order.begin(), order.end(), [](const ast::ReplaceDecl* a, const ast::ReplaceDecl* b) {
    return std::make_pair(a->range.file, a->range.begin) < std::make_pair(b->range.file, b->range.begin);
  });
  std::set<const ast::Decl*> reported;
  for (const ast::ReplaceDecl* r : order) {
    const ast::Decl* target = out_.action_decl.at(r);
    if (reported.count(target)) continue;
    // Depth-first over what the replacement value reads; parent links give the chain.
    std::map<const ast::Decl*, const ast::Decl*> parent;
    std::vector<std::pair<const ast::Decl*, const ast::Expr*>> work{{target, r->with}};
    const ast::Decl* found = nullptr;
    std::set<std::pair<const ast::Decl*, const ast::Expr*>> seen;
    while (!work.empty() && !found) {
      auto [from, expr] = work.back();
      work.pop_back();
      if (!seen.insert({from, expr}).second) continue;
      std::vector<const ast::Expr*> nodes;
      reads(expr, nodes);
      for (const ast::Expr* x : nodes) {
        auto ref = out_.refs.find(x);
        if (ref == out_.refs.end()) continue;
        const auto* vd = dynamic_cast<const ast::ValueDecl*>(ref->second.decl);
        if (!vd) continue;
        if (!parent.count(vd)) parent[vd] = from;
        if (vd == target) {
          found = from;
          break;
        }
        work.push_back({vd, vd->value});
        if (auto* sd = ast::As<ast::SetDecl>(vd)) {
          for (const auto& ch : sd->changes) work.push_back({vd, ch.members});
        }
        auto range = replaces.equal_range(vd);
        for (auto it = range.first; it != range.second; ++it) work.push_back({vd, it->second->with});
      }
    }
    if (!found) continue;
    std::vector<const ast::Decl*> path{target};
    for (const ast::Decl* d = found; d != target && path.size() < 64; d = parent.at(d)) path.push_back(d);
    std::reverse(path.begin() + 1, path.end());  // in reading order, from the replacement on
    std::string chain = "its replacement reads ";
    for (size_t i = 1; i < path.size(); ++i) chain += "`" + static_cast<const ast::ValueDecl*>(path[i])->name.name + "` → ";
    chain += "`" + static_cast<const ast::ValueDecl*>(target)->name.name + "`";
    reported.insert(path.begin(), path.end());  // one report per cycle
    diags_.Emit(Kind::DefinitionCycle, r->with->range, static_cast<const ast::ValueDecl*>(target)->name.name, chain)
        .Help(ast::As<ast::SetDecl>(target) ? "write the new members out in full (e.g. `replace TIER1 on 2026-01-01 with { US, GB }`)"
                                            : "write the new value out in full (e.g. `replace LIMIT on 2026-01-01 with 2_000`)");
  }
}

void Checker::CheckRuleGraph() {
  std::unordered_map<const ast::RuleDecl*, const RuleInfo*> info;
  for (const RuleInfo& r : rules_) info[r.rule] = &r;

  // Exception cycles: follow `base` links; report each cycle once, at its
  // first rule in declaration order.
  std::set<const ast::RuleDecl*> reported;
  for (const RuleInfo& r : rules_) {
    std::vector<const ast::RuleDecl*> path;
    const ast::RuleDecl* cur = r.rule;
    while (cur && std::find(path.begin(), path.end(), cur) == path.end()) {
      path.push_back(cur);
      auto it = info.find(cur);
      cur = it == info.end() ? nullptr : it->second->base;
    }
    if (cur != r.rule || reported.count(r.rule)) continue;
    std::string chain;
    for (const ast::RuleDecl* p : path) {
      chain += "`" + p->name.name + "` → ";
      reported.insert(p);
    }
    chain += "`" + r.rule->name.name + "`";
    diags_.Emit(Kind::ExceptionCycle, r.rule->exception_to->range, chain)
        .Help("an exception overrides its rule; one of these must be the general rule");
  }

  // Rules by the text of their condition, each list in rule order: a rule is
  // compared with the earlier ones whose condition reads the same (printing
  // every pair's conditions was quadratic: 3,000 rules took seconds).
  std::unordered_map<std::string, std::vector<size_t>> by_condition;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const RuleInfo& r = rules_[i];
    Window w = RuleWindow(*r.mi->m, *r.rule);
    // An exception that is never in force together with its base.
    if (r.base && !reported.count(r.rule)) {
      const RuleInfo* b = info.count(r.base) ? info.at(r.base) : nullptr;
      if (b && !w.Empty() && !w.Overlaps(RuleWindow(*b->mi->m, *r.base))) {
        auto d = diags_.Emit(Kind::ExceptionNeverInForce, r.rule->name.range, r.rule->name.name, r.base->name.name);
        NoteDecl(d, r.base, "the rule it is an exception to");
        d.Help("check the `effective` and `through` dates of both");
      }
    }
    // A rule whose condition repeats an earlier rule's, in the same window
    // and under the same base: the later one is shadowed or always conflicts.
    // An exception whose base is unknown (E0207) is not compared: it is not
    // a general rule, and its base cannot be matched.
    auto broken = [](const RuleInfo& x) { return x.rule->exception_to && !x.base; };
    if (!r.rule->when || broken(r)) continue;
    std::vector<size_t>& same_condition = by_condition[ast::PrintExpr(r.rule->when)];
    auto flags = [](const ast::RuleDecl* x) {
      std::vector<std::string> v;
      for (const auto& f : x->flags) v.push_back(f.name);
      std::sort(v.begin(), v.end());
      return v;
    };
    for (size_t j : same_condition) {
      const RuleInfo& o = rules_[j];
      if (o.base != r.base) continue;
      // A rule that only raises flags does not conflict with one that
      // decides; two that only flag repeat each other if they flag alike.
      if ((r.rule->then == nullptr) != (o.rule->then == nullptr)) continue;
      if (!r.rule->then && flags(r.rule) != flags(o.rule)) continue;
      Window ow = RuleWindow(*o.mi->m, *o.rule);
      if (ow.from != w.from || ow.through != w.through) continue;
      bool same_effect = !r.rule->then || ast::PrintExpr(r.rule->then) == ast::PrintExpr(o.rule->then);
      auto d = diags_.Emit(Kind::ShadowedRule, r.rule->name.range, r.rule->name.name, o.rule->name.name);
      NoteDecl(d, o.rule, "the earlier rule");
      d.Help(same_effect ? "the two decide alike; remove one"
                         : "when one applies so does the other, and they disagree: make one an exception to "
                           "the other");
      break;
    }
    same_condition.push_back(i);
  }
}

}  // namespace edict::sema
