// EdictLexer.g4: the tokens of an Edict rule file.
// Keywords are lowercase words; identifiers are letters, digits and '_'.
// Doc comments (///) go to their own channel so the AST builder can attach
// them to the declaration that follows; other comments are skipped.
lexer grammar EdictLexer;

channels { DOC }

// Header keywords
REGULATION : 'regulation' ;
AMENDMENT  : 'amendment' ;
LIBRARY    : 'library' ;
TO         : 'to' ;
USE        : 'use' ;
CITES      : 'cites' ;
PUBLISHED  : 'published' ;
EFFECTIVE  : 'effective' ;
COMPLIANCE : 'compliance' ;
SUNSET     : 'sunset' ;

// Declarations
UNIT      : 'unit' ;
ENUM      : 'enum' ;
OUTCOME   : 'outcome' ;
OTHERWISE : 'otherwise' ;
RECORD    : 'record' ;
TABLE     : 'table' ;
INPUT     : 'input' ;
CONST     : 'const' ;
LET       : 'let' ;
SET       : 'set' ;
ON        : 'on' ;
ADD       : 'add' ;
REMOVE    : 'remove' ;
FLAGS     : 'flags' ;
FLAG      : 'flag' ;
CAP       : 'cap' ;
COUNTS    : 'counts' ;
PER       : 'per' ;
EACH      : 'each' ;
OVER      : 'over' ;
LIMIT     : 'limit' ;
FROM      : 'from' ;
THROUGH   : 'through' ;
RULE      : 'rule' ;
EXCEPTION : 'exception' ;
WHEN      : 'when' ;
THEN      : 'then' ;
CHARGE    : 'charge' ;
BY        : 'by' ;
PREFER    : 'prefer' ;
SUSPEND   : 'suspend' ;
REPEAL    : 'repeal' ;
REPLACE   : 'replace' ;
WITH      : 'with' ;
TEST      : 'test' ;
GIVEN     : 'given' ;
EXPECT    : 'expect' ;
REGIME    : 'regime' ;
INCLUDES  : 'includes' ;
OPTIONAL  : 'optional' ;

// Soft keywords (also usable as names, see `ident` in the parser)
KEY       : 'key' ;
AT        : 'at' ;
LEAST     : 'least' ;
MOST      : 'most' ;
ROW       : 'row' ;
CALENDAR  : 'calendar' ;
YEAR      : 'year' ;
QUARTER   : 'quarter' ;
MONTH     : 'month' ;
PRESENT   : 'present' ;
ABSENT    : 'absent' ;

// Expressions
TRUE  : 'true' ;
FALSE : 'false' ;
AND   : 'and' ;
OR    : 'or' ;
NOT   : 'not' ;
IN    : 'in' ;
IS    : 'is' ;
IF    : 'if' ;
ELSE  : 'else' ;

EQ     : '==' ;
NE     : '!=' ;
LE     : '<=' ;
GE     : '>=' ;
LT     : '<' ;
GT     : '>' ;
ASSIGN : '=' ;
PLUS   : '+' ;
MINUS  : '-' ;
STAR   : '*' ;
SLASH  : '/' ;
DOT    : '.' ;
COMMA  : ',' ;
COLON  : ':' ;
LPAREN : '(' ;
RPAREN : ')' ;
LBRACE : '{' ;
RBRACE : '}' ;
LBRACK : '[' ;
RBRACK : ']' ;

DATE    : DIGIT DIGIT DIGIT DIGIT '-' DIGIT DIGIT '-' DIGIT DIGIT ;
PERCENT : DIGITS ('.' DIGITS)? '%' ;
DECIMAL : DIGITS '.' DIGITS ;
INT     : DIGITS ;
STRING  : '"' ( ~["\\\r\n] | '\\' ~[\r\n] )* '"' ;
// A string that reaches the end of its line: reported as its own error.
UNTERMINATED_STRING : '"' ( ~["\\\r\n] | '\\' ~[\r\n] )* ;

ID : [A-Za-z_] [A-Za-z0-9_]* ;

DOC_COMMENT : '///' ~[\r\n]* -> channel(DOC) ;
LINE_COMMENT : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS : [ \t\r\n]+ -> skip ;

// Anything else is one bad character; the parser reports it, never the lexer.
BAD_CHAR : . ;

fragment DIGIT  : [0-9] ;
fragment DIGITS : DIGIT ( '_'? DIGIT )* ;
