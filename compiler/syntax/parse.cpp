// Parse: runs the ANTLR lexer and parser over one file, reports lexical
// problems once, and converts the parse tree into an ast::Module (Builder,
// builder.h). Only compiler/syntax/ includes ANTLR headers; no parse-tree
// type escapes it (parse.h).
#include <antlr4-runtime.h>

#include <set>
#include <string>

#include "EdictLexer.h"
#include "EdictParser.h"
#include "syntax/antlr_errors.h"
#include "syntax/builder.h"
#include "syntax/parse.h"

namespace edict::syntax {
namespace {

using building::L;
using building::P;

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
  building::Builder builder(src, file, diags, tokens, cp_to_byte, *module);
  builder.BuildModule(tree);
  return module;
}

}  // namespace edict::syntax
