#!/usr/bin/env python3
"""`cmake --install`: an installed edict finds its rule library and its JIT
plugin relative to itself, so that the prefix works anywhere and can be
moved. Installs the build into a temporary prefix, moves the prefix, then
checks that the moved edict:
  - says in `--version` that it uses the moved prefix's rule library and
    plugin (the JIT's line says "not built" in a build without it);
  - judges a ledger under `in_force`, from that library, with the bytes of
    the build tree's interpreter, and (with the JIT) compiles its decision
    step with the installed plugin;
  - passes the library's inline tests (`edict test`).

usage: install_test.py --cmake CMAKE --build DIR --edict BIN --jit-built ON|OFF
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")


def run(cmd, env):
    p = subprocess.run(cmd, capture_output=True, env=env, timeout=300)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def check(a, tmp):
    problems = []
    env = dict(os.environ, HOME=tmp, EDICT_CACHE_DIR="off")
    env.pop("EDICT_JIT_PLUGIN", None)
    installed = os.path.join(tmp, "prefix")
    code, out, err = run([a.cmake, "--install", a.build, "--prefix", installed], env)
    if code != 0:
        return ["cmake --install failed: %s %s" % (out.decode()[-500:], err[-500:])]
    moved = os.path.join(tmp, "moved", "elsewhere")
    os.makedirs(os.path.dirname(moved))
    shutil.move(installed, moved)
    edict = os.path.join(moved, "bin", "edict")

    code, out, err = run([edict, "--version"], env)
    lines = out.decode().splitlines()
    # edict finds itself through /proc/self/exe: symbolic links resolved.
    real = os.path.realpath(moved)
    want_lib = "rule library: " + os.path.join(real, "share", "edict", "stdlib")
    want_jit = ("JIT plugin: " + os.path.join(real, "lib", "edict", "libedict_jit.so") if a.jit_built == "ON"
                else "JIT plugin: not built (-DEDICT_ENABLE_JIT=OFF)")
    for want in (want_lib, want_jit):
        if want not in lines:
            problems.append("--version does not say `%s`: %r" % (want, out.decode()))

    ledger = os.path.join(tmp, "ledger.csv")
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_ledger.py"), "2000", "11", ledger],
                   check=True, capture_output=True)
    cmd = ["run", "--regime", "in_force", "--input", ledger, "--output", "-"]
    code_ref, out_ref, err_ref = run([a.edict] + cmd + ["--backend", "interp"], env)
    code_ins, out_ins, err_ins = run([edict] + cmd, env)
    if code_ref != code_ins or out_ref != out_ins or out_ref.count(b"\n") != 2001:
        problems.append("the installed edict judged differently (exit %d vs %d): %s" % (code_ins, code_ref,
                                                                                          err_ins[-500:]))
    if a.jit_built == "ON" and "decision step compiled" not in err_ins:
        problems.append("the installed edict did not compile with its plugin: %s" % err_ins[-500:])
    else:
        print("installed and moved: %s" % err_ins.strip().splitlines()[-1])

    code, out, err = run([edict, "test"], env)
    if code != 0:
        problems.append("edict test (the installed library's inline tests) failed: %s" % (out.decode() + err)[-500:])
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmake", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--edict", required=True, help="the build tree's edict, the reference")
    ap.add_argument("--jit-built", required=True, choices=["ON", "OFF"])
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="edict_install_")
    try:
        problems = check(a, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for p in problems:
        print("FAIL:", p)
    if not problems:
        print("ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
