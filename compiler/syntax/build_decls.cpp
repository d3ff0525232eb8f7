// Builder (builder.h): the module, its header and its declarations.
#include <fmt/format.h>

#include "edict/runtime/checked.h"
#include "syntax/builder.h"

namespace edict::syntax::building {

void Builder::BuildModule(P::ModuleContext* ctx) {
  if (auto* h = ctx->header()) BuildHeader(h);
  for (auto* u : ctx->useDecl()) {
    if (u->ident()) m_.uses.push_back(NameOf(u->ident()));
  }
  ast::Decl* last = nullptr;
  for (auto* child : ctx->children) {
    // Stray tokens after a declaration (`when x thn DENY`) are skipped at
    // this level; they belong to the declaration before them, which is
    // then incomplete.
    if (dynamic_cast<antlr4::tree::ErrorNode*>(child)) {
      if (last) last->has_syntax_error = true;
      continue;
    }
    auto* d = dynamic_cast<P::DeclarationContext*>(child);
    if (!d) continue;
    std::unique_ptr<ast::Decl> decl = BuildDecl(d);
    last = nullptr;
    if (!decl) continue;
    decl->range = Range(d);
    decl->doc = DocBefore(d->getStart());
    decl->has_syntax_error = HasError(d);
    last = decl.get();
    m_.decls.push_back(std::move(decl));
  }
}

void Builder::BuildHeader(P::HeaderContext* h) {
  ast::Header& hd = m_.header;
  hd.range = Range(h);
  hd.doc = DocBefore(h->getStart());
  std::vector<P::HeaderClauseContext*> clauses;
  if (auto* r = dynamic_cast<P::RegulationHeaderContext*>(h)) {
    hd.kind = r->kind && r->kind->getType() == L::LIBRARY ? ast::ModuleKind::Library
                                                          : ast::ModuleKind::Regulation;
    hd.name = NameOf(r->name);
    hd.title = Text(r->title);
    clauses = r->headerClause();
  } else if (auto* a = dynamic_cast<P::AmendmentHeaderContext*>(h)) {
    hd.kind = ast::ModuleKind::Amendment;
    hd.name = NameOf(a->name);
    if (a->target) hd.target = NameOf(a->target);
    hd.title = Text(a->title);
    clauses = a->headerClause();
  }
  m_.parsed_header = !hd.name.name.empty();
  for (auto* c : clauses) {
    if (auto* ci = dynamic_cast<P::CitesClauseContext*>(c)) {
      if (!hd.cites.empty()) Repeated("cites", Range(c));
      hd.cites = Text(ci->STRING());
      hd.cites_range = Range(ci->STRING());
    } else if (auto* d = dynamic_cast<P::HeaderDateClauseContext*>(c)) {
      std::optional<ast::Dated>* slot = nullptr;
      switch (d->kw ? d->kw->getType() : 0) {
        case L::PUBLISHED: slot = &hd.published; break;
        case L::EFFECTIVE: slot = &hd.effective; break;
        case L::COMPLIANCE: slot = &hd.compliance; break;
        case L::SUNSET: slot = &hd.sunset; break;
        default: continue;
      }
      if (slot->has_value()) Repeated(d->kw->getText(), Range(c));
      *slot = Date(d->DATE());
    }
  }
}

void Builder::Repeated(const std::string& what, SourceRange r) {
  diags_.Emit(Kind::RepeatedClause, r, fmt::format("`{}` is given twice", what))
      .Help("keep one; an amendment can change it on a date");
}

std::vector<ast::Variant> Builder::Variants(const std::vector<P::VariantContext*>& vs) {
  std::vector<ast::Variant> out;
  for (auto* v : vs) {
    ast::Variant var;
    var.name = NameOf(v->ident());
    var.title = Text(v->title);
    if (v->typeRef()) var.payload = Type(v->typeRef());
    out.push_back(std::move(var));
  }
  return out;
}

std::vector<ast::FieldDecl> Builder::Fields(const std::vector<P::FieldContext*>& fs) {
  std::vector<ast::FieldDecl> out;
  for (auto* f : fs) {
    ast::FieldDecl fd;
    fd.name = NameOf(f->ident());
    fd.type = Type(f->typeRef());
    fd.is_key = f->KEY() != nullptr;
    for (auto* b : f->fieldBound()) {
      ast::Expr*& slot = b->bound && b->bound->getType() == L::MOST ? fd.at_most : fd.at_least;
      if (slot) {
        diags_.Emit(Kind::RepeatedClause, Range(b),
                    b->bound->getType() == L::MOST ? "`at most` is given twice" : "`at least` is given twice")
            .Help("keep one bound of each kind");
      }
      slot = Expr(b->expr());
    }
    fd.title = Text(f->title);
    fd.doc = DocBefore(f->getStart());
    out.push_back(std::move(fd));
  }
  return out;
}

template <typename T, typename Ctx>
std::unique_ptr<T> Builder::WithFields(Ctx* c) {
  auto d = std::make_unique<T>();
  d->name = NameOf(c->ident());
  d->title = Text(c->title);
  d->fields = Fields(c->field());
  return d;
}

template <typename T, typename Ctx>
std::unique_ptr<T> Builder::Value(Ctx* c) {
  auto d = std::make_unique<T>();
  d->name = NameOf(c->ident());
  if (c->typeRef()) d->type = Type(c->typeRef());
  d->title = Text(c->title);
  d->value = Expr(c->expr());
  return d;
}

std::unique_ptr<ast::Decl> Builder::BuildDecl(P::DeclarationContext* d) {
  if (auto* c = d->unitDecl()) {
    auto u = std::make_unique<ast::UnitDecl>();
    u->name = NameOf(c->ident());
    u->title = Text(c->title);
    if (c->number()) {
      ast::Expr* e = m_.NewExpr(c->number()->INT() ? ast::ExprKind::IntLit : ast::ExprKind::DecimalLit,
                                Range(c->number()));
      std::string digits = c->number()->getText();
      if (e->kind == ast::ExprKind::IntLit) {
        std::optional<int64_t> v = rt::ParseInt64(digits);
        if (!v) diags_.Emit(Kind::IntegerTooLarge, Range(c->number()), digits);
        e->int_value = v.value_or(0);
      } else {
        e->text = StripUnderscores(digits);
      }
      e->unit = Unit(c->unitRef());
      e->range.end = e->unit.range.end ? e->unit.range.end : e->range.end;
      u->factor = e;
    }
    return u;
  }
  if (auto* c = d->enumDecl()) {
    auto e = std::make_unique<ast::EnumDecl>();
    e->name = NameOf(c->ident());
    e->title = Text(c->title);
    e->variants = Variants(c->variant());
    return e;
  }
  if (auto* c = d->outcomeDecl()) {
    auto o = std::make_unique<ast::OutcomeDecl>();
    auto ids = c->ident();
    if (!ids.empty()) o->name = NameOf(ids[0]);
    if (c->OTHERWISE() && ids.size() > 1) o->otherwise = NameOf(ids[1]);
    o->title = Text(c->title);
    o->variants = Variants(c->variant());
    return o;
  }
  if (auto* c = d->recordDecl()) return WithFields<ast::RecordDecl>(c);
  if (auto* c = d->tableDecl()) return WithFields<ast::TableDecl>(c);
  if (auto* c = d->inputDecl()) {
    auto i = std::make_unique<ast::InputDecl>();
    i->name = NameOf(c->ident());
    i->type = Type(c->typeRef());
    return i;
  }
  if (auto* c = d->constDecl()) return Value<ast::ConstDecl>(c);
  if (auto* c = d->letDecl()) return Value<ast::LetDecl>(c);
  if (auto* c = d->setDecl()) {
    auto s = Value<ast::SetDecl>(c);
    for (auto* ch : c->setChange()) {
      ast::SetChange sc;
      sc.on = Date(ch->DATE()).value_or(ast::Dated{0, Range(ch)});
      sc.add = ch->change && ch->change->getType() == L::ADD;
      sc.members = Expr(ch->expr());
      sc.cites = Text(ch->STRING());
      sc.range = Range(ch);
      s->changes.push_back(std::move(sc));
    }
    return s;
  }
  if (auto* c = d->flagsDecl()) {
    auto f = std::make_unique<ast::FlagsDecl>();
    for (auto* item : c->flagItem()) {
      ast::Variant v;
      v.name = NameOf(item->ident());
      v.title = Text(item->title);
      f->flags.push_back(std::move(v));
    }
    return f;
  }
  if (auto* c = d->capDecl()) return BuildCap(c);
  if (auto* c = d->ruleDecl()) {
    auto r = std::make_unique<ast::RuleDecl>();
    r->name = NameOf(c->ident());
    r->title = Text(c->title);
    RuleClauses(*r, c->ruleClause());
    return r;
  }
  if (auto* c = d->exceptionDecl()) {
    auto r = std::make_unique<ast::RuleDecl>();
    r->name = NameOf(c->ident());
    r->exception_to = NameOf(c->qualifiedName());
    r->title = Text(c->title);
    RuleClauses(*r, c->ruleClause());
    return r;
  }
  if (auto* c = d->preferDecl()) {
    auto p = std::make_unique<ast::PreferDecl>();
    for (auto* q : c->qualifiedName()) p->order.push_back(NameOf(q));
    return p;
  }
  if (auto* c = d->amendAction()) return BuildAction(c);
  if (auto* c = d->testDecl()) {
    auto t = std::make_unique<ast::TestDecl>();
    t->title = Text(c->title);
    if (c->assignments()) t->given = Assignments(c->assignments());
    for (auto* row : c->testRow()) {
      ast::TestRow tr;
      if (row->assignments()) tr.sets = Assignments(row->assignments());
      tr.expect = Expr(row->expr());
      for (auto* id : row->ident()) tr.flags.push_back(NameOf(id));
      tr.range = Range(row);
      t->rows.push_back(std::move(tr));
    }
    return t;
  }
  if (auto* c = d->regimeDecl()) {
    auto r = std::make_unique<ast::RegimeDecl>();
    auto ids = c->ident();
    if (!ids.empty()) r->name = NameOf(ids[0]);
    for (size_t i = 1; i < ids.size(); ++i) r->includes.push_back(NameOf(ids[i]));
    r->title = Text(c->title);
    return r;
  }
  return nullptr;
}

std::vector<ast::Assignment> Builder::Assignments(P::AssignmentsContext* c) {
  std::vector<ast::Assignment> out;
  for (auto* a : c->assignment()) {
    out.push_back({Expr(a->expr(0)), Expr(a->expr(1)), Range(a)});
  }
  return out;
}

std::unique_ptr<ast::Decl> Builder::BuildCap(P::CapDeclContext* c) {
  auto cap = std::make_unique<ast::CapDecl>();
  cap->name = NameOf(c->ident());
  cap->title = Text(c->title);
  // A cap has one period: `each …` or `over …`. A second one is reported
  // here, naming both as written.
  std::string period_text;
  auto second_period = [&](const std::string& text, antlr4::ParserRuleContext* cl) {
    if (period_text.empty()) {
      period_text = text;
      return;
    }
    std::string msg = text == period_text
                          ? fmt::format("`{}` is given twice", text.substr(0, text.find(' ')))
                          : fmt::format("a cap has one period: `{}` and `{}` both given", period_text, text);
    diags_.Emit(Kind::RepeatedClause, Range(cl), msg)
        .Help("keep one: `each …` starts the cap over every year, quarter or month; `over … through …` is one "
              "fixed window");
  };
  for (auto* cl : c->capClause()) {
    if (auto* x = dynamic_cast<P::CapCitesContext*>(cl)) {
      if (!cap->cites.empty()) cap->repeated.emplace_back("cites", Range(cl));
      cap->cites = Text(x->STRING());
      cap->cites_range = Range(x->STRING());
    } else if (auto* x = dynamic_cast<P::CapCountsContext*>(cl)) {
      if (cap->counts) cap->repeated.emplace_back("counts", Range(cl));
      cap->counts = Unit(x->unitRef());
      cap->counts_range = Range(cl);
    } else if (auto* x = dynamic_cast<P::CapPerContext*>(cl)) {
      if (!cap->keys.empty()) cap->repeated.emplace_back("per", Range(cl));
      cap->keys.clear();
      for (auto* e : x->expr()) cap->keys.push_back(Expr(e));
      cap->keys_range = Range(cl);
    } else if (auto* x = dynamic_cast<P::CapEachContext*>(cl)) {
      auto* p = x->period();
      second_period(!p              ? std::string("each")
                    : p->YEAR()     ? std::string(p->CALENDAR() ? "each calendar year" : "each year")
                    : p->QUARTER()  ? std::string("each quarter")
                                    : std::string("each month"),
                    cl);
      cap->period = !p ? ast::Period::None
                    : p->YEAR()    ? ast::Period::CalendarYear
                    : p->QUARTER() ? ast::Period::Quarter
                                   : ast::Period::Month;
      cap->period_range = Range(cl);
    } else if (auto* x = dynamic_cast<P::CapOverContext*>(cl)) {
      second_period("over …", cl);
      cap->period = ast::Period::Window;
      cap->period_range = Range(cl);
      cap->window_from = Date(x->from).value_or(ast::Dated{0, Range(cl)});
      cap->window_through = Date(x->to).value_or(ast::Dated{0, Range(cl)});
    } else if (auto* x = dynamic_cast<P::CapLimitContext*>(cl)) {
      ast::CapLimit lim;
      lim.value = Expr(x->expr());
      if (x->DATE()) lim.from = Date(x->DATE());
      lim.range = Range(cl);
      cap->limits.push_back(lim);
    }
  }
  return cap;
}

void Builder::RuleClauses(ast::RuleDecl& r, const std::vector<P::RuleClauseContext*>& clauses) {
  auto once = [&](bool given, const char* what, antlr4::ParserRuleContext* cl) {
    if (given) r.repeated.emplace_back(what, Range(cl));
  };
  for (auto* cl : clauses) {
    if (auto* x = dynamic_cast<P::RuleCitesContext*>(cl)) {
      once(!r.cites.empty(), "cites", cl);
      r.cites = Text(x->STRING());
      r.cites_range = Range(x->STRING());
    } else if (auto* x = dynamic_cast<P::RuleEffectiveContext*>(cl)) {
      once(r.effective.has_value(), "effective", cl);
      r.effective = Date(x->DATE());
    } else if (auto* x = dynamic_cast<P::RuleThroughContext*>(cl)) {
      once(r.through.has_value(), "through", cl);
      r.through = Date(x->DATE());
    } else if (auto* x = dynamic_cast<P::RuleWhenContext*>(cl)) {
      once(r.when != nullptr, "when", cl);
      r.when = Expr(x->expr());
    } else if (auto* x = dynamic_cast<P::RuleThenContext*>(cl)) {
      once(r.then != nullptr, "then", cl);
      r.then = Expr(x->expr());
    } else if (auto* x = dynamic_cast<P::RuleChargeContext*>(cl)) {
      r.charges.push_back({NameOf(x->qualifiedName()), Expr(x->expr()), Range(cl)});
    } else if (auto* x = dynamic_cast<P::RuleFlagContext*>(cl)) {
      for (auto* id : x->ident()) r.flags.push_back(NameOf(id));
    }
  }
}

std::unique_ptr<ast::Decl> Builder::BuildAction(P::AmendActionContext* c) {
  if (auto* x = dynamic_cast<P::SuspendActionContext*>(c)) {
    auto s = std::make_unique<ast::SuspendDecl>();
    s->target = NameOf(x->qualifiedName());
    s->from = Date(x->from).value_or(ast::Dated{0, Range(c)});
    if (x->to) s->through = Date(x->to);
    s->cites = Text(x->STRING());
    s->cites_range = Range(x->STRING());
    return s;
  }
  if (auto* x = dynamic_cast<P::RepealActionContext*>(c)) {
    auto r = std::make_unique<ast::RepealDecl>();
    r->target = NameOf(x->qualifiedName());
    r->on = Date(x->DATE()).value_or(ast::Dated{0, Range(c)});
    r->cites = Text(x->STRING());
    r->cites_range = Range(x->STRING());
    return r;
  }
  if (auto* x = dynamic_cast<P::ReplaceActionContext*>(c)) {
    auto r = std::make_unique<ast::ReplaceDecl>();
    r->target = NameOf(x->qualifiedName());
    r->on = Date(x->DATE()).value_or(ast::Dated{0, Range(c)});
    r->with = Expr(x->expr());
    r->cites = Text(x->STRING());
    r->cites_range = Range(x->STRING());
    return r;
  }
  return nullptr;
}

}  // namespace edict::syntax::building
