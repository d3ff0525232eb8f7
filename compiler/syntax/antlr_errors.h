// Turns ANTLR's syntax errors into Edict diagnostics (E0101), one per
// declaration, with the expected tokens as a help line; and the recovery
// strategy that keeps later declarations. Included only by parse.cpp.
#pragma once

#include <antlr4-runtime.h>

#include <vector>

#include "diag/diagnostic.h"

namespace edict::syntax {

class SyntaxErrorListener : public antlr4::BaseErrorListener {
 public:
  SyntaxErrorListener(diag::Engine& diags, uint32_t file, const std::vector<uint32_t>& cp_to_byte)
      : diags_(diags), file_(file), cp_to_byte_(cp_to_byte) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line,
                   size_t column, const std::string& msg, std::exception_ptr e) override;

 private:
  diag::Engine& diags_;
  uint32_t file_;
  const std::vector<uint32_t>& cp_to_byte_;
  long last_error_token_ = -1;
};

// ANTLR's recovery, except that a declaration keyword is never deleted as
// "extraneous input": after a broken declaration the parser resumes at the
// next one instead of swallowing it.
class KeepDeclarationsStrategy : public antlr4::DefaultErrorStrategy {
 protected:
  antlr4::Token* singleTokenDeletion(antlr4::Parser* recognizer) override;
};

}  // namespace edict::syntax
