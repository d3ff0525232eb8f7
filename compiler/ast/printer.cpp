// The stable text form of the AST (`edict dump-ast`) and one-line printing of
// expressions, units and types for messages.
#include <fmt/format.h>

#include "ast/ast.h"
#include "edict/runtime/date.h"

namespace edict::ast {

const char* ExprKindName(ExprKind k) {
  switch (k) {
#define EDICT_EXPR(name) \
  case ExprKind::name:   \
    return #name;
#include "ast/ast_nodes.def"
  }
  return "?";
}

const char* DeclKeyword(DeclKind k) {
  switch (k) {
#define EDICT_DECL(name, kw) \
  case DeclKind::name:       \
    return kw;
#include "ast/ast_nodes.def"
  }
  return "?";
}

const char* ModuleKindName(ModuleKind k) {
  switch (k) {
    case ModuleKind::Regulation: return "regulation";
    case ModuleKind::Library: return "library";
    case ModuleKind::Amendment: return "amendment";
  }
  return "?";
}

const char* OpSpelling(Op op) {
  switch (op) {
    case Op::None: return "?";
    case Op::Neg: return "-";
    case Op::Not: return "not";
    case Op::Add: return "+";
    case Op::Sub: return "-";
    case Op::Mul: return "*";
    case Op::Div: return "/";
    case Op::Eq: return "==";
    case Op::Ne: return "!=";
    case Op::Lt: return "<";
    case Op::Le: return "<=";
    case Op::Gt: return ">";
    case Op::Ge: return ">=";
    case Op::And: return "and";
    case Op::Or: return "or";
    case Op::Otherwise: return "otherwise";
  }
  return "?";
}

std::string PrintUnit(const UnitAst& u) {
  if (!u.present()) return "";
  if (u.factors.size() == 1 && u.factors[0].exponent == 1) return u.factors[0].name;
  std::string s = "[";
  for (size_t i = 0; i < u.factors.size(); ++i) {
    const auto& f = u.factors[i];
    if (i) s += f.exponent < 0 ? "/" : "*";
    else if (f.exponent < 0) s += "1/";
    s += f.name.empty() ? "1" : f.name;
  }
  return s + "]";
}

std::string PrintType(const TypeRef* t) {
  if (!t) return "?";
  switch (t->kind) {
    case TypeRef::Kind::Optional: return "optional " + PrintType(t->inner.get());
    case TypeRef::Kind::Set: return "set " + PrintType(t->inner.get());
    case TypeRef::Kind::Named: {
      std::string s = t->name;
      if (t->unit.present()) {
        std::string u = PrintUnit(t->unit);
        s += " " + (u.front() == '[' ? u : "[" + u + "]");
      }
      return s;
    }
  }
  return "?";
}

namespace {
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    if (c == '\t') { out += "\\t"; continue; }
    out += c;
  }
  return out + "\"";
}
std::string WithUnit(std::string s, const UnitAst& u) {
  return u.present() ? s + " " + PrintUnit(u) : s;
}
}  // namespace

std::string PrintExpr(const Expr* e) {
  if (!e) return "<missing>";
  auto list = [&](size_t from) {
    std::string s;
    for (size_t i = from; i < e->kids.size(); ++i) s += (i > from ? ", " : "") + PrintExpr(e->kids[i]);
    return s;
  };
  switch (e->kind) {
    case ExprKind::Error: return "<error>";
    case ExprKind::IntLit: return WithUnit(std::to_string(e->int_value), e->unit);
    case ExprKind::DecimalLit: return WithUnit(e->text, e->unit);
    case ExprKind::PercentLit: return e->text + "%";
    case ExprKind::TextLit: return Quote(e->text);
    case ExprKind::DateLit: return rt::FormatDate(e->date_value);
    case ExprKind::BoolLit: return e->bool_value ? "true" : "false";
    case ExprKind::Name: return e->text;
    case ExprKind::Field: return PrintExpr(e->kids[0]) + "." + e->text;
    case ExprKind::Index: return PrintExpr(e->kids[0]) + "[" + PrintExpr(e->kids[1]) + "]";
    case ExprKind::Call: return e->text + "(" + list(0) + ")";
    case ExprKind::SetLit: return "{" + list(0) + "}";
    case ExprKind::Unary:
      return e->op == Op::Not ? "not " + PrintExpr(e->kids[0]) : "-" + PrintExpr(e->kids[0]);
    case ExprKind::Binary:
      return "(" + PrintExpr(e->kids[0]) + " " + OpSpelling(e->op) + " " + PrintExpr(e->kids[1]) + ")";
    case ExprKind::In:
      return "(" + PrintExpr(e->kids[0]) + (e->negated ? " not in " : " in ") + PrintExpr(e->kids[1]) + ")";
    case ExprKind::Is:
      return "(" + PrintExpr(e->kids[0]) + (e->negated ? " is not " : " is ") + e->text + ")";
    case ExprKind::If:
      return "(if " + PrintExpr(e->kids[0]) + " then " + PrintExpr(e->kids[1]) + " else " +
             PrintExpr(e->kids[2]) + ")";
  }
  return "?";
}

namespace {

class Printer {
 public:
  explicit Printer(const SourceManager& sm, const Module& m) : sm_(sm), m_(m) {}

  std::string Run() {
    const Header& h = m_.header;
    Line(0, fmt::format("{} {}{}", ModuleKindName(h.kind), h.name.name,
                        h.target ? " to " + h.target->name : ""));
    Prop(1, "title", h.title);
    Prop(1, "doc", h.doc);
    Prop(1, "cites", h.cites);
    Date(1, "published", h.published);
    Date(1, "effective", h.effective);
    Date(1, "compliance", h.compliance);
    Date(1, "sunset", h.sunset);
    for (const auto& u : m_.uses) Line(1, "use " + u.name);
    for (const auto& d : m_.decls) Decl(*d);
    return out_;
  }

 private:
  void Line(int depth, const std::string& s) { out_ += std::string(depth * 2, ' ') + s + "\n"; }
  void Prop(int depth, const char* key, const std::string& v) {
    if (!v.empty()) Line(depth, std::string(key) + " " + Quote(v));
  }
  void Date(int depth, const char* key, const std::optional<Dated>& d) {
    if (d) Line(depth, std::string(key) + " " + rt::FormatDate(d->date));
  }
  std::string At(SourceRange r) const {
    LineCol lc = sm_.Get(r.file).Locate(r.begin);
    return fmt::format("@{}:{}", lc.line, lc.column);
  }

  void Variants(const std::vector<Variant>& vs) {
    for (const auto& v : vs) {
      std::string s = "variant " + v.name.name;
      if (v.payload) s += "(" + PrintType(v.payload.get()) + ")";
      if (!v.title.empty()) s += " " + Quote(v.title);
      Line(2, s);
    }
  }
  void Fields(const std::vector<FieldDecl>& fs) {
    for (const auto& f : fs) {
      std::string s = "field " + f.name.name + ": " + PrintType(f.type.get());
      if (f.is_key) s += " key";
      if (f.at_least) s += " at least " + PrintExpr(f.at_least);
      if (f.at_most) s += " at most " + PrintExpr(f.at_most);
      if (!f.title.empty()) s += " " + Quote(f.title);
      Line(2, s);
    }
  }
  void Assigns(int depth, const char* key, const std::vector<Assignment>& as) {
    for (const auto& a : as) Line(depth, fmt::format("{} {} = {}", key, PrintExpr(a.target), PrintExpr(a.value)));
  }

  void Decl(const ast::Decl& d) {
    std::string head = DeclKeyword(d.kind);
    if (auto* r = As<RuleDecl>(&d); r && r->exception_to) head = "exception";
    if (!d.name.name.empty()) head += " " + d.name.name;
    if (auto* r = As<RuleDecl>(&d); r && r->exception_to) head += " to " + r->exception_to->name;
    head += " " + At(d.range);
    if (d.has_syntax_error) head += " (syntax error)";
    Line(1, head);
    Prop(2, "title", d.title);
    Prop(2, "doc", d.doc);
    Prop(2, "cites", d.cites);
    switch (d.kind) {
      case DeclKind::Unit: {
        auto& u = static_cast<const UnitDecl&>(d);
        if (u.factor) Line(2, "= " + PrintExpr(u.factor));
        break;
      }
      case DeclKind::Enum: Variants(static_cast<const EnumDecl&>(d).variants); break;
      case DeclKind::Outcome: {
        auto& o = static_cast<const OutcomeDecl&>(d);
        Variants(o.variants);
        if (o.otherwise) Line(2, "otherwise " + o.otherwise->name);
        break;
      }
      case DeclKind::Record: Fields(static_cast<const RecordDecl&>(d).fields); break;
      case DeclKind::Table: Fields(static_cast<const TableDecl&>(d).fields); break;
      case DeclKind::Input: Line(2, "type " + PrintType(static_cast<const InputDecl&>(d).type.get())); break;
      case DeclKind::Const:
      case DeclKind::Let:
      case DeclKind::Set: {
        auto& v = static_cast<const ValueDecl&>(d);
        if (v.type) Line(2, "type " + PrintType(v.type.get()));
        Line(2, "= " + PrintExpr(v.value));
        if (auto* s = As<SetDecl>(&d)) {
          for (const auto& c : s->changes) {
            Line(2, fmt::format("on {} {} {}{}", rt::FormatDate(c.on.date), c.add ? "add" : "remove",
                                PrintExpr(c.members), c.cites.empty() ? "" : " cites " + Quote(c.cites)));
          }
        }
        break;
      }
      case DeclKind::Flags: Variants(static_cast<const FlagsDecl&>(d).flags); break;
      case DeclKind::Cap: {
        auto& c = static_cast<const CapDecl&>(d);
        if (c.counts) Line(2, "counts " + PrintUnit(*c.counts));
        if (!c.keys.empty()) {
          std::string s = "per ";
          for (size_t i = 0; i < c.keys.size(); ++i) s += (i ? ", " : "") + PrintExpr(c.keys[i]);
          Line(2, s);
        }
        switch (c.period) {
          case Period::None: break;
          case Period::CalendarYear: Line(2, "each calendar year"); break;
          case Period::Quarter: Line(2, "each quarter"); break;
          case Period::Month: Line(2, "each month"); break;
          case Period::Window:
            Line(2, fmt::format("over {} through {}", rt::FormatDate(c.window_from.date),
                                rt::FormatDate(c.window_through.date)));
            break;
        }
        for (const auto& l : c.limits) {
          Line(2, "limit " + PrintExpr(l.value) + (l.from ? " from " + rt::FormatDate(l.from->date) : ""));
        }
        break;
      }
      case DeclKind::Rule: {
        auto& r = static_cast<const RuleDecl&>(d);
        if (r.effective) Line(2, "effective " + rt::FormatDate(r.effective->date));
        if (r.through) Line(2, "through " + rt::FormatDate(r.through->date));
        if (r.when) Line(2, "when " + PrintExpr(r.when));
        for (const auto& c : r.charges) Line(2, "charge " + c.cap.name + " by " + PrintExpr(c.amount));
        if (r.then) Line(2, "then " + PrintExpr(r.then));
        for (const auto& f : r.flags) Line(2, "flag " + f.name);
        break;
      }
      case DeclKind::Prefer: {
        std::string s = "order";
        for (const auto& n : static_cast<const PreferDecl&>(d).order) s += " " + n.name;
        Line(2, s);
        break;
      }
      case DeclKind::Suspend: {
        auto& s = static_cast<const SuspendDecl&>(d);
        Line(2, fmt::format("target {} from {}{}", s.target.name, rt::FormatDate(s.from.date),
                            s.through ? " through " + rt::FormatDate(s.through->date) : ""));
        break;
      }
      case DeclKind::Repeal: {
        auto& r = static_cast<const RepealDecl&>(d);
        Line(2, fmt::format("target {} on {}", r.target.name, rt::FormatDate(r.on.date)));
        break;
      }
      case DeclKind::Replace: {
        auto& r = static_cast<const ReplaceDecl&>(d);
        Line(2, fmt::format("target {} on {} with {}", r.target.name, rt::FormatDate(r.on.date),
                            PrintExpr(r.with)));
        break;
      }
      case DeclKind::Test: {
        auto& t = static_cast<const TestDecl&>(d);
        Assigns(2, "given", t.given);
        for (const auto& row : t.rows) {
          Line(2, "row " + At(row.range));
          Assigns(3, "set", row.sets);
          std::string s = "expect " + PrintExpr(row.expect);
          for (const auto& f : row.flags) s += " flag " + f.name;
          Line(3, s);
        }
        break;
      }
      case DeclKind::Regime: {
        std::string s = "includes";
        for (const auto& n : static_cast<const RegimeDecl&>(d).includes) s += " " + n.name;
        Line(2, s);
        break;
      }
    }
  }

  const SourceManager& sm_;
  const Module& m_;
  std::string out_;
};

}  // namespace

std::string Print(const Module& module, const SourceManager& sm) { return Printer(sm, module).Run(); }

}  // namespace edict::ast
