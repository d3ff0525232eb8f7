// The IR: one flat, typed program per regime, the only contract between the
// front end and the backends. Everything dated (rules in force, set
// membership, constant versions, cap limits) is resolved into explicit date
// tables here, so a backend only compares day numbers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/source.h"
#include "edict/runtime/decimal.h"

namespace edict::ir {

enum class Op : uint8_t {
#define EDICT_INST(name, operands) name,
#include "ir/inst_kinds.def"
};
const char* OpName(Op op);

// Value types. Every value fits one 64-bit slot except Dec (edict::rt::Decimal).
// Text values are ids into Program::texts (interned); Country is an index
// into the ISO table (rt::CountryIndex); Enum is the variant index.
enum class Ty : uint8_t { Bool, Int, Dec, Date, Text, Country, Enum };
const char* TyName(Ty t);

using InstId = uint32_t;
inline constexpr InstId kNoInst = UINT32_MAX;

struct Inst {
  Op op;
  Ty ty;
  bool optional = false;  // may be absent (optional field, table lookup)
  InstId a = kNoInst, b = kNoInst, c = kNoInst;
  int64_t imm = 0;
  uint32_t enum_id = UINT32_MAX;  // for Ty::Enum: index into Program::enums
  SourceRange range{};
};

// A closed interval of days; INT32_MIN / INT32_MAX stand for open ends.
struct Interval {
  int32_t from = INT32_MIN;
  int32_t through = INT32_MAX;
  bool Contains(int32_t d) const { return from <= d && d <= through; }
};

struct Field {
  std::string name;
  Ty ty;
  bool optional = false;
  bool is_key = false;
  uint32_t enum_id = UINT32_MAX;
  std::string unit;  // for documentation and error messages
  // `at least` / `at most` bounds, as slots of the field's type (Dec: an
  // index into Program::decimals). A value outside them is a malformed row.
  bool has_min = false, has_max = false;
  int64_t min = 0, max = 0;
};

struct Enum {
  std::string name;
  std::vector<std::string> variants;
};

// A set whose members change on dates: versions sorted by date; the version
// in force on day d is the last with from <= d (none before the first).
struct DatedSet {
  std::string name;
  Ty elem;
  struct Version {
    int32_t from;
    std::vector<int64_t> members;  // sorted
  };
  std::vector<Version> versions;
};

// A constant whose value changes on dates (amendments' `replace`).
struct DateSwitch {
  std::string name;
  struct Version {
    int32_t from;
    InstId value;
  };
  std::vector<Version> versions;  // sorted by `from`; the first has INT32_MIN
};

struct Table {
  std::string name;
  std::vector<Field> columns;  // one has is_key
};

enum class Period : uint8_t { CalendarYear, Quarter, Month, Window };

struct Cap {
  std::string name, title, citation, unit;
  std::vector<InstId> keys;
  Period period = Period::CalendarYear;
  Interval window;  // Period::Window
  struct Limit {
    int32_t from;  // INT32_MIN for the undated limit
    InstId value;
  };
  std::vector<Limit> limits;  // sorted by from
  SourceRange range;
};

struct Charge {
  uint32_t cap;
  InstId amount;
  SourceRange range;
};

struct Rule {
  std::string name, title, citation, module, doc;
  SourceRange range;
  std::vector<Interval> in_force;  // sorted, disjoint; empty = never in force
  InstId when = kNoInst;           // kNoInst: always
  int32_t outcome = -1;            // variant index, -1 for flag-only rules
  int32_t basis = -1;              // payload enum variant, -1 for none
  std::vector<Charge> charges;
  std::vector<uint32_t> flags;
  int32_t base = -1;               // the rule this one is an exception to
  int32_t prefer = INT32_MAX;      // rank in a `prefer` list; lower wins
  bool InForce(int32_t day) const {
    for (const auto& iv : in_force) {
      if (iv.Contains(day)) return true;
    }
    return false;
  }
};

struct Outcome {
  std::string name;
  struct Variant {
    std::string name;
    uint32_t payload_enum = UINT32_MAX;
  };
  std::vector<Variant> variants;
  int32_t otherwise = 0;
};

struct Flag {
  std::string name, title;
};

// An inline test row: values by field index (raw slots; decimals as index
// into Program::decimals), the expected outcome and flags.
struct TestRow {
  std::vector<int64_t> values;
  std::vector<bool> present;
  int32_t outcome = -1, basis = -1;
  std::vector<uint32_t> flags;
  bool check_flags = false;  // the row names flags: they must match exactly
  SourceRange range;
};
struct Test {
  std::string title, module;
  SourceRange range;
  std::vector<TestRow> rows;
};

struct Program {
  std::string regime;               // name, or the module list it was built from
  std::vector<std::string> modules; // in the order given
  std::string record;               // the input record's name
  std::vector<Field> fields;
  std::vector<Enum> enums;
  Outcome outcome;
  std::vector<Flag> flags;
  std::vector<std::string> texts;   // interned text constants
  std::vector<rt::Decimal> decimals;
  std::vector<Inst> insts;          // INVARIANT: operands precede their users
  std::vector<DatedSet> sets;
  std::vector<DateSwitch> switches;
  std::vector<Table> tables;
  std::vector<Cap> caps;
  std::vector<Rule> rules;          // INVARIANT: a rule's base precedes it
  std::vector<Test> tests;
};

// A stable text form (`edict dump-ir`).
std::string Print(const Program& p, const SourceManager& sm);
// Checks the invariants; returns the problems found (empty when well formed).
std::vector<std::string> Verify(const Program& p);

}  // namespace edict::ir
