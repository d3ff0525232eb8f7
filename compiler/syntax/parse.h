// syntax::Parse: source text -> ast::Module. The only entry point into the
// syntax phase; no ANTLR type appears in this header.
#pragma once

#include <memory>

#include "ast/ast.h"
#include "base/source.h"
#include "diag/diagnostic.h"

namespace edict::syntax {

// Bracket nesting deeper than this is rejected before parsing (E0106), so
// that no input can exhaust the parser's stack.
inline constexpr int kMaxNesting = 128;

// Parses file `file` of `sm`. Always returns a module; syntax errors are
// reported to `diags`, and declarations that contain one are marked
// `has_syntax_error` so that the checker does not report their fallout.
std::unique_ptr<ast::Module> Parse(const SourceManager& sm, uint32_t file, diag::Engine& diags);

}  // namespace edict::syntax
