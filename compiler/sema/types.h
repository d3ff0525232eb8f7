// Semantic types: Bool, Int and Decimal with units, Date, Text, Country,
// enums, outcomes, sets, optionals, records and tables, plus <error>, which
// is compatible with everything so one mistake yields one message.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "ast/ast.h"

namespace edict::sema {

// A unit as a product of base units with integer exponents; empty = a pure
// number. Scaled units (`unit H100e = 15_832 TPP`) are normalised to their
// base before they get here, so equality is exact.
struct Unit {
  std::map<std::string, int> exps;
  bool empty() const { return exps.empty(); }
  bool operator==(const Unit& o) const { return exps == o.exps; }
  bool operator!=(const Unit& o) const { return !(*this == o); }
  Unit Times(const Unit& o) const;
  Unit Over(const Unit& o) const;
  std::string ToString() const;  // "TPP", "TPP/chip", "" for none
  // As written after a number: `TPP` alone, a compound in brackets
  // (`[TPP/chip]`), since `3 TPP/chip` reads as `(3 TPP) / chip`.
  std::string AfterNumber() const;
};

enum class TypeKind { Error, Bool, Int, Decimal, Date, Text, Country, Enum, Outcome, Set, Optional, Record };

struct Type {
  TypeKind kind = TypeKind::Error;
  Unit unit;                          // Int, Decimal
  const ast::Decl* decl = nullptr;    // Enum, Outcome, Record (RecordDecl or TableDecl)
  std::shared_ptr<const Type> elem;   // Set, Optional

  static Type Error() { return {}; }
  static Type Simple(TypeKind k) { Type t; t.kind = k; return t; }
  static Type Number(TypeKind k, Unit u) { Type t; t.kind = k; t.unit = std::move(u); return t; }
  static Type Of(TypeKind k, const ast::Decl* d) { Type t; t.kind = k; t.decl = d; return t; }
  static Type Wrap(TypeKind k, Type inner) {
    Type t;
    t.kind = k;
    t.elem = std::make_shared<const Type>(std::move(inner));
    return t;
  }

  bool IsError() const;  // <error>, or a set/optional of <error>
  bool IsNumber() const { return kind == TypeKind::Int || kind == TypeKind::Decimal; }
  const Type& Inner() const { return *elem; }
  // Same type, where <error> matches anything.
  bool Matches(const Type& o) const;
  std::string ToString() const;
};

}  // namespace edict::sema
