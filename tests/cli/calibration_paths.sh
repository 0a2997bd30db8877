#!/usr/bin/env bash
# run.calibration and the per-cluster network sources (docs/engine.md "Calibration and network sources"):
# results carry no absolute path of the checkout, the default calibration is found from the experiment
# file, a relative run.calibration resolves against it, a bad one is one line with exit 2, and each cluster
# prices its network from the file it names.
set -euo pipefail
bin=$(realpath "$1")
repo=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cfg=configs/bert5b-p3dn4.json

# From the checkout, and with an absolute --config from another directory: no checkout path anywhere.
"$bin" run --config $cfg --out "$tmp/rel" >"$tmp/rel.txt"
(cd "$tmp" && "$bin" run --config "$repo/$cfg" --out "$tmp/abs" >"$tmp/abs.txt")
for f in "$tmp/rel/summary.json" "$tmp/rel.txt" "$tmp/abs/summary.json" "$tmp/abs.txt"; do
  if grep -F -q "$repo" "$f"; then
    echo "absolute checkout path in $f:"; grep -F -n "$repo" "$f" | head -3; exit 1
  fi
done
cmp "$tmp/rel/summary.json" "$tmp/abs/summary.json"
/usr/bin/python3 - "$tmp/rel/summary.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["config"]
assert c["run"]["calibration"] == "../traces/calibration/h200", c["run"]
# defaults applied in code are echoed
for sec, key in [("training", "framework"), ("training", "attention"), ("checkpoint", "profile_warmup_lines"),
                 ("failures", "model"), ("failures", "correlated_fraction"), ("model", "tie_embeddings")]:
    assert key in c[sec], (sec, key)
assert d["plan_copy_source"] == "calibration traces/calibration/h200", d["plan_copy_source"]
assert c["cluster"]["nic"]["efficiency_file"].endswith("published/efa-p3dn.json")
PY

# A relative run.calibration resolves against the experiment file, not the working directory.
(cd "$tmp" && "$bin" run --config "$repo/$cfg" --set run.calibration=../tests/data/calibration/h200 --json) >"$tmp/fix.json"
grep -q '"plan_copy_source":"calibration tests/data/calibration/h200"' "$tmp/fix.json" ||
  { echo "run.calibration not used: $(grep -o '"plan_copy_source":"[^"]*"' "$tmp/fix.json")"; exit 1; }

# A directory that does not exist: exit 2, one line naming the key.
set +e
"$bin" run --config $cfg --set run.calibration=no/such/dir >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ "$rc" = 2 ] || { echo "exit $rc for a missing run.calibration"; exit 1; }
[ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "run.calibration" "$tmp/err" || { cat "$tmp/err"; exit 1; }

# The network is priced from the cluster's own file: half the efficiency, half the checkpoint bandwidth.
/usr/bin/python3 - "$repo/traces/calibration/published/efa.json" "$tmp/efa-half.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); j["efficiency"] /= 2
json.dump(j, open(sys.argv[2], "w"))
PY
"$bin" run --config $cfg --json >"$tmp/full.json"
"$bin" run --config $cfg --set cluster.nic.efficiency_file="$tmp/efa-half.json" --json >"$tmp/half.json"
/usr/bin/python3 - "$tmp/full.json" "$tmp/half.json" <<'PY'
import json, sys
a, b = (json.load(open(f))["plan_bandwidth_Bps"] for f in sys.argv[1:])
assert abs(b / a - 0.5) < 1e-9, (a, b)
PY

# A cluster with NICs must name its network source.
/usr/bin/python3 - "$repo/configs/clusters/p3dn.json" "$tmp/p3dn-nosource.json" "$repo/traces/calibration/published" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
del j["nic"]["efficiency_file"]
j["intra_node"]["efficiency_file"] = sys.argv[3] + "/nvlink.json"
json.dump(j, open(sys.argv[2], "w"))
PY
set +e
"$bin" run --config $cfg --set cluster="$tmp/p3dn-nosource.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "nic.efficiency_file" "$tmp/err" || { echo "exit $rc:"; cat "$tmp/err"; exit 1; }
echo "calibration paths ok"
