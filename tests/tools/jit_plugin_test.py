#!/usr/bin/env python3
"""The JIT plugin (compiler/jit/plugin.h): the edict command does not load
libLLVM itself; `--backend jit` loads libedict_jit.so and compiles; a plugin
that is missing, not a library, or from another build is not used: the run
interprets every rule, says why on stderr, and writes the interpreter's
bytes. A plugin from another build is stood in for by a small library with
the plugin's entry points and another ABI stamp (built with `cc`): its
functions must never be called. Without the JIT (--jit-built OFF) exits 77 (CTest: SKIPPED).

usage: jit_plugin_test.py --edict BIN --plugin LIB --jit-built ON|OFF
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
SKIP = 77


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--edict", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--jit-built", required=True, choices=["ON", "OFF"])
    a = ap.parse_args()
    if a.jit_built == "OFF":
        print("SKIPPED: the JIT is not built")
        return SKIP
    tmp = tempfile.mkdtemp(prefix="edict_jit_plugin_")
    try:
        problems = check(os.path.abspath(a.edict), os.path.abspath(a.plugin), tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for p in problems:
        print("FAIL:", p)
    return 1 if problems else 0


def check(edict, plugin, tmp):
    problems = []
    # The command itself needs no libLLVM: its ELF NEEDED list has none.
    dyn = subprocess.run(["readelf", "-d", edict], capture_output=True, text=True, check=True).stdout
    needed = [l for l in dyn.splitlines() if "(NEEDED)" in l]
    if not needed or any("LLVM" in l for l in needed):
        problems.append("edict itself needs libLLVM (or readelf shows nothing): %s" % needed)

    ledger = os.path.join(tmp, "ledger.csv")
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_ledger.py"), "2000", "3", ledger, "--dirty",
                    "0.05"], check=True, capture_output=True)
    env = dict(os.environ)
    env["EDICT_CACHE_DIR"] = "off"
    env.pop("EDICT_JIT_PLUGIN", None)
    cmd = [edict, "run", "--regime", "in_force", "--input", ledger, "--output", "-"]

    def run(backend, plugin_path=None):
        e = dict(env)
        if plugin_path is not None:
            e["EDICT_JIT_PLUGIN"] = plugin_path
        p = subprocess.run(cmd + ["--backend", backend], capture_output=True, env=e, timeout=300)
        return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")

    code_i, out_i, _ = run("interp")
    code, out, err = run("jit")
    if "decision step compiled" not in err:
        problems.append("--backend jit did not compile: %s" % err.strip()[-400:])
    if (code, out) != (code_i, out_i):
        problems.append("the JIT's output differs from the interpreter's")
    code, out, err = run("jit", plugin)
    if "decision step compiled" not in err:
        problems.append("EDICT_JIT_PLUGIN=%s did not compile: %s" % (plugin, err.strip()[-400:]))

    not_a_library = os.path.join(tmp, "libedict_jit.so")
    with open(not_a_library, "w") as f:
        f.write("not a shared object\n")
    # A library, but not the plugin (the C library itself): no entry points.
    libc = subprocess.run(["sh", "-c", "ldd %s | awk '/libc.so/ {print $3}'" % edict], capture_output=True,
                          text=True).stdout.strip()
    if not libc:
        problems.append("ldd found no libc.so for %s" % edict)
    # The plugin's entry points, another stamp; calling prepare or create aborts.
    other = os.path.join(tmp, "other", "libedict_jit.so")
    os.makedirs(os.path.dirname(other))
    source = os.path.join(tmp, "other.c")
    with open(source, "w") as f:
        f.write('#include <stdlib.h>\n'
                'const char* edict_jit_abi(void) { return "edict jit plugin 1 another build"; }\n'
                'void edict_jit_prepare(void) { abort(); }\n'
                'void* edict_jit_create(const void* p, const void* t, void* r) { abort(); }\n')
    subprocess.run(["cc", "-shared", "-fPIC", "-o", other, source], check=True)
    cases = [(os.path.join(tmp, "missing", "libedict_jit.so"), "libedict_jit.so not found"),
             (not_a_library, "cannot load " + not_a_library),
             (libc, "%s is not edict's JIT plugin" % libc),
             (other, other + " is from another build of edict")]
    # `edict test` says it too, once, and its results do not change.
    test_cmd = [edict, "test", os.path.join(ROOT, "examples", "tutorial", "chips.edict")]
    t_ok = subprocess.run(test_cmd, capture_output=True, env=env, timeout=300)
    t_bad = subprocess.run(test_cmd, capture_output=True, env=dict(env, EDICT_JIT_PLUGIN=cases[0][0]), timeout=300)
    err = t_bad.stderr.decode("utf-8", "replace")
    if (t_bad.returncode, t_bad.stdout) != (t_ok.returncode, t_ok.stdout) or err.count("nothing compiled") != 1:
        problems.append("edict test with no plugin: exit %d vs %d, stderr %s" % (t_bad.returncode, t_ok.returncode,
                                                                                 err.strip()[-300:]))
    if t_ok.returncode != 0 or b"passed" not in t_ok.stdout:
        problems.append("edict test of the tutorial failed: %s" % t_ok.stdout.decode()[-300:])
    for path, why in cases:
        code, out, err = run("jit", path)
        if why not in err or "nothing compiled, every instruction interpreted" not in err:
            problems.append("EDICT_JIT_PLUGIN=%s: stderr does not say `%s`: %s" % (path, why, err.strip()[-400:]))
        if (code, out) != (code_i, out_i):
            problems.append("EDICT_JIT_PLUGIN=%s: the output differs from the interpreter's (exit %d vs %d)"
                            % (path, code, code_i))
    return problems


if __name__ == "__main__":
    sys.exit(main())
