// MakePlan: classifies instructions, groups the compiled ones into kernels by
// the rules that read them, and orders kernels and interpreted instructions
// in stages (see plan.h).
#include "jit/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "exec/decide.h"

namespace edict::jit {

using ir::Op;
using ir::Ty;

namespace {

// A set of days as sorted, disjoint, non-adjacent closed intervals.
using Days = std::vector<std::pair<int32_t, int32_t>>;

Days UnionOfDays(const ir::Program& p, const std::vector<uint32_t>& rules) {
  Days all;
  for (uint32_t r : rules) {
    for (const ir::Interval& iv : p.rules[r].in_force) {
      if (iv.from <= iv.through) all.emplace_back(iv.from, iv.through);
    }
  }
  std::sort(all.begin(), all.end());
  Days out;
  for (const auto& iv : all) {
    if (!out.empty() && static_cast<int64_t>(iv.first) <= static_cast<int64_t>(out.back().second) + 1) {
      out.back().second = std::max(out.back().second, iv.second);
    } else {
      out.push_back(iv);
    }
  }
  return out;
}

uint64_t DayCount(const Days& days) {
  uint64_t count = 0;
  for (const auto& iv : days) count += static_cast<uint64_t>(static_cast<int64_t>(iv.second) - iv.first + 1);
  return count;
}

bool IsDec(const ir::Program& p, ir::InstId id) { return id != ir::kNoInst && p.insts[id].ty == Ty::Dec; }
bool Valid(const ir::Program& p, ir::InstId id) { return id != ir::kNoInst && id < p.insts.size(); }

}  // namespace

bool Compilable(const ir::Program& p, ir::InstId id) {
  const ir::Inst& in = p.insts[id];
  const bool dec = in.ty == Ty::Dec;
  // Operands must exist and, where the result copies or compares their
  // decimal part, be decimals themselves (the checker guarantees this; a
  // program that breaks it is left to the interpreter).
  auto unary = [&] { return Valid(p, in.a); };
  auto binary = [&] { return Valid(p, in.a) && Valid(p, in.b); };
  switch (in.op) {
    case Op::Field:
      return in.imm >= 0 && static_cast<size_t>(in.imm) < p.fields.size() &&
             (p.fields[static_cast<size_t>(in.imm)].ty == Ty::Dec) == dec;
    case Op::Const:
      return false;
    case Op::DateSwitch: {
      if (in.imm < 0 || static_cast<size_t>(in.imm) >= p.switches.size()) return false;
      const auto& versions = p.switches[static_cast<size_t>(in.imm)].versions;
      if (versions.empty()) return false;
      for (const auto& v : versions) {
        if (!Valid(p, v.value) || IsDec(p, v.value) != dec) return false;
      }
      return true;
    }
    case Op::InSet:
      return unary() && in.imm >= 0 && static_cast<size_t>(in.imm) < p.sets.size() && !dec && !IsDec(p, in.a);
    case Op::InTable:
      return unary() && !dec && in.imm >= 0 && static_cast<size_t>(in.imm) < p.tables.size();
    case Op::TableGet: {
      if (!unary() || in.imm < 0 || static_cast<size_t>(in.imm) >= p.tables.size()) return false;
      const auto& columns = p.tables[static_cast<size_t>(in.imm)].columns;
      return in.b < columns.size() && (columns[in.b].ty == Ty::Dec) == dec;
    }
    case Op::ToDec:
      return unary() && dec && !IsDec(p, in.a);
    case Op::Neg:
      return unary() && IsDec(p, in.a) == dec;
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Min:
    case Op::Max:
      return binary() && IsDec(p, in.a) == dec && IsDec(p, in.b) == dec;
    case Op::Div:  // decimals only (the interpreter has no whole-number division)
      return binary() && dec && IsDec(p, in.a) && IsDec(p, in.b);
    case Op::Eq:
    case Op::Ne:
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge:
      return binary() && !dec && IsDec(p, in.a) == IsDec(p, in.b);
    case Op::Not:
    case Op::IsPresent:
      return unary() && !dec;
    case Op::And:
    case Op::Or:
      return binary() && !dec;
    case Op::If:
      return binary() && Valid(p, in.c) && IsDec(p, in.b) == dec && IsDec(p, in.c) == dec;
    case Op::Otherwise:
      return binary() && IsDec(p, in.a) == dec && IsDec(p, in.b) == dec;
    case Op::Year:
    case Op::Quarter:
    case Op::Month:
      return unary() && !dec && !IsDec(p, in.a);
  }
  return false;
}

bool CallsHelper(const ir::Program& p, ir::InstId id) {
  const ir::Inst& in = p.insts[id];
  switch (in.op) {
    case Op::Year:
    case Op::Quarter:
    case Op::Month:
    case Op::InTable:  // edict_jit_table_*
    case Op::TableGet:
      return true;
    case Op::Mul:
    case Op::Div:
      return in.ty == Ty::Dec;
    case Op::InSet: {
      const ir::DatedSet& set = p.sets[static_cast<size_t>(in.imm)];
      if (set.elem == Ty::Country || set.elem == Ty::Enum || set.elem == Ty::Bool) return false;  // bitsets
      for (const auto& v : set.versions) {
        if (v.members.size() > kInlineSetMembers || !std::is_sorted(v.members.begin(), v.members.end())) return true;
      }
      return false;
    }
    default:
      return false;
  }
}

// The key: the kernels with every instruction they compute or read, and the
// constants, sets and switches those use.
std::string Key(const ir::Program& p, const std::vector<Kernel>& kernels) {
  const size_t n = p.insts.size();
  std::string key;
  std::vector<uint8_t> described(n, 0);
  std::vector<uint8_t> set_used(p.sets.size(), 0), switch_used(p.switches.size(), 0);
  auto describe = [&](ir::InstId i) {
    if (described[i]) return;
    described[i] = 1;
    const ir::Inst& in = p.insts[i];
    key += fmt::format("%{}={},{},{},{},{},{},{}", i, static_cast<int>(in.op), static_cast<int>(in.ty), in.optional,
                       in.a, in.b, in.c, in.imm);
    if (in.op == Op::Const && in.ty == Ty::Dec) {
      __int128 u = p.decimals[static_cast<size_t>(in.imm)].units;
      key += fmt::format(":{}:{}", static_cast<uint64_t>(u >> 64), static_cast<uint64_t>(u));
    }
    if (in.op == Op::Field) key += fmt::format(":f{}", static_cast<int>(p.fields[static_cast<size_t>(in.imm)].ty));
    if (in.op == Op::InSet) set_used[static_cast<size_t>(in.imm)] = 1;
    if (in.op == Op::DateSwitch) switch_used[static_cast<size_t>(in.imm)] = 1;
    key += ';';
  };
  for (size_t k = 0; k < kernels.size(); ++k) {
    key += fmt::format("K{}{}[", k, kernels[k].scalar ? "s" : "");
    for (ir::InstId i : kernels[k].insts) key += fmt::format("{},", i);
    key += ']';
    for (ir::InstId i : kernels[k].insts) {
      describe(i);
      ForEachOperand(p, p.insts[i], describe);
    }
  }
  for (size_t s = 0; s < p.sets.size(); ++s) {
    if (!set_used[s]) continue;
    key += fmt::format("S{}:{}", s, static_cast<int>(p.sets[s].elem));
    for (const auto& v : p.sets[s].versions) {
      key += fmt::format("@{}:", v.from);
      for (int64_t m : v.members) key += fmt::format("{},", m);
    }
  }
  for (size_t s = 0; s < p.switches.size(); ++s) {
    if (!switch_used[s]) continue;
    key += fmt::format("W{}", s);
    for (const auto& v : p.switches[s].versions) key += fmt::format("@{}:{}", v.from, v.value);
  }
  return key;
}

Plan MakePlan(const ir::Program& p, const PlanOptions& options) {
  const size_t n = p.insts.size();
  Plan plan;
  plan.cls.assign(n, InstClass::kDead);
  plan.kernel_of.assign(n, -1);

  // Readers: the rules (ever in force) whose roots reach each instruction,
  // as sorted rule lists, by one backward pass (operands precede users).
  std::vector<std::vector<uint32_t>> readers(n);
  for (size_t r = 0; r < p.rules.size(); ++r) {
    const ir::Rule& rule = p.rules[r];
    if (rule.in_force.empty()) continue;  // never in force: never live
    auto root = [&](ir::InstId i) {
      if (i != ir::kNoInst && (readers[i].empty() || readers[i].back() != r)) readers[i].push_back(static_cast<uint32_t>(r));
    };
    root(rule.when);
    for (const ir::Charge& ch : rule.charges) {
      root(ch.amount);
      const ir::Cap& cap = p.caps[ch.cap];
      for (ir::InstId k : cap.keys) root(k);
      for (const auto& l : cap.limits) root(l.value);
    }
  }
  std::vector<uint32_t> merged;
  for (size_t i = n; i-- > 0;) {
    if (readers[i].empty()) continue;
    ForEachOperand(p, p.insts[i], [&](ir::InstId o) {
      merged.clear();
      std::set_union(readers[o].begin(), readers[o].end(), readers[i].begin(), readers[i].end(),
                     std::back_inserter(merged));
      readers[o].swap(merged);
    });
  }
  // An instruction is live in a batch iff some reader is in force on some
  // day of it, i.e. iff the union of its readers' days meets the batch's
  // days. So that union (as disjoint, non-adjacent intervals) is its
  // liveness: equal unions, live together.
  std::map<std::vector<uint32_t>, Days> days_of;
  std::vector<const Days*> days(n, nullptr);
  for (size_t i = 0; i < n; ++i) {
    if (readers[i].empty()) continue;
    auto it = days_of.find(readers[i]);
    if (it == days_of.end()) it = days_of.emplace(readers[i], UnionOfDays(p, readers[i])).first;
    days[i] = &it->second;
  }

  // Classes and stages. Within a stage the order of kinds is: vector
  // kernels (0), scalar kernels (1), interpreted instructions (2).
  std::vector<uint32_t> stage(n, 0);
  std::vector<uint8_t> kind(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const ir::Inst& in = p.insts[i];
    InstClass& c = plan.cls[i];
    if (in.op == Op::Const) {
      c = InstClass::kConst;
      ++plan.constants;
      continue;
    }
    if (readers[i].empty()) {
      c = InstClass::kDead;
      ++plan.dead;
      continue;
    }
    c = Compilable(p, static_cast<ir::InstId>(i)) ? InstClass::kCompiled : InstClass::kInterpreted;
    kind[i] = c == InstClass::kInterpreted ? 2 : CallsHelper(p, static_cast<ir::InstId>(i)) ? 1 : 0;
    uint32_t s = 0;
    ForEachOperand(p, in, [&](ir::InstId o) {
      if (plan.cls[o] == InstClass::kConst) return;
      // An operand computed by a later kind in the stage order must be
      // computed a stage earlier.
      bool later = kind[o] > kind[i];
      s = std::max(s, stage[o] + (later ? 1u : 0u));
    });
    stage[i] = s;
    if (c == InstClass::kCompiled) {
      ++plan.compiled;
    } else {
      ++plan.interpreted;
      ++plan.interpreted_ops[ir::OpName(in.op)];
    }
  }

  // Groups of compiled instructions by (stage, kind, days live).
  std::map<std::tuple<uint32_t, uint8_t, Days>, std::vector<ir::InstId>> groups;
  uint32_t last_stage = 0;
  for (size_t i = 0; i < n; ++i) {
    if (plan.cls[i] == InstClass::kCompiled || plan.cls[i] == InstClass::kInterpreted) {
      last_stage = std::max(last_stage, stage[i]);
    }
    if (plan.cls[i] != InstClass::kCompiled) continue;
    groups[{stage[i], kind[i], *days[i]}].push_back(static_cast<ir::InstId>(i));
  }
  struct Group {
    uint32_t stage;
    uint8_t kind;
    uint64_t days;
    const std::vector<ir::InstId>* insts;
  };
  std::vector<Group> order;
  for (const auto& [k, insts] : groups) {
    order.push_back({std::get<0>(k), std::get<1>(k), DayCount(std::get<2>(k)), &insts});
  }
  // By stage; within one, more days first: an operand is read by every rule
  // that reads its user, so it is live on a superset of its user's days
  // (strictly more days, or the same group). Then by first instruction.
  std::sort(order.begin(), order.end(), [](const Group& a, const Group& b) {
    if (a.stage != b.stage) return a.stage < b.stage;
    if (a.kind != b.kind) return a.kind < b.kind;
    if (a.days != b.days) return a.days > b.days;
    return a.insts->front() < b.insts->front();
  });

  size_t next_group = 0;
  for (uint32_t s = 0; s <= last_stage; ++s) {
    for (; next_group < order.size() && order[next_group].stage == s; ++next_group) {
      // Cut the group, in order, into kernels within the stream budget.
      const auto& insts = *order[next_group].insts;
      std::vector<ir::InstId> current;
      std::vector<ir::InstId> loaded;  // operand columns the current kernel loads
      size_t streams = 0;
      auto flush = [&] {
        if (current.empty()) return;
        Kernel k;
        k.scalar = order[next_group].kind == 1;
        k.insts = std::move(current);
        for (ir::InstId i : k.insts) plan.kernel_of[i] = static_cast<int32_t>(plan.kernels.size());
        plan.steps.push_back({true, static_cast<uint32_t>(plan.kernels.size())});
        plan.kernels.push_back(std::move(k));
        current.clear();
        loaded.clear();
        streams = 0;
      };
      for (ir::InstId i : insts) {
        // This instruction's streams: its result, a field it copies, and
        // each operand not computed in the kernel (nor a constant).
        auto width = [&](ir::InstId x) { return p.insts[x].ty == Ty::Dec ? 3u : 2u; };
        std::vector<ir::InstId> extra;
        size_t add = width(i);
        if (p.insts[i].op == Op::Field) add += width(i);
        ForEachOperand(p, p.insts[i], [&](ir::InstId o) {
          if (plan.cls[o] == InstClass::kConst) return;
          if (std::find(current.begin(), current.end(), o) != current.end()) return;
          if (std::find(loaded.begin(), loaded.end(), o) != loaded.end()) return;
          if (std::find(extra.begin(), extra.end(), o) != extra.end()) return;
          extra.push_back(o);
          add += width(o);
        });
        if (!current.empty() && (streams + add > options.max_kernel_streams || current.size() >= options.max_kernel_insts)) {
          flush();
          // Operands the previous kernel computed are loads now.
          extra.clear();
          add = width(i) + (p.insts[i].op == Op::Field ? width(i) : 0);
          ForEachOperand(p, p.insts[i], [&](ir::InstId o) {
            if (plan.cls[o] == InstClass::kConst || std::find(extra.begin(), extra.end(), o) != extra.end()) return;
            extra.push_back(o);
            add += width(o);
          });
        }
        current.push_back(i);
        loaded.insert(loaded.end(), extra.begin(), extra.end());
        streams += add;
      }
      flush();
    }
    for (size_t i = 0; i < n; ++i) {
      if (plan.cls[i] == InstClass::kInterpreted && stage[i] == s) plan.steps.push_back({false, static_cast<uint32_t>(i)});
    }
  }

  plan.key = Key(p, plan.kernels);
  return plan;
}

void RuleReads(const ir::Program& p, size_t r, std::vector<uint32_t>& mark, uint32_t epoch,
               std::vector<ir::InstId>* out) {
  const ir::Rule& rule = p.rules[r];
  std::vector<ir::InstId> stack;
  auto visit = [&](ir::InstId i) {
    if (i == ir::kNoInst || i >= p.insts.size() || mark[i] == epoch) return;
    mark[i] = epoch;
    stack.push_back(i);
  };
  visit(rule.when);
  for (const ir::Charge& ch : rule.charges) {
    visit(ch.amount);
    for (ir::InstId k : p.caps[ch.cap].keys) visit(k);
    for (const auto& l : p.caps[ch.cap].limits) visit(l.value);
  }
  while (!stack.empty()) {
    const ir::InstId i = stack.back();
    stack.pop_back();
    if (p.insts[i].op != Op::Const) out->push_back(i);
    ForEachOperand(p, p.insts[i], visit);
  }
}

std::vector<uint32_t> WithExceptions(const std::vector<std::vector<uint32_t>>& exceptions,
                                     const std::vector<uint32_t>& rules) {
  std::vector<uint32_t> out;
  std::vector<uint8_t> seen(exceptions.size(), 0);
  std::vector<uint32_t> todo(rules.rbegin(), rules.rend());
  while (!todo.empty()) {
    const uint32_t r = todo.back();
    todo.pop_back();
    if (seen[r]) continue;
    seen[r] = 1;
    out.push_back(r);
    todo.insert(todo.end(), exceptions[r].rbegin(), exceptions[r].rend());
  }
  return out;
}

namespace {

// Splits a decision step (kernel 0 of `plan`, every instruction) into the
// row loop and parts of about options.decision_part_insts instructions
// each: first the flag-only rules, then the top-level general candidates,
// in the order the decision step takes them (exec::OrderRules).
void SplitDecision(const ir::Program& p, const PlanOptions& options, Plan& plan) {
  const exec::RuleOrder order = exec::OrderRules(p);
  std::vector<uint32_t> mark(p.insts.size(), 0);
  uint32_t epoch = 1;
  Kernel row_loop;
  row_loop.decision = row_loop.scalar = true;
  std::vector<Kernel> parts;
  // reads(r, out): what judging r reads, into out (this part's epoch).
  auto cut = [&](const std::vector<uint32_t>& rules, bool flag_part, auto reads) {
    Kernel part;
    for (uint32_t r : rules) {
      if (part.rules.empty()) {
        part = Kernel{};
        part.decision = part.scalar = true;
        part.flag_part = flag_part;
        ++epoch;
      }
      part.rules.push_back(r);
      reads(r, &part.insts);
      if (part.insts.size() >= options.decision_part_insts) {
        std::sort(part.insts.begin(), part.insts.end());
        parts.push_back(std::move(part));
        part.rules.clear();
      }
    }
    if (!part.rules.empty()) {
      std::sort(part.insts.begin(), part.insts.end());
      parts.push_back(std::move(part));
    }
  };
  std::vector<uint32_t> flagging;
  for (size_t r = 0; r < p.rules.size(); ++r) {
    if (FlagsOnly(p.rules[r])) flagging.push_back(static_cast<uint32_t>(r));
  }
  cut(flagging, true, [&](uint32_t r, std::vector<ir::InstId>* out) {
    for (int32_t b = static_cast<int32_t>(r); b >= 0; b = p.rules[static_cast<size_t>(b)].base) {
      RuleReads(p, static_cast<size_t>(b), mark, epoch, out);
    }
  });
  std::vector<uint32_t> candidates;
  for (uint32_t c : order.general) {
    if (CanDecide(p.rules[c])) candidates.push_back(c);
  }
  cut(candidates, false, [&](uint32_t c, std::vector<ir::InstId>* out) {
    for (uint32_t r : WithExceptions(order.exceptions, {c})) RuleReads(p, r, mark, epoch, out);
  });
  plan.kernel_of.assign(p.insts.size(), -1);  // a value may be computed in several parts
  plan.kernels.clear();
  plan.kernels.push_back(std::move(row_loop));
  for (Kernel& k : parts) plan.kernels.push_back(std::move(k));
}

}  // namespace

Plan MakeDecisionPlan(const ir::Program& p, const PlanOptions& options, std::string* why_not) {
  const size_t n = p.insts.size();
  Plan plan;
  plan.cls.assign(n, InstClass::kDead);
  plan.kernel_of.assign(n, -1);
  if (p.flags.size() > 64) {
    *why_not = fmt::format("{} flags (at most 64 fit the compiled decision step)", p.flags.size());
    return plan;
  }
  // What the decision step can read (as exec::MarkLive, for every day).
  std::vector<uint8_t> need(n, 0);
  auto root = [&](ir::InstId i) {
    if (i != ir::kNoInst && i < n) need[i] = 1;
  };
  for (const ir::Rule& rule : p.rules) {
    if (rule.in_force.empty()) continue;
    root(rule.when);
    for (const ir::Charge& ch : rule.charges) {
      root(ch.amount);
      const ir::Cap& cap = p.caps[ch.cap];
      if (cap.keys.size() > 6) {
        *why_not = fmt::format("cap `{}` has more than 6 keys", cap.name);
        return plan;
      }
      for (ir::InstId k : cap.keys) root(k);
      for (const auto& l : cap.limits) root(l.value);
    }
  }
  for (size_t i = n; i-- > 0;) {
    if (need[i]) ForEachOperand(p, p.insts[i], [&](ir::InstId o) { need[o] = 1; });
  }
  Kernel kernel;
  kernel.decision = kernel.scalar = true;
  for (size_t i = 0; i < n; ++i) {
    if (!need[i]) continue;
    const auto id = static_cast<ir::InstId>(i);
    if (p.insts[i].op == Op::Const) {
      plan.cls[i] = InstClass::kConst;
      ++plan.constants;
    } else if (Compilable(p, id)) {
      plan.cls[i] = InstClass::kCompiled;
      plan.kernel_of[i] = 0;
      kernel.insts.push_back(id);
      ++plan.compiled;
    } else {
      *why_not = fmt::format("the JIT does not compile {} (instruction {})", ir::OpName(p.insts[i].op), i);
      plan = Plan{};
      return plan;
    }
  }
  if (plan.compiled > options.max_decision_insts) {
    *why_not = fmt::format("{} instructions, over {} for the compiled decision step", plan.compiled,
                           options.max_decision_insts);
    plan = Plan{};
    return plan;
  }
  plan.dead = n - plan.compiled - plan.constants;
  plan.kernels.push_back(std::move(kernel));
  if (plan.compiled > options.decision_part_insts) SplitDecision(p, options, plan);
  // Everything the decision code depends on besides the instructions.
  std::string& key = plan.key;
  key = "decision;" + Key(p, plan.kernels);
  for (size_t k = 1; k < plan.kernels.size(); ++k) {  // the parts of a split step
    key += plan.kernels[k].flag_part ? "PF" : "PC";
    for (uint32_t r : plan.kernels[k].rules) key += fmt::format("{},", r);
    key += ';';
  }
  key += fmt::format("O{},{};", p.outcome.otherwise, p.flags.size());
  for (const ir::Rule& r : p.rules) {
    key += fmt::format("R{},{},{},{},{},{}[", r.when, r.outcome, r.basis, r.base, r.prefer, r.in_force.size());
    for (const auto& iv : r.in_force) key += fmt::format("{}:{},", iv.from, iv.through);
    key += "]f";
    for (uint32_t f : r.flags) key += fmt::format("{},", f);
    key += "c";
    for (const ir::Charge& ch : r.charges) key += fmt::format("{}:{},", ch.cap, ch.amount);
    key += ';';
  }
  for (const ir::Cap& c : p.caps) {
    key += fmt::format("C{},{}:{}k", static_cast<int>(c.period), c.window.from, c.window.through);
    for (ir::InstId k : c.keys) key += fmt::format("{},", k);
    key += "l";
    for (const auto& l : c.limits) key += fmt::format("{}:{},", l.from, l.value);
    key += ';';
  }
  return plan;
}

}  // namespace edict::jit
