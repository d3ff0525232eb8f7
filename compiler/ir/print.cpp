// The stable text form of the IR (`edict dump-ir`), and its verifier.
#include <fmt/format.h>

#include "edict/runtime/country.h"
#include "edict/runtime/date.h"
#include "ir/ir.h"

namespace edict::ir {

const char* OpName(Op op) {
  switch (op) {
#define EDICT_INST(name, operands) \
  case Op::name:                   \
    return #name;
#include "ir/inst_kinds.def"
  }
  return "?";
}

const char* TyName(Ty t) {
  switch (t) {
    case Ty::Bool: return "Bool";
    case Ty::Int: return "Int";
    case Ty::Dec: return "Dec";
    case Ty::Date: return "Date";
    case Ty::Text: return "Text";
    case Ty::Country: return "Country";
    case Ty::Enum: return "Enum";
  }
  return "?";
}

namespace {

std::string Day(int32_t d) {
  if (d == INT32_MIN) return "-inf";
  if (d == INT32_MAX) return "+inf";
  return rt::FormatDate(d);
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

// Renders a raw slot of type `ty` (enum values need the program's enums).
static std::string Slot(const Program& p, Ty ty, uint32_t enum_id, int64_t v) {
  switch (ty) {
    case Ty::Bool: return v ? "true" : "false";
    case Ty::Int: return std::to_string(v);
    case Ty::Dec:
      return v >= 0 && static_cast<size_t>(v) < p.decimals.size() ? rt::FormatDecimal(p.decimals[v]) : "?";
    case Ty::Date: return Day(static_cast<int32_t>(v));
    case Ty::Text:
      return v >= 0 && static_cast<size_t>(v) < p.texts.size() ? Quote(p.texts[v]) : "text#" + std::to_string(v);
    case Ty::Country: return std::string(rt::CountryCode(static_cast<int>(v)));
    case Ty::Enum:
      if (enum_id < p.enums.size() && v >= 0 && static_cast<size_t>(v) < p.enums[enum_id].variants.size()) {
        return p.enums[enum_id].name + "." + p.enums[enum_id].variants[v];
      }
      return "enum#" + std::to_string(v);
  }
  return "?";
}

std::string Print(const Program& p, const SourceManager& sm) {
  std::string out;
  auto line = [&](const std::string& s) { out += s + "\n"; };
  auto at = [&](SourceRange r) {
    if (r.file >= sm.size()) return std::string();
    LineCol lc = sm.Get(r.file).Locate(r.begin);
    return fmt::format("  @{}:{}:{}", sm.Get(r.file).path(), lc.line, lc.column);
  };
  auto ref = [](InstId i) { return i == kNoInst ? std::string("-") : "%" + std::to_string(i); };
  line("program " + p.regime);
  for (const auto& m : p.modules) line("  module " + m);
  line("record " + p.record);
  for (size_t i = 0; i < p.fields.size(); ++i) {
    const Field& f = p.fields[i];
    line(fmt::format("  field {} {}: {}{}{}{}", i, f.name, f.optional ? "optional " : "", TyName(f.ty),
                     f.ty == Ty::Enum && f.enum_id < p.enums.size() ? " " + p.enums[f.enum_id].name : "",
                     f.unit.empty() ? "" : " [" + f.unit + "]"));
  }
  for (size_t i = 0; i < p.enums.size(); ++i) {
    std::string vs;
    for (const auto& v : p.enums[i].variants) vs += " " + v;
    line(fmt::format("enum {} {}:{}", i, p.enums[i].name, vs));
  }
  {
    std::string vs;
    for (const auto& v : p.outcome.variants) {
      vs += " " + v.name + (v.payload_enum < p.enums.size() ? "(" + p.enums[v.payload_enum].name + ")" : "");
    }
    line(fmt::format("outcome {}:{} otherwise {}", p.outcome.name, vs,
                     p.outcome.otherwise >= 0 && static_cast<size_t>(p.outcome.otherwise) < p.outcome.variants.size()
                         ? p.outcome.variants[p.outcome.otherwise].name
                         : "?"));
  }
  for (size_t i = 0; i < p.flags.size(); ++i) line(fmt::format("flag {} {}", i, p.flags[i].name));
  for (size_t i = 0; i < p.sets.size(); ++i) {
    const DatedSet& s = p.sets[i];
    line(fmt::format("set {} {}: {}", i, s.name, TyName(s.elem)));
    for (const auto& v : s.versions) {
      std::string ms;
      for (int64_t m : v.members) ms += " " + Slot(p, s.elem, UINT32_MAX, m);
      line(fmt::format("  from {}:{}", Day(v.from), ms));
    }
  }
  for (size_t i = 0; i < p.tables.size(); ++i) {
    std::string cs;
    for (const auto& c : p.tables[i].columns) cs += " " + c.name + ":" + TyName(c.ty) + (c.is_key ? "(key)" : "");
    line(fmt::format("table {} {}:{}", i, p.tables[i].name, cs));
  }
  for (size_t i = 0; i < p.insts.size(); ++i) {
    const Inst& in = p.insts[i];
    std::string args;
    for (InstId o : {in.a, in.b, in.c}) {
      if (o != kNoInst) args += " " + ref(o);
    }
    std::string imm;
    switch (in.op) {
      case Op::Field: imm = " " + (in.imm >= 0 && static_cast<size_t>(in.imm) < p.fields.size() ? p.fields[in.imm].name : "?"); break;
      case Op::Const: imm = " " + Slot(p, in.ty, in.enum_id, in.imm); break;
      case Op::DateSwitch:
      case Op::InSet:
      case Op::InTable:
      case Op::TableGet: imm = " #" + std::to_string(in.imm); break;
      default: break;
    }
    line(fmt::format("%{} = {} {}{}{}{}{}", i, OpName(in.op), TyName(in.ty), in.optional ? "?" : "", args, imm,
                     at(in.range)));
  }
  for (size_t i = 0; i < p.switches.size(); ++i) {
    std::string vs;
    for (const auto& v : p.switches[i].versions) vs += fmt::format(" {}:{}", Day(v.from), ref(v.value));
    line(fmt::format("switch {} {}:{}", i, p.switches[i].name, vs));
  }
  for (size_t i = 0; i < p.caps.size(); ++i) {
    const Cap& c = p.caps[i];
    std::string keys;
    for (InstId k : c.keys) keys += " " + ref(k);
    const char* period = c.period == Period::CalendarYear ? "calendar-year"
                         : c.period == Period::Quarter    ? "quarter"
                         : c.period == Period::Month      ? "month"
                                                          : "window";
    std::string win = c.period == Period::Window ? fmt::format(" {}..{}", Day(c.window.from), Day(c.window.through)) : "";
    std::string limits;
    for (const auto& l : c.limits) limits += fmt::format(" {}:{}", Day(l.from), ref(l.value));
    line(fmt::format("cap {} {} [{}] per{} each {}{} limit{}{}", i, c.name, c.unit, keys, period, win, limits, at(c.range)));
  }
  for (size_t i = 0; i < p.rules.size(); ++i) {
    const Rule& r = p.rules[i];
    std::string windows;
    for (const auto& iv : r.in_force) windows += fmt::format(" {}..{}", Day(iv.from), Day(iv.through));
    if (windows.empty()) windows = " never";
    std::string decide = r.outcome >= 0 ? p.outcome.variants[r.outcome].name : "-";
    if (r.outcome >= 0 && r.basis >= 0) {
      uint32_t e = p.outcome.variants[r.outcome].payload_enum;
      decide += "(" + (e < p.enums.size() ? p.enums[e].variants[r.basis] : "?") + ")";
    }
    line(fmt::format("rule {} {} ({}){}", i, r.name, r.module, at(r.range)));
    line("  cites " + Quote(r.citation));
    line("  in force" + windows);
    if (r.base >= 0) line(fmt::format("  exception to {} {}", r.base, p.rules[r.base].name));
    if (r.prefer != INT32_MAX) line(fmt::format("  prefer rank {}", r.prefer));
    line("  when " + ref(r.when));
    for (const auto& c : r.charges) line(fmt::format("  charge {} by {}", p.caps[c.cap].name, ref(c.amount)));
    line("  then " + decide);
    for (uint32_t f : r.flags) line("  flag " + p.flags[f].name);
  }
  for (const auto& t : p.tests) line(fmt::format("test {} ({} rows)", Quote(t.title), t.rows.size()));
  return out;
}

std::vector<std::string> Verify(const Program& p) {
  std::vector<std::string> problems;
  auto bad = [&](std::string s) { problems.push_back(std::move(s)); };
  auto operand = [&](size_t i, InstId o, const char* which) {
    if (o != kNoInst && o >= i) bad(fmt::format("%{}: operand {} (%{}) does not precede it", i, which, o));
  };
  for (size_t i = 0; i < p.insts.size(); ++i) {
    const Inst& in = p.insts[i];
    operand(i, in.a, "a");
    if (in.op != Op::TableGet) operand(i, in.b, "b");  // TableGet: b is a column index
    operand(i, in.c, "c");
    auto need = [&](InstId o, const char* which) {
      if (o == kNoInst) bad(fmt::format("%{} {}: missing operand {}", i, OpName(in.op), which));
    };
    switch (in.op) {
      case Op::Field:
        if (in.imm < 0 || static_cast<size_t>(in.imm) >= p.fields.size()) bad(fmt::format("%{}: no field {}", i, in.imm));
        break;
      case Op::Const:
        if (in.ty == Ty::Dec && (in.imm < 0 || static_cast<size_t>(in.imm) >= p.decimals.size()))
          bad(fmt::format("%{}: no decimal {}", i, in.imm));
        break;
      case Op::DateSwitch:
        if (in.imm < 0 || static_cast<size_t>(in.imm) >= p.switches.size()) bad(fmt::format("%{}: no switch", i));
        break;
      case Op::InSet:
        need(in.a, "a");
        if (in.imm < 0 || static_cast<size_t>(in.imm) >= p.sets.size()) bad(fmt::format("%{}: no set", i));
        break;
      case Op::InTable:
      case Op::TableGet:
        need(in.a, "a");
        if (in.imm < 0 || static_cast<size_t>(in.imm) >= p.tables.size()) bad(fmt::format("%{}: no table", i));
        break;
      case Op::ToDec: case Op::Neg: case Op::Not: case Op::IsPresent:
      case Op::Year: case Op::Quarter: case Op::Month:
        need(in.a, "a");
        break;
      case Op::If:
        need(in.a, "a"); need(in.b, "b"); need(in.c, "c");
        break;
      default:
        need(in.a, "a"); need(in.b, "b");
        if (in.a != kNoInst && in.b != kNoInst && in.a < p.insts.size() && in.b < p.insts.size()) {
          Ty ta = p.insts[in.a].ty, tb = p.insts[in.b].ty;
          bool arith = in.op == Op::Add || in.op == Op::Sub || in.op == Op::Mul || in.op == Op::Div ||
                       in.op == Op::Min || in.op == Op::Max;
          if (arith && (ta != in.ty || tb != in.ty))
            bad(fmt::format("%{} {}: operand types {} {} do not match {}", i, OpName(in.op), TyName(ta), TyName(tb), TyName(in.ty)));
          if (!arith && in.op != Op::And && in.op != Op::Or && in.op != Op::Otherwise && ta != tb)
            bad(fmt::format("%{} {}: compares {} with {}", i, OpName(in.op), TyName(ta), TyName(tb)));
        }
    }
  }
  for (size_t i = 0; i < p.switches.size(); ++i) {
    const auto& v = p.switches[i].versions;
    if (v.empty() || v[0].from != INT32_MIN) bad(fmt::format("switch {}: no first version", i));
    for (size_t k = 1; k < v.size(); ++k) {
      if (v[k].from < v[k - 1].from) bad(fmt::format("switch {}: versions out of date order", i));
    }
  }
  for (size_t i = 0; i < p.rules.size(); ++i) {
    const Rule& r = p.rules[i];
    if (r.base >= static_cast<int32_t>(i)) bad(fmt::format("rule {}: its base {} does not precede it", r.name, r.base));
    if (r.when != kNoInst && (r.when >= p.insts.size() || p.insts[r.when].ty != Ty::Bool))
      bad(fmt::format("rule {}: condition is not a Bool instruction", r.name));
    if (r.outcome >= static_cast<int32_t>(p.outcome.variants.size())) bad(fmt::format("rule {}: no such outcome", r.name));
    for (size_t k = 1; k < r.in_force.size(); ++k) {
      if (r.in_force[k].from <= r.in_force[k - 1].through) bad(fmt::format("rule {}: in-force windows overlap", r.name));
    }
    for (const auto& c : r.charges) {
      if (c.cap >= p.caps.size()) bad(fmt::format("rule {}: no cap {}", r.name, c.cap));
      if (c.amount >= p.insts.size() || p.insts[c.amount].ty != Ty::Int)
        bad(fmt::format("rule {}: charge is not an Int instruction", r.name));
    }
  }
  for (size_t i = 0; i < p.caps.size(); ++i) {
    const Cap& c = p.caps[i];
    for (const auto& l : c.limits) {
      if (l.value >= p.insts.size() || p.insts[l.value].ty != Ty::Int) bad(fmt::format("cap {}: limit is not Int", c.name));
    }
  }
  return problems;
}

}  // namespace edict::ir
