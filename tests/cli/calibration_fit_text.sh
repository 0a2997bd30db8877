#!/usr/bin/env bash
# `gemini-sim calibration` on the committed H200 measurements: a fit segment whose time does not grow with
# size (a 1-rank all-reduce moves nothing) is printed as flat, not as a fitted bandwidth of 3.65e10 GB/s;
# no segment anywhere claims more than 100 TB/s.
set -euo pipefail
bin="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin" calibration >"$tmp/cal"
grep -E '^all_reduce ranks=1 ' "$tmp/cal" | grep -q '1 KiB-256 KiB: [0-9.]* us, flat in size (no bandwidth term); '
if grep -Eq '[0-9]{6,}\.[0-9] GB/s' "$tmp/cal"; then
  echo "a bandwidth above 100 TB/s is printed:" >&2
  grep -E '[0-9]{6,}\.[0-9] GB/s' "$tmp/cal" >&2
  exit 1
fi
echo ok
