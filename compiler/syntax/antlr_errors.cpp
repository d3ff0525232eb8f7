// Syntax error reporting: lawyer-readable messages from ANTLR's recognizer
// state, and suppression of the follow-on errors of one mistake.
#include "syntax/antlr_errors.h"

#include <algorithm>
#include <cctype>
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

// Soft keywords: also accepted as names (see `ident` in the grammar).
bool IsSoftKeyword(size_t type) {
  switch (type) {
    case L::KEY: case L::ROW: case L::CALENDAR: case L::YEAR: case L::QUARTER: case L::MONTH:
    case L::PRESENT: case L::ABSENT: case L::AT: case L::LEAST: case L::MOST:
      return true;
    default:
      return false;
  }
}

// Tokens that can begin an expression (see `expr` and `primary`).
bool StartsValue(size_t type) {
  switch (type) {
    case L::INT: case L::DECIMAL: case L::PERCENT: case L::STRING: case L::DATE: case L::TRUE:
    case L::FALSE: case L::ID: case L::LPAREN: case L::LBRACE: case L::MINUS: case L::NOT: case L::IF:
      return true;
    default:
      return IsSoftKeyword(type);
  }
}

// A reserved word (soft keywords can be names, so they are not).
bool IsKeyword(size_t type, const antlr4::dfa::Vocabulary& vocab) {
  std::string lit = vocab.getLiteralName(type);
  return lit.size() >= 3 && lit.front() == '\'' && std::isalpha(static_cast<unsigned char>(lit[1])) &&
         !IsSoftKeyword(type);
}

// The keyword a misspelt word was probably meant to be (`thn` -> `then`),
// or "" when none is close.
std::string NearKeyword(const std::string& word, const antlr4::dfa::Vocabulary& vocab) {
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      cur[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      }
      std::swap(prev, cur);
    }
    return prev[b.size()];
  };
  std::string best;
  size_t best_d = word.size() <= 4 ? 2 : 3;  // at most 1 edit for short words, 2 for longer
  for (size_t t = 1; t <= vocab.getMaxTokenType(); ++t) {
    std::string lit = vocab.getLiteralName(t);
    if (lit.size() < 4 || lit.front() != '\'' || !std::isalpha(static_cast<unsigned char>(lit[1]))) continue;
    lit = lit.substr(1, lit.size() - 2);
    size_t d = distance(word, lit);
    if (d < best_d) {
      best_d = d;
      best = lit;
    }
  }
  return best;
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
    // The last error's own token counts too: recovery never removes a
    // declaration keyword (see KeepDeclarationsStrategy), so the parser
    // resumed there and what follows is a new declaration. `use` is the
    // exception: it cannot follow a declaration, so recovery skips it.
    auto* stream = parser->getTokenStream();
    size_t last_type = stream->get(static_cast<size_t>(last_error_token_))->getType();
    bool fresh = StartsDeclaration(last_type) && last_type != L::USE;
    for (long i = last_error_token_ + 1; i <= index && !fresh; ++i) {
      fresh = StartsDeclaration(stream->get(static_cast<size_t>(i))->getType());
    }
    if (!fresh || index <= last_error_token_) return;
  }
  last_error_token_ = index;
  // Right after a bad character (E0104, hidden from the parser): the bad
  // character is the mistake (`1 @ 2`), already reported.
  {
    auto* stream = parser->getTokenStream();
    for (long i = index - 1; i >= 0; --i) {
      antlr4::Token* t = stream->get(static_cast<size_t>(i));
      if (t->getType() == L::BAD_CHAR) return;
      if (t->getChannel() == antlr4::Token::DEFAULT_CHANNEL) break;
    }
  }

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
  bool declarations = false;  // a new declaration could start here
  try {
    antlr4::misc::IntervalSet set = parser->getExpectedTokens();
    auto has = [&](size_t t) { return set.contains(static_cast<ssize_t>(t)); };
    // Where a value may start, say so once rather than listing every token
    // that can begin one; where a name may stand, the soft keywords that can
    // also be names are not listed on their own.
    bool value = has(L::INT) && has(L::STRING) && has(L::LPAREN) && has(L::NOT);
    bool name = has(L::ID);
    declarations = has(L::RULE) && has(L::CONST);
    if (value) expected.insert("a value");
    for (size_t t : set.toList()) {
      if (value && StartsValue(t)) continue;
      if ((value || name) && IsSoftKeyword(t)) continue;
      expected.insert(Spell(t, vocab));
    }
  } catch (...) {
    // getExpectedTokens can fail in a broken state; the message stands alone.
  }
  auto b = diags_.Emit(diag::Kind::SyntaxError, r, "unexpected " + Describe(offending, vocab));
  std::string near = offending->getType() == L::ID ? NearKeyword(offending->getText(), vocab) : "";
  // The tokens either side of the offending one: a keyword after `.` or
  // before `:` or `=` was meant as a name (`s.use`, `use: Text`).
  size_t prev = antlr4::Token::EOF, next = antlr4::Token::EOF;
  antlr4::Token* prev_token = nullptr;
  auto* tokens = parser->getTokenStream();
  for (size_t i = offending->getTokenIndex() + 1; i < tokens->size(); ++i) {
    if (tokens->get(i)->getChannel() == antlr4::Token::DEFAULT_CHANNEL) {
      next = tokens->get(i)->getType();
      break;
    }
  }
  for (size_t i = offending->getTokenIndex(); i-- > 0;) {
    if (tokens->get(i)->getChannel() == antlr4::Token::DEFAULT_CHANNEL) {
      prev_token = tokens->get(i);
      prev = prev_token->getType();
      break;
    }
  }
  if (!near.empty()) {
    b.Help("did you mean `" + near + "`?");
  } else if (IsKeyword(offending->getType(), vocab) &&
             (prev == L::DOT || next == L::COLON || next == L::ASSIGN)) {
    b.Help("`" + offending->getText() + "` is a keyword, so it cannot be a name; choose another");
  } else if (!expected.empty() && expected.size() <= 12) {
    std::string list;
    size_t i = 0;
    for (const auto& e : expected) {
      if (i++) list += i == expected.size() ? " or " : ", ";
      list += e;
    }
    b.Help("expected " + list);
  } else if (declarations) {
    b.Help("a declaration starts with a keyword such as `rule`, `exception`, `const` or `cap`");
  } else if (!expected.empty()) {
    b.Help("this does not fit here; compare the declaration with an example");
  }
  // A declaration keyword on a later line than the last token: the mistake
  // is that the declaration before it stops short; show where.
  if (prev_token && StartsDeclaration(offending->getType()) && prev_token->getLine() < offending->getLine()) {
    b.NoteAt({file_, clamp(prev_token->getStartIndex()), clamp(prev_token->getStopIndex() + 1)},
             "the declaration before it stops here, unfinished");
  }
}

antlr4::Token* KeepDeclarationsStrategy::singleTokenDeletion(antlr4::Parser* recognizer) {
  if (StartsDeclaration(recognizer->getTokenStream()->LA(1))) return nullptr;
  return DefaultErrorStrategy::singleTokenDeletion(recognizer);
}

}  // namespace edict::syntax
