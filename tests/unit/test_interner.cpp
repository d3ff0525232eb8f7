// exec::Interner: one id per distinct text, in the order texts are first
// seen; texts that differ in any byte (the word-wise hash and compare read
// overlapping words) get different ids; every text stays where it is while
// the table grows.
#include <doctest/doctest.h>

#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "exec/interner.h"

using edict::exec::Interner;
using edict::exec::SameText;

TEST_CASE("the interner gives each distinct text one id, in first-seen order") {
  Interner in({"3A090.a", "H100"});
  CHECK(in.size() == 2);
  CHECK(in.Intern("H100") == 1);
  CHECK(in.Intern("3A090.a") == 0);
  CHECK(in.Intern("") == 2);
  CHECK(in.Intern("") == 2);
  CHECK(in.Text(2).empty());
  CHECK(in.Intern("H1000") == 3);
  CHECK(in.Text(3) == "H1000");
  CHECK(in.Intern(std::string_view("H100\0", 5)) == 4);  // a NUL is a byte like another
  CHECK(in.Intern("H100") == 1);
}

TEST_CASE("texts that differ in one byte, at any place and length, get different ids") {
  // Every length 0..40, every position, so each branch of the hash and of
  // SameText (bytes, two 4-byte words, 8-byte words with an overlapping
  // last word) sees a difference in each byte.
  Interner in({});
  std::map<std::string, int64_t> seen;
  for (size_t n = 0; n <= 40; ++n) {
    std::string base(n, 'a');
    for (size_t i = 0; i < n; ++i) base[i] = static_cast<char>('a' + i % 26);
    seen.emplace(base, in.Intern(base));
    for (size_t i = 0; i < n; ++i) {
      std::string t = base;
      t[i] = static_cast<char>(t[i] ^ 0x20);
      seen.emplace(t, in.Intern(t));
    }
  }
  CHECK(in.size() == seen.size());
  for (const auto& [text, id] : seen) {
    CHECK(in.Intern(text) == id);
    CHECK(in.Text(id) == text);
  }
}

TEST_CASE("SameText compares every byte") {
  const std::string a = "Umber Analytics 1319 Corp";
  for (size_t n = 0; n <= a.size(); ++n) {
    const std::string_view x(a.data(), n);
    std::string y(x);
    CHECK(SameText(x, y));
    for (size_t i = 0; i < n; ++i) {
      std::string z(x);
      z[i] = '#';
      CHECK_FALSE(SameText(x, z));
    }
    CHECK_FALSE(SameText(x, a.substr(0, n) + "x"));
  }
}

TEST_CASE("texts stay put while the interner grows, long ones included") {
  Interner in({});
  std::mt19937_64 rng(7);
  std::vector<std::string> texts;
  std::vector<std::string_view> views;
  for (int i = 0; i < 50000; ++i) {
    // Mostly short, some of 20-100 KiB (a block of their own).
    const size_t n = i % 997 == 0 ? 20000 + rng() % 80000 : rng() % 48;
    std::string t(n, ' ');
    for (char& c : t) c = static_cast<char>('!' + rng() % 90);
    t += std::to_string(i);  // distinct
    texts.push_back(t);
    REQUIRE(in.Intern(t) == i);
    views.push_back(in.Text(i));
  }
  REQUIRE(in.size() == texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    CHECK(views[i] == texts[i]);  // the view taken when it was new
    CHECK(in.Intern(texts[i]) == static_cast<int64_t>(i));
  }
}
