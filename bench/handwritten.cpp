// The hand-written baseline (see handwritten.h): stdlib/us_ear's `in_force`
// and `diffusion_2025` regimes transcribed by hand. Each transcribed rule is
// marked `// stdlib/us_ear/FILE.edict: rule NAME`.
#include "handwritten.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <deque>
#include <initializer_list>
#include <stdexcept>
#include <utility>

#include "edict/runtime/country.h"
#include "edict/runtime/date.h"

namespace edict::bench {
namespace {

using exec::Batch;
using exec::BoundTable;

int32_t Day(int y, unsigned m, unsigned d) { return rt::DaysFromCivil(y, m, d); }

// ---------------------------------------------------------------------------
// Setup: the ids the output must use, looked up by name once; a mismatch with
// what was transcribed throws (CreateHandWritten turns it into *error).
class Ids {
 public:
  explicit Ids(const ir::Program& p) : p_(p) {}
  size_t Field(const std::string& name, ir::Ty ty) const {
    for (size_t i = 0; i < p_.fields.size(); ++i) {
      if (p_.fields[i].name == name) {
        if (p_.fields[i].ty != ty) throw std::runtime_error("field `" + name + "` changed type");
        return i;
      }
    }
    throw std::runtime_error("no field `" + name + "`");
  }
  // A text constant's id (the interner gives constants their index); a text
  // the program does not mention can match nothing.
  int64_t Text(const std::string& s) const {
    for (size_t i = 0; i < p_.texts.size(); ++i) {
      if (p_.texts[i] == s) return static_cast<int64_t>(i);
    }
    return -2;
  }
  static int Country(const char* code) {
    int i = rt::CountryIndex(code);
    if (i < 0) throw std::runtime_error(std::string("no country ") + code);
    return i;
  }
  int32_t Variant(const std::string& enum_name, const std::string& v) const {
    for (const auto& e : p_.enums) {
      if (e.name != enum_name) continue;
      for (size_t i = 0; i < e.variants.size(); ++i) {
        if (e.variants[i] == v) return static_cast<int32_t>(i);
      }
    }
    throw std::runtime_error("no variant " + enum_name + "." + v);
  }
  int32_t Outcome(const std::string& v) const {
    for (size_t i = 0; i < p_.outcome.variants.size(); ++i) {
      if (p_.outcome.variants[i].name == v) return static_cast<int32_t>(i);
    }
    throw std::runtime_error("no outcome " + v);
  }
  int32_t Rule(const std::string& module, const std::string& name) const {
    for (size_t i = 0; i < p_.rules.size(); ++i) {
      if (p_.rules[i].module == module && p_.rules[i].name == name) return static_cast<int32_t>(i);
    }
    throw std::runtime_error("no rule " + module + "." + name);
  }
  int32_t Cap(const std::string& name) const {
    for (size_t i = 0; i < p_.caps.size(); ++i) {
      if (p_.caps[i].name == name) return static_cast<int32_t>(i);
    }
    throw std::runtime_error("no cap " + name);
  }
  uint64_t Flag(const std::string& name) const {
    for (size_t i = 0; i < p_.flags.size() && i < 64; ++i) {
      if (p_.flags[i].name == name) return uint64_t{1} << i;
    }
    throw std::runtime_error("no flag " + name);
  }
  int32_t Table(const std::string& name) const {
    for (size_t i = 0; i < p_.tables.size(); ++i) {
      if (p_.tables[i].name == name) return static_cast<int32_t>(i);
    }
    return -1;
  }
  // The transcription hard-codes each rule's in-force window; check it.
  void ExpectInForce(int32_t rule, std::vector<ir::Interval> expected) const {
    const auto& got = p_.rules[static_cast<size_t>(rule)].in_force;
    bool same = got.size() == expected.size();
    for (size_t i = 0; same && i < got.size(); ++i) {
      same = got[i].from == expected[i].from && got[i].through == expected[i].through;
    }
    if (!same) {
      throw std::runtime_error("rule `" + p_.rules[static_cast<size_t>(rule)].name +
                               "`: its in-force window is not the one transcribed");
    }
  }

 private:
  const ir::Program& p_;
};

constexpr int32_t kOpen = INT32_MIN, kForever = INT32_MAX;

// ---------------------------------------------------------------------------
// Country groups: stdlib/us_ear/country_groups.edict (and the sets the rule
// files build from them), as one byte of bits per country, one table per
// date on which a group changes.
enum : uint8_t {
  kD5Macau = 1,      // country_groups D5_MACAU = D5 + MACAU + HONG_KONG (= diffusion TIER3)
  kLicence = 2,      // baseline_2023 LICENCE_DESTINATIONS = (D1 + D4 + D5 + MACAU + HONG_KONG) - (A5 + A6)
  kDenial = 4,       // baseline_2023 DENIAL_DESTINATIONS = D5_MACAU - (A5 + A6)
  kChinaMacau = 8,   // country_groups CHINA_MACAU = { CN } + HONG_KONG + MACAU
  kSupp5a = 16,      // diffusion_2025 SUPP5A
  kTier1 = 32,       // diffusion_2025 TIER1 = SUPP5A + { US }
};

struct CountryGroups {
  // Versions: before 2024-03-15; from 2024-03-15 (NI joins D:1 and D:5);
  // from 2024-05-30 (CY leaves D:5); from 2026-02-03 (KH leaves D:5).
  int32_t ni_in = Day(2024, 3, 15), cy_out = Day(2024, 5, 30), kh_out = Day(2026, 2, 3);
  std::array<std::array<uint8_t, 256>, 4> bits{};

  const uint8_t* On(int32_t day) const {
    return bits[day >= kh_out ? 3 : day >= cy_out ? 2 : day >= ni_in ? 1 : 0].data();
  }

  CountryGroups() {
    auto set = [](std::initializer_list<const char*> codes) {
      std::array<bool, 256> s{};
      for (const char* c : codes) s[static_cast<size_t>(Ids::Country(c))] = true;
      return s;
    };
    // country_groups.edict: set D1 (+ NI on 2024-03-15)
    auto d1 = set({"AM", "AZ", "BY", "MM", "KH", "CN", "GE", "IQ", "KZ", "KP", "KG", "LA", "LY", "MO",
                   "MD", "MN", "RU", "TJ", "TM", "UZ", "VE", "VN", "YE"});
    // country_groups.edict: set D4
    auto d4 = set({"BH", "BY", "CN", "EG", "IR", "IQ", "IL", "JO", "KP", "KW", "LB", "LY", "MO", "OM",
                   "PK", "QA", "RU", "SA", "SY", "VE", "YE"});
    // country_groups.edict: set D5 (+ NI 2024-03-15, - CY 2024-05-30, - KH 2026-02-03)
    auto d5 = set({"AF", "BY", "MM", "CF", "CN", "CD", "CU", "ER", "HT", "IR", "IQ", "KP", "LB", "LY",
                   "RU", "SO", "SS", "SD", "SY", "VE", "ZW", "KH", "CY"});
    // country_groups.edict: sets A5, A6
    auto a5 = set({"AR", "AU", "AT", "BE", "BG", "CA", "HR", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU",
                   "IS", "IN", "IE", "IT", "JP", "KR", "LV", "LT", "LU", "NL", "NZ", "NO", "PL", "PT", "RO",
                   "SK", "SI", "ES", "SE", "CH", "TR", "GB"});
    auto a6 = set({"AL", "CY", "IL", "MT", "MX", "SG", "ZA", "TW"});
    // diffusion_2025.edict: set SUPP5A
    auto supp5a = set({"AU", "BE", "CA", "DK", "FI", "FR", "DE", "IE", "IT", "JP", "NL", "NZ", "NO", "KR",
                       "ES", "SE", "TW", "GB"});
    const size_t mo = static_cast<size_t>(Ids::Country("MO")), hk = static_cast<size_t>(Ids::Country("HK")),
                 cn = static_cast<size_t>(Ids::Country("CN")), us = static_cast<size_t>(Ids::Country("US")),
                 ni = static_cast<size_t>(Ids::Country("NI")), cy = static_cast<size_t>(Ids::Country("CY")),
                 kh = static_cast<size_t>(Ids::Country("KH"));
    for (int v = 0; v < 4; ++v) {
      auto d1v = d1, d5v = d5;
      if (v >= 1) d1v[ni] = d5v[ni] = true;
      if (v >= 2) d5v[cy] = false;
      if (v >= 3) d5v[kh] = false;
      for (size_t c = 0; c < 256; ++c) {
        bool macau_hk = c == mo || c == hk;
        bool d5m = d5v[c] || macau_hk;
        bool a56 = a5[c] || a6[c];
        uint8_t b = 0;
        if (d5m) b |= kD5Macau;
        if ((d1v[c] || d4[c] || d5v[c] || macau_hk) && !a56) b |= kLicence;
        if (d5m && !a56) b |= kDenial;
        if (c == cn || macau_hk) b |= kChinaMacau;
        if (supp5a[c]) b |= kSupp5a;
        if (supp5a[c] || c == us) b |= kTier1;
        bits[static_cast<size_t>(v)][c] = b;
      }
    }
  }

  // Where the IR has a dated set of the same name, its members must agree
  // with the bit on every day a version of either starts.
  void Check(const ir::Program& p) const {
    const std::pair<const char*, uint8_t> named[] = {
        {"D5_MACAU", kD5Macau}, {"LICENCE_DESTINATIONS", kLicence}, {"DENIAL_DESTINATIONS", kDenial},
        {"CHINA_MACAU", kChinaMacau}, {"SUPP5A", kSupp5a}, {"TIER1", kTier1}, {"TIER3", kD5Macau}};
    for (const auto& s : p.sets) {
      std::string base = s.name.substr(s.name.rfind('.') == std::string::npos ? 0 : s.name.rfind('.') + 1);
      for (const auto& [name, bit] : named) {
        if (base != name || s.elem != ir::Ty::Country) continue;
        std::vector<int32_t> days = {kOpen + 1, ni_in, cy_out, kh_out};
        for (const auto& v : s.versions) days.push_back(std::max(v.from, kOpen + 1));
        for (int32_t day : days) {
          const ir::DatedSet::Version* ver = nullptr;
          for (const auto& v : s.versions) {
            if (v.from <= day) ver = &v;
          }
          for (int c = 0; c < rt::CountryCount(); ++c) {
            bool in_ir = ver && std::binary_search(ver->members.begin(), ver->members.end(), int64_t{c});
            bool in_hand = (On(day)[c] & bit) != 0;
            if (in_ir != in_hand) {
              throw std::runtime_error(fmt::format("set {}: {} on {} differs from the transcription", s.name,
                                                   rt::CountryCode(c), rt::FormatDate(day)));
            }
          }
        }
      }
    }
  }
};

// ECCN 3A090 classification: stdlib/us_ear/ear_common.edict, lets
// meets_3a090a, meets_3a090b, declared_a, declared_b, advanced_a, advanced_b,
// eccn_mismatch (perf_density is exact: rt::Decimal units of 1e-9).
struct ItemClass {
  bool advanced_a, advanced_b, mismatch;
};
struct Eccns {
  int64_t a1, a2, a3, b1, b2;  // A_CLASS_ECCNS, B_CLASS_ECCNS text ids
  explicit Eccns(const Ids& ids)
      : a1(ids.Text("3A090.a")), a2(ids.Text("4A090.a")), a3(ids.Text("5A992.z")), b1(ids.Text("3A090.b")),
        b2(ids.Text("4A090.b")) {}
};
constexpr __int128 kDec = 1000000000;  // rt::Decimal units per 1
inline ItemClass Classify(int64_t tpp, __int128 density, int64_t eccn, const Eccns& e) {
  constexpr int64_t kATpp = 4800, kATppWithDensity = 1600, kBTppLow = 2400;  // A_TPP, A_TPP_WITH_DENSITY, B_TPP_LOW
  constexpr __int128 kADensity = 592 * kDec / 100, kBDensityLow = 16 * kDec / 10, kBDensityMid = 32 * kDec / 10;
  const bool meets_a = tpp >= kATpp || (tpp >= kATppWithDensity && density >= kADensity);
  const bool meets_b = !meets_a && ((tpp >= kBTppLow && tpp < kATpp && density >= kBDensityLow && density < kADensity) ||
                                    (tpp >= kATppWithDensity && density >= kBDensityMid && density < kADensity));
  const bool declared_a = eccn == e.a1 || eccn == e.a2 || eccn == e.a3;
  const bool declared_b = eccn == e.b1 || eccn == e.b2;
  const bool advanced_a = declared_a || meets_a;
  return {advanced_a, !advanced_a && (declared_b || meets_b), declared_a != meets_a || declared_b != meets_b};
}

// ===========================================================================
// Regime in_force (stdlib/us_ear/regimes.edict): baseline_2023, h200_2026,
// diffusion_2025 + rescission_2025 (suspended from 2025-05-13, before its
// 2025-05-15 compliance date: never in force, so not transcribed),
// guidance_2025_05, entity_list_744, affiliates_2025 +
// affiliates_suspension_2025.
class InForce final : public HandWritten {
 public:
  InForce(const ir::Program& p, const std::vector<BoundTable>& tables) : ids_(p), eccns_(ids_) {
    ids_.Field("date", ir::Ty::Date);  // rows are judged on Batch::day, the row's `date`
    export_from_ = ids_.Field("export_from", ir::Ty::Country);
    consignee_ = ids_.Field("consignee", ir::Ty::Text);
    consignee_country_ = ids_.Field("consignee_country", ir::Ty::Country);
    consignee_hq_ = ids_.Field("consignee_hq", ir::Ty::Country);
    parent_hq_ = ids_.Field("parent_hq", ir::Ty::Country);
    end_use_ = ids_.Field("end_use", ir::Ty::Enum);
    eccn_ = ids_.Field("eccn", ir::Ty::Text);
    item_ = ids_.Field("item", ir::Ty::Text);
    designer_ = ids_.Field("designer_country", ir::Ty::Country);
    tpp_ = ids_.Field("tpp_per_unit", ir::Ty::Int);
    density_ = ids_.Field("perf_density", ir::Ty::Dec);
    us_ = Ids::Country("US");
    military_ = ids_.Variant("EndUse", "military");
    evaluation_ = ids_.Variant("EndUse", "evaluation");
    // guidance_2025_05.edict: set NAMED_PRC_CHIPS
    prc1_ = ids_.Text("Ascend910B"), prc2_ = ids_.Text("Ascend910C"), prc3_ = ids_.Text("Ascend910D");
    nlr_ = ids_.Outcome("NLR");
    required_ = ids_.Outcome("LICENSE_REQUIRED");
    exception_ = ids_.Outcome("LICENSE_EXCEPTION");
    denial_ = ids_.Variant("Review", "DENIAL");  // HEADQUARTERS_REVIEW, ENTITY_LIST_REVIEW, AFFILIATE_REVIEW
    case_by_case_ = ids_.Variant("Review", "CASE_BY_CASE");  // D1_D4_REVIEW
    nac_ = ids_.Variant("ExceptionBasis", "NAC");
    f_eccn_ = ids_.Flag("ECCN_MISMATCH"), f_gp10_ = ids_.Flag("GP10"), f_rf_hq_ = ids_.Flag("RF_D5_HEADQUARTERS");
    f_rf_mil_ = ids_.Flag("RF_MILITARY_AI"), f_h200_ = ids_.Flag("H200_CONDITIONS");
    f_nac_notify_ = ids_.Flag("NAC_NOTIFICATION");

    const ir::Interval baseline{base_from_, kForever}, guidance{guidance_from_, kForever},
        h200{h200_from_, kForever}, always{kOpen, kForever};
    const std::vector<ir::Interval> affiliates = {{aff_from_, aff_suspended_ - 1}, {aff_back_, kForever}};
    auto rule = [&](const char* module, const char* name, std::vector<ir::Interval> window) {
      int32_t r = ids_.Rule(module, name);
      ids_.ExpectInForce(r, std::move(window));
      return r;
    };
    r_ddm_ = rule("baseline_2023", "destination_d5_macau", {baseline});
    r_d14_ = rule("baseline_2023", "destination_d1_d4", {baseline});
    r_hq_ = rule("baseline_2023", "headquarters_d5_macau", {baseline});
    r_nac_ = rule("baseline_2023", "nac", {baseline});
    r_nac_dest_ = rule("baseline_2023", "nac_notified_destination", {baseline});
    r_nac_hq_ = rule("baseline_2023", "nac_notified_headquarters", {baseline});
    rule("baseline_2023", "eccn_check", {baseline});
    r_h200_ = rule("h200_2026", "h200_case_by_case", {h200});
    rule("guidance_2025_05", "gp10_prc_chips", {guidance});
    rule("guidance_2025_05", "red_flag_d5_headquarters", {guidance});
    rule("guidance_2025_05", "military_ai_d5", {guidance});
    r_listed_ = rule("entity_list_744", "listed_party", {always});
    r_listed_d14_ = rule("entity_list_744", "listed_in_d1_d4", {always});
    r_listed_h200_ = rule("entity_list_744", "listed_not_h200", {always});
    r_listed_nac_dest_ = rule("entity_list_744", "listed_no_nac_destination", {always});
    r_listed_nac_hq_ = rule("entity_list_744", "listed_no_nac_headquarters", {always});
    r_aff_ = rule("affiliates_2025", "affiliates", affiliates);
    r_aff_d14_ = rule("affiliates_2025", "affiliate_in_d1_d4", affiliates);
    r_aff_h200_ = rule("affiliates_2025", "affiliate_not_h200", affiliates);
    r_aff_nac_dest_ = rule("affiliates_2025", "affiliate_no_nac_destination", affiliates);
    r_aff_nac_hq_ = rule("affiliates_2025", "affiliate_no_nac_headquarters", affiliates);
    for (const char* r : {"tier3_denial", "worldwide_licence", "eccn_check", "aia", "uveu", "nveu", "lpp",
                          "tier2_within_allocation"}) {
      rule("diffusion_2025", r, {});  // never in force under in_force
    }
    // General rules of the same rank are tried in program order and the
    // first that applies is reported. The baseline's three rules exclude
    // each other; listed_party and affiliates exclude each other; and
    // wherever a baseline rule and one of those two both apply, both end in
    // LICENSE_REQUIRED(DENIAL) (the exceptions listed_* / affiliate_* see
    // to it), so there is never a conflict. What remains is which is
    // reported: the code below assumes the program order affiliates, then
    // the baseline's rules, then listed_party (as `edict dump-ir` shows).
    if (!(r_aff_ < r_ddm_ && r_aff_ < r_d14_ && r_aff_ < r_hq_ && r_ddm_ < r_listed_ && r_d14_ < r_listed_ &&
          r_hq_ < r_listed_)) {
      throw std::runtime_error("in_force: the general rules are not in the order transcribed");
    }
    groups_.Check(p);

    // stdlib/us_ear/entity_list_744.edict: table entity_list; affiliates_2025.edict:
    // table listed_ownership. A byte per text id: bit 1 listed, bit 2 owned 50%
    // or more by listed parties (affiliates_2025.edict: let listed_affiliate,
    // AFFILIATE_THRESHOLD = 50%). Texts interned after setup are in neither.
    int32_t el = ids_.Table("entity_list"), own = ids_.Table("listed_ownership");
    auto mark = [&](int64_t id, uint8_t bit) {
      if (id < 0) return;
      if (static_cast<size_t>(id) >= party_.size()) party_.resize(static_cast<size_t>(id) + 1, 0);
      party_[static_cast<size_t>(id)] |= bit;
    };
    if (el >= 0 && tables[static_cast<size_t>(el)].bound) {
      for (const auto& [id, row] : tables[static_cast<size_t>(el)].row_of) mark(id, 1);
    }
    if (own >= 0 && tables[static_cast<size_t>(own)].bound) {
      const BoundTable& t = tables[static_cast<size_t>(own)];
      size_t share = 0;
      for (size_t i = 0; i < p.tables[static_cast<size_t>(own)].columns.size(); ++i) {
        if (p.tables[static_cast<size_t>(own)].columns[i].name == "listed_share") share = i;
      }
      for (const auto& [id, row] : t.row_of) {
        const exec::Column& c = t.columns[share];
        if (c.status[row] == exec::kOk && c.dec[row].units >= kDec / 2) mark(id, 2);
      }
    }
    for (uint8_t& b : party_) {
      if (b & 1) b = 1;  // listed_affiliate: `s.consignee not in entity_list and ...`
    }
  }

  void Decide(const Batch& b, std::vector<HandDecision>& out) override {
    out.resize(b.rows);
    const int64_t* export_from = b.fields[export_from_].i64.data();
    const int64_t* consignee = b.fields[consignee_].i64.data();
    const int64_t* cc = b.fields[consignee_country_].i64.data();
    const int64_t* chq = b.fields[consignee_hq_].i64.data();
    const int64_t* phq = b.fields[parent_hq_].i64.data();
    const int64_t* end_use = b.fields[end_use_].i64.data();
    const int64_t* eccn = b.fields[eccn_].i64.data();
    const int64_t* item = b.fields[item_].i64.data();
    const int64_t* designer = b.fields[designer_].i64.data();
    const int64_t* tpp = b.fields[tpp_].i64.data();
    const rt::Decimal* density = b.fields[density_].dec.data();
    const size_t parties = party_.size();
    for (size_t r = 0; r < b.rows; ++r) {
      HandDecision& d = out[r];
      d = HandDecision{};
      if (!b.error[r].empty()) {  // a row that could not be read
        d.error = true;
        continue;
      }
      const int32_t day = b.day[r];
      d.outcome = nlr_;  // Decision ... otherwise NLR (ear_common.edict)
      const uint8_t* g = groups_.On(day);
      const ItemClass k = Classify(tpp[r], density[r].units, eccn[r], eccns_);
      const uint8_t dest = g[cc[r]], hq = g[chq[r]], parent = g[phq[r]];
      const bool leaves_the_us = cc[r] != us_;                       // ear_common: let leaves_the_us
      const bool hq_d5_macau = ((hq | parent) & kD5Macau) != 0;      // baseline_2023: let headquartered_d5_macau
      const uint8_t party = static_cast<uint64_t>(consignee[r]) < parties ? party_[static_cast<size_t>(consignee[r])] : 0;
      const bool listed = party & 1;                                 // entity_list_744: let listed_consignee
      const bool affiliates_in_force = (day >= aff_from_ && day < aff_suspended_) || day >= aff_back_;
      const bool affiliate = affiliates_in_force && (party & 2);      // affiliates_2025: let listed_affiliate

      // Flag rules.
      if (day >= base_from_ && k.mismatch) d.flags |= f_eccn_;  // baseline_2023.edict: rule eccn_check
      if (day >= guidance_from_) {
        // guidance_2025_05.edict: rule gp10_prc_chips (let prc_advanced_chip)
        const bool prc = item[r] == prc1_ || item[r] == prc2_ || item[r] == prc3_ ||
                         ((g[designer[r]] & kD5Macau) && k.advanced_a);
        if (prc && end_use[r] != evaluation_) d.flags |= f_gp10_;
        // guidance_2025_05.edict: rule red_flag_d5_headquarters
        if (k.advanced_a && !(dest & kD5Macau) && hq_d5_macau) d.flags |= f_rf_hq_;
        // guidance_2025_05.edict: rule military_ai_d5
        if (k.advanced_a && end_use[r] == military_ && ((dest | hq | parent) & kD5Macau)) d.flags |= f_rf_mil_;
      }

      // The general rules, in program order (see the constructor).
      if (affiliate && leaves_the_us) {
        Decided(d, r_aff_, required_, denial_);  // affiliates_2025.edict: rule affiliates
        continue;
      }
      if (day >= base_from_ && (k.advanced_a || k.advanced_b)) {  // baseline_2023: let baseline_item
        if (dest & kDenial) {
          // baseline_2023.edict: rule destination_d5_macau; its exceptions in
          // prefer order (h200_2026.edict: prefer nac_notified_destination, h200_case_by_case).
          if (k.advanced_b) {
            // baseline_2023.edict: exception nac_notified_destination, and its own
            // exceptions listed_no_nac_destination (entity_list_744.edict),
            // affiliate_no_nac_destination (affiliates_2025.edict)
            if (listed) Decided(d, r_listed_nac_dest_, required_, denial_);
            else if (affiliate) Decided(d, r_aff_nac_dest_, required_, denial_);
            else Decided(d, r_nac_dest_, exception_, nac_), d.flags |= f_nac_notify_;
          } else if (day >= h200_from_ && export_from[r] == us_ && (dest & kChinaMacau) && tpp[r] < 21000 &&
                     end_use[r] != military_) {
            // h200_2026.edict: exception h200_case_by_case (H200_TPP_LIMIT = 21,000), and its
            // exceptions listed_not_h200, affiliate_not_h200
            if (listed) Decided(d, r_listed_h200_, required_, denial_);
            else if (affiliate) Decided(d, r_aff_h200_, required_, denial_);
            else Decided(d, r_h200_, required_, case_by_case_), d.flags |= f_h200_;
          } else {
            Decided(d, r_ddm_, required_, denial_);
          }
          continue;
        }
        if ((dest & kLicence) && !hq_d5_macau) {
          // baseline_2023.edict: rule destination_d1_d4; exceptions by prefer rank:
          // listed_in_d1_d4 (0), affiliate_in_d1_d4 (0), nac (1)
          if (listed) Decided(d, r_listed_d14_, required_, denial_);
          else if (affiliate) Decided(d, r_aff_d14_, required_, denial_);
          else if (k.advanced_b) Decided(d, r_nac_, exception_, nac_);
          else Decided(d, r_d14_, required_, case_by_case_);
          continue;
        }
        if (leaves_the_us && hq_d5_macau) {
          // baseline_2023.edict: rule headquarters_d5_macau; exception nac_notified_headquarters
          // and its exceptions listed_no_nac_headquarters, affiliate_no_nac_headquarters
          if (k.advanced_b) {
            if (listed) Decided(d, r_listed_nac_hq_, required_, denial_);
            else if (affiliate) Decided(d, r_aff_nac_hq_, required_, denial_);
            else Decided(d, r_nac_hq_, exception_, nac_), d.flags |= f_nac_notify_;
          } else {
            Decided(d, r_hq_, required_, denial_);
          }
          continue;
        }
      }
      if (listed && leaves_the_us) {
        Decided(d, r_listed_, required_, denial_);  // entity_list_744.edict: rule listed_party
      }
    }
  }

 private:
  static void Decided(HandDecision& d, int32_t rule, int32_t outcome, int32_t basis) {
    d.rule = rule;
    d.outcome = outcome;
    d.basis = basis;
  }

  Ids ids_;
  Eccns eccns_;
  CountryGroups groups_;
  // In-force dates: baseline_2023 effective 2023-11-17; h200_2026 effective
  // 2026-01-15; guidance_2025_05 effective 2025-05-13; affiliates_2025
  // effective 2025-09-29, suspended 2025-11-10 through 2026-11-09
  // (affiliates_suspension_2025.edict); entity_list_744 undated.
  const int32_t base_from_ = Day(2023, 11, 17), h200_from_ = Day(2026, 1, 15), guidance_from_ = Day(2025, 5, 13);
  const int32_t aff_from_ = Day(2025, 9, 29), aff_suspended_ = Day(2025, 11, 10), aff_back_ = Day(2026, 11, 10);
  size_t export_from_, consignee_, consignee_country_, consignee_hq_, parent_hq_, end_use_, eccn_, item_,
      designer_, tpp_, density_;
  int64_t us_, military_, evaluation_, prc1_, prc2_, prc3_;
  int32_t nlr_, required_, exception_, denial_, case_by_case_, nac_;
  uint64_t f_eccn_, f_gp10_, f_rf_hq_, f_rf_mil_, f_h200_, f_nac_notify_;
  int32_t r_ddm_, r_d14_, r_hq_, r_nac_, r_nac_dest_, r_nac_hq_, r_h200_, r_listed_, r_listed_d14_, r_listed_h200_,
      r_listed_nac_dest_, r_listed_nac_hq_, r_aff_, r_aff_d14_, r_aff_h200_, r_aff_nac_dest_, r_aff_nac_hq_;
  std::vector<uint8_t> party_;
};

// ===========================================================================
// Regime diffusion_2025 (stdlib/us_ear/regimes.edict): diffusion_2025 alone,
// its rules in force from the compliance date 2025-05-15 on.
class Diffusion final : public HandWritten {
 public:
  explicit Diffusion(const ir::Program& p) : ids_(p), eccns_(ids_) {
    consignee_ = ids_.Field("consignee", ir::Ty::Text);
    consignee_country_ = ids_.Field("consignee_country", ir::Ty::Country);
    consignee_hq_ = ids_.Field("consignee_hq", ir::Ty::Country);
    parent_hq_ = ids_.Field("parent_hq", ir::Ty::Country);
    eccn_ = ids_.Field("eccn", ir::Ty::Text);
    quantity_ = ids_.Field("quantity", ir::Ty::Int);
    tpp_ = ids_.Field("tpp_per_unit", ir::Ty::Int);
    density_ = ids_.Field("perf_density", ir::Ty::Dec);
    veu_ = ids_.Field("veu", ir::Ty::Enum);
    us_ = Ids::Country("US");
    uveu_status_ = ids_.Variant("VeuStatus", "UVEU");
    nveu_status_ = ids_.Variant("VeuStatus", "NVEU");
    nlr_ = ids_.Outcome("NLR");
    required_ = ids_.Outcome("LICENSE_REQUIRED");
    exception_ = ids_.Outcome("LICENSE_EXCEPTION");
    veu_outcome_ = ids_.Outcome("VEU");
    denial_ = ids_.Variant("Review", "DENIAL");
    case_by_case_ = ids_.Variant("Review", "CASE_BY_CASE");  // REVIEW_OUTSIDE_TIER3
    approval_ = ids_.Variant("Review", "APPROVAL");          // TIER2_REVIEW_WITHIN_ALLOCATION
    aia_ = ids_.Variant("ExceptionBasis", "AIA");
    lpp_ = ids_.Variant("ExceptionBasis", "LPP");
    uveu_basis_ = ids_.Variant("VeuBasis", "UVEU");
    nveu_basis_ = ids_.Variant("VeuBasis", "NVEU");
    f_eccn_ = ids_.Flag("ECCN_MISMATCH");
    const std::vector<ir::Interval> window = {{from_, kForever}};
    auto rule = [&](const char* name) {
      int32_t r = ids_.Rule("diffusion_2025", name);
      ids_.ExpectInForce(r, window);
      return r;
    };
    r_tier3_ = rule("tier3_denial");
    r_world_ = rule("worldwide_licence");
    r_aia_ = rule("aia");
    r_uveu_ = rule("uveu");
    r_nveu_ = rule("nveu");
    r_lpp_ = rule("lpp");
    r_tier2_ = rule("tier2_within_allocation");
    rule("eccn_check");
    c_lpp_ = ids_.Cap("lpp_allowance");
    c_tier2_ = ids_.Cap("tier2_allocation");
    groups_.Check(p);
    tier2_used_.assign(static_cast<size_t>(rt::CountryCount()), 0);
  }

  void Decide(const Batch& b, std::vector<HandDecision>& out) override {
    out.resize(b.rows);
    const int64_t* consignee = b.fields[consignee_].i64.data();
    const int64_t* cc = b.fields[consignee_country_].i64.data();
    const int64_t* chq = b.fields[consignee_hq_].i64.data();
    const int64_t* phq = b.fields[parent_hq_].i64.data();
    const int64_t* eccn = b.fields[eccn_].i64.data();
    const int64_t* quantity = b.fields[quantity_].i64.data();
    const int64_t* tpp = b.fields[tpp_].i64.data();
    const rt::Decimal* density = b.fields[density_].dec.data();
    const int64_t* veu = b.fields[veu_].i64.data();
    const uint8_t* veu_status = b.fields[veu_].status.data();
    for (size_t r = 0; r < b.rows; ++r) {
      HandDecision& d = out[r];
      d = HandDecision{};
      if (!b.error[r].empty()) {
        d.error = true;
        continue;
      }
      d.outcome = nlr_;
      const int32_t day = b.day[r];
      if (day < from_) continue;  // nothing in force before the compliance date
      const ItemClass k = Classify(tpp[r], density[r].units, eccn[r], eccns_);
      if (k.mismatch) d.flags |= f_eccn_;  // diffusion_2025.edict: rule eccn_check
      if (!k.advanced_a || cc[r] == us_) continue;
      const uint8_t* g = groups_.On(day);
      const uint8_t dest = g[cc[r]], hq = g[chq[r]], parent = g[phq[r]];
      if ((dest | hq | parent) & kD5Macau) {  // let tier3_party (TIER3 = D5_MACAU)
        Decided(d, r_tier3_, required_, denial_);  // diffusion_2025.edict: rule tier3_denial
        continue;
      }
      // diffusion_2025.edict: rule worldwide_licence and its exceptions, in
      // prefer order: aia, uveu, nveu, lpp, tier2_within_allocation.
      if ((dest & kSupp5a) && (hq & kTier1) && (parent & kTier1)) {
        Decided(d, r_aia_, exception_, aia_);  // exception aia
        continue;
      }
      const bool has_veu = veu_status[r] == exec::kOk;
      if (has_veu && veu[r] == uveu_status_ && ((hq | parent) & kTier1)) {
        Decided(d, r_uveu_, veu_outcome_, uveu_basis_);  // exception uveu
        continue;
      }
      if (has_veu && veu[r] == nveu_status_) {
        Decided(d, r_nveu_, veu_outcome_, nveu_basis_);  // exception nveu
        continue;
      }
      // let compute = quantity * tpp_per_unit: the ledger's bounds (at most
      // 10^9 each, ear_common.edict: record Shipment) keep it within 10^18.
      const int64_t compute = quantity[r] * tpp[r];
      // exception lpp: charge lpp_allowance (per consignee, each calendar
      // year, limit LPP_ANNUAL_LIMIT = 26,900,000 TPP) by compute.
      int64_t& lpp_used = LppUsed(consignee[r], day);
      if (lpp_used + compute <= kLppLimit) {
        lpp_used += compute;
        Decided(d, r_lpp_, exception_, lpp_);
        d.cap = c_lpp_;
        d.charged = compute;
        continue;
      }
      // exception tier2_within_allocation: when tier2_destination (neither
      // Tier 1 nor Tier 3), charge tier2_allocation (per consignee_country,
      // over 2025-01-13 through 2027-12-31, limit TIER2_COUNTRY_ALLOCATION =
      // 790,000,000 TPP) by compute.
      if (!(dest & kTier1) && day >= tier2_from_ && day <= tier2_through_) {
        int64_t& used = tier2_used_[static_cast<size_t>(cc[r])];
        if (used + compute <= kTier2Limit) {
          used += compute;
          Decided(d, r_tier2_, required_, approval_);
          d.cap = c_tier2_;
          d.charged = compute;
          continue;
        }
      }
      Decided(d, r_world_, required_, case_by_case_);  // worldwide_licence itself
    }
  }

 private:
  static void Decided(HandDecision& d, int32_t rule, int32_t outcome, int32_t basis) {
    d.rule = rule;
    d.outcome = outcome;
    d.basis = basis;
  }
  // LPP usage by calendar year, then by consignee text id.
  int64_t& LppUsed(int64_t consignee, int32_t day) {
    if (day != last_day_) {
      last_day_ = day;
      int year = rt::YearOf(day);
      if (year != year_) {
        year_ = year;
        size_t i = 0;
        while (i < lpp_years_.size() && lpp_years_[i].first != year) ++i;
        if (i == lpp_years_.size()) lpp_years_.emplace_back(year, std::vector<int64_t>());
        lpp_year_ = &lpp_years_[i].second;
      }
    }
    if (static_cast<size_t>(consignee) >= lpp_year_->size()) lpp_year_->resize(static_cast<size_t>(consignee) + 1024, 0);
    return (*lpp_year_)[static_cast<size_t>(consignee)];
  }

  static constexpr int64_t kLppLimit = 26'900'000, kTier2Limit = 790'000'000;
  Ids ids_;
  Eccns eccns_;
  CountryGroups groups_;
  const int32_t from_ = Day(2025, 5, 15);  // diffusion_2025: compliance 2025-05-15
  const int32_t tier2_from_ = Day(2025, 1, 13), tier2_through_ = Day(2027, 12, 31);
  size_t consignee_, consignee_country_, consignee_hq_, parent_hq_, eccn_, quantity_, tpp_, density_, veu_;
  int64_t us_, uveu_status_, nveu_status_;
  int32_t nlr_, required_, exception_, veu_outcome_, denial_, case_by_case_, approval_, aia_, lpp_, uveu_basis_,
      nveu_basis_;
  uint64_t f_eccn_;
  int32_t r_tier3_, r_world_, r_aia_, r_uveu_, r_nveu_, r_lpp_, r_tier2_, c_lpp_, c_tier2_;
  std::vector<int64_t> tier2_used_;
  std::deque<std::pair<int, std::vector<int64_t>>> lpp_years_;  // a deque: lpp_ stays valid
  std::vector<int64_t>* lpp_year_ = nullptr;  // the usage of year_
  int32_t last_day_ = INT32_MIN;
  int year_ = INT32_MIN;
};

}  // namespace

std::unique_ptr<HandWritten> CreateHandWritten(const ir::Program& p, const std::vector<BoundTable>& tables,
                                               std::string* error) {
  try {
    if (p.regime == "in_force") return std::make_unique<InForce>(p, tables);
    if (p.regime == "diffusion_2025") return std::make_unique<Diffusion>(p);
    *error = "no hand-written code for regime `" + p.regime + "` (only in_force and diffusion_2025)";
  } catch (const std::exception& e) {
    *error = std::string("hand-written ") + p.regime + ": " + e.what();
  }
  return nullptr;
}

}  // namespace edict::bench
