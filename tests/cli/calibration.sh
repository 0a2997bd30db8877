#!/usr/bin/env bash
# `gemini-sim calibration` on the synthetic fixture: the fit table holds the bar, the transfer prints,
# and a bad directory is one line on stderr with exit status 2.
set -euo pipefail
bin="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin" calibration --dir tests/data/calibration/h200 --target configs/clusters/p4d.json --markdown >"$tmp/out.md"
grep -q '^| copy_d2h_pageable | copies.json | 14 (5) | .*; .* | .* | yes |$' "$tmp/out.md"  # two segments, within 5 %
if grep -q '| NO |' "$tmp/out.md"; then echo "a fixture series misses the 5 % bar"; exit 1; fi
grep -q 'scaled by A100-SXM4-40GB (configs/clusters/p4d.json) fp16 312 TFLOPS' "$tmp/out.md"
grep -q 'network: efficiency 0.85' "$tmp/out.md"

"$bin" calibration --dir tests/data/calibration/h200 --target configs/clusters/p3dn.json >"$tmp/out.txt"
grep -q 'V100-SXM2-32GB has no bf16' "$tmp/out.txt"

set +e
"$bin" calibration --dir "$tmp/nothing-here" >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "expected exit 2, got $rc"; exit 1; }
[ "$(wc -l <"$tmp/stderr")" -eq 1 ] || { cat "$tmp/stderr"; exit 1; }
grep -q 'nothing-here' "$tmp/stderr"
[ ! -s "$tmp/stdout" ]
echo ok
