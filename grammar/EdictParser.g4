// EdictParser.g4: the syntax of an Edict rule file.
// Only compiler/syntax/ sees the parse tree this grammar produces; the rest
// of the compiler works on the AST that compiler/syntax/ast_builder.cpp builds.
// Declarations are keyword-led clause lists with no terminator, so that a
// rule reads aloud: `rule x "title" cites "..." when ... then ...`.
parser grammar EdictParser;

options { tokenVocab = EdictLexer; }

module
  : header useDecl* declaration* EOF
  ;

header
  : kind=(REGULATION | LIBRARY) name=ident title=STRING? headerClause*   # regulationHeader
  | AMENDMENT name=ident TO target=ident title=STRING? headerClause*     # amendmentHeader
  ;

headerClause
  : CITES STRING                                                        # citesClause
  | kw=(PUBLISHED | EFFECTIVE | COMPLIANCE | SUNSET) DATE               # headerDateClause
  ;

useDecl
  : USE ident
  ;

declaration
  : unitDecl | enumDecl | outcomeDecl | recordDecl | tableDecl | inputDecl
  | constDecl | letDecl | setDecl | flagsDecl | capDecl | ruleDecl
  | exceptionDecl | preferDecl | amendAction | testDecl | regimeDecl
  ;

unitDecl      : UNIT ident title=STRING? (ASSIGN number unitRef)? ;
enumDecl      : ENUM ident title=STRING? LBRACE variant (COMMA variant)* COMMA? RBRACE ;
outcomeDecl   : OUTCOME ident title=STRING? LBRACE variant (COMMA variant)* COMMA? RBRACE
                (OTHERWISE ident)? ;
variant       : ident (LPAREN typeRef RPAREN)? title=STRING? ;
recordDecl    : RECORD ident title=STRING? LBRACE field (COMMA field)* COMMA? RBRACE ;
tableDecl     : TABLE ident title=STRING? LBRACE field (COMMA field)* COMMA? RBRACE ;
field         : ident COLON typeRef KEY? fieldBound* title=STRING? ;
fieldBound    : AT bound=(LEAST | MOST) expr ;
inputDecl     : INPUT ident COLON typeRef ;
constDecl     : CONST ident (COLON typeRef)? title=STRING? ASSIGN expr ;
letDecl       : LET ident (COLON typeRef)? title=STRING? ASSIGN expr ;
setDecl       : SET ident (COLON typeRef)? title=STRING? ASSIGN expr setChange* ;
setChange     : ON DATE change=(ADD | REMOVE) expr (CITES STRING)? ;
flagsDecl     : FLAGS LBRACE flagItem (COMMA flagItem)* COMMA? RBRACE ;
flagItem      : ident title=STRING? ;

capDecl       : CAP ident title=STRING? capClause* ;
capClause
  : CITES STRING                                       # capCites
  | COUNTS unitRef                                     # capCounts
  | PER expr (COMMA expr)*                             # capPer
  | EACH period                                        # capEach
  | OVER from=DATE THROUGH to=DATE                     # capOver
  | LIMIT expr (FROM DATE)?                            # capLimit
  ;
period        : CALENDAR? YEAR | QUARTER | MONTH ;

ruleDecl      : RULE ident title=STRING? ruleClause* ;
exceptionDecl : EXCEPTION ident TO qualifiedName title=STRING? ruleClause* ;
ruleClause
  : CITES STRING                                       # ruleCites
  | EFFECTIVE DATE                                     # ruleEffective
  | THROUGH DATE                                       # ruleThrough
  | WHEN expr                                          # ruleWhen
  | THEN expr                                          # ruleThen
  | CHARGE qualifiedName BY expr                       # ruleCharge
  | FLAG ident (COMMA ident)*                          # ruleFlag
  ;
preferDecl    : PREFER qualifiedName (COMMA qualifiedName)+ ;

amendAction
  : SUSPEND qualifiedName FROM from=DATE (THROUGH to=DATE)? (CITES STRING)?   # suspendAction
  | REPEAL qualifiedName ON DATE (CITES STRING)?                             # repealAction
  | REPLACE qualifiedName ON DATE WITH expr (CITES STRING)?                  # replaceAction
  ;

testDecl      : TEST title=STRING LBRACE (GIVEN assignments)? testRow* RBRACE ;
testRow       : ROW assignments? EXPECT expr (FLAG ident (COMMA ident)*)? ;
assignments   : assignment (COMMA assignment)* ;
assignment    : expr ASSIGN expr ;

regimeDecl    : REGIME ident title=STRING? INCLUDES ident (COMMA ident)* ;

typeRef
  : OPTIONAL typeRef                                   # optionalType
  | SET typeRef                                        # setType
  | ident (LBRACK unitExpr RBRACK)?                    # namedType
  ;

// A unit after a number: one unit name, or a bracketed unit expression.
unitRef       : ident | LBRACK unitExpr RBRACK ;
unitExpr      : unitFactor ((STAR | SLASH) unitFactor)* ;
unitFactor    : ident | INT ;

qualifiedName : ident (DOT ident)? ;

expr
  : primary                                                   # primaryExpr
  | expr DOT ident                                            # fieldExpr
  | expr LBRACK expr RBRACK                                   # indexExpr
  | MINUS expr                                                # negExpr
  | expr op=(STAR | SLASH) expr                               # mulExpr
  | expr op=(PLUS | MINUS) expr                               # addExpr
  | expr OTHERWISE expr                                       # otherwiseExpr
  | expr op=(EQ | NE | LT | LE | GT | GE) expr                # cmpExpr
  | expr NOT? IN expr                                         # inExpr
  | expr IS NOT? (PRESENT | ABSENT)                           # isExpr
  | NOT expr                                                  # notExpr
  | expr AND expr                                             # andExpr
  | expr OR expr                                              # orExpr
  | IF expr THEN expr ELSE expr                               # ifExpr
  ;

primary
  : number unitRef?                                           # numberLit
  | PERCENT                                                   # percentLit
  | STRING                                                    # stringLit
  | DATE                                                      # dateLit
  | (TRUE | FALSE)                                            # boolLit
  | ident LPAREN (expr (COMMA expr)*)? RPAREN                 # callExpr
  | ident                                                     # nameExpr
  | LPAREN expr RPAREN                                        # parenExpr
  | LBRACE (expr (COMMA expr)* COMMA?)? RBRACE                # setLit
  ;

number : INT | DECIMAL ;

ident : ID | KEY | ROW | CALENDAR | YEAR | QUARTER | MONTH | PRESENT | ABSENT | AT | LEAST | MOST ;
