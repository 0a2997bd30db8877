#!/usr/bin/env bash
# gemini-sim vs ASTRA-sim 2.x on the collective sequence of one GPT-2 100B ZeRO-3 iteration on 16 p4d
# (issue 13 item 5; docs/engine.md §9). Manual only: not run by CI, not needed by any test.
#
#   bash bench/reference/astra_compare.sh ASTRA_BUILD_DIR [OUT_DIR] [SPLITS]
#
# ASTRA_BUILD_DIR: ASTRA-sim's build/astra_analytical/build (holds bin/AstraSim_Analytical_Congestion_*),
# built outside this repository (docs/engine.md §9 says how). Needs build/gemini-sim and /usr/bin/time.
# SPLITS: ASTRA-sim's preferred-dataset-splits (chunks per collective), default 1.
set -euo pipefail
astra=${1:?usage: astra_compare.sh ASTRA_BUILD_DIR [OUT_DIR] [SPLITS]}
out=${2:-/tmp/astra-compare}
splits=${3:-1}
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
astra=$(cd "$astra" && pwd)

# gemini-sim: the shipped config without checkpoint traffic, analytic collectives; its timeline gives the
# collective sequence and summary.json the sum of their durations (communication_busy_s per iteration).
/usr/bin/time -v "$root/build/gemini-sim" run --config "$root/configs/p4d16.json" --set checkpoint.scheme=none \
  --out "$out/gemini" --timeline >"$out/gemini.log" 2>"$out/gemini.time"
# 2-D hierarchical (ASTRA-sim's native model of p4d; the congestion-aware backend takes 1-D only) and 1-D
# flat (gemini-sim's ring as a single switch dimension at the ring's bottleneck rate).
python3 "$root/bench/reference/astra_workload.py" --run "$out/gemini" --out "$out/hier" --splits "$splits"
python3 "$root/bench/reference/astra_workload.py" --run "$out/gemini" --out "$out/flat" --splits "$splits" --flat

run_astra() { # run_astra TOPOLOGY BACKEND
  local bin="$astra/bin/AstraSim_Analytical_Congestion_$2" in="$out/$1"
  [ -x "$bin" ] || { echo "no $bin: skipped"; return; }
  # ASTRA-sim writes log/log.log into its working directory: run it inside OUT.
  (cd "$out" && /usr/bin/time -v "$bin" --workload-configuration="$in/workload/coll" --system-configuration="$in/system.json" \
    --remote-memory-configuration="$in/remote_memory.json" --network-configuration="$in/network.yml" \
    >"$out/astra-$1-$2.log" 2>"$out/astra-$1-$2.time") || echo "ASTRA-sim $1 $2 failed: $out/astra-$1-$2.log"
}
run_astra hier Unaware
run_astra flat Unaware
run_astra flat Aware

python3 - "$out" <<'EOF'
import glob, json, os, re, sys
out = sys.argv[1]
def usage(f):
    t = open(f).read()
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", t)
    sec = (int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3)))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
    return sec, rss / 1024
s = json.load(open(os.path.join(out, "gemini", "summary.json")))
w, m = usage(os.path.join(out, "gemini.time"))
print(f"gemini-sim analytic: collectives {s['communication_busy_s']:.4f} s per iteration "
      f"(whole run incl. compute and failure stages: wall {w:.2f} s, peak RSS {m:.0f} MiB)")
for f in sorted(glob.glob(os.path.join(out, "astra-*.log"))):
    name = os.path.basename(f)[6:-4]  # TOPOLOGY-BACKEND
    cyc = [int(x) for x in re.findall(r"sys\[\d+\],? finished,? (\d+) cycles", open(f).read())]
    w, m = usage(f[:-4] + ".time")
    if cyc:
        print(f"ASTRA-sim {name}: {len(cyc)} NPUs, last finished {max(cyc) / 1e9:.4f} s "
              f"(wall {w:.2f} s, peak RSS {m:.0f} MiB)")
    else:
        print(f"ASTRA-sim {name}: no 'finished' line; see {f}")
EOF
