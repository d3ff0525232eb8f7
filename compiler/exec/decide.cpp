// The decision step (see decide.h and docs/semantics.md): in force → holds →
// fits → exceptions override → conflicts reported → charges recorded.
#include "exec/decide.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "edict/runtime/checked.h"
#include "edict/runtime/date.h"
#include "exec/backend.h"

namespace edict::exec {

const char* RuntimeErrorText(RuntimeError e) {
  switch (e) {
    case RuntimeError::None: return "no error";
    case RuntimeError::IntOverflow: return "whole-number overflow";
    case RuntimeError::DecimalOverflow: return "decimal overflow";
    case RuntimeError::DivisionByZero: return "division by zero";
  }
  return "error";
}

Decider::Decider(const ir::Program& p, const SourceManager* sm, bool explain)
    : p_(p), sm_(sm), explain_(explain), order_(OrderRules(p)), caps_(p.caps.size()), usage_(p.caps.size()) {}

RuleOrder OrderRules(const ir::Program& p) {
  RuleOrder o;
  o.exceptions.resize(p.rules.size());
  for (size_t i = 0; i < p.rules.size(); ++i) {
    const ir::Rule& r = p.rules[i];
    if (r.base >= 0) o.exceptions[static_cast<size_t>(r.base)].push_back(static_cast<uint32_t>(i));
    else o.general.push_back(static_cast<uint32_t>(i));
  }
  auto by_preference = [&](uint32_t a, uint32_t b) {
    if (p.rules[a].prefer != p.rules[b].prefer) return p.rules[a].prefer < p.rules[b].prefer;
    return a < b;
  };
  for (auto& ex : o.exceptions) std::stable_sort(ex.begin(), ex.end(), by_preference);
  std::stable_sort(o.general.begin(), o.general.end(), by_preference);
  return o;
}

std::string Decider::Where(ir::InstId inst) const {
  if (!sm_ || inst >= p_.insts.size()) return "";
  SourceRange r = p_.insts[inst].range;
  if (r.file >= sm_->size()) return "";
  LineCol lc = sm_->Get(r.file).Locate(r.begin);
  return fmt::format(" at {}:{}:{}", sm_->Get(r.file).path(), lc.line, lc.column);
}

std::string Decider::RuntimeReason(int64_t encoded) const {
  return std::string(RuntimeErrorText(ErrorCode(encoded))) + Where(ErrorInst(encoded));
}

std::string Decider::RuleRef(size_t rule) const {
  const ir::Rule& r = p_.rules[rule];
  return r.citation.empty() ? "`" + r.name + "`" : fmt::format("`{}` ({})", r.name, r.citation);
}

void Decisions::Reset(size_t n, size_t flag_count, bool with_explain) {
  // Only an ERROR row has a reason.
  for (size_t r = 0; r < rows; ++r) {
    if (error[r]) reason[r].clear();
  }
  for (std::string& e : explain) e.clear();
  rows = n;
  flag_words = std::max<size_t>(1, (flag_count + 63) / 64);
  error.assign(n, 0);
  for (auto* v : {&outcome, &basis, &rule, &cap}) v->resize(n);
  for (auto* v : {&charged, &headroom}) v->resize(n);
  flags.resize(n * flag_words);
  reason.resize(n);
  explain.resize(with_explain ? n : 0);
}

void Decisions::Take(size_t r, Decision& d) {
  error[r] = d.error;
  if (d.error) reason[r].swap(d.reason);
  outcome[r] = d.outcome;
  basis[r] = d.basis;
  rule[r] = d.rule;
  cap[r] = d.cap;
  charged[r] = d.charged;
  headroom[r] = d.headroom;
  uint64_t* words = &flags[r * flag_words];
  std::fill(words, words + flag_words, uint64_t{0});
  for (uint32_t f : d.flags) words[f / 64] |= uint64_t{1} << (f % 64);
  if (!explain.empty()) explain[r].swap(d.explain);
}

Decision Decisions::At(size_t r) const {
  Decision d;
  d.error = error[r] != 0;
  d.reason = reason[r];
  d.outcome = outcome[r];
  d.basis = basis[r];
  d.rule = rule[r];
  d.cap = cap[r];
  d.charged = charged[r];
  d.headroom = headroom[r];
  ForEachFlag(r, [&](uint32_t f) { d.flags.push_back(f); });
  if (!explain.empty()) d.explain = explain[r];
  return d;
}

void Backend::Judge(const Batch& batch, std::vector<Column>& values, Decider& decider, Decisions& out) {
  Evaluate(batch, values);
  decider.Decide(batch, values, out);
}

void Decider::Decide(const Batch& batch, const std::vector<Column>& values, Decisions& out) {
  out.Reset(batch.rows, p_.flags.size(), explain_);
  for (size_t row = 0; row < batch.rows; ++row) {
    DecideOne(batch, row, values, scratch_);
    out.Take(row, scratch_);
  }
}

void Decider::DecideOne(const Batch& batch, size_t row, const std::vector<Column>& values, Decision& d) {
  d.Reset();
  if (!batch.error[row].empty()) {
    d.error = true;
    d.reason = batch.error[row];
    return;
  }
  DecideRow(row, batch.day[row], values, d);
  if (d.error && batch.line[row] > 0) d.reason = fmt::format("line {}: {}", batch.line[row], d.reason);
}

// memo: 0 unknown, 1 holds, 2 does not hold, 3 error.
bool Decider::Holds(size_t rule, size_t row, const std::vector<Column>& values, Decision& d, int8_t* memo) {
  if (memo[rule] != 0) return memo[rule] == 1;
  const ir::Rule& r = p_.rules[rule];
  bool holds = true;
  if (r.when != ir::kNoInst) {
    const Column& c = values[r.when];
    if (c.status[row] == kError) {
      if (!d.error) {
        d.error = true;
        d.reason = fmt::format("rule `{}`: {}", r.name, RuntimeReason(c.i64[row]));
      }
      memo[rule] = 3;
      return false;
    }
    holds = c.status[row] == kOk && c.i64[row] != 0;
  }
  memo[rule] = holds ? 1 : 2;
  return holds;
}

bool Decider::Fits(size_t rule, size_t row, int32_t day, const std::vector<Column>& values, Decision& d,
                   std::vector<Pending>& pending, std::string* why_not) {
  const ir::Rule& r = p_.rules[rule];
  size_t start = pending.size();
  for (const ir::Charge& ch : r.charges) {
    const ir::Cap& cap = p_.caps[ch.cap];
    // The "why not" is only formatted when asked for (--explain): refusals
    // are common and the decision does not need the text.
    auto fail = [&](auto&& why) {
      pending.resize(start);
      if (why_not) *why_not = why();
      return false;
    };
    auto error = [&](std::string why) {
      if (!d.error) {
        d.error = true;
        d.reason = std::move(why);
      }
      pending.resize(start);
      return false;
    };
    int64_t period = 0;
    switch (cap.period) {
      case ir::Period::CalendarYear: period = year_; break;
      case ir::Period::Quarter: period = year_ * 4 + quarter_ - 1; break;
      case ir::Period::Month: period = year_ * 12 + month_ - 1; break;
      case ir::Period::Window:
        if (!cap.window.Contains(day)) {
          return fail([&] { return fmt::format("cap `{}` is not open on {}", cap.name, rt::FormatDate(day)); });
        }
        break;
    }
    std::array<int64_t, CapStore::kMaxKeys> parts{};
    uint32_t n = 0;
    for (ir::InstId k : cap.keys) {
      const Column& c = values[k];
      if (c.status[row] == kError) return error(fmt::format("cap `{}`: {}", cap.name, RuntimeReason(c.i64[row])));
      if (n < parts.size()) parts[n++] = c.status[row] == kAbsent ? INT64_MIN : c.i64[row];
    }
    const ir::Cap::Limit* lim = nullptr;
    for (const auto& l : cap.limits) {
      if (l.from <= day) lim = &l;
    }
    if (!lim) {
      return fail([&] { return fmt::format("cap `{}` has no limit in force on {}", cap.name, rt::FormatDate(day)); });
    }
    const Column& lc = values[lim->value];
    if (lc.status[row] != kOk) return error(fmt::format("cap `{}`: its limit could not be computed", cap.name));
    const Column& ac = values[ch.amount];
    if (ac.status[row] == kError) return error(fmt::format("rule `{}`: {}", r.name, RuntimeReason(ac.i64[row])));
    if (ac.status[row] != kOk) return fail([] { return std::string("the amount to charge is absent"); });
    int64_t amount = ac.i64[row], limit = lc.i64[row];
    if (amount < 0) return error(fmt::format("rule `{}` would charge cap `{}` a negative amount ({})", r.name, cap.name, amount));
    int64_t* slot = caps_.Slot(ch.cap, period, parts.data(), n);
    int64_t used = *slot;
    for (size_t i = 0; i < pending.size(); ++i) {
      if (pending[i].slot == slot) used += pending[i].amount;
    }
    int64_t after;
    if (rt::AddOverflows(used, amount, &after) || after > limit) {
      ++usage_[ch.cap].refusals;
      return fail([&] { return fmt::format("cap `{}` has {} left, the charge is {}", cap.name, limit - used, amount); });
    }
    pending.push_back({ch.cap, slot, amount, used, limit});
  }
  return true;
}

int32_t Decider::Choose(const std::vector<uint32_t>& candidates, int32_t over, size_t row, int32_t day,
                        const std::vector<Column>& values, Decision& d, int8_t* memo) {
  // Candidates in preference order: those in force that hold, decide
  // something and fit; each resolved through its own exceptions.
  int32_t chosen = -1, chosen_final = -1;
  for (uint32_t c : candidates) {
    const ir::Rule& cr = p_.rules[c];
    if (cr.outcome < 0 || !active_[c] || !Holds(c, row, values, d, memo)) continue;
    if (d.error) return -1;
    std::string why;
    trial_.clear();
    if (!Fits(c, row, day, values, d, trial_, explain_ ? &why : nullptr)) {
      if (d.error) return -1;
      if (explain_) trace_.push_back(fmt::format("{{\"rule\":\"{}\",\"not_applied\":{}}}", cr.name, nlohmann::json(why).dump()));
      continue;
    }
    int32_t resolved = Choose(order_.exceptions[c], static_cast<int32_t>(c), row, day, values, d, memo);
    if (d.error) return -1;
    int32_t final_rule = resolved >= 0 ? resolved : static_cast<int32_t>(c);
    if (chosen < 0) {
      chosen = static_cast<int32_t>(c);
      chosen_final = final_rule;
      if (explain_ && over >= 0) {
        trace_.push_back(fmt::format("{{\"rule\":\"{}\",\"overrides\":\"{}\"}}", cr.name, p_.rules[static_cast<size_t>(over)].name));
      }
      continue;
    }
    // A second candidate: fine if `prefer` ranks the first above it, or if
    // both decide alike; otherwise a conflict, never a silent pick.
    if (p_.rules[static_cast<size_t>(chosen)].prefer < cr.prefer) break;
    const ir::Rule& a = p_.rules[static_cast<size_t>(chosen_final)];
    const ir::Rule& b = p_.rules[static_cast<size_t>(final_rule)];
    if (a.outcome != b.outcome || a.basis != b.basis) {
      d.error = true;
      d.reason = over >= 0
                     ? fmt::format("conflict: {} and {} both apply as exceptions to `{}` and disagree; "
                                   "add `prefer` or make one an exception to the other",
                                   RuleRef(static_cast<size_t>(chosen_final)), RuleRef(static_cast<size_t>(final_rule)),
                                   p_.rules[static_cast<size_t>(over)].name)
                     : fmt::format("conflict: {} and {} both apply and disagree; add `prefer` or make one an "
                                   "exception to the other",
                                   RuleRef(static_cast<size_t>(chosen_final)), RuleRef(static_cast<size_t>(final_rule)));
      return -1;
    }
  }
  return chosen_final;
}

void Decider::DecideRow(size_t row, int32_t day, const std::vector<Column>& values, Decision& d) {
  if (day != active_day_ || active_.empty()) {  // rows come in date order: rarely taken
    active_day_ = day;
    year_ = rt::YearOf(day);
    quarter_ = rt::QuarterOf(day);
    month_ = rt::MonthOf(day);
    active_.resize(p_.rules.size());
    flag_rules_.clear();
    for (size_t i = 0; i < p_.rules.size(); ++i) {
      active_[i] = p_.rules[i].InForce(day);
      if (active_[i] && !p_.rules[i].flags.empty() && p_.rules[i].outcome < 0) flag_rules_.push_back(static_cast<uint32_t>(i));
    }
  }
  memo_.assign(p_.rules.size(), 0);
  int8_t* memo = memo_.data();
  if (explain_) trace_.clear();
  // Flags of flag-only rules: every one in force that holds (an exception only
  // where its base holds). A deciding rule's flags come with its decision (below).
  for (uint32_t i : flag_rules_) {
    const ir::Rule& r = p_.rules[i];
    if (!Holds(i, row, values, d, memo)) continue;
    bool relevant = true;
    for (int32_t b = r.base; b >= 0 && relevant; b = p_.rules[static_cast<size_t>(b)].base) {
      relevant = active_[static_cast<size_t>(b)] && Holds(static_cast<size_t>(b), row, values, d, memo);
    }
    if (relevant) d.flags.insert(d.flags.end(), r.flags.begin(), r.flags.end());
  }
  if (d.error) return;

  int32_t chosen_final = Choose(order_.general, -1, row, day, values, d, memo);
  if (d.error) return;

  if (chosen_final < 0) {
    d.outcome = p_.outcome.otherwise;
  } else {
    const ir::Rule& r = p_.rules[static_cast<size_t>(chosen_final)];
    d.rule = chosen_final;
    d.outcome = r.outcome;
    d.basis = r.basis;
    d.flags.insert(d.flags.end(), r.flags.begin(), r.flags.end());
    // Record the deciding rule's charges (they fit: Choose checked them).
    trial_.clear();
    Fits(static_cast<size_t>(chosen_final), row, day, values, d, trial_, nullptr);
    if (d.error) return;
    for (size_t k = 0; k < trial_.size(); ++k) {
      const Pending& pd = trial_[k];
      int64_t after = pd.used + pd.amount;
      *pd.slot = after;
      CapUsage& u = usage_[pd.cap];
      ++u.charges;
      if (after > u.peak) {
        u.peak = after;
        u.limit_at_peak = pd.limit;
      }
      if (k == 0) {
        d.cap = static_cast<int32_t>(pd.cap);
        d.charged = pd.amount;
        d.headroom = pd.limit - after;
      }
    }
  }
  std::sort(d.flags.begin(), d.flags.end());
  d.flags.erase(std::unique(d.flags.begin(), d.flags.end()), d.flags.end());
  if (explain_) {
    nlohmann::ordered_json j;
    nlohmann::ordered_json in_force = nlohmann::ordered_json::array(), applied = nlohmann::ordered_json::array();
    for (size_t i = 0; i < p_.rules.size(); ++i) {
      if (!active_[i]) continue;
      in_force.push_back({{"rule", p_.rules[i].name}, {"cites", p_.rules[i].citation}});
      if (memo_[i] == 1) applied.push_back(p_.rules[i].name);
    }
    j["date"] = rt::FormatDate(day);
    j["in_force"] = in_force;
    j["conditions_held"] = applied;
    nlohmann::ordered_json steps = nlohmann::ordered_json::array();
    for (const auto& t : trace_) steps.push_back(nlohmann::ordered_json::parse(t));
    j["steps"] = steps;
    if (chosen_final >= 0) {
      j["decided_by"] = {{"rule", p_.rules[static_cast<size_t>(chosen_final)].name},
                         {"cites", p_.rules[static_cast<size_t>(chosen_final)].citation}};
      if (!p_.rules[static_cast<size_t>(chosen_final)].doc.empty()) {
        j["decided_by"]["doc"] = p_.rules[static_cast<size_t>(chosen_final)].doc;
      }
    } else {
      j["decided_by"] = nullptr;
    }
    d.explain = j.dump();
  }
}

}  // namespace edict::exec
