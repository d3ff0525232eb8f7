#!/usr/bin/env python3
"""Edict's synthetic ledger of AI-chip export transactions (CSV).

Python 3 standard library only; run `gen_ledger.py --help` for the options.
The design, in short:

* Every value comes from one random.Random(SEED) stream ("the content
  stream"), drawn in a fixed order, and is turned into text with integer
  arithmetic and fixed strings only: no set or dict iteration order, no
  floating-point formatting, no math-library calls (pow, log, exp).  The
  only float operations are `int(rng.random() * k)` and comparing a draw
  with --dirty, and IEEE-754 multiplication is correctly rounded on every
  platform.  So the same arguments give the same bytes on every machine and
  every Python from 3.7 on (Random's seeding and random() have not changed
  since 3.2).
* Dates do not use the stream at all: row i gets a day from a fixed daily
  weight curve (busier weekdays, volume growing over the period), so rows
  are in non-decreasing date order by construction.
* Spoiling (--dirty) uses a second, separate stream, so the good rows of a
  dirty ledger are exactly the rows of the clean ledger with the same SEED:
  a spoiled row replaces the row it was made from, and keeps its id.
"""

import argparse
import bisect
import datetime
import re
import sys
from random import Random

HEADER = ("id,date,exporter,export_from,exporter_hq,consignee,"
          "consignee_country,consignee_hq,parent_hq,end_user_type,end_use,"
          "eccn,item,designer_country,quantity,tpp_per_unit,perf_density,"
          "veu,license")
NCOLS = 19

# ---------------------------------------------------------------- the mix --
# Weighted tables are lists of (value, integer weight); the order of a list is
# the order the sampler sees it in, so never build one from a set or dict.

# Destinations by tier, weighted by how much AI-chip trade they take.
TIER1 = [("US", 28), ("TW", 10), ("JP", 10), ("KR", 9), ("GB", 8),
         ("DE", 8), ("FR", 6), ("CA", 5), ("NL", 4), ("AU", 3), ("SE", 2),
         ("IT", 2), ("ES", 2), ("IE", 2), ("FI", 1), ("DK", 1), ("NO", 1),
         ("BE", 1), ("NZ", 1)]
TIER2 = [("SG", 14), ("IN", 12), ("MY", 11), ("AE", 10), ("SA", 8),
         ("IL", 7), ("BR", 5), ("CH", 4), ("MX", 4), ("TH", 4), ("VN", 4),
         ("ID", 3), ("PL", 3), ("TR", 2), ("QA", 2), ("PT", 1), ("AT", 1),
         ("CZ", 1), ("PH", 1), ("HU", 1), ("GR", 1), ("RO", 1), ("CL", 1),
         ("AR", 1), ("ZA", 1), ("EG", 1), ("KZ", 1), ("PK", 1), ("CO", 1),
         ("UA", 1)]
TIER3 = [("CN", 68), ("RU", 14), ("MO", 4), ("BY", 4), ("IR", 3),
         ("VE", 3), ("KP", 1), ("CU", 1), ("SY", 1)]
TIERS = {1: TIER1, 2: TIER2, 3: TIER3}
TIER_SHARE = [(1, 30), (2, 60), (3, 10)]          # share of rows, percent
CONSIGNEES = {1: 1400, 2: 2600, 3: 500}           # distinct consignees

# Where a consignee is headquartered, relative to where it is located:
# "=" same country, "T1"/"T2" another country of that tier, or a code.
HQ_MIX = {1: [("=", 80), ("US", 9), ("CN", 3), ("T1", 5), ("T2", 3)],
          2: [("=", 68), ("US", 13), ("CN", 7), ("T1", 8), ("T2", 4)],
          3: [("=", 86), ("CN", 6), ("US", 4), ("T2", 4)]}
# The ultimate parent's headquarters, relative to the consignee's own.
PARENT_MIX = [("=", 84), ("CN", 6), ("US", 5), ("T1", 3), ("T2", 2)]

END_USER_TYPES = [("commercial", 62), ("university", 11), ("research", 10),
                  ("healthcare", 7), ("government", 10)]
END_USES = {1: [("datacenter", 52), ("inference", 20), ("training", 16),
                ("evaluation", 4), ("military", 1), ("unknown", 7)],
            2: [("datacenter", 54), ("inference", 19), ("training", 14),
                ("evaluation", 4), ("military", 1), ("unknown", 8)],
            3: [("datacenter", 40), ("inference", 18), ("training", 16),
                ("evaluation", 3), ("military", 5), ("unknown", 18)]}

# item, TPP per unit, performance density (as printed), designer country,
# ECCN class, weight in Tier 1 / Tier 2 / Tier 3 rows.
ITEMS = [("H100", 15832, "19.4", "US", "a", (24, 24, 8)),
         ("H200", 15832, "19.4", "US", "a", (20, 20, 6)),
         ("B200", 36000, "22.0", "US", "a", (15, 13, 3)),
         ("H20", 2368, "2.9", "US", "b", (6, 10, 45)),
         ("MI300X", 20912, "11.0", "US", "a", (10, 10, 4)),
         ("A100", 4992, "6.0", "US", "a", (9, 10, 12)),
         ("Gaudi3", 14680, "12.0", "US", "a", (7, 7, 2)),
         ("Ascend910B", 10240, "15.0", "CN", "a", (2, 4, 12)),
         ("Ascend910C", 12800, "16.0", "CN", "a", (1, 2, 8))]
# Export classification by item class: mostly bare chips (3A) or chips in
# servers (4A); the rest is what ledgers really hold (.z items, mistakes).
ECCNS = {"a": [("3A090.a", 50), ("4A090.a", 40), ("5A992.z", 4),
               ("3A090.b", 2), ("EAR99", 4)],
         "b": [("3A090.b", 44), ("4A090.b", 34), ("5A992.z", 8),
               ("EAR99", 14)]}

# Exporters: name stem, headquarters; popularity falls off with the index.
EXPORTERS = [("Halcyon Devices", "US"), ("Corvid Systems", "US"),
             ("Ardent Micro", "US"), ("Bluefin Compute", "US"),
             ("Talon Semiconductor", "US"), ("Northgate Silicon", "US"),
             ("Formosa Server", "TW"), ("Redwood Systems", "US"),
             ("Hanbit Electronics", "KR"), ("Sakura Integration", "JP"),
             ("Keystone Hardware", "US"), ("Carmel Systems", "IL"),
             ("Thames Compute", "GB"), ("Rhein Rechenzentrum", "DE"),
             ("Mesa Distribution", "US"), ("Pacific Rack", "US"),
             ("Lakeshore Supply", "US"), ("Taipei Board Works", "TW"),
             ("Granite Peak Tech", "US"), ("Summit Integrators", "US"),
             ("Orchard Logistics", "US"), ("Beacon Server", "US"),
             ("Cascade Micro", "US"), ("Ironwood Systems", "US")]
# Where a shipment leaves from: "*" = inside the destination country
# (an in-country transfer); anything but US makes it a reexport.
EXPORT_FROM = [("US", 80), ("TW", 5), ("MY", 3), ("SG", 3), ("NL", 2),
               ("AE", 2), ("IL", 1), ("KR", 1), ("JP", 1), ("*", 2)]

# Units per shipment: (lowest, how many values) buckets, doubling in width
# and falling in weight, i.e. a heavy tail over 1..5000.
QUANTITY = [((1, 1), 300), ((2, 1), 120), ((3, 2), 120), ((5, 4), 100),
            ((9, 8), 90), ((17, 16), 80), ((33, 32), 60), ((65, 64), 50),
            ((129, 128), 35), ((257, 256), 22), ((513, 512), 13),
            ((1025, 1024), 7), ((2049, 2952), 3)]

VEU_USE = 92            # % of a VEU holder's rows shipped under its VEU
LICENSE_PER_MILLE = {1: 4, 2: 25, 3: 30}

# Consignee names: <word> <word> <serial> <legal form of its country>.
WORD_A = ["Aurora", "Basalt", "Cinder", "Dune", "Eon", "Falcon", "Garnet",
          "Harbor", "Iris", "Jade", "Kestrel", "Lattice", "Mistral", "Nova",
          "Onyx", "Prism", "Quill", "Raven", "Solace", "Tidal", "Umber",
          "Vanta", "Willow", "Xylem", "Yarrow", "Zephyr"]
WORD_B = ["Compute", "Analytics", "Cloud", "Systems", "Labs", "Datacenters",
          "Intelligence", "Networks", "Robotics", "Research", "Digital",
          "Grid"]
LEGAL_FORM = [("US", "Inc"), ("GB", "Ltd"), ("DE", "GmbH"), ("JP", "KK"),
              ("SG", "Pte Ltd"), ("FR", "SAS"), ("NL", "BV"), ("SE", "AB"),
              ("CN", "Co Ltd"), ("RU", "OOO"), ("IN", "Pvt Ltd"),
              ("AE", "FZ-LLC"), ("KR", "Co Ltd"), ("TW", "Corp"),
              ("MY", "Sdn Bhd"), ("BR", "Ltda"), ("CH", "AG")]

# ------------------------------------------------------------ the spoils --
SPOIL_KINDS = ["bad_date", "bad_quantity", "bad_tpp", "bad_country",
               "missing_columns", "extra_column", "stray_quote"]
# Column numbers (0-based) used below.
C_ID, C_DATE, C_EXPORTER, C_CONSIGNEE = 0, 1, 2, 5
C_QTY, C_TPP = 14, 15
COUNTRY_COLS = [3, 4, 6, 7, 8, 13]
QUOTABLE_COLS = [0, 2, 5, 10, 12, 18]   # text fields a stray quote may open
BAD_COUNTRIES = ["UK", "USA", "EU", "ZZ", "XX", "us", "", "C1"]
BAD_TPP = ["NaN", "n/a", "1.58e4", "99999999999999999999999", "", "TBD"]


class Weighted:
    """Draws one value of a [(value, integer weight)] table."""

    __slots__ = ("values", "cum", "total")

    def __init__(self, table):
        self.values = [v for v, _ in table]
        self.cum, acc = [], 0
        for _, w in table:
            if w < 0 or w != int(w):
                raise ValueError("weights must be non-negative integers")
            acc += w
            self.cum.append(acc)
        self.total = acc

    def draw(self, rng):
        # int(u * total) < total for u < 1 and total < 2**52, so the index
        # is always in range; bisect_right skips zero-weight entries.
        return self.values[bisect.bisect_right(
            self.cum, int(rng.random() * self.total))]


def zipf_table(n):
    """Ranks 0..n-1 with weight ~ 1/(rank + 3): Zipf with exponent 1."""
    return [(r, 10 ** 9 // (r + 3)) for r in range(n)]


def day_weights(ndays, first):
    """Relative shipping volume of each day: weekdays busier than weekends,
    growing roughly 2x from the first day to the last (integers only)."""
    out = []
    for d in range(ndays):
        wd = (first + datetime.timedelta(days=d)).weekday()
        base = 7 if wd < 5 else (2 if wd == 5 else 1)
        out.append(base * (100 + (100 * d) // max(1, ndays - 1)))
    return out


def build_consignees(rng):
    """The consignees of each tier, most popular first: per consignee a
    prebuilt text "name,country,hq,parent_hq,end_user_type", the location
    and its VEU status ('' / UVEU / NVEU)."""
    tier_of = {}
    for t in (1, 2, 3):
        for c, _ in TIERS[t]:
            tier_of[c] = t
    where = {t: Weighted(TIERS[t]) for t in (1, 2, 3)}
    hq_mix = {t: Weighted(HQ_MIX[t]) for t in (1, 2, 3)}
    parent_mix = Weighted(PARENT_MIX)
    eut = Weighted(END_USER_TYPES)
    legal = dict(LEGAL_FORM)

    def resolve(rule, same):
        if rule == "=":
            return same
        if rule in ("T1", "T2"):
            return where[int(rule[1])].draw(rng)
        return rule

    out = {}
    serial = 0
    for t in (1, 2, 3):
        rows = []
        for _ in range(CONSIGNEES[t]):
            serial += 1
            loc = where[t].draw(rng)
            hq = resolve(hq_mix[t].draw(rng), loc)
            parent = resolve(parent_mix.draw(rng), hq)
            kind = eut.draw(rng)
            name = "%s %s %04d %s" % (
                WORD_A[int(rng.random() * len(WORD_A))],
                WORD_B[int(rng.random() * len(WORD_B))],
                serial, legal.get(loc, "Ltd"))
            # Validated end users: universal VEUs are headquartered in
            # Tier 1; national VEUs sit in Tier 2. Draw even when not
            # eligible, so the stream does not depend on the outcome.
            u = int(rng.random() * 1000)
            if t != 3 and tier_of[hq] == 1 and u < 60:
                veu = "UVEU"
            elif t == 2 and tier_of.get(hq) != 3 and u >= 970:
                veu = "NVEU"
            else:
                veu = ""
            rows.append(("%s,%s,%s,%s,%s" % (name, loc, hq, parent, kind),
                         loc, veu))
        out[t] = rows
    return out


def spoil(line, srng):
    """Spoils one good CSV line. Returns (new line, kind, id usable?)."""
    f = line.split(",")          # good rows hold no commas inside fields

    def pick(seq):
        return seq[int(srng.random() * len(seq))]

    kind = pick(SPOIL_KINDS)
    id_ok = True
    if kind == "bad_date":
        y, m, d = f[C_DATE].split("-")
        unpadded = "%s-%d-%d" % (y, int(m), int(d))
        if unpadded == f[C_DATE]:          # 2026-10-27 has nothing to drop
            unpadded = y + m + d           # so: 20261027, no separators
        f[C_DATE] = pick(["%s/%s/%s" % (y, m, d), "%s-02-30" % y,
                          "%s-04-31" % y, "%s-13-%s" % (y, d),
                          "%s.%s.%s" % (d, m, y), unpadded, "", "TBD"])
    elif kind == "bad_quantity":
        f[C_QTY] = pick(["-" + f[C_QTY], "0", "abc", "", "3.5", "1e99",
                         "9223372036854775808",      # does not fit int64
                         "9223372036854775807"])     # fits; x TPP does not
    elif kind == "bad_tpp":
        f[C_TPP] = pick(["-" + f[C_TPP]] + BAD_TPP)
    elif kind == "bad_country":
        f[pick(COUNTRY_COLS)] = pick(BAD_COUNTRIES)
    elif kind == "missing_columns":
        if srng.random() < 0.5:
            f = f[:1 + int(srng.random() * (NCOLS - 1))]   # cut short
        else:
            del f[1 + int(srng.random() * (NCOLS - 1))]    # one dropped
    elif kind == "extra_column":
        how = int(srng.random() * 3)
        if how == 0:
            f.append("")                                   # trailing comma
        elif how == 1:
            name = f[C_CONSIGNEE].rsplit(" ", 1)           # unquoted comma
            f[C_CONSIGNEE] = name[0] + ", " + name[-1]
        else:
            f.append("see memo")
    else:  # stray_quote: an opening quote that is never closed
        col = pick(QUOTABLE_COLS)
        f[col] = '"' + f[col]
        id_ok = col != C_ID
    return ",".join(f), kind, id_ok


def generate(n, seed, dirty, start, end, out, twin, spoiled):
    """Writes the ledger to `out` (and the clean twin / the spoiled list,
    when given): binary file objects."""
    rng = Random(seed)
    srng = Random("edict-gen-ledger-spoil-%d" % seed)

    consignees = build_consignees(rng)
    pick_tier = Weighted(TIER_SHARE)
    pick_rank = {t: Weighted(zipf_table(len(consignees[t])))
                 for t in (1, 2, 3)}
    exporters = Weighted([(i, 2520 // (i + 1)) for i in range(len(EXPORTERS))])
    exporter_text = ["%s %s" % (name, "Inc" if hq == "US" else "Ltd")
                     for name, hq in EXPORTERS]
    exporter_hq = [hq for _, hq in EXPORTERS]
    pick_from = Weighted(EXPORT_FROM)
    pick_item = {t: Weighted([(k, it[5][t - 1]) for k, it in enumerate(ITEMS)])
                 for t in (1, 2, 3)}
    item_text = ["%s,%s" % (it[0], it[3]) for it in ITEMS]
    item_tpp_density = ["%d,%s" % (it[1], it[2]) for it in ITEMS]
    pick_eccn = [Weighted(ECCNS[it[4]]) for it in ITEMS]
    pick_use = {t: Weighted(END_USES[t]) for t in (1, 2, 3)}
    pick_qty = Weighted(QUANTITY)

    ndays = (end - start).days + 1
    day_text = [(start + datetime.timedelta(days=d)).isoformat()
                for d in range(ndays)]
    cum_day, acc = [], 0
    for w in day_weights(ndays, start):
        acc += w
        cum_day.append(acc)
    total_day = acc

    header = (HEADER + "\n").encode("ascii")
    out.write(header)
    if twin is not None:
        twin.write(header)
    if spoiled is not None:
        spoiled.write(b"line,id,kind\n")

    rnd = rng.random
    srnd = srng.random
    bis = bisect.bisect_right
    width = max(7, len(str(n)))
    chunk = 8192
    for lo in range(0, n, chunk):
        rows, good, bad = [], [], []
        for i in range(lo, min(n, lo + chunk)):
            # i-th row's day: where the middle of its share of the total
            # volume falls on the daily curve.
            date = day_text[bis(cum_day, ((2 * i + 1) * total_day) // (2 * n))]
            t = pick_tier.draw(rng)
            c_text, loc, veu = consignees[t][pick_rank[t].draw(rng)]
            e = exporters.draw(rng)
            efrom = pick_from.draw(rng)
            if efrom == "*":
                efrom = loc
            k = pick_item[t].draw(rng)
            eccn = pick_eccn[k].draw(rng)
            use = pick_use[t].draw(rng)
            q_lo, q_span = pick_qty.draw(rng)
            qty = q_lo + int(rnd() * q_span)
            if veu and int(rnd() * 100) >= VEU_USE:
                veu = ""
            if int(rnd() * 1000) < LICENSE_PER_MILLE[t]:
                lic = "D%06d" % (100000 + int(rnd() * 900000))
            else:
                lic = ""
            line = "T%0*d,%s,%s,%s,%s,%s,%s,%s,%s,%d,%s,%s,%s" % (
                width, i + 1, date, exporter_text[e], efrom, exporter_hq[e],
                c_text, use, eccn, item_text[k], qty, item_tpp_density[k],
                veu, lic)
            if dirty > 0.0 and srnd() < dirty:
                line, kind, id_ok = spoil(line, srng)
                rows.append(line)
                bad.append("%d,%s,%s\n" % (
                    i + 2, "T%0*d" % (width, i + 1) if id_ok else "", kind))
            else:
                rows.append(line)
                good.append(line)
        rows.append("")
        out.write("\n".join(rows).encode("utf-8"))
        if twin is not None and good:
            good.append("")
            twin.write("\n".join(good).encode("utf-8"))
        if spoiled is not None and bad:
            spoiled.write("".join(bad).encode("utf-8"))


DESCRIPTION = """\
Writes a deterministic synthetic ledger of AI-chip export transactions:
N rows of CSV in the shape Edict's AI-chip rules read (the columns are
listed below), one shipment per row. The same N, SEED and options give
the same bytes on every machine (Python 3.7 or later, standard library
only): values come from random.Random(SEED) alone and are printed with
integer arithmetic and fixed strings.
"""

EPILOG = """\
columns (header line, exactly):
  %s

the mix:
  * id is T and the row number, zero-padded to 7 digits (or to the width
    of N): T0000001, T0000002, ...; row k is line k+1 of the file
  * rows are in non-decreasing date order over --start..--end (default
    2025-01-01..2027-12-31); weekdays are busier than weekends and volume
    grows about 2x over the period; dates do not depend on SEED
  * destinations: ~30%% Tier 1 (US AU BE CA DK FI FR DE IE IT JP NL NZ NO KR
    ES SE TW GB), ~60%% Tier 2 (SG IN MY AE SA IL BR CH ... UA), ~10%% Tier 3
    (CN RU MO BY IR VE KP CU SY)
  * 4,500 consignees (1,400 / 2,600 / 500 by tier), Zipf-like popularity
    (weight ~ 1/(rank+3)) so per-consignee caps fill up; some are
    headquartered, or have an ultimate parent, elsewhere than where they
    are located -- including Tier 1/Tier 2-located ones under CN
  * items H100 and H200 (15832 TPP), B200, H20, MI300X, A100, Gaudi3,
    Ascend910B/910C (designer CN), with fixed TPP per unit and performance
    density; Tier 3 rows lean to H20 and Ascend; the ECCN follows the item
    (3A090/4A090 .a or .b) with a few 5A992.z and EAR99
  * quantity 1..5000, heavy-tailed (about half the rows ship 1-4 units,
    ~1%% ship more than 1000); 24 exporters, Zipf-like, mostly
    US-headquartered; ~18%% reexports and ~2%% in-country transfers
  * veu: UVEU or NVEU on rows of the few consignees that hold one (3-6%%
    of rows, by SEED), else empty; license: a D-number on ~2%% of rows,
    else empty
  * no field holds a comma, quote or newline (except in spoiled rows)

spoiled rows (--dirty RATE):
  Each row is spoiled with probability RATE, drawn from a separate random
  stream, so the good rows are the same as without --dirty: a spoiled row
  takes the place of the row it was made from and keeps its id (unless the
  id itself is spoiled). Every spoiled row is still one physical line.
  The seven kinds, equally likely:
    bad_date         2025/03/01, 2025-02-30, 2025-04-31, 2025-13-01,
                     01.03.2025, 2025-3-1 (or 20251027 when nothing
                     can be unpadded), empty, TBD
    bad_quantity     negative, 0, abc, empty, 3.5, 1e99,
                     9223372036854775808 (overflows int64) or
                     9223372036854775807 (fits, but quantity x TPP overflows)
    bad_tpp          negative, NaN, n/a, 1.58e4, 99999999999999999999999,
                     empty, TBD
    bad_country      one country column set to UK, USA, EU, ZZ, XX, us,
                     empty or C1 (none of them an ISO 3166-1 alpha-2 code)
    missing_columns  the row cut short after 1..18 fields, or one field
                     (not the id) left out
    extra_column     a trailing comma, an unquoted comma in the consignee's
                     name, or an extra field at the end
    stray_quote      a `"` opening id, exporter, consignee, end_use, item or
                     license that is never closed (a reader must treat the
                     end of the line as the end of the record)

other outputs, written in the same run:
  --spoiled-ids FILE   CSV with header `line,id,kind`: for each spoiled row,
                       its physical line number in OUT (the header is line
                       1, row k is line k+1), its id (empty when the id
                       itself is spoiled) and which kind of spoil it is
  --clean-twin FILE    the same ledger without the spoiled rows: OUT minus
                       exactly the lines listed in --spoiled-ids, the other
                       lines byte for byte the same

examples:
  gen_ledger.py 1000000 42 big.csv
  gen_ledger.py 20000 7 dirty.csv --dirty 0.01 \\
      --spoiled-ids spoiled.csv --clean-twin clean.csv
  gen_ledger.py 50 1 - --start 2026-01-01 --end 2026-03-31

Output is UTF-8 (in practice ASCII) with LF line ends, written in chunks of
8,192 rows. 1,000,000 rows take about 5 s of one core and are about 130 MB.
""" % HEADER


def parse_date(text):
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise argparse.ArgumentTypeError("not a YYYY-MM-DD date: %r" % text)
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("no such date: %r" % text)


def parse_count(text):
    if not re.fullmatch(r"\d+", text):
        raise argparse.ArgumentTypeError("not a non-negative integer: %r"
                                         % text)
    return int(text)


def parse_rate(text):
    try:
        rate = float(text)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError("not a rate in 0..1: %r" % text)
    return rate


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="gen_ledger.py", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", metavar="N", type=parse_count,
                    help="number of data rows (the header line is extra)")
    ap.add_argument("seed", metavar="SEED", type=parse_count,
                    help="random seed, a non-negative integer")
    ap.add_argument("out", metavar="OUT.csv",
                    help="the ledger to write; `-` for standard output")
    ap.add_argument("--dirty", metavar="RATE", type=parse_rate, default=0.0,
                    help="share of rows to spoil, 0..1 (default 0)")
    ap.add_argument("--start", metavar="DATE", type=parse_date,
                    default=datetime.date(2025, 1, 1),
                    help="first shipment date (default 2025-01-01)")
    ap.add_argument("--end", metavar="DATE", type=parse_date,
                    default=datetime.date(2027, 12, 31),
                    help="last shipment date (default 2027-12-31)")
    ap.add_argument("--spoiled-ids", metavar="FILE",
                    help="write line,id,kind of every spoiled row")
    ap.add_argument("--clean-twin", metavar="FILE",
                    help="also write the ledger without its spoiled rows")
    a = ap.parse_args(argv)
    if a.start > a.end:
        ap.error("--start %s is after --end %s" % (a.start, a.end))
    paths = [p for p in (a.out, a.spoiled_ids, a.clean_twin) if p]
    if len(set(paths)) != len(paths):
        ap.error("OUT, --spoiled-ids and --clean-twin must differ")
    if "-" in (a.spoiled_ids, a.clean_twin):
        ap.error("only OUT may be `-` (standard output)")

    files = []

    def open_out(path):
        if path is None:
            return None
        f = sys.stdout.buffer if path == "-" else open(path, "wb")
        files.append(f)
        return f

    try:
        generate(a.n, a.seed, a.dirty, a.start, a.end, open_out(a.out),
                 open_out(a.clean_twin), open_out(a.spoiled_ids))
    except BrokenPipeError:       # e.g. `gen_ledger.py 1000 1 - | head`
        sys.stderr.close()
        return 1
    finally:
        for f in files:
            if f is not sys.stdout.buffer:
                f.close()
    if a.out == "-":
        sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
