#!/usr/bin/env bash
# The command line around a run: bare `gemini-sim` points somewhere (exit 2, one line), --help names the
# program, --print-config prints the resolved config (overrides and defaults included) and runs nothing,
# and `cmake --install` puts a binary and its data where the installed binary runs from another directory.
set -euo pipefail
bin=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

set +e
"$bin" >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
test $rc -eq 2 || { echo "bare gemini-sim: exit $rc, want 2" >&2; exit 1; }
test "$(wc -l <"$tmp/err")" -eq 1 && grep -q -- "--config" "$tmp/err" && test ! -s "$tmp/out"

"$bin" --help | grep -q "^Usage: gemini-sim "

"$bin" --config configs/p4d16.json --set instances=24 --set checkpoint.mu=0.7 --print-config --out "$tmp/never" >"$tmp/cfg.json"
test ! -e "$tmp/never" # printing the config runs nothing
/usr/bin/python3 - "$tmp/cfg.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
assert c["instances"] == 24, c["instances"]
assert abs(c["checkpoint"]["mu"] - 0.7) < 1e-12, c["checkpoint"]
assert "cluster" in c and "model" in c, sorted(c)
PY

build=$(dirname "$bin")
if test -f "$build/cmake_install.cmake"; then
  cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
  (cd "$tmp" && "$tmp/prefix/bin/gemini-sim" --config "$tmp/prefix/share/gemini-sim/configs/p4d16.json" \
    --set checkpoint.scheme=none --set run.days=0.01 --json >"$tmp/installed.json")
  /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['iteration_time_s'] > 0, d" \
    "$tmp/installed.json"
fi
echo "cli basics ok"
