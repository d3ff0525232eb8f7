// Syntax error reporting: lawyer-readable messages from ANTLR's recognizer
// state, and suppression of the follow-on errors of one mistake.
#include "syntax/antlr_errors.h"

#include <set>

#include "EdictLexer.h"
#include "EdictParser.h"

namespace edict::syntax {
namespace {

using L = edict_gen::EdictLexer;

// Tokens that start a declaration: after one of these, a new error is a new
// mistake rather than fallout of the last one.
bool StartsDeclaration(size_t type) {
  switch (type) {
    case L::UNIT: case L::ENUM: case L::OUTCOME: case L::RECORD: case L::TABLE:
    case L::INPUT: case L::CONST: case L::LET: case L::SET: case L::FLAGS: case L::CAP:
    case L::RULE: case L::EXCEPTION: case L::PREFER: case L::SUSPEND: case L::REPEAL:
    case L::REPLACE: case L::TEST: case L::REGIME: case L::USE:
      return true;
    default:
      return false;
  }
}

std::string Describe(antlr4::Token* t, const antlr4::dfa::Vocabulary& vocab) {
  if (!t || t->getType() == antlr4::Token::EOF) return "end of file";
  std::string text = t->getText();
  if (text.size() > 30) text = text.substr(0, 27) + "...";
  (void)vocab;
  return "`" + text + "`";
}

std::string Spell(size_t type, const antlr4::dfa::Vocabulary& vocab) {
  if (type == antlr4::Token::EOF) return "end of file";
  switch (type) {
    case L::ID: return "a name";
    case L::STRING: return "text in quotes";
    case L::DATE: return "a date";
    case L::INT: return "a number";
    case L::DECIMAL: return "a decimal";
    case L::PERCENT: return "a percentage";
    default: break;
  }
  std::string lit = vocab.getLiteralName(type);
  if (lit.size() >= 2 && lit.front() == '\'') return "`" + lit.substr(1, lit.size() - 2) + "`";
  return vocab.getDisplayName(type);
}

}  // namespace

void SyntaxErrorListener::syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending,
                                      size_t, size_t, const std::string&, std::exception_ptr) {
  auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
  if (!parser || !offending) return;
  long index = static_cast<long>(offending->getTokenIndex());
  if (last_error_token_ >= 0) {
    // Same mistake unless a declaration keyword lies between the two errors.
    bool fresh = false;
    auto* stream = parser->getTokenStream();
    for (long i = last_error_token_ + 1; i <= index && !fresh; ++i) {
      fresh = StartsDeclaration(stream->get(static_cast<size_t>(i))->getType());
    }
    if (!fresh || index <= last_error_token_) return;
  }
  last_error_token_ = index;

  const auto& vocab = parser->getVocabulary();
  auto clamp = [&](size_t cp) { return cp_to_byte_[std::min(cp, cp_to_byte_.size() - 1)]; };
  SourceRange r{file_, clamp(offending->getStartIndex()), 0};
  if (offending->getType() == antlr4::Token::EOF) {
    r.begin = cp_to_byte_.back();
    r.end = r.begin;
  } else {
    r.end = clamp(offending->getStopIndex() + 1);
  }

  std::set<std::string> expected;
  try {
    antlr4::misc::IntervalSet set = parser->getExpectedTokens();
    for (size_t t : set.toList()) expected.insert(Spell(t, vocab));
  } catch (...) {
    // getExpectedTokens can fail in a broken state; the message stands alone.
  }
  auto b = diags_.Emit(diag::Kind::SyntaxError, r, "unexpected " + Describe(offending, vocab));
  if (!expected.empty() && expected.size() <= 12) {
    std::string list;
    size_t i = 0;
    for (const auto& e : expected) {
      if (i++) list += i == expected.size() ? " or " : ", ";
      list += e;
    }
    b.Help("expected " + list);
  } else if (!expected.empty()) {
    b.Help("this does not fit here; compare with a declaration in docs/reference.md");
  }
}

}  // namespace edict::syntax
