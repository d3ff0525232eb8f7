// Parse's second half: the parse tree -> ast::Module. Builder is defined in
// build_exprs.cpp (positions, names, texts, dates, units, types and
// expressions) and build_decls.cpp (the module, its header and its
// declarations); parse.cpp lexes and parses, then runs it. Private to
// compiler/syntax/, the only folder that sees ANTLR's types.
#pragma once

#include <antlr4-runtime.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "EdictLexer.h"
#include "EdictParser.h"
#include "ast/ast.h"
#include "base/source.h"
#include "diag/diagnostic.h"

namespace edict::syntax::building {

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
  void BuildModule(P::ModuleContext* ctx);
 private:
  // ---- positions --------------------------------------------------------
  uint32_t Byte(size_t cp) const;
  SourceRange Range(antlr4::Token* t) const;
  SourceRange Range(antlr4::tree::TerminalNode* n) const;
  SourceRange Range(antlr4::ParserRuleContext* c) const;
  static bool HasError(antlr4::tree::ParseTree* t);
  std::string DocBefore(antlr4::Token* start);
  // ---- leaves -----------------------------------------------------------
  ast::Named NameOf(P::IdentContext* id) const;
  ast::Named NameOf(P::QualifiedNameContext* q) const;
  std::string Text(antlr4::Token* t);
  static bool EndsWithEscape(const std::string& raw);
  std::string Text(antlr4::tree::TerminalNode* n);
  std::optional<ast::Dated> Date(antlr4::Token* t);
  std::optional<ast::Dated> Date(antlr4::tree::TerminalNode* n);
  ast::UnitAst Unit(P::UnitRefContext* u);
  std::vector<ast::UnitAst::Factor> Factors(P::UnitExprContext* ue);
  std::unique_ptr<ast::TypeRef> Type(P::TypeRefContext* t);
  // ---- expressions ------------------------------------------------------
  ast::Expr* Error(antlr4::ParserRuleContext* c);
  ast::Expr* Binary(antlr4::ParserRuleContext* c, ast::Op op, P::ExprContext* l, P::ExprContext* r);
  static ast::Op OpOf(antlr4::Token* t);
  ast::Expr* Expr(P::ExprContext* c);
  ast::Expr* Primary(P::PrimaryContext* c);
  static std::string StripUnderscores(std::string s);
  // ---- header -----------------------------------------------------------
  void BuildHeader(P::HeaderContext* h);
  void Repeated(const std::string& what, SourceRange r);
  // ---- declarations -----------------------------------------------------
  std::vector<ast::Variant> Variants(const std::vector<P::VariantContext*>& vs);
  std::vector<ast::FieldDecl> Fields(const std::vector<P::FieldContext*>& fs);
  // A record or a table: a name, a title and fields.
  template <typename T, typename Ctx>
  std::unique_ptr<T> WithFields(Ctx* c);
  // A const, a let or a set: a name, an optional type, a title and a value.
  template <typename T, typename Ctx>
  std::unique_ptr<T> Value(Ctx* c);
  std::unique_ptr<ast::Decl> BuildDecl(P::DeclarationContext* d);
  std::vector<ast::Assignment> Assignments(P::AssignmentsContext* c);
  std::unique_ptr<ast::Decl> BuildCap(P::CapDeclContext* c);
  void RuleClauses(ast::RuleDecl& r, const std::vector<P::RuleClauseContext*>& clauses);
  std::unique_ptr<ast::Decl> BuildAction(P::AmendActionContext* c);

  const SourceFile& file_;
  uint32_t file_id_;
  diag::Engine& diags_;
  antlr4::CommonTokenStream& tokens_;
  const std::vector<uint32_t>& cp_to_byte_;
  ast::Module& m_;
};

}  // namespace edict::syntax::building
