#!/usr/bin/env python3
"""Random Edict programs and ledgers, for the differential test of the backends.

From one SEED (deterministic: only `random.Random(seed)` is used) it writes,
into OUTDIR:

  fzlib.edict     a library the regulation `use`s (a unit, an enum, a set, a const)
  fz.edict        the regulation: units (base and scaled, chained), enums, an
                  outcome with payloads (and, usually, `otherwise`), flags, a
                  record with optional fields and `at least` / `at most` bounds,
                  tables, dated sets of countries / enums / text / whole
                  numbers / dates with set algebra, consts (units, decimals,
                  percentages, values near 2^63), lets, caps of every period
                  kind (calendar year, quarter, month, a fixed window; `per`
                  keys of every kind; limits that change on dates), rules with
                  `effective` / `through`, exceptions (nested), `prefer`,
                  flag rules, a regime and an inline test
  fza.edict       an amendment: suspend (with and without `through`, a rule or
                  the whole regulation), repeal, replace of a rule, a const and
                  a set, and new rules / exceptions
  TABLE.csv       one CSV per table (bound with --table NAME=FILE)
  ledger.csv      ROWS rows, a share of them spoiled (bad dates, negative /
                  overflowing / non numbers, values out of bounds, unknown
                  countries and variants, wrong column counts, unbalanced and
                  stray quotes, empty required values)
  args            extra `edict run` arguments, one per line (--table, and
                  sometimes --regime / --as-of)
  files           the rule files to pass to `edict`, one per line

Expressions are typed as they are generated, so the program always passes
`edict check` (a program that does not is a bug in this generator).

usage: gen_program.py SEED OUTDIR [--rows N] [--dirty RATE]
"""
import argparse
import os
import random

MAX = 9223372036854775807
MIN = -9223372036854775808

COUNTRIES = ["US", "GB", "CN", "RU", "IR", "KP", "BY", "IN", "JP", "NL", "DE", "FR", "MO", "HK", "XK", "AE",
             "SA", "KH", "BR", "ZA", "IL", "TW", "KR", "SG", "MX", "CA", "AU", "VN"]
TEXTS = ["acme", "Acme", "globex", "initech", "umbrella", "n1", "n2", "n3", "n4", "n5", "Pune University",
         "a, b", 'say "hi"', "x" * 9, "x" * 16, "x" * 17, "αβγ", "tab\there", "", " lead", "trail ", "A-1", "L-2",
         "NONE", "n10", "n11", "n12", "n13", "n14", "n15", "n16", "n17", "n18", "n19", "n20"]
KEYWORD_FREE = "abcdefghijklmnopqrstuvwxyz"


def days_in_month(y, m):
    if m == 2:
        return 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28
    return 30 if m in (4, 6, 9, 11) else 31


def ordinal(y, m, d):
    """Days since 0001-01-01 (proleptic Gregorian), like date.toordinal()."""
    import datetime
    return datetime.date(y, m, d).toordinal()


def from_ordinal(n):
    import datetime
    d = datetime.date.fromordinal(n)
    return "%04d-%02d-%02d" % (d.year, d.month, d.day)


def fmt_int(v):
    """A whole-number literal, sometimes with `_` separators."""
    s = str(abs(v))
    return s


def sep_int(rng, v):
    s = str(v)
    if rng.random() < 0.3 and len(s) > 3:
        parts = []
        while len(s) > 3:
            parts.insert(0, s[-3:])
            s = s[:-3]
        parts.insert(0, s)
        return "_".join(parts)
    return s


# ---------------------------------------------------------------- units
# A unit is a tuple of (base, exponent) sorted by base, exponents non-zero.

def umul(a, b, sign=1):
    d = dict(a)
    for k, e in b:
        d[k] = d.get(k, 0) + sign * e
    return tuple(sorted((k, e) for k, e in d.items() if e != 0))


def udiv(a, b):
    return umul(a, b, -1)


def ufmt(u):
    """The text after a number or in a type: '' (pure), `ua` or `[ua/ub]`."""
    if not u:
        return ""
    if len(u) == 1 and u[0][1] == 1:
        return u[0][0]
    num = [k for k, e in u for _ in range(e) if e > 0]
    den = [k for k, e in u for _ in range(-e) if e < 0]
    s = "*".join(num) if num else "1"
    for k in den:
        s += "/" + k
    return "[" + s + "]"


def tfmt_unit(u):
    """The unit part of a type: ` [ua]`, or nothing."""
    if not u:
        return ""
    s = ufmt(u)
    return " " + (s if s.startswith("[") else "[" + s + "]")


# ---------------------------------------------------------------- types
# ('int', u) ('dec', u) ('bool',) ('date',) ('text',) ('country',) ('enum', name)

def tname(t):
    k = t[0]
    if k == "int":
        return "Int" + tfmt_unit(t[1])
    if k == "dec":
        return "Decimal" + tfmt_unit(t[1])
    return {"bool": "Bool", "date": "Date", "text": "Text", "country": "Country"}.get(k, t[1] if k == "enum" else "?")


def is_num(t):
    return t[0] in ("int", "dec")


class Gen:
    def __init__(self, seed, rows, dirty):
        self.rng = random.Random(seed)
        self.seed = seed
        self.rows = rows
        self.dirty = dirty
        self.names = set()
        r = self.rng
        # The program's years: rules, sets and caps change within them.
        self.y0 = r.choice([2023, 2024, 2025])
        self.ylen = r.choice([1, 2, 3])
        self.d_lo = ordinal(self.y0, 1, 1)
        self.d_hi = ordinal(self.y0 + self.ylen, 12, 31)
        self.with_amend = r.random() < 0.85
        self.const_mode = False
        self.no_const_refs = False

    # -------------------------------------------------------- helpers
    def fresh(self, prefix):
        i = len(self.names)
        while True:
            n = "%s%d" % (prefix, i)
            if n not in self.names:
                self.names.add(n)
                return n
            i += 1

    def date(self, lo=None, hi=None):
        lo = self.d_lo if lo is None else lo
        hi = self.d_hi if hi is None else hi
        return self.rng.randint(lo, hi)

    def dlit(self, lo=None, hi=None):
        return from_ordinal(self.date(lo, hi))

    def dates_sorted(self, n, lo=None, hi=None):
        ds = sorted(set(self.date(lo, hi) for _ in range(n)))
        return ds

    # -------------------------------------------------------- declarations
    def declare(self):
        r = self.rng
        # Units: two or three base units, scaled units (chained) of the first.
        self.bases = ["ua", "ub", "uc"][: r.choice([2, 2, 3])]
        self.scaled = []  # (name, base unit, factor)
        if r.random() < 0.9:
            f1 = r.choice([10, 1000, 15_832, 1_000_000])
            self.scaled.append(("kua", "ua", f1))
            if r.random() < 0.6:
                f2 = r.choice([2, 1000, 1_000_000_000])
                self.scaled.append(("mua", "ua", f1 * f2, "kua", f2))
        if r.random() < 0.5:
            self.scaled.append(("kub", "ub", r.choice([12, 100])))
        U = [(), (("ua", 1),), (("ub", 1),), (("ua", 1), ("ub", -1)), (("ua", 1), ("ub", 1))]
        if "uc" in self.bases:
            U.append((("uc", 1),))
        self.units = U
        # Enums, with unique variant names (the lib adds one more enum).
        self.enums = {}
        pool = ["air", "sea", "road", "rail", "civil", "military", "dual", "low", "mid", "high", "red", "green",
                "blue", "alpha", "beta", "gamma", "north", "south"]
        r.shuffle(pool)
        for name in ["Mode", "Use", "Tier"][: r.choice([1, 2, 3])]:
            k = r.randint(2, 5)
            self.enums[name] = [pool.pop() for _ in range(k)]
        self.enums["Grade"] = ["g_one", "g_two", "g_three"]  # declared in the library
        self.basis = ["B_" + x for x in ["SMALL", "ALLY", "LPP", "AIA"][: r.randint(1, 4)]]
        self.review = ["R_DENY", "R_CASE"]
        # Outcome variants: (name, payload enum or None)
        self.variants = [("NLR", None), ("HIT", None), ("MISS", None), ("OK", "Basis")]
        if r.random() < 0.6:
            self.variants.append(("REQ", "Review"))
        self.otherwise = r.choice(["NLR", "NLR", "HIT", None])
        self.flags = ["F%d" % i for i in range(r.randint(1, 5))]
        # Record fields: name -> (type, optional)
        self.fields = [("id", ("text",), False), ("date", ("date",), False)]
        self.bounds = {}
        choices = [("int", None), ("int", None), ("int", None), ("dec", None), ("dec", None), ("bool",), ("date",),
                   ("text",), ("text",), ("country",), ("country",), ("enum",)]
        nf = r.randint(5, 12)
        for i in range(nf):
            c = r.choice(choices)
            if c[0] == "int" or c[0] == "dec":
                t = (c[0], r.choice(self.units))
            elif c[0] == "enum":
                t = ("enum", r.choice(list(self.enums)))
            else:
                t = c
            opt = r.random() < 0.3
            name = "f%d_%s" % (i, t[0][:1])
            self.fields.append((name, t, opt))
            if is_num(t) and r.random() < 0.3:
                lo = r.choice([0, 0, -5, 1])
                hi = r.choice([None, 10**6, 10**12])
                self.bounds[name] = (lo, hi)
            elif t[0] == "date" and r.random() < 0.3:
                self.bounds[name] = (from_ordinal(self.d_lo - 30), None)
        # Always at least one Int field with the first unit (cap amounts) and one pure Int.
        self.fields.append(("qty", ("int", (("ua", 1),)), False))
        if r.random() < 0.5:
            self.bounds["qty"] = (0, None)
        self.fields.append(("n", ("int", ()), r.random() < 0.3))
        self.fields.append(("who", ("text",), False))
        self.fields.append(("dest", ("country",), r.random() < 0.2))
        self.fields.append(("grade", ("enum", "Grade"), r.random() < 0.3))
        self.rec = "Row%d" % r.randint(0, 9)
        self.inp = r.choice(["r", "s", "row"])
        # Tables
        self.tables = {}
        for ti in range(r.choice([0, 1, 1, 2])):
            tn = "T%d" % ti
            kt = r.choice([("text",), ("text",), ("int", ()), ("country",), ("enum", r.choice(list(self.enums)))])
            cols = [("k", kt, False)]
            for j in range(r.randint(1, 4)):
                c = r.choice(choices)
                if c[0] in ("int", "dec"):
                    t = (c[0], r.choice(self.units))
                elif c[0] == "enum":
                    t = ("enum", r.choice(list(self.enums)))
                else:
                    t = c
                cols.append(("c%d" % j, t, r.random() < 0.3))
            self.tables[tn] = cols
        # Env: values by type. entries (expr, type, optional, const?)
        self.env = []
        for name, t, opt in self.fields:
            self.env.append(("%s.%s" % (self.inp, name), t, opt, False))
        # Sets: name -> (elem type, dated?) ; decls text
        self.sets = {}
        self.atom_default = {}  # field -> the literal atom() usually writes after `otherwise`
        self.consts = {}
        self.const_vals = {}
        self.lets = {}

    # -------------------------------------------------------- values of a type
    def values_of(self, t, opt_ok=True, const_only=False):
        out = []
        for e, tt, opt, c in self.env:
            if tt == t and (opt_ok or not opt) and (c or not const_only):
                out.append((e, opt))
        return out

    def lit(self, t):
        r = self.rng
        k = t[0]
        if k == "int":
            v = self.int_value() if not self.const_mode else self.rng.randint(0, 1000)
            u = t[1]
            if u == (("ua", 1),) and self.scaled_ua() and r.random() < 0.25 and not self.const_mode:
                s = r.choice(self.scaled_ua())
                f = s[2]
                q = r.randint(0, min(MAX // f, 5000))
                return self.neg(sep_int(r, q) + " " + s[0], False)
            if u == (("ub", 1),) and any(s[0] == "kub" for s in self.scaled) and r.random() < 0.25 and not self.const_mode:
                return "%d kub" % r.randint(0, 1000)
            s = sep_int(r, abs(v)) + ((" " + ufmt(u)) if u else "")
            return self.neg(s, v < 0)
        if k == "dec":
            u = t[1]
            if not u and r.random() < 0.3:
                return r.choice(["50%", "12.5%", "0%", "100%", "33.333%", "0.000000001%"])
            v = self.dec_text(r)
            neg = v.startswith("-")
            v = v.lstrip("-")
            if "." not in v:
                v += ".0"
            s = v + ((" " + ufmt(u)) if u else "")
            return self.neg(s, neg)
        if k == "bool":
            return r.choice(["true", "false"])
        if k == "date":
            return self.dlit()
        if k == "text":
            s = r.choice(TEXTS)
            return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t") + '"'
        if k == "country":
            return r.choice(COUNTRIES)
        if k == "enum":
            v = r.choice(self.enums[t[1]])
            return (t[1] + "." + v) if r.random() < 0.2 else v
        raise ValueError(t)

    def scaled_ua(self):
        return [s for s in self.scaled if s[1] == "ua"]

    def neg(self, s, neg):
        return "(-" + s + ")" if neg else s

    def int_value(self):
        r = self.rng
        x = r.random()
        if x < 0.6:
            return r.randint(0, 100)
        if x < 0.8:
            return r.randint(-100, 10**6)
        if x < 0.87:
            return r.choice([MAX, MAX - 1, 2**62, 2**32, 3037000499, 3037000500, 4294967296, MAX // 2 + 1])
        if x < 0.9:
            return r.randint(10**9, 10**15)
        return r.choice([0, 1, 2, -1])

    def dec_text(self, r):
        x = r.random()
        if x < 0.5:
            return "%d.%s" % (r.randint(0, 1000), "".join(r.choice("0123456789") for _ in range(r.randint(1, 4))))
        if x < 0.7:
            return "0.%s" % "".join(r.choice("0123456789") for _ in range(9))
        if x < 0.8:
            return r.choice(["0.5", "1.5", "2.5", "0.000000001", "0.000000005", "3.0"])
        if x < 0.9:
            return "%d.%d" % (r.randint(10**15, 10**19), r.randint(0, 999))
        return "-%d.%d" % (r.randint(0, 100), r.randint(0, 99))

    # -------------------------------------------------------- expressions
    def gen(self, t, depth, const=False):
        """A non-optional expression of type t."""
        if const and not self.const_mode:
            # Whole-number constants are evaluated when checking: keep them small.
            self.const_mode = True
            try:
                return self.gen(t, depth, const)
            finally:
                self.const_mode = False
        r = self.rng
        if depth <= 0 or r.random() < 0.25:
            return self.leaf(t, const)
        k = t[0]
        ch = r.random()
        if k == "int":
            u = t[1]
            opts = ["add", "sub", "neg", "mul", "minmax", "if", "otherwise", "leaf"]
            if not u:
                opts += ["cal", "cal"]
            if self.tables and not const:
                opts.append("table")
            o = r.choice(opts)
            if o in ("add", "sub"):
                return "(%s %s %s)" % (self.gen(t, depth - 1, const), "+" if o == "add" else "-",
                                       self.gen(t, depth - 1, const))
            if o == "neg":
                return "(-%s)" % self.gen(t, depth - 1, const)
            if o == "mul":
                a, b = self.split_mul(u)
                return "(%s * %s)" % (self.gen(("int", a), depth - 1, const), self.gen(("int", b), depth - 1, const))
            if o == "minmax":
                return "%s(%s, %s)" % (r.choice(["min", "max"]), self.gen(t, depth - 1, const),
                                       self.gen(t, depth - 1, const))
            if o == "if" and not const:
                return "(if %s then %s else %s)" % (self.gen(("bool",), depth - 1), self.gen(t, depth - 1),
                                                    self.gen(t, depth - 1))
            if o == "otherwise" and not const:
                return self.otherwise_expr(t, depth)
            if o == "cal" and not const:
                return "%s(%s)" % (r.choice(["year", "quarter", "month"]), self.gen(("date",), depth - 1))
            if o == "table":
                return self.table_expr(t, depth)
            return self.leaf(t, const)
        if k == "dec":
            u = t[1]
            o = r.choice(["add", "sub", "neg", "mul", "div", "div", "minmax", "if", "otherwise", "leaf"])
            if o in ("add", "sub", "minmax"):
                ta, tb = ("dec", u), ("dec", u)
                w = r.random()
                if w < 0.3:
                    ta = ("int", u)
                elif w < 0.6:
                    tb = ("int", u)
                if o == "minmax":
                    return "%s(%s, %s)" % (r.choice(["min", "max"]), self.gen(ta, depth - 1, const),
                                           self.gen(tb, depth - 1, const))
                return "(%s %s %s)" % (self.gen(ta, depth - 1, const), "+" if o == "add" else "-",
                                       self.gen(tb, depth - 1, const))
            if o == "neg":
                return "(-%s)" % self.gen(t, depth - 1, const)
            if o == "mul":
                a, b = self.split_mul(u)
                ka, kb = r.choice([("dec", "dec"), ("dec", "int"), ("int", "dec")])
                return "(%s * %s)" % (self.gen((ka, a), depth - 1, const), self.gen((kb, b), depth - 1, const))
            if o == "div":
                # u = a / b
                b = r.choice(self.units)
                a = umul(u, b)
                ka, kb = r.choice(["int", "dec"]), r.choice(["int", "dec"])
                if a not in self.units and r.random() < 0.7:
                    b, a = (), u
                return "(%s / %s)" % (self.gen((ka, a), depth - 1, const), self.gen((kb, b), depth - 1, const))
            if o == "if" and not const:
                return "(if %s then %s else %s)" % (self.gen(("bool",), depth - 1), self.gen(t, depth - 1),
                                                    self.gen(t, depth - 1))
            if o == "otherwise" and not const:
                return self.otherwise_expr(t, depth)
            return self.leaf(t, const)
        if k == "bool":
            if const:
                return self.leaf(t, const)
            o = r.choice(["cmp", "cmp", "cmp", "eq", "and", "or", "not", "in", "in", "present", "if", "otherwise",
                          "leaf", "intable", "atom", "atom"])
            if o == "atom":
                return self.atom()
            if o == "cmp":
                if r.random() < 0.2:
                    return "(%s %s %s)" % (self.gen(("date",), depth - 1), r.choice(["<", "<=", ">", ">="]),
                                           self.gen(("date",), depth - 1))
                u = r.choice(self.units)
                ka, kb = r.choice(["int", "dec"]), r.choice(["int", "dec"])
                return "(%s %s %s)" % (self.gen((ka, u), depth - 1), r.choice(["<", "<=", ">", ">=", "==", "!="]),
                                       self.gen((kb, u), depth - 1))
            if o == "eq":
                tt = self.any_type()
                return "(%s %s %s)" % (self.maybe_opt(tt, depth - 1), r.choice(["==", "!="]),
                                       self.maybe_opt(tt, depth - 1))
            if o in ("and", "or"):
                return "(%s %s %s)" % (self.gen(t, depth - 1), o, self.gen(t, depth - 1))
            if o == "not":
                return "(not %s)" % self.gen(t, depth - 1)
            if o == "in":
                return self.in_expr(depth)
            if o == "intable" and self.tables:
                tn = r.choice(list(self.tables))
                kt = self.tables[tn][0][1]
                return "(%s %sin %s)" % (self.maybe_opt(kt, depth - 1), r.choice(["", "not "]), tn)
            if o == "present":
                opts = [(e, tt) for e, tt, opt, c in self.env if opt]
                if opts:
                    e, _ = r.choice(opts)
                    return "(%s is %s%s)" % (e, r.choice(["", "not "]), r.choice(["present", "absent"]))
                return self.leaf(t, const)
            if o == "if":
                return "(if %s then %s else %s)" % (self.gen(t, depth - 1), self.gen(t, depth - 1),
                                                    self.gen(t, depth - 1))
            if o == "otherwise":
                return self.otherwise_expr(t, depth)
            return self.leaf(t, const)
        # date, text, country, enum
        if const:
            return self.leaf(t, const)
        o = r.choice(["if", "otherwise", "leaf", "leaf", "table"])
        if o == "if":
            return "(if %s then %s else %s)" % (self.gen(("bool",), depth - 1), self.gen(t, depth - 1),
                                                self.gen(t, depth - 1))
        if o == "otherwise":
            return self.otherwise_expr(t, depth)
        if o == "table" and self.tables:
            return self.table_expr(t, depth)
        return self.leaf(t, const)

    def atom(self):
        """A condition on the input that holds for some rows and not others."""
        r = self.rng
        fs = [(n, t, o) for n, t, o in self.fields if n != "id"]
        n, t, o = r.choice(fs)
        e = "%s.%s" % (self.inp, n)
        if o:
            if r.random() < 0.3:
                return "(%s is %s)" % (e, r.choice(["present", "absent", "not present", "not absent"]))
            # Often the same default for a field throughout the program, so
            # that rules test one computed value (not a field) against
            # several sets: what the JIT looks up together.
            if n not in self.atom_default:
                self.atom_default[n] = self.lit(t)
            e = "(%s otherwise %s)" % (e, self.atom_default[n] if r.random() < 0.6 else self.lit(t))
        k = t[0]
        if k == "int":
            v = r.randint(-10, 200) if not t[1] else r.randint(0, 200)
            return "(%s %s %s)" % (e, r.choice(["<", "<=", ">", ">=", "==", "!="]),
                                   self.neg(str(abs(v)) + ((" " + ufmt(t[1])) if t[1] else ""), v < 0))
        if k == "dec":
            v = "%d.%d" % (r.randint(0, 250), r.randint(0, 99))
            return "(%s %s %s)" % (e, r.choice(["<", "<=", ">", ">="]), v + ((" " + ufmt(t[1])) if t[1] else ""))
        if k == "date":
            return "(%s %s %s)" % (e, r.choice(["<", "<=", ">", ">="]), self.dlit())
        if k == "bool":
            return e if r.random() < 0.5 else "(not %s)" % e
        if k in ("country", "enum", "text"):
            sets = [sn for sn, (et, _) in self.sets.items() if et == t]
            if len(sets) >= 2 and r.random() < 0.25:  # one value in either of two groups
                a, b = r.sample(sets, 2)
                return "(%s in %s or %s in %s)" % (e, a, e, b)
            if sets and r.random() < 0.5:
                return "(%s %sin %s)" % (e, r.choice(["", "not "]), r.choice(sets))
            if k == "text" and self.tables and r.random() < 0.3:
                tabs = [tn for tn, cols in self.tables.items() if cols[0][1] == t]
                if tabs:
                    return "(%s in %s)" % (e, r.choice(tabs))
            if r.random() < 0.5:
                return "(%s in %s)" % (e, self.set_lit(t, r.randint(1, 4)))
            return "(%s %s %s)" % (e, r.choice(["==", "!="]), self.lit(t))
        return "true"

    def condition(self):
        r = self.rng
        x = r.random()
        if x < 0.35:
            return self.atom()
        if x < 0.6:
            return "(%s %s %s)" % (self.atom(), r.choice(["and", "or"]), self.atom())
        if x < 0.75:
            return "(%s and (%s or %s))" % (self.atom(), self.atom(), self.gen(("bool",), 2))
        return self.gen(("bool",), r.randint(1, 4))

    def any_type(self):
        r = self.rng
        k = r.choice(["int", "dec", "bool", "date", "text", "country", "enum", "text", "country"])
        if k in ("int", "dec"):
            return (k, r.choice(self.units))
        if k == "enum":
            return ("enum", r.choice(list(self.enums)))
        return (k,)

    def split_mul(self, u):
        r = self.rng
        pairs = [(a, b) for a in self.units for b in self.units if umul(a, b) == u]
        return r.choice(pairs) if pairs else ((), u)

    def maybe_opt(self, t, depth):
        """An expression of type t, possibly optional."""
        r = self.rng
        if r.random() < 0.4:
            vs = [e for e, o in self.values_of(t) if o]
            tabs = self.table_cols(t)
            if vs and (not tabs or r.random() < 0.6):
                return r.choice(vs)
            if tabs:
                tn, col = r.choice(tabs)
                kt = self.tables[tn][0][1]
                return "%s[%s].%s" % (tn, self.maybe_opt(kt, depth - 1) if depth > 0 else self.leaf(kt, False), col)
        return self.gen(t, max(depth, 0))

    def table_cols(self, t):
        return [(tn, c) for tn, cols in self.tables.items() for c, ct, _ in cols[1:] if ct == t]

    def table_expr(self, t, depth):
        tabs = self.table_cols(t)
        if not tabs:
            return self.leaf(t, False)
        tn, col = self.rng.choice(tabs)
        kt = self.tables[tn][0][1]
        return "(%s[%s].%s otherwise %s)" % (tn, self.maybe_opt(kt, depth - 1), col, self.gen(t, depth - 1))

    def otherwise_expr(self, t, depth):
        vs = [e for e, o in self.values_of(t) if o]
        if not vs:
            return self.leaf(t, False)
        return "(%s otherwise %s)" % (self.rng.choice(vs), self.gen(t, depth - 1))

    def leaf(self, t, const):
        r = self.rng
        vs = [e for e, o in self.values_of(t, opt_ok=False, const_only=const)]
        if const:
            vs = [e for e in vs if t[0] != "int" or abs(self.const_vals.get(e, 10**9)) <= 1000]
            if self.no_const_refs:
                vs = []
        if vs and r.random() < (0.5 if const else 0.75):
            return r.choice(vs)
        if not const and r.random() < 0.3:
            vs = [e for e, o in self.values_of(t) if o]
            if vs:
                return "(%s otherwise %s)" % (r.choice(vs), self.lit(t))
        return self.lit(t)

    def set_expr(self, et, depth=2):
        r = self.rng
        named = [n for n, (t, _) in self.sets.items() if t == et]
        o = r.random()
        if named and o < 0.5:
            return r.choice(named)
        if named and o < 0.75 and depth > 0:
            return "(%s %s %s)" % (self.set_expr(et, depth - 1), r.choice(["+", "-"]), self.set_expr(et, depth - 1))
        return self.set_lit(et)

    def set_lit(self, et, n=None):
        r = self.rng
        n = r.randint(0, 4) if n is None else n
        items = []
        for _ in range(n):
            v = self.lit(et)
            if v not in items:
                items.append(v)
        if not items:
            # `{}` has no element type: give one member
            items.append(self.lit(et))
        return "{ " + ", ".join(items) + (", }" if r.random() < 0.1 else " }")

    def in_expr(self, depth):
        r = self.rng
        ets = list(set(t for t, _ in self.sets.values()))
        et = r.choice(ets)
        return "(%s %sin %s)" % (self.maybe_opt(et, depth - 1), r.choice(["", "not "]), self.set_expr(et))

    # -------------------------------------------------------- program text
    def program(self):
        r = self.rng
        self.declare()
        L = []  # library
        L.append('library fzlib "fuzz library"')
        L.append('enum Grade { g_one, g_two, g_three }')
        L.append('set LibDests: Country = { %s }' % ", ".join(r.sample(COUNTRIES, 3)))
        self.sets["LibDests"] = (("country",), True)
        L.append('const LIB_K = %d' % r.randint(0, 50))
        self.env.append(("LIB_K", ("int", ()), False, True))
        self.const_vals["LIB_K"] = int(L[-1].split("= ")[1])
        self.consts["LIB_K"] = ("int", ())

        B = []
        eff = self.d_lo + r.randint(-30, 60)
        hdr = 'regulation fz "fuzz %d" cites "fuzz"' % self.seed
        if r.random() < 0.9:
            hdr += " effective %s" % from_ordinal(eff)
        if r.random() < 0.3:
            hdr += " compliance %s" % from_ordinal(eff + r.randint(0, 120))
        if r.random() < 0.2:
            hdr += " sunset %s" % from_ordinal(self.d_hi - r.randint(0, 200))
        if r.random() < 0.3:
            hdr += " published %s" % from_ordinal(eff - 10)
        self.eff = eff
        B.append(hdr)
        B.append("use fzlib")
        B.append("")
        for b in self.bases:
            B.append('unit %s "%s"' % (b, b))
        for s in self.scaled:
            if len(s) == 5:
                B.append("unit %s = %s %s" % (s[0], sep_int(r, s[4]), s[3]))
            else:
                B.append("unit %s = %s %s" % (s[0], sep_int(r, s[2]), s[1]))
        for en, vs in self.enums.items():
            if en == "Grade":
                continue
            B.append("enum %s { %s }" % (en, ", ".join(vs)))
        B.append("enum Basis { %s }" % ", ".join(self.basis))
        B.append("enum Review { %s }" % ", ".join(self.review))
        vs = []
        for v, p in self.variants:
            vs.append(v + ("(%s)" % p if p else "") + (' "%s"' % v.lower() if r.random() < 0.3 else ""))
        B.append("outcome Decision { %s }%s" % (", ".join(vs), (" otherwise " + self.otherwise) if self.otherwise else ""))
        B.append("flags { %s }" % ", ".join(self.flags))
        fl = []
        for name, t, opt in self.fields:
            s = "%s: %s%s" % (name, "optional " if opt else "", tname(t))
            if name == "id":
                s += " key"
            if name in self.bounds:
                lo, hi = self.bounds[name]
                if t[0] == "date":
                    s += " at least %s" % lo
                else:
                    us = (" " + ufmt(t[1])) if t[1] else ""
                    dot = ".0" if t[0] == "dec" else ""
                    s += " at least %s" % self.neg("%d%s%s" % (abs(lo), dot, us), lo < 0)
                    if hi is not None:
                        s += " at most %d%s%s" % (hi, dot, us)
            fl.append(s)
        B.append("record %s { %s }" % (self.rec, ", ".join(fl)))
        B.append("input %s: %s" % (self.inp, self.rec))
        for tn, cols in self.tables.items():
            B.append("table %s { %s }" % (tn, ", ".join(
                "%s: %s%s%s" % (c, "optional " if o else "", tname(t), " key" if c == "k" else "") for c, t, o in cols)))
        B.append("")
        # Sets
        self.set_decls(B)
        # Consts
        self.const_decls(B)
        # Lets
        for i in range(r.randint(2, 8)):
            t = self.any_type()
            if r.random() < 0.15:
                # an optional let: the name of an optional value
                vs = [e for e, o in self.values_of(t) if o]
                if vs:
                    n = self.fresh("lo")
                    B.append("let %s = %s" % (n, r.choice(vs)))
                    self.env.append((n, t, True, False))
                    continue
            n = self.fresh("l")
            e = self.gen(t, 3)
            ann = (": " + tname(t)) if r.random() < 0.2 else ""
            B.append("let %s%s = %s" % (n, ann, e))
            self.env.append((n, t, False, False))
            self.lets[n] = t
        B.append("")
        # Caps
        self.caps = {}
        self.cap_decls(B)
        B.append("")
        # Rules
        self.rules = []  # (name, base or None, has_then)
        self.rule_decls(B, "fz", r.randint(3, 9))
        # A flag rule that always stays (the JIT always has something to compile).
        B.append('rule anchor "anchor" cites "fz anchor" when %s flag %s' % (
            self.atom(), r.choice(self.flags)))
        self.prefer_decls(B)
        B.append('regime only_fz "the regulation alone" includes fz')
        if self.with_amend:
            B.append('regime fz_all "with the amendment" includes fz, fza')
        self.test_decl(B)

        A = []
        aeff = self.date(self.d_lo, self.d_hi)
        A.append('amendment fza to fz "fuzz amendment" cites "fuzz amendment" effective %s' % from_ordinal(aeff))
        A.append("")
        self.amend_decls(A, aeff)
        return "\n".join(L) + "\n", "\n".join(B) + "\n", "\n".join(A) + "\n"

    def set_decls(self, B):
        r = self.rng
        kinds = [("country",), ("country",), ("text",), ("int", ()), ("date",), ("bool",), ("int", (("ua", 1),)),
                 ("dec", ())]
        kinds += [("enum", e) for e in self.enums]
        for i in range(r.randint(2, 6)):
            et = r.choice(kinds)
            n = self.fresh("S")
            if et == ("text",) and r.random() < 0.5:
                base = "{ " + ", ".join('"%s"' % s for s in r.sample([t for t in TEXTS if '"' not in t and "\t" not in t],
                                                                    r.randint(14, 24))) + " }"
            else:
                base = self.set_expr(et) if r.random() < 0.3 and self.sets else self.set_lit(et)
            ann = ""
            if r.random() < 0.5:
                ann = ": " + ("set " if r.random() < 0.3 else "") + tname(et)
            s = "set %s%s = %s" % (n, ann, base)
            for d in self.dates_sorted(r.choice([0, 0, 1, 2, 3])):
                s += "\n  on %s %s %s" % (from_ordinal(d), r.choice(["add", "remove"]), self.set_lit(et, r.randint(1, 3)))
                if r.random() < 0.3:
                    s += ' cites "list %d"' % d
            B.append(s)
            self.sets[n] = (et, True)
        # `in` always has a set of some type
        if not self.sets:
            self.sets["LibDests"] = (("country",), True)

    def const_decls(self, B):
        r = self.rng
        for i in range(r.randint(2, 7)):
            n = self.fresh("C")
            x = r.random()
            if x < 0.5:
                u = r.choice(self.units)
                t = ("int", u)
                # Constant arithmetic is evaluated when checking: keep it in range.
                v = r.choice([r.randint(0, 1000), r.randint(0, 10**6), MAX, MAX - r.randint(0, 10), 2**62])
                prev = [c for c, ct in self.consts.items() if ct == t and c in self.const_vals]
                if prev and r.random() < 0.5:
                    p = r.choice(prev)
                    pv = self.const_vals[p]
                    k = r.randint(0, 5)
                    op = r.choice(["+", "-", "*"])
                    if op == "*":
                        # `*` on a pure constant only, to keep the unit.
                        val = pv * k
                        expr = "%s * %d" % (p, k)
                    elif op == "+":
                        val = pv + k
                        expr = "%s + %d%s" % (p, k, (" " + ufmt(u)) if u else "")
                    else:
                        val = pv - k
                        expr = "%s - %d%s" % (p, k, (" " + ufmt(u)) if u else "")
                    if MIN <= val <= MAX:
                        ann = (": " + tname(t)) if r.random() < 0.3 else ""
                        B.append("const %s%s = %s" % (n, ann, expr))
                        self.const_vals[n] = val
                        self.consts[n] = t
                        self.env.append((n, t, False, True))
                        continue
                expr = sep_int(r, v) + ((" " + ufmt(u)) if u else "")
                if r.random() < 0.2 and v < 10**6:
                    expr = "-" + expr
                    v = -v
                ann = (": " + tname(t)) if r.random() < 0.3 else ""
                B.append("const %s%s = %s" % (n, ann, expr))
                self.const_vals[n] = v
            elif x < 0.8:
                u = r.choice(self.units)
                t = ("dec", u)
                B.append("const %s = %s" % (n, self.lit(t)))
            else:
                t = r.choice([("int", r.choice(self.units)), ("dec", r.choice(self.units)), ("bool",), ("date",),
                              ("text",), ("country",)])
                # a constant expression (division by zero and overflow happen at run time)
                B.append("const %s = %s" % (n, self.gen(t, 2, const=True)))
            self.consts[n] = t
            self.env.append((n, t, False, True))

    def cap_decls(self, B):
        r = self.rng
        keyable = [(e, t) for e, t, o, c in self.env if not c and (t[0] in ("text", "country", "enum", "int"))]
        ua = (("ua", 1),)
        for i in range(r.randint(1, 4)):
            n = self.fresh("cap")
            u = ua if r.random() < 0.7 else r.choice(self.units[1:])
            s = 'cap %s "cap %d"' % (n, i)
            if r.random() < 0.9:
                s += ' cites "fz cap %d"' % i
            s += " counts %s" % (ufmt(u) if ufmt(u) else "ua")
            if not ufmt(u):
                u = ua
            keys = [e for e, t in keyable if e.startswith(self.inp + ".")]
            if r.random() < 0.8:
                ks = r.sample([e for e, t in keyable], min(len(keyable), r.randint(1, 3)))
                s += " per " + ", ".join(ks)
            p = r.random()
            if p < 0.2:
                s += " each calendar year"
            elif p < 0.3:
                s += " each year"
            elif p < 0.5:
                s += " each quarter"
            elif p < 0.75:
                s += " each month"
            else:
                d1 = self.date()
                d2 = d1 + r.randint(0, 400)
                s += " over %s through %s" % (from_ordinal(d1), from_ordinal(d2))
            nl = r.choice([1, 1, 2, 3])
            ds = self.dates_sorted(nl)
            first = r.random() < 0.85
            for j, d in enumerate(ds):
                s += " limit " + self.limit_lit(u)
                if not (first and j == 0):
                    s += " from %s" % from_ordinal(d)
            B.append(s)
            self.caps[n] = u

    def limit_lit(self, u):
        r = self.rng
        cs = [c for c, t in self.consts.items() if t == ("int", u) and self.const_vals.get(c, -1) >= 0]
        if cs and r.random() < 0.3:
            return r.choice(cs)
        if u == (("ua", 1),) and self.scaled_ua() and r.random() < 0.3:
            s = r.choice(self.scaled_ua())
            return "%d %s" % (r.randint(0, 5), s[0])
        v = r.choice([r.randint(0, 20), r.randint(100, 1000), r.randint(100, 5000), r.randint(1000, 10**5), MAX])
        return sep_int(r, v) + " " + ufmt(u)

    def rule_clauses(self, allow_then=True, flag_only=False):
        r = self.rng
        s = ""
        if r.random() < 0.9:
            s += ' cites "fz §%d"' % r.randint(1, 99)
        if r.random() < 0.3:
            e = self.date()
            s += " effective %s" % from_ordinal(e)
            if r.random() < 0.4:
                s += " through %s" % from_ordinal(e + r.randint(0, 500))
        elif r.random() < 0.2:
            s += " through %s" % from_ordinal(self.date())
        if r.random() < 0.92:
            s += " when %s" % self.condition()
        has_then = False
        if not flag_only and allow_then:
            if r.random() < 0.6 and self.caps:
                for _ in range(r.choice([1, 1, 2])):
                    c = r.choice(list(self.caps))
                    s += " charge %s by %s" % (c, self.amount(self.caps[c]))
            v, p = r.choice(self.variants)
            if p == "Basis":
                v += "(%s)" % r.choice(self.basis)
            elif p == "Review":
                v += "(%s%s)" % ("Review." if r.random() < 0.2 else "", r.choice(self.review))
            s += " then %s" % v
            has_then = True
        if flag_only or r.random() < 0.25:
            s += " flag %s" % ", ".join(r.sample(self.flags, r.randint(1, len(self.flags))))
        return s, has_then

    def amount(self, u):
        r = self.rng
        x = r.random()
        q = "%s.qty" % self.inp
        us = ufmt(u)
        fs = [e for e, o in self.values_of(("int", u), opt_ok=False) if e.startswith(self.inp + ".")]
        if fs and x < 0.6:
            return r.choice(fs)
        if u == (("ua", 1),):
            if x < 0.7:
                return q
            if x < 0.8:
                return "(%s * %d)" % (q, r.randint(1, 3))
            if x < 0.9:
                return "max(%s - %d ua, 0 ua)" % (q, r.randint(0, 100))
        elif x < 0.85:
            return "%d %s" % (r.randint(0, 50), us)
        return self.gen(("int", u), 2)

    def rule_decls(self, B, module, n, prefix="r"):
        r = self.rng
        for i in range(n):
            name = self.fresh(prefix)
            if self.rules and r.random() < 0.5:
                base = r.choice(self.rules)[0]
                cl, ht = self.rule_clauses(flag_only=r.random() < 0.1)
                B.append('exception %s to %s "exc %d"%s' % (name, base, i, cl))
                self.rules.append((name, base, ht, module))
            else:
                cl, ht = self.rule_clauses(flag_only=r.random() < 0.15)
                B.append('rule %s "rule %d"%s' % (name, i, cl))
                self.rules.append((name, None, ht, module))

    def prefer_decls(self, B):
        r = self.rng
        by_base = {}
        for name, base, ht, m in self.rules:
            by_base.setdefault(base, []).append(name)
        for base, names in by_base.items():
            if len(names) >= 2 and r.random() < 0.8:
                k = len(names) if r.random() < 0.6 else r.randint(2, len(names))
                B.append("prefer %s" % ", ".join(r.sample(names, k)))

    def test_decl(self, B):
        r = self.rng
        if r.random() < 0.3:
            return
        given = []
        for name, t, opt in self.fields:
            if opt and r.random() < 0.5:
                continue
            given.append("%s.%s = %s" % (self.inp, name, self.test_value(name, t)))
        s = 'test "fuzz %d" {\n  given %s\n' % (self.seed, ", ".join(given))
        for _ in range(r.randint(1, 4)):
            row = []
            for name, t, opt in r.sample(self.fields, r.randint(0, 2)):
                row.append("%s.%s = %s" % (self.inp, name, self.test_value(name, t)))
            v, p = r.choice(self.variants)
            if p == "Basis":
                v += "(%s)" % r.choice(self.basis)
            elif p == "Review":
                v += "(%s)" % r.choice(self.review)
            s += "  row %sexpect %s%s\n" % (", ".join(row) + " " if row else "", v,
                                            (" flag " + r.choice(self.flags)) if r.random() < 0.3 else "")
        s += "}"
        B.append(s)

    def test_value(self, name, t):
        # Test values are constants: a literal; keep it inside the field's bounds.
        r = self.rng
        if name in self.bounds and t[0] in ("int", "dec"):
            v = str(r.randint(max(self.bounds[name][0], 0), 50))
            if t[0] == "dec":
                v += ".5"
            return v + ((" " + ufmt(t[1])) if t[1] else "")
        if name in self.bounds and t[0] == "date":
            return self.dlit(self.d_lo, self.d_hi)
        return self.lit(t)

    def amend_decls(self, A, aeff):
        r = self.rng
        targets = [x for x in self.rules if x[3] == "fz"]
        r.shuffle(targets)
        used = set()
        for name, base, ht, m in targets[: r.randint(0, 4)]:
            k = r.random()
            d = self.date(aeff, self.d_hi + 30)
            if k < 0.35:
                s = "suspend %s from %s" % (name, from_ordinal(d))
                if r.random() < 0.7:
                    s += " through %s" % from_ordinal(d + r.randint(0, 200))
            elif k < 0.6:
                s = "repeal %s on %s" % (name, from_ordinal(d))
            else:
                nn = self.fresh("new")
                cl, _ = self.rule_clauses(allow_then=True)
                A.append('rule %s "replacement"%s' % (nn, cl))
                s = "replace %s on %s with %s" % (name, from_ordinal(d), nn)
            if r.random() < 0.5:
                s += ' cites "fza §%d"' % r.randint(1, 9)
            A.append(s)
        if r.random() < 0.15:
            d = self.date(aeff, self.d_hi)
            A.append("suspend fz from %s through %s" % (from_ordinal(d), from_ordinal(d + r.randint(0, 90))))
        # Replace constants and sets (same type and unit, constant).
        for c, t in list(self.consts.items()):
            if c == "LIB_K" or r.random() < 0.6:
                continue
            d = self.date(aeff, self.d_hi)
            # Literals only: a replacement that reads a replaced constant
            # (itself, or through others) is error E0212, and every generated
            # program must check.
            self.no_const_refs = True
            A.append("replace %s on %s with %s" % (c, from_ordinal(d), self.gen(t, 1, const=True)))
            self.no_const_refs = False
        for sn, (et, _) in list(self.sets.items()):
            if sn == "LibDests" or r.random() < 0.6:
                continue
            d = self.date(aeff, self.d_hi)
            A.append("replace %s on %s with %s" % (sn, from_ordinal(d), self.set_lit(et)))
        # New rules and exceptions to the regulation's rules.
        self.rule_decls(A, "fza", r.randint(0, 3), prefix="a")

    # -------------------------------------------------------- data
    def csv_field(self, s):
        if any(c in s for c in ',"\n\r') or (s and (s[0] == " " or s[-1] == " ") and self.rng.random() < 0.5):
            return '"' + s.replace('"', '""') + '"'
        return s

    def value_text(self, name, t, opt, table=False):
        r = self.rng
        if opt and r.random() < 0.25:
            return ""
        k = t[0]
        b = self.bounds.get(name) if not table else None
        if k == "int":
            if t[1] == () and not b:
                x = r.random()
                if x < 0.6:
                    return str(r.randint(-20, 120))
                if x < 0.8:
                    return str(r.choice([MAX, MIN, MAX - 1, MIN + 1, 2**62, -2**62, 3037000499, 3037000500, -3037000500]))
                return str(r.randint(-10**12, 10**12))
            x = r.random()
            if x < 0.7:
                v = r.randint(0, 200)
            elif x < 0.85:
                v = r.randint(0, 10**9)
            else:
                v = r.choice([MAX, MAX - 1, 2**62, 2**63 // 3, 3037000500])
            if b:
                lo, hi = b
                if hi is not None and v > hi:
                    v = r.randint(max(lo, 0), hi)
                v = max(v, lo)
            return str(v)
        if k == "dec":
            x = r.random()
            if x < 0.6:
                s = "%d.%s" % (r.randint(0, 300), "".join(r.choice("0123456789") for _ in range(r.randint(0, 9))))
                s = s.rstrip(".")
            elif x < 0.75:
                s = str(r.randint(0, 1000))
            elif x < 0.85:
                s = "%d.%09d" % (r.randint(10**18, 10**20), r.randint(0, 10**9 - 1))
            elif x < 0.92:
                s = r.choice(["0", "0.0", "0.000000001", "0.5", "1.000000005", "0.25", "99999999999999999999.999999999"])
            else:
                s = "-%d.%d" % (r.randint(0, 50), r.randint(0, 99)) if not t[1] else "%d.5" % r.randint(0, 9)
            if b:
                lo, hi = b
                try:
                    fv = float(s)
                except ValueError:
                    fv = 0
                if fv < lo or (hi is not None and fv > hi):
                    s = "%d.5" % max(lo, 0)
            return s
        if k == "bool":
            return r.choice(["true", "false", "true", "false", "yes", "no", "1", "0"])
        if k == "date":
            if r.random() < 0.03 and not b:
                return r.choice(["0001-01-01", "9999-12-31", "2000-02-29", "1900-03-01", "2100-12-31", "1970-01-01"])
            d = self.date(self.d_lo - 60, self.d_hi + 60)
            if b:
                d = max(d, ordinal(*map(int, b[0].split("-"))))
            return from_ordinal(d)
        if k == "text":
            if name == "id":
                return ""
            return self.csv_field(r.choice(TEXTS))
        if k == "country":
            return r.choice(COUNTRIES)
        if k == "enum":
            return r.choice(self.enums[t[1]])
        raise ValueError(t)

    def table_csv(self, tn):
        r = self.rng
        cols = self.tables[tn]
        lines = [",".join(c for c, _, _ in cols)]
        kt = cols[0][1]
        if kt[0] == "text":
            keys = r.sample(TEXTS, r.randint(3, 12))
        elif kt[0] == "int":
            keys = [str(x) for x in r.sample(range(-5, 120), r.randint(3, 20))]
        elif kt[0] == "country":
            keys = r.sample(COUNTRIES, r.randint(3, 12))
        else:
            keys = r.sample(self.enums[kt[1]], r.randint(1, len(self.enums[kt[1]])))
        for k in keys:
            vals = [self.csv_field(k) if kt[0] == "text" else k]
            for c, t, o in cols[1:]:
                vals.append(self.value_text(c, t, o, table=True))
            lines.append(",".join(vals))
        return "\n".join(lines) + "\n"

    def ledger(self):
        r = self.rng
        cols = [f for f in self.fields]
        if r.random() < 0.4:
            r.shuffle(cols)
        extra = r.random() < 0.3
        header = [c[0] for c in cols] + (["ignored"] if extra else [])
        out = [",".join(header)]
        # Dates: mostly in order, with jumps back now and then.
        day = self.d_lo - 30
        span = self.d_hi + 60 - day
        step = max(1, span * 2 // max(1, self.rows))
        spoiled = 0
        for i in range(self.rows):
            if r.random() < 0.003:
                day -= r.randint(1, 100)
            else:
                day += r.randint(0, step) if r.random() < 0.9 else 0
            if day > self.d_hi + 60:
                day = self.d_lo + r.randint(0, 30)
            vals = []
            for name, t, opt in cols:
                if name == "id":
                    vals.append("T%d" % (i + 1))
                elif name == "date":
                    vals.append(from_ordinal(day))
                else:
                    vals.append(self.value_text(name, t, opt))
            if extra:
                vals.append(r.choice(["x", "", '"q,q"']))
            line = ",".join(vals)
            if r.random() < self.dirty:
                line = self.spoil(vals, cols)
                spoiled += 1
            out.append(line)
        return "\n".join(out) + "\n"

    def spoil(self, vals, cols):
        r = self.rng
        vals = list(vals)
        kind = r.choice(["date", "neg", "overflow", "nan", "country", "enum", "short", "long", "quote", "stray",
                         "empty", "bool", "bound", "decimal"])
        idx = {c[0]: i for i, c in enumerate(cols)}
        of = lambda pred: [i for i, (n, t, o) in enumerate(cols) if pred(n, t, o)]
        pick = lambda xs, default: r.choice(xs) if xs else default
        if kind == "date":
            vals[idx["date"]] = r.choice(["2025-02-30", "2025-13-01", "25-01-01", "yesterday", "2025-1-1", "0000-01-01",
                                          "2024-02-29x", ""])
        elif kind == "neg":
            i = pick(of(lambda n, t, o: t[0] in ("int", "dec") and t[1]), idx["qty"])
            vals[i] = "-%d" % r.randint(1, 100)
        elif kind == "overflow":
            i = pick(of(lambda n, t, o: t[0] == "int"), idx["qty"])
            vals[i] = r.choice(["9223372036854775808", "-9223372036854775809", "99999999999999999999"])
        elif kind == "nan":
            i = pick(of(lambda n, t, o: t[0] in ("int", "dec")), idx["qty"])
            vals[i] = r.choice(["1e5", "abc", "1.2.3", "0x10", "+-1", "1,5"])
            if "," in vals[i]:
                vals[i] = '"' + vals[i] + '"'
        elif kind == "country":
            i = pick(of(lambda n, t, o: t[0] == "country"), idx["dest"])
            vals[i] = r.choice(["ZZ", "UK", "USA", "us", "EU"])
        elif kind == "enum":
            i = pick(of(lambda n, t, o: t[0] == "enum"), idx["grade"])
            vals[i] = r.choice(["nope", "G_ONE", "g one"])
        elif kind == "short":
            vals = vals[: r.randint(1, len(vals) - 1)]
        elif kind == "long":
            vals = vals + ["x"] * r.randint(1, 3)
        elif kind == "quote":
            i = r.randrange(len(vals))
            vals[i] = '"unbalanced' + vals[i]
        elif kind == "stray":
            i = r.randrange(len(vals))
            vals[i] = 'ab"c'
        elif kind == "empty":
            i = pick(of(lambda n, t, o: not o and t[0] != "text"), idx["date"])
            vals[i] = ""
        elif kind == "bool":
            i = pick(of(lambda n, t, o: t[0] == "bool"), idx["date"])
            vals[i] = "maybe"
        elif kind == "bound":
            i = pick([idx[n] for n in self.bounds if n in idx and cols[idx[n]][1][0] != "date"], idx["qty"])
            vals[i] = "-99"
        elif kind == "decimal":
            i = pick(of(lambda n, t, o: t[0] == "dec"), idx["qty"])
            vals[i] = r.choice(["1.0000000001", "0.1234567891", "999999999999999999999999999999.5", ".5", "5."])
        return ",".join(vals)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("seed", type=int)
    ap.add_argument("outdir")
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--dirty", type=float, default=0.03)
    a = ap.parse_args()
    g = Gen(a.seed, a.rows, a.dirty)
    lib, base, amend = g.program()
    os.makedirs(a.outdir, exist_ok=True)
    files = [("fzlib.edict", lib), ("fz.edict", base)]
    with_amend = g.with_amend
    if with_amend:
        files.append(("fza.edict", amend))
    for n, text in files:
        with open(os.path.join(a.outdir, n), "w") as f:
            f.write(text)
    if not with_amend and os.path.exists(os.path.join(a.outdir, "fza.edict")):
        os.remove(os.path.join(a.outdir, "fza.edict"))
    args = []
    for tn in g.tables:
        p = os.path.join(a.outdir, tn + ".csv")
        with open(p, "w") as f:
            f.write(g.table_csv(tn))
        args.append("--table")
        args.append("%s=%s" % (tn, p))
    x = g.rng.random()
    if x < 0.1:
        args += ["--as-of", from_ordinal(g.date())]
    elif x < 0.2:
        args += ["--regime", "only_fz"]
    elif x < 0.3 and with_amend:
        args += ["--regime", "fz_all"]
    with open(os.path.join(a.outdir, "ledger.csv"), "w") as f:
        f.write(g.ledger())
    with open(os.path.join(a.outdir, "args"), "w") as f:
        f.write("".join(x + "\n" for x in args))
    with open(os.path.join(a.outdir, "files"), "w") as f:
        f.write("".join(os.path.join(a.outdir, n) + "\n" for n, _ in files))


if __name__ == "__main__":
    main()
