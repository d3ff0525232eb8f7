// Unit algebra and type printing/equality.
#include "sema/types.h"

namespace edict::sema {

Unit Unit::Times(const Unit& o) const {
  Unit r = *this;
  for (const auto& [k, v] : o.exps) {
    if ((r.exps[k] += v) == 0) r.exps.erase(k);
  }
  return r;
}

Unit Unit::Over(const Unit& o) const {
  Unit inv;
  for (const auto& [k, v] : o.exps) inv.exps[k] = -v;
  return Times(inv);
}

std::string Unit::ToString() const {
  std::string num, den;
  for (const auto& [k, v] : exps) {
    std::string& side = v > 0 ? num : den;
    for (int i = 0; i < (v > 0 ? v : -v); ++i) side += (side.empty() ? "" : "*") + k;
  }
  if (num.empty() && den.empty()) return "";
  if (den.empty()) return num;
  return (num.empty() ? "1" : num) + "/" + den;
}

std::string Unit::AfterNumber() const {
  std::string s = ToString();
  bool single = exps.size() == 1 && exps.begin()->second == 1;
  return single || s.empty() ? s : "[" + s + "]";
}

bool Type::IsError() const {
  if (kind == TypeKind::Error) return true;
  if ((kind == TypeKind::Set || kind == TypeKind::Optional) && elem) return elem->IsError();
  return false;
}

bool Type::Matches(const Type& o) const {
  if (kind == TypeKind::Error || o.kind == TypeKind::Error) return true;
  if (kind != o.kind) return false;
  switch (kind) {
    case TypeKind::Int:
    case TypeKind::Decimal: return unit == o.unit;
    case TypeKind::Enum:
    case TypeKind::Outcome:
    case TypeKind::Record: return decl == o.decl;
    case TypeKind::Set:
    case TypeKind::Optional: return elem->Matches(*o.elem);
    default: return true;
  }
}

std::string Type::ToString() const {
  auto with_unit = [&](const char* base) {
    std::string u = unit.ToString();
    return u.empty() ? std::string(base) : std::string(base) + " [" + u + "]";
  };
  switch (kind) {
    case TypeKind::Error: return "<error>";
    case TypeKind::Bool: return "Bool";
    case TypeKind::Int: return with_unit("Int");
    case TypeKind::Decimal: return with_unit("Decimal");
    case TypeKind::Date: return "Date";
    case TypeKind::Text: return "Text";
    case TypeKind::Country: return "Country";
    case TypeKind::Enum:
    case TypeKind::Outcome:
    case TypeKind::Record: return decl ? decl->name.name : "?";
    case TypeKind::Set: return "set " + elem->ToString();
    case TypeKind::Optional: return "optional " + elem->ToString();
  }
  return "?";
}

}  // namespace edict::sema
