// Builder (builder.h): source positions, names, texts, dates, units, types
// and expressions.
#include <algorithm>

#include "edict/runtime/checked.h"
#include "edict/runtime/date.h"
#include "syntax/builder.h"

namespace edict::syntax::building {

uint32_t Builder::Byte(size_t cp) const {
  return cp < cp_to_byte_.size() ? cp_to_byte_[cp] : cp_to_byte_.back();
}

SourceRange Builder::Range(antlr4::Token* t) const {
  if (!t || t->getType() == antlr4::Token::EOF) {
    uint32_t end = static_cast<uint32_t>(file_.text().size());
    return {file_id_, end, end};
  }
  return {file_id_, Byte(t->getStartIndex()), Byte(t->getStopIndex() + 1)};
}

SourceRange Builder::Range(antlr4::tree::TerminalNode* n) const {
  return n ? Range(n->getSymbol()) : SourceRange{file_id_, 0, 0};
}

SourceRange Builder::Range(antlr4::ParserRuleContext* c) const {
  if (!c || !c->getStart()) return {file_id_, 0, 0};
  SourceRange b = Range(c->getStart());
  antlr4::Token* stop = c->getStop();
  if (!stop || stop->getTokenIndex() < c->getStart()->getTokenIndex()) return b;
  SourceRange e = Range(stop);
  return {file_id_, b.begin, std::max(b.end, e.end)};
}

bool Builder::HasError(antlr4::tree::ParseTree* t) {
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

std::string Builder::DocBefore(antlr4::Token* start) {
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

ast::Named Builder::NameOf(P::IdentContext* id) const {
  if (!id) return {};
  return {id->getText(), Range(id)};
}

ast::Named Builder::NameOf(P::QualifiedNameContext* q) const {
  if (!q) return {};
  std::string s;
  for (auto* id : q->ident()) {
    if (!s.empty()) s += '.';
    s += id->getText();
  }
  return {s, Range(q)};
}

std::string Builder::Text(antlr4::Token* t) {
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

bool Builder::EndsWithEscape(const std::string& raw) {
  // "abc\" ends with an escaped quote, not a closing one.
  size_t n = 0;
  for (size_t i = raw.size() - 1; i > 0 && raw[i - 1] == '\\'; --i) ++n;
  return n % 2 == 1;
}

std::string Builder::Text(antlr4::tree::TerminalNode* n) { return n ? Text(n->getSymbol()) : ""; }

std::optional<ast::Dated> Builder::Date(antlr4::Token* t) {
  if (!t || t->getType() != L::DATE) return std::nullopt;
  std::string s = t->getText();
  std::optional<int32_t> d = rt::ParseDate(s);
  if (!d) {
    diags_.Emit(Kind::InvalidDate, Range(t), s).Help("dates are written YYYY-MM-DD, e.g. `2025-01-13`");
    return ast::Dated{0, Range(t)};
  }
  return ast::Dated{*d, Range(t)};
}

std::optional<ast::Dated> Builder::Date(antlr4::tree::TerminalNode* n) {
  return n ? Date(n->getSymbol()) : std::nullopt;
}

ast::UnitAst Builder::Unit(P::UnitRefContext* u) {
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

std::vector<ast::UnitAst::Factor> Builder::Factors(P::UnitExprContext* ue) {
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

std::unique_ptr<ast::TypeRef> Builder::Type(P::TypeRefContext* t) {
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

ast::Expr* Builder::Error(antlr4::ParserRuleContext* c) { return m_.NewExpr(ast::ExprKind::Error, Range(c)); }

ast::Expr* Builder::Binary(antlr4::ParserRuleContext* c, ast::Op op, P::ExprContext* l, P::ExprContext* r) {
  ast::Expr* e = m_.NewExpr(ast::ExprKind::Binary, Range(c));
  e->op = op;
  e->kids = {Expr(l), Expr(r)};
  return e;
}

ast::Op Builder::OpOf(antlr4::Token* t) {
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

ast::Expr* Builder::Expr(P::ExprContext* c) {
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

ast::Expr* Builder::Primary(P::PrimaryContext* c) {
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

std::string Builder::StripUnderscores(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
  return s;
}

}  // namespace edict::syntax::building
