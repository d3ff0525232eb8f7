#!/usr/bin/env bash
# Fails if ANTLR headers are included outside compiler/syntax/ or LLVM headers
# outside compiler/jit/: the phases behind them must not depend on either.
set -u
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root" || exit 2
status=0
antlr=$(grep -rlE '#include *[<"](antlr4-runtime|Edict(Lexer|Parser))' --include='*.h' --include='*.hpp' \
  --include='*.cpp' --include='*.cc' compiler runtime tests examples bench 2>/dev/null | grep -v '^compiler/syntax/')
if [ -n "$antlr" ]; then echo "ANTLR headers outside compiler/syntax/: $antlr"; status=1; fi
llvm=$(grep -rlE '#include *[<"]llvm/' --include='*.h' --include='*.hpp' --include='*.cpp' --include='*.cc' \
  compiler runtime tests examples bench 2>/dev/null | grep -v '^compiler/jit/')
if [ -n "$llvm" ]; then echo "LLVM headers outside compiler/jit/: $llvm"; status=1; fi
# The generated parser is built into the build tree, never committed.
gen=$(git ls-files 2>/dev/null | grep -E '(EdictLexer|EdictParser)[A-Za-z]*\.(cpp|h)$')
if [ -n "$gen" ]; then echo "generated parser committed: $gen"; status=1; fi
[ $status -eq 0 ] && echo "fences hold: ANTLR only in compiler/syntax/, LLVM only in compiler/jit/"
exit $status
