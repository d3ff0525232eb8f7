// Parse: runs the ANTLR lexer and parser over one file and converts the parse
// tree into an ast::Module. This file and antlr_errors.cpp are the only ones
// that include ANTLR headers; no parse-tree type escapes them.
#include <antlr4-runtime.h>

#include <set>
#include <string>

#include "EdictLexer.h"
#include "EdictParser.h"
#include "edict/runtime/checked.h"
#include "edict/runtime/date.h"
#include "syntax/antlr_errors.h"
#include "syntax/parse.h"

namespace edict::syntax {
namespace {

using P = edict_gen::EdictParser;
using L = edict_gen::EdictLexer;
using diag::Kind;

class Builder {
 public:
  Builder(const SourceFile& file, uint32_t file_id, diag::Engine& diags,
          antlr4::CommonTokenStream& tokens, const std::vector<uint32_t>& cp_to_byte,
          ast::Module& module)
      : file_(file), file_id_(file_id), diags_(diags), tokens_(tokens),
        cp_to_byte_(cp_to_byte), m_(module) {}

  void BuildModule(P::ModuleContext* ctx) {
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

 private:
  // ---- positions --------------------------------------------------------
  uint32_t Byte(size_t cp) const {
    return cp < cp_to_byte_.size() ? cp_to_byte_[cp] : cp_to_byte_.back();
  }
  SourceRange Range(antlr4::Token* t) const {
    if (!t || t->getType() == antlr4::Token::EOF) {
      uint32_t end = static_cast<uint32_t>(file_.text().size());
      return {file_id_, end, end};
    }
    return {file_id_, Byte(t->getStartIndex()), Byte(t->getStopIndex() + 1)};
  }
  SourceRange Range(antlr4::tree::TerminalNode* n) const {
    return n ? Range(n->getSymbol()) : SourceRange{file_id_, 0, 0};
  }
  SourceRange Range(antlr4::ParserRuleContext* c) const {
    if (!c || !c->getStart()) return {file_id_, 0, 0};
    SourceRange b = Range(c->getStart());
    antlr4::Token* stop = c->getStop();
    if (!stop || stop->getTokenIndex() < c->getStart()->getTokenIndex()) return b;
    SourceRange e = Range(stop);
    return {file_id_, b.begin, std::max(b.end, e.end)};
  }

  static bool HasError(antlr4::tree::ParseTree* t) {
    if (!t) return true;
    if (dynamic_cast<antlr4::tree::ErrorNode*>(t)) return true;
    if (auto* c = dynamic_cast<antlr4::ParserRuleContext*>(t)) {
      if (c->exception) return true;
    }
    for (auto* child : t->children) {
      if (HasError(child)) return true;
    }
    return false;
  }

  std::string DocBefore(antlr4::Token* start) {
    if (!start) return {};
    std::vector<antlr4::Token*> hidden =
        tokens_.getHiddenTokensToLeft(start->getTokenIndex(), L::DOC);
    std::string doc;
    for (antlr4::Token* t : hidden) {
      std::string line = t->getText().substr(3);
      if (!line.empty() && line[0] == ' ') line.erase(0, 1);
      if (!doc.empty()) doc += '\n';
      doc += line;
    }
    return doc;
  }

  // ---- leaves -----------------------------------------------------------
  ast::Named NameOf(P::IdentContext* id) const {
    if (!id) return {};
    return {id->getText(), Range(id)};
  }
  ast::Named NameOf(P::QualifiedNameContext* q) const {
    if (!q) return {};
    std::string s;
    for (auto* id : q->ident()) {
      if (!s.empty()) s += '.';
      s += id->getText();
    }
    return {s, Range(q)};
  }

  std::string Text(antlr4::Token* t) {
    if (!t) return {};
    std::string raw = t->getText();
    if (raw.empty() || raw[0] != '"') return raw;
    bool closed = raw.size() >= 2 && raw.back() == '"' && !EndsWithEscape(raw);
    std::string inner = raw.substr(1, raw.size() - (closed ? 2 : 1));
    std::string out;
    for (size_t i = 0; i < inner.size(); ++i) {
      if (inner[i] != '\\' || i + 1 >= inner.size()) {
        out += inner[i];
        continue;
      }
      char c = inner[++i];
      switch (c) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        default: {
          SourceRange r = Range(t);
          r.begin += static_cast<uint32_t>(i);  // offset of the backslash within the token
          r.end = r.begin + 2;
          diags_.Emit(Kind::InvalidEscape, r, std::string("\\") + c)
              .Help("write `\\\\` for a backslash, `\\\"` for a quote");
          out += c;
        }
      }
    }
    return out;
  }
  static bool EndsWithEscape(const std::string& raw) {
    // "abc\" ends with an escaped quote, not a closing one.
    size_t n = 0;
    for (size_t i = raw.size() - 1; i > 0 && raw[i - 1] == '\\'; --i) ++n;
    return n % 2 == 1;
  }
  std::string Text(antlr4::tree::TerminalNode* n) { return n ? Text(n->getSymbol()) : ""; }

  std::optional<ast::Dated> Date(antlr4::Token* t) {
    if (!t || t->getType() != L::DATE) return std::nullopt;
    std::string s = t->getText();
    std::optional<int32_t> d = rt::ParseDate(s);
    if (!d) {
      diags_.Emit(Kind::InvalidDate, Range(t), s).Help("dates are written YYYY-MM-DD, e.g. `2025-01-13`");
      return ast::Dated{0, Range(t)};
    }
    return ast::Dated{*d, Range(t)};
  }
  std::optional<ast::Dated> Date(antlr4::tree::TerminalNode* n) {
    return n ? Date(n->getSymbol()) : std::nullopt;
  }

  ast::UnitAst Unit(P::UnitRefContext* u) {
    ast::UnitAst out;
    if (!u) return out;
    out.range = Range(u);
    if (u->ident()) {
      out.factors.push_back({u->ident()->getText(), 1, Range(u->ident())});
      return out;
    }
    if (auto* ue = u->unitExpr()) out.factors = Factors(ue);
    return out;
  }
  std::vector<ast::UnitAst::Factor> Factors(P::UnitExprContext* ue) {
    std::vector<ast::UnitAst::Factor> out;
    int sign = 1;
    for (auto* child : ue->children) {
      if (auto* t = dynamic_cast<antlr4::tree::TerminalNode*>(child)) {
        sign = t->getSymbol()->getType() == L::SLASH ? -1 : 1;
      } else if (auto* f = dynamic_cast<P::UnitFactorContext*>(child)) {
        std::string name = f->ident() ? f->ident()->getText() : "";
        if (!f->ident() && f->getText() != "1") {
          diags_.Emit(Kind::SyntaxError, Range(f), "a unit is made of unit names and `1`")
              .Help("write a scale as its own unit: `unit H100e = 15_832 TPP`");
        }
        out.push_back({name, sign, Range(f)});
      }
    }
    return out;
  }

  std::unique_ptr<ast::TypeRef> Type(P::TypeRefContext* t) {
    auto out = std::make_unique<ast::TypeRef>();
    if (!t) return out;
    out->range = Range(t);
    if (auto* o = dynamic_cast<P::OptionalTypeContext*>(t)) {
      out->kind = ast::TypeRef::Kind::Optional;
      out->inner = Type(o->typeRef());
    } else if (auto* s = dynamic_cast<P::SetTypeContext*>(t)) {
      out->kind = ast::TypeRef::Kind::Set;
      out->inner = Type(s->typeRef());
    } else if (auto* n = dynamic_cast<P::NamedTypeContext*>(t)) {
      out->name = n->ident() ? n->ident()->getText() : "";
      if (n->unitExpr()) {
        out->unit.factors = Factors(n->unitExpr());
        out->unit.range = Range(n->unitExpr());
      }
    }
    return out;
  }

  // ---- expressions ------------------------------------------------------
  ast::Expr* Error(antlr4::ParserRuleContext* c) { return m_.NewExpr(ast::ExprKind::Error, Range(c)); }

  ast::Expr* Binary(antlr4::ParserRuleContext* c, ast::Op op, P::ExprContext* l, P::ExprContext* r) {
    ast::Expr* e = m_.NewExpr(ast::ExprKind::Binary, Range(c));
    e->op = op;
    e->kids = {Expr(l), Expr(r)};
    return e;
  }

  static ast::Op OpOf(antlr4::Token* t) {
    if (!t) return ast::Op::None;
    switch (t->getType()) {
      case L::STAR: return ast::Op::Mul;
      case L::SLASH: return ast::Op::Div;
      case L::PLUS: return ast::Op::Add;
      case L::MINUS: return ast::Op::Sub;
      case L::EQ: return ast::Op::Eq;
      case L::NE: return ast::Op::Ne;
      case L::LT: return ast::Op::Lt;
      case L::LE: return ast::Op::Le;
      case L::GT: return ast::Op::Gt;
      case L::GE: return ast::Op::Ge;
      default: return ast::Op::None;
    }
  }

  ast::Expr* Expr(P::ExprContext* c) {
    if (!c) return m_.NewExpr(ast::ExprKind::Error, {file_id_, 0, 0});
    if (auto* x = dynamic_cast<P::PrimaryExprContext*>(c)) return Primary(x->primary());
    if (auto* x = dynamic_cast<P::FieldExprContext*>(c)) {
      ast::Expr* e = m_.NewExpr(ast::ExprKind::Field, Range(c));
      e->kids = {Expr(x->expr())};
      e->text = x->ident() ? x->ident()->getText() : "";
      return e;
    }
    if (auto* x = dynamic_cast<P::IndexExprContext*>(c)) {
      ast::Expr* e = m_.NewExpr(ast::ExprKind::Index, Range(c));
      e->kids = {Expr(x->expr(0)), Expr(x->expr(1))};
      return e;
    }
    if (auto* x = dynamic_cast<P::NegExprContext*>(c)) {
      ast::Expr* e = m_.NewExpr(ast::ExprKind::Unary, Range(c));
      e->op = ast::Op::Neg;
      e->kids = {Expr(x->expr())};
      return e;
    }
    if (auto* x = dynamic_cast<P::NotExprContext*>(c)) {
      ast::Expr* e = m_.NewExpr(ast::ExprKind::Unary, Range(c));
      e->op = ast::Op::Not;
      e->kids = {Expr(x->expr())};
      return e;
    }
    if (auto* x = dynamic_cast<P::MulExprContext*>(c)) return Binary(c, OpOf(x->op), x->expr(0), x->expr(1));
    if (auto* x = dynamic_cast<P::AddExprContext*>(c)) return Binary(c, OpOf(x->op), x->expr(0), x->expr(1));
    if (auto* x = dynamic_cast<P::CmpExprContext*>(c)) return Binary(c, OpOf(x->op), x->expr(0), x->expr(1));
    if (auto* x = dynamic_cast<P::AndExprContext*>(c)) return Binary(c, ast::Op::And, x->expr(0), x->expr(1));
    if (auto* x = dynamic_cast<P::OrExprContext*>(c)) return Binary(c, ast::Op::Or, x->expr(0), x->expr(1));
    if (auto* x = dynamic_cast<P::OtherwiseExprContext*>(c))
      return Binary(c, ast::Op::Otherwise, x->expr(0), x->expr(1));
    if (auto* x = dynamic_cast<P::InExprContext*>(c)) {
      ast::Expr* e = m_.NewExpr(ast::ExprKind::In, Range(c));
      e->negated = x->NOT() != nullptr;
      e->kids = {Expr(x->expr(0)), Expr(x->expr(1))};
      return e;
    }
    if (auto* x = dynamic_cast<P::IsExprContext*>(c)) {
      ast::Expr* e = m_.NewExpr(ast::ExprKind::Is, Range(c));
      e->negated = x->NOT() != nullptr;
      e->text = x->ABSENT() ? "absent" : "present";
      e->kids = {Expr(x->expr())};
      return e;
    }
    if (auto* x = dynamic_cast<P::IfExprContext*>(c)) {
      ast::Expr* e = m_.NewExpr(ast::ExprKind::If, Range(c));
      e->kids = {Expr(x->expr(0)), Expr(x->expr(1)), Expr(x->expr(2))};
      return e;
    }
    return Error(c);
  }

  ast::Expr* Primary(P::PrimaryContext* c) {
    if (!c) return m_.NewExpr(ast::ExprKind::Error, {file_id_, 0, 0});
    if (auto* x = dynamic_cast<P::NumberLitContext*>(c)) {
      auto* num = x->number();
      if (!num) return Error(c);
      ast::Expr* e;
      if (num->INT()) {
        e = m_.NewExpr(ast::ExprKind::IntLit, Range(c));
        std::string digits = num->getText();
        std::optional<int64_t> v = rt::ParseInt64(digits);
        if (!v) {
          diags_.Emit(Kind::IntegerTooLarge, Range(num), digits)
              .Help("the largest whole number is 9_223_372_036_854_775_807; use a larger unit");
        }
        e->int_value = v.value_or(0);
      } else {
        e = m_.NewExpr(ast::ExprKind::DecimalLit, Range(c));
        e->text = StripUnderscores(num->getText());
      }
      if (x->unitRef()) e->unit = Unit(x->unitRef());
      return e;
    }
    if (auto* x = dynamic_cast<P::PercentLitContext*>(c)) {
      ast::Expr* e = m_.NewExpr(ast::ExprKind::PercentLit, Range(c));
      std::string t = x->getText();
      e->text = StripUnderscores(t.substr(0, t.size() - 1));
      return e;
    }
    if (auto* x = dynamic_cast<P::StringLitContext*>(c)) {
      ast::Expr* e = m_.NewExpr(ast::ExprKind::TextLit, Range(c));
      e->text = Text(x->STRING());
      return e;
    }
    if (auto* x = dynamic_cast<P::DateLitContext*>(c)) {
      ast::Expr* e = m_.NewExpr(ast::ExprKind::DateLit, Range(c));
      std::optional<ast::Dated> d = Date(x->DATE());
      if (!d) return Error(c);
      e->date_value = d->date;
      return e;
    }
    if (auto* x = dynamic_cast<P::BoolLitContext*>(c)) {
      ast::Expr* e = m_.NewExpr(ast::ExprKind::BoolLit, Range(c));
      e->bool_value = x->TRUE() != nullptr;
      return e;
    }
    if (auto* x = dynamic_cast<P::CallExprContext*>(c)) {
      ast::Expr* e = m_.NewExpr(ast::ExprKind::Call, Range(c));
      e->text = x->ident() ? x->ident()->getText() : "";
      for (auto* a : x->expr()) e->kids.push_back(Expr(a));
      return e;
    }
    if (auto* x = dynamic_cast<P::NameExprContext*>(c)) {
      ast::Expr* e = m_.NewExpr(ast::ExprKind::Name, Range(c));
      e->text = x->ident() ? x->ident()->getText() : "";
      return e;
    }
    if (auto* x = dynamic_cast<P::ParenExprContext*>(c)) return Expr(x->expr());
    if (auto* x = dynamic_cast<P::SetLitContext*>(c)) {
      ast::Expr* e = m_.NewExpr(ast::ExprKind::SetLit, Range(c));
      for (auto* a : x->expr()) e->kids.push_back(Expr(a));
      return e;
    }
    return Error(c);
  }

  static std::string StripUnderscores(std::string s) {
    s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
    return s;
  }

  // ---- header -----------------------------------------------------------
  void BuildHeader(P::HeaderContext* h) {
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

  void Repeated(const std::string& what, SourceRange r) {
    diags_.Emit(Kind::RepeatedClause, r, fmt::format("`{}` is given twice", what))
        .Help("keep one; an amendment can change it on a date");
  }

  // ---- declarations -----------------------------------------------------
  std::vector<ast::Variant> Variants(const std::vector<P::VariantContext*>& vs) {
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
  std::vector<ast::FieldDecl> Fields(const std::vector<P::FieldContext*>& fs) {
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
  std::unique_ptr<T> Value(Ctx* c) {
    auto d = std::make_unique<T>();
    d->name = NameOf(c->ident());
    if (c->typeRef()) d->type = Type(c->typeRef());
    d->title = Text(c->title);
    d->value = Expr(c->expr());
    return d;
  }

  std::unique_ptr<ast::Decl> BuildDecl(P::DeclarationContext* d) {
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
    if (auto* c = d->recordDecl()) {
      auto r = std::make_unique<ast::RecordDecl>();
      r->name = NameOf(c->ident());
      r->title = Text(c->title);
      r->fields = Fields(c->field());
      return r;
    }
    if (auto* c = d->tableDecl()) {
      auto t = std::make_unique<ast::TableDecl>();
      t->name = NameOf(c->ident());
      t->title = Text(c->title);
      t->fields = Fields(c->field());
      return t;
    }
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

  std::vector<ast::Assignment> Assignments(P::AssignmentsContext* c) {
    std::vector<ast::Assignment> out;
    for (auto* a : c->assignment()) {
      out.push_back({Expr(a->expr(0)), Expr(a->expr(1)), Range(a)});
    }
    return out;
  }

  std::unique_ptr<ast::Decl> BuildCap(P::CapDeclContext* c) {
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

  void RuleClauses(ast::RuleDecl& r, const std::vector<P::RuleClauseContext*>& clauses) {
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

  std::unique_ptr<ast::Decl> BuildAction(P::AmendActionContext* c) {
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

  const SourceFile& file_;
  uint32_t file_id_;
  diag::Engine& diags_;
  antlr4::CommonTokenStream& tokens_;
  const std::vector<uint32_t>& cp_to_byte_;
  ast::Module& m_;
};

// Replaces bytes that are not valid UTF-8 with '?', reporting the first, so
// that ANTLR's decoder never sees them. Byte offsets are unchanged; the
// offsets replaced go to `replaced`, so that the lexer's `?` there is not
// reported again.
std::string SanitizeUtf8(const std::string& in, uint32_t file, diag::Engine& diags,
                         std::set<uint32_t>* replaced) {
  std::string out = in;
  bool reported = false;
  size_t i = 0;
  while (i < out.size()) {
    unsigned char c = static_cast<unsigned char>(out[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len > 0 && i + len <= out.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(out[i + k]) & 0xC0) == 0x80;
    if (ok && len == 2) ok = c >= 0xC2;
    if (ok && len == 3) {
      unsigned char c1 = static_cast<unsigned char>(out[i + 1]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
    }
    if (ok && len == 4) {
      unsigned char c1 = static_cast<unsigned char>(out[i + 1]);
      ok = c <= 0xF4 && !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (!ok) {
      if (!reported) {
        diags.Emit(diag::Kind::InvalidCharacter, {file, static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1)},
                   "character", fmt::format("\\x{:02X}", c))
            .Help("rule files are UTF-8 text");
        reported = true;
      }
      out[i] = '?';
      replaced->insert(static_cast<uint32_t>(i));
      len = 1;
    }
    i += len;
  }
  return out;
}

}  // namespace

std::unique_ptr<ast::Module> Parse(const SourceManager& sm, uint32_t file, diag::Engine& diags) {
  auto module = std::make_unique<ast::Module>();
  module->file = file;
  const SourceFile& src = sm.Get(file);
  std::set<uint32_t> replaced;
  std::string text = SanitizeUtf8(src.text(), file, diags, &replaced);

  // Code-point index -> byte offset (ANTLR positions count code points).
  std::vector<uint32_t> cp_to_byte;
  cp_to_byte.reserve(text.size() + 1);
  for (uint32_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) cp_to_byte.push_back(i);
  }
  cp_to_byte.push_back(static_cast<uint32_t>(text.size()));

  antlr4::ANTLRInputStream input(text);
  L lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();

  auto range_of = [&](antlr4::Token* t) {
    size_t b = std::min<size_t>(t->getStartIndex(), cp_to_byte.size() - 1);
    size_t e = std::min<size_t>(t->getStopIndex() + 1, cp_to_byte.size() - 1);
    return SourceRange{file, cp_to_byte[b], cp_to_byte[std::max(b, e)]};
  };

  // Lexical problems are reported here, once, and then hidden from the
  // parser so that they do not also surface as syntax errors.
  int depth = 0;
  bool depth_exceeded = false;
  const std::vector<antlr4::Token*>& all = tokens.getTokens();
  // A bad character that stands for a byte that is not UTF-8 was reported
  // by SanitizeUtf8.
  auto replaced_byte = [&](antlr4::Token* t) {
    return t->getType() == L::BAD_CHAR && replaced.count(range_of(t).begin);
  };
  for (size_t i = 0; i < all.size(); ++i) {
    antlr4::Token* t = all[i];
    auto* ct = dynamic_cast<antlr4::CommonToken*>(t);
    switch (t->getType()) {
      case L::BAD_CHAR: {
        if (ct) ct->setChannel(antlr4::Token::HIDDEN_CHANNEL);
        if (replaced_byte(t)) break;
        // A run of bad characters on one line (spaces between them allowed)
        // is one mistake: one diagnostic for the run.
        size_t last = i;
        while (last + 1 < all.size() && all[last + 1]->getType() == L::BAD_CHAR && !replaced_byte(all[last + 1]) &&
               all[last + 1]->getLine() == t->getLine()) {
          ++last;
          if (auto* c2 = dynamic_cast<antlr4::CommonToken*>(all[last])) c2->setChannel(antlr4::Token::HIDDEN_CHANNEL);
        }
        SourceRange r = range_of(t);
        r.end = range_of(all[last]).end;
        diags.Emit(diag::Kind::InvalidCharacter, r, last == i ? "character" : "characters",
                   src.text().substr(r.begin, r.end - r.begin))
            .Help("names are letters, digits and `_`; text goes between double quotes");
        i = last;
        break;
      }
      case L::UNTERMINATED_STRING:
        diags.Emit(diag::Kind::UnterminatedString, range_of(t)).Help("close the text on the same line");
        if (ct) ct->setType(L::STRING);
        break;
      case L::LPAREN: case L::LBRACE: case L::LBRACK:
        if (++depth == kMaxNesting + 1 && !depth_exceeded) {
          depth_exceeded = true;
          diags.Emit(diag::Kind::NestingTooDeep, range_of(t), kMaxNesting)
              .Help("split the expression with `let` definitions");
        }
        break;
      case L::RPAREN: case L::RBRACE: case L::RBRACK:
        depth = std::max(0, depth - 1);
        break;
      default:
        break;
    }
  }
  if (depth_exceeded) return module;
  tokens.reset();

  P parser(&tokens);
  parser.removeErrorListeners();
  parser.setErrorHandler(std::make_shared<KeepDeclarationsStrategy>());
  SyntaxErrorListener listener(diags, file, cp_to_byte);
  parser.addErrorListener(&listener);
  P::ModuleContext* tree = nullptr;
  try {
    tree = parser.module();
  } catch (const std::exception& e) {
    diags.Emit(diag::Kind::SyntaxError, {file, 0, 0}, std::string("the parser gave up: ") + e.what());
    return module;
  }
  Builder builder(src, file, diags, tokens, cp_to_byte, *module);
  builder.BuildModule(tree);
  return module;
}

}  // namespace edict::syntax
