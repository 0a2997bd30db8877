#!/usr/bin/env bash
# The default experiment runs, prints a readable summary, and is deterministic: the same config and
# seed give byte-identical summary.json files.
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" --config configs/p4d16.json >"$tmp/text"
grep -q "GPT-2 100B" "$tmp/text"
grep -q "checkpoint (fp32 weights + Adam m, v)  *9.40[0-9] GB" "$tmp/text"
"$bin" run --config configs/p4d16.json --out "$tmp/a" >/dev/null
"$bin" run --config configs/p4d16.json --out "$tmp/b" >/dev/null
cmp "$tmp/a/summary.json" "$tmp/b/summary.json"
"$bin" --config configs/p4d16.json --json >"$tmp/json"
/usr/bin/python3 - "$tmp/json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for key in ["parameters", "checkpoint_bytes_per_gpu", "config", "seed"]:
    assert key in doc, f"summary lacks {key}"
assert abs(doc["checkpoint_bytes_per_gpu"] / 1e9 - 9.40) < 0.01, doc["checkpoint_bytes_per_gpu"]
PY
# --help of every subcommand works and exits 0.
"$bin" --help >/dev/null
for sub in $("$bin" --help | awk '/^SUBCOMMANDS:/{on=1;next} on && NF {print $1}'); do
  "$bin" "$sub" --help >/dev/null
done
echo "default run ok, deterministic"
