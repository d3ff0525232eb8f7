// The driver: the phases in order. Loads rule files (and the modules they
// `use` or amend, found beside them or on the library path), parses each,
// and checks them together.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ast/ast.h"
#include "diag/diagnostic.h"
#include "sema/check.h"

namespace edict::driver {

struct Options {
  // Directories searched for `NAME.edict` when a module names one that was
  // not given on the command line.
  std::vector<std::string> library_paths;
};

struct Compilation {
  SourceManager sources;
  std::vector<std::unique_ptr<ast::Module>> modules;
  sema::CheckedProgram checked;
  bool unreadable = false;  // a file given could not be read
};

// Parses `files` and everything they refer to, then checks them.
std::unique_ptr<Compilation> Compile(const std::vector<std::string>& files, const Options& options,
                                     diag::Engine& diags);

// Parses one file only (for `dump-ast`).
std::unique_ptr<Compilation> ParseOnly(const std::string& file, diag::Engine& diags);

}  // namespace edict::driver
