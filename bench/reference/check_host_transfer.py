#!/usr/bin/env python3
"""Checks the host-cost term across machines: for each device call (a different lent H200 host), fit the
per-hook host cost on THAT call's calibration case (gem-gpt-1.3b) and simulate THAT call's other GEMINI-fork
cases with it, so that each prediction uses only its own machine's calibration:

    python3 bench/reference/check_host_transfer.py [--bin build/gemini-sim] [--out traces/validation/checks/host_transfer.json]

Per run NAME of traces/validation/raw/: to_validation.py --primary NAME into a scratch directory (every case
as NAME measured it), fit_host_costs.py on its gem-gpt-1.3b, a scratch calibration directory that is the shipped
traces/calibration/h200 with that host file, then `gemini-sim validate --cases SCRATCH --set run.calibration=..`.
Only the cases whose primary run is NAME are reported for NAME. Nothing here is fitted to a validation case:
the one fitted number per machine comes from its calibration case, as for the shipped calibration (run2).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RAW = os.path.join(ROOT, "traces", "validation", "raw")
SHIPPED = os.path.join(ROOT, "traces", "calibration", "h200")
FIT_CASE = "gem-gpt-1.3b"


def run(cmd):
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip() or p.stdout.strip()}")
    return p.stdout


def machine_check(name, runs, binary, scratch):
    val = os.path.join(scratch, name, "validation")
    cal = os.path.join(scratch, name, "calibration")
    # Case files exactly as that run measured them (the other runs become repeats).
    run([sys.executable, os.path.join(HERE, "to_validation.py"), "--out", val, "--primary", name] +
        [a for r in runs for a in ("--run", f"{r}={os.path.join(RAW, r)}")])
    shutil.copyfile(os.path.join(ROOT, "traces", "validation", "known_misses.json"),
                    os.path.join(val, "known_misses.json"))
    os.makedirs(cal)
    for entry in os.listdir(SHIPPED):
        if entry != "host":
            os.symlink(os.path.join(SHIPPED, entry), os.path.join(cal, entry))
    hook = os.path.join(cal, "host", "zero3_hooks.json")
    run([sys.executable, os.path.join(HERE, "fit_host_costs.py"), "--case", os.path.join(val, FIT_CASE + ".json"),
         "--out", hook])
    per_hook_us = json.load(open(hook))["fit"]["host_us_per_hook"]
    rows = json.loads(run([binary, "validate", "--cases", val, "--json", "--set", f"run.calibration={cal}"]))["rows"]
    primaries = {f[:-5]: json.load(open(os.path.join(val, f)))["primary_run"] for f in os.listdir(val)
                 if f.endswith(".json") and f != "known_misses.json"}
    out = []
    for r in rows:
        if not r["case"].startswith("gem-") or primaries.get(r["case"]) != name:
            continue
        if not r["quantity"].endswith("iteration_time_s.median") and r["quantity"] != "mode_difference_s":
            continue
        out.append({k: r.get(k) for k in ("case", "role", "quantity", "measured", "simulated", "error_rel", "bound", "verdict")})
    return {"run": name, "fitted_on": f"{FIT_CASE} (run {name})", "host_us_per_hook": per_hook_us, "rows": out}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "gemini-sim"))
    ap.add_argument("--out", default=os.path.join(ROOT, "traces", "validation", "checks", "host_transfer.json"))
    a = ap.parse_args()
    runs = sorted(d for d in os.listdir(RAW) if os.path.isfile(os.path.join(RAW, d, "results.json")))
    with tempfile.TemporaryDirectory(prefix="gsim-host-transfer-") as scratch:
        machines = [machine_check(n, runs, os.path.abspath(a.bin), scratch) for n in runs]
    result = {"schema": "gemini-sim host-cost transfer check v1 (bench/reference/check_host_transfer.py)",
              "what": "per lent machine: the per-hook host cost fitted on its own gem-gpt-1.3b, and the simulated "
                      "against measured step times of that machine's other GEMINI-fork cases",
              "machines": machines}
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    for m in machines:
        print(f"{m['run']}: {m['host_us_per_hook']} us per hook")
        for r in m["rows"]:
            print(f"  {r['case']:18} {r['quantity']:42} {r['error_rel'] or 0:+.1%}  {r['verdict']}")


if __name__ == "__main__":
    main()
