// The reference interpreter: evaluates the IR one instruction at a time over
// a whole batch (one column per instruction). It defines what every
// instruction means; the JIT must agree with it bit for bit.
//
// Value rules: an operand in error makes the result an error with the same
// origin, except where the instruction does not need that operand (the right
// side of `and` when the left is false, of `or` when the left is true, the
// branch of `if` not taken, `otherwise` when the left is present).
#include <algorithm>
#include <cstring>

#include "edict/runtime/checked.h"
#include "edict/runtime/date.h"
#include "exec/backend.h"

namespace edict::exec {

namespace {

using ir::Op;
using ir::Ty;

class Interpreter final : public Backend, public InstEvaluator {
 public:
  Interpreter(const ir::Program& p, const std::vector<BoundTable>& tables) : p_(p), tables_(tables) {
    // Sets of small codes (countries, enum variants) become bitsets.
    bits_.resize(p.sets.size());
    for (size_t i = 0; i < p.sets.size(); ++i) {
      const ir::DatedSet& set = p.sets[i];
      if (set.elem != Ty::Country && set.elem != Ty::Enum && set.elem != Ty::Bool) continue;
      for (const auto& v : set.versions) {
        std::vector<uint64_t> words(16, 0);  // 1,024 codes
        for (int64_t m : v.members) {
          if (m >= 0 && m < 1024) words[static_cast<size_t>(m >> 6)] |= uint64_t{1} << (m & 63);
        }
        bits_[i].push_back(std::move(words));
      }
    }
  }
  std::string Name() const override { return "interp"; }

  void EvaluateInst(ir::InstId id, const Batch& batch, std::vector<Column>& values) override {
    Eval(id, batch, values);
  }

  void Evaluate(const Batch& batch, std::vector<Column>& values) override {
    if (values.size() != p_.insts.size()) {
      values.assign(p_.insts.size(), Column{});
      const_rows_.assign(p_.insts.size(), 0);
    }
    MarkLive(batch);
    for (size_t i = 0; i < p_.insts.size(); ++i) {
      if (!live_[i]) continue;
      // A constant's column does not depend on the rows: fill it once.
      if (p_.insts[i].op == Op::Const) {
        if (const_rows_[i] >= batch.rows) continue;
        const_rows_[i] = std::max(batch_rows_, batch.rows);
        Batch full;
        full.rows = const_rows_[i];
        Eval(static_cast<ir::InstId>(i), full, values);
        continue;
      }
      Eval(static_cast<ir::InstId>(i), batch, values);
    }
  }

 private:
  void Eval(ir::InstId id, const Batch& b, std::vector<Column>& v);
  void MarkLive(const Batch& b) { exec::MarkLive(p_, b, &live_); }

  const ir::Program& p_;
  const std::vector<BoundTable>& tables_;
  std::vector<size_t> const_rows_;  // rows of a Const column already filled
  const size_t batch_rows_ = BatchRows(p_);
  std::vector<uint8_t> live_;
  std::vector<std::vector<std::vector<uint64_t>>> bits_;  // [set][version] bitset, or empty
};

}  // namespace

void MarkLive(const ir::Program& p, const Batch& b, std::vector<uint8_t>* live_out) {
  std::vector<uint8_t>& live = *live_out;
  live.assign(p.insts.size(), 0);
  int32_t lo = INT32_MAX, hi = INT32_MIN;
  for (size_t r = 0; r < b.rows; ++r) {
    if (!b.error[r].empty()) continue;
    lo = std::min(lo, b.day[r]);
    hi = std::max(hi, b.day[r]);
  }
  if (lo > hi) return;  // every row is an error row
  auto root = [&](ir::InstId i) {
    if (i != ir::kNoInst) live[i] = 1;
  };
  for (const ir::Rule& rule : p.rules) {
    bool in_force = false;
    for (const auto& iv : rule.in_force) in_force |= iv.from <= hi && iv.through >= lo;
    if (!in_force) continue;
    root(rule.when);
    for (const ir::Charge& ch : rule.charges) {
      root(ch.amount);
      const ir::Cap& cap = p.caps[ch.cap];
      for (ir::InstId k : cap.keys) root(k);
      for (const auto& l : cap.limits) root(l.value);
    }
  }
  // Operands precede their users: one backward pass closes the set.
  for (size_t i = p.insts.size(); i-- > 0;) {
    if (!live[i]) continue;
    const ir::Inst& in = p.insts[i];
    root(in.a);
    if (in.op != Op::TableGet) root(in.b);
    root(in.c);
    if (in.op == Op::DateSwitch) {
      for (const auto& v : p.switches[static_cast<size_t>(in.imm)].versions) root(v.value);
    }
  }
}

namespace {

inline void SetError(Column& out, size_t r, ir::InstId id, RuntimeError e) {
  out.status[r] = kError;
  out.i64[r] = EncodeError(id, e);
}

// Copies row r of `from` to row r of `to` (value and status).
inline void CopyRow(Column& to, const Column& from, size_t r, bool dec) {
  to.status[r] = from.status[r];
  to.i64[r] = from.i64[r];
  if (dec && from.status[r] == kOk) to.dec[r] = from.dec[r];
}

int Compare(const Column& a, const Column& b, size_t r, bool dec) {
  if (dec) return a.dec[r].units < b.dec[r].units ? -1 : a.dec[r].units > b.dec[r].units ? 1 : 0;
  return a.i64[r] < b.i64[r] ? -1 : a.i64[r] > b.i64[r] ? 1 : 0;
}

void Interpreter::Eval(ir::InstId id, const Batch& b, std::vector<Column>& v) {
  const ir::Inst& in = p_.insts[id];
  const size_t n = b.rows;
  Column& out = v[id];
  if (out.status.size() < n) out.Resize(std::max(batch_rows_, n), in.ty == Ty::Dec);
  const bool dec = in.ty == Ty::Dec;
  const Column* A = in.a != ir::kNoInst ? &v[in.a] : nullptr;
  const Column* B = in.b != ir::kNoInst && in.op != Op::TableGet ? &v[in.b] : nullptr;
  const Column* C = in.c != ir::kNoInst ? &v[in.c] : nullptr;
  const bool adec = A && in.a != ir::kNoInst && p_.insts[in.a].ty == Ty::Dec;

  // Error propagation from operands that are always needed.
  auto propagate = [&](size_t r, const Column* x) {
    if (x && x->status[r] == kError) {
      out.status[r] = kError;
      out.i64[r] = x->i64[r];
      return true;
    }
    return false;
  };

  switch (in.op) {
    case Op::Field: {
      const Column& f = b.fields[static_cast<size_t>(in.imm)];
      for (size_t r = 0; r < n; ++r) CopyRow(out, f, r, dec);
      return;
    }
    case Op::Const:
      for (size_t r = 0; r < n; ++r) {
        out.status[r] = kOk;
        if (dec) out.dec[r] = p_.decimals[static_cast<size_t>(in.imm)];
        else out.i64[r] = in.imm;
      }
      return;
    case Op::DateSwitch: {
      const auto& versions = p_.switches[static_cast<size_t>(in.imm)].versions;
      for (size_t r = 0; r < n; ++r) {
        size_t k = 0;
        while (k + 1 < versions.size() && versions[k + 1].from <= b.day[r]) ++k;
        CopyRow(out, v[versions[k].value], r, dec);
      }
      return;
    }
    case Op::InSet: {
      const ir::DatedSet& set = p_.sets[static_cast<size_t>(in.imm)];
      const auto& versions = set.versions;
      const auto& bits = bits_[static_cast<size_t>(in.imm)];
      int32_t last_day = INT32_MIN;
      int version = -1;
      for (size_t r = 0; r < n; ++r) {
        if (propagate(r, A)) continue;
        out.status[r] = kOk;
        out.i64[r] = 0;
        if (A->status[r] != kOk) continue;
        if (b.day[r] != last_day) {  // rows come in date order: rarely taken
          last_day = b.day[r];
          version = -1;
          for (size_t k = 0; k < versions.size(); ++k) {
            if (versions[k].from <= last_day) version = static_cast<int>(k);
          }
        }
        if (version < 0) continue;
        const auto& members = versions[static_cast<size_t>(version)].members;
        if (set.elem == Ty::Dec) {
          // Members of a Decimal set are slots of p.decimals: compare values.
          const rt::Decimal x = adec ? A->dec[r] : rt::Decimal::FromInt(A->i64[r]);
          bool found = false;
          for (int64_t m : members) {
            found |= m >= 0 && static_cast<size_t>(m) < p_.decimals.size() && p_.decimals[static_cast<size_t>(m)].units == x.units;
          }
          out.i64[r] = found;
          continue;
        }
        int64_t x = A->i64[r];
        if (!bits.empty()) {
          const auto& words = bits[static_cast<size_t>(version)];
          out.i64[r] = x >= 0 && static_cast<size_t>(x >> 6) < words.size() && ((words[x >> 6] >> (x & 63)) & 1);
        } else {
          out.i64[r] = std::binary_search(members.begin(), members.end(), x);
        }
      }
      return;
    }
    case Op::InTable:
    case Op::TableGet: {
      const BoundTable& t = tables_[static_cast<size_t>(in.imm)];
      for (size_t r = 0; r < n; ++r) {
        if (propagate(r, A)) continue;
        auto it = A->status[r] == kOk ? t.row_of.find(A->i64[r]) : t.row_of.end();
        bool found = it != t.row_of.end();
        if (in.op == Op::InTable) {
          out.status[r] = kOk;
          out.i64[r] = found;
        } else if (!found) {
          out.status[r] = kAbsent;
        } else {
          const Column& col = t.columns[in.b];
          out.status[r] = col.status[it->second];
          out.i64[r] = col.i64[it->second];
          if (dec) out.dec[r] = col.dec[it->second];
        }
      }
      return;
    }
    case Op::ToDec:
      for (size_t r = 0; r < n; ++r) {
        if (propagate(r, A)) continue;
        out.status[r] = A->status[r];
        if (A->status[r] == kOk) out.dec[r] = rt::Decimal::FromInt(A->i64[r]);
      }
      return;
    case Op::Neg:
      for (size_t r = 0; r < n; ++r) {
        if (propagate(r, A)) continue;
        out.status[r] = A->status[r];
        if (A->status[r] != kOk) continue;
        if (dec) {
          if (!rt::Sub(rt::Decimal{}, A->dec[r], &out.dec[r])) SetError(out, r, id, RuntimeError::DecimalOverflow);
        } else if (rt::SubOverflows(0, A->i64[r], &out.i64[r])) {
          SetError(out, r, id, RuntimeError::IntOverflow);
        }
      }
      return;
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div:
    case Op::Min:
    case Op::Max:
      for (size_t r = 0; r < n; ++r) {
        if (propagate(r, A) || propagate(r, B)) continue;
        if (A->status[r] != kOk || B->status[r] != kOk) {
          out.status[r] = kAbsent;
          continue;
        }
        out.status[r] = kOk;
        if (in.op == Op::Min || in.op == Op::Max) {
          bool take_a = (Compare(*A, *B, r, dec) <= 0) == (in.op == Op::Min);
          CopyRow(out, take_a ? *A : *B, r, dec);
          continue;
        }
        if (dec) {
          rt::DecimalStatus st = rt::DecimalStatus::kOk;
          const rt::Decimal& x = A->dec[r];
          const rt::Decimal& y = B->dec[r];
          switch (in.op) {
            case Op::Add: st = rt::Add(x, y, &out.dec[r]) ? rt::DecimalStatus::kOk : rt::DecimalStatus::kOverflow; break;
            case Op::Sub: st = rt::Sub(x, y, &out.dec[r]) ? rt::DecimalStatus::kOk : rt::DecimalStatus::kOverflow; break;
            case Op::Mul: st = rt::Mul(x, y, &out.dec[r]) ? rt::DecimalStatus::kOk : rt::DecimalStatus::kOverflow; break;
            default: st = rt::Div(x, y, &out.dec[r]); break;
          }
          if (st == rt::DecimalStatus::kOverflow) SetError(out, r, id, RuntimeError::DecimalOverflow);
          if (st == rt::DecimalStatus::kDivisionByZero) SetError(out, r, id, RuntimeError::DivisionByZero);
        } else {
          int64_t x = A->i64[r], y = B->i64[r];
          bool of = in.op == Op::Add   ? rt::AddOverflows(x, y, &out.i64[r])
                    : in.op == Op::Sub ? rt::SubOverflows(x, y, &out.i64[r])
                                       : rt::MulOverflows(x, y, &out.i64[r]);
          if (of) SetError(out, r, id, RuntimeError::IntOverflow);
        }
      }
      return;
    case Op::Eq:
    case Op::Ne:
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge:
      for (size_t r = 0; r < n; ++r) {
        if (propagate(r, A) || propagate(r, B)) continue;
        out.status[r] = kOk;
        if (A->status[r] != kOk || B->status[r] != kOk) {
          out.i64[r] = in.op == Op::Ne;  // absent equals nothing
          continue;
        }
        int c = Compare(*A, *B, r, adec);
        bool res = in.op == Op::Eq ? c == 0 : in.op == Op::Ne ? c != 0 : in.op == Op::Lt ? c < 0
                 : in.op == Op::Le ? c <= 0 : in.op == Op::Gt ? c > 0 : c >= 0;
        out.i64[r] = res;
      }
      return;
    case Op::Not:
      for (size_t r = 0; r < n; ++r) {
        if (propagate(r, A)) continue;
        out.status[r] = kOk;
        out.i64[r] = !(A->status[r] == kOk && A->i64[r]);
      }
      return;
    case Op::And:
    case Op::Or: {
      const bool is_and = in.op == Op::And;
      for (size_t r = 0; r < n; ++r) {
        if (propagate(r, A)) continue;
        bool a = A->status[r] == kOk && A->i64[r];
        if (a != is_and) {  // and: a false decides; or: a true decides
          out.status[r] = kOk;
          out.i64[r] = a;
          continue;
        }
        if (propagate(r, B)) continue;
        out.status[r] = kOk;
        out.i64[r] = B->status[r] == kOk && B->i64[r];
      }
      return;
    }
    case Op::If:
      for (size_t r = 0; r < n; ++r) {
        if (propagate(r, A)) continue;
        bool c = A->status[r] == kOk && A->i64[r];
        CopyRow(out, c ? *B : *C, r, dec);
      }
      return;
    case Op::IsPresent:
      for (size_t r = 0; r < n; ++r) {
        if (propagate(r, A)) continue;
        out.status[r] = kOk;
        out.i64[r] = A->status[r] == kOk;
      }
      return;
    case Op::Otherwise:
      for (size_t r = 0; r < n; ++r) {
        if (propagate(r, A)) continue;
        CopyRow(out, A->status[r] == kAbsent ? *B : *A, r, dec);
      }
      return;
    case Op::Year:
    case Op::Quarter:
    case Op::Month:
      for (size_t r = 0; r < n; ++r) {
        if (propagate(r, A)) continue;
        out.status[r] = A->status[r];
        if (A->status[r] != kOk) continue;
        int32_t d = static_cast<int32_t>(A->i64[r]);
        out.i64[r] = in.op == Op::Year ? rt::YearOf(d) : in.op == Op::Quarter ? rt::QuarterOf(d) : rt::MonthOf(d);
      }
      return;
  }
}

}  // namespace

std::unique_ptr<Backend> CreateInterpreter(const ir::Program& program, const std::vector<BoundTable>& tables) {
  return std::make_unique<Interpreter>(program, tables);
}

std::unique_ptr<InstEvaluator> CreateInstEvaluator(const ir::Program& program, const std::vector<BoundTable>& tables) {
  return std::make_unique<Interpreter>(program, tables);
}

}  // namespace edict::exec
