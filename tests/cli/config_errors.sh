#!/usr/bin/env bash
# Every kind of bad input exits 2 with exactly one line on stderr naming the file, the key and the
# problem, writes nothing to stdout, and leaves no partial result behind.
set -uo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

expect_error() { # expect_error "pattern" args...
  local pattern=$1
  shift
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  local lines
  lines=$(wc -l <"$tmp/err")
  if [ $rc -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -q -- "$pattern" "$tmp/err" || [ -s "$tmp/out" ] ||
    [ -e "$tmp/res/summary.json" ]; then
    echo "FAIL: gemini-sim $* -> rc=$rc, stderr ($lines lines): $(cat "$tmp/err"); stdout: $(head -c 200 "$tmp/out")"
    fails=$((fails + 1))
  else
    echo "ok: $(cat "$tmp/err")"
  fi
}

printf '{"instances": 16,' >"$tmp/broken.json"
# Copies of the default experiment outside configs/ name its cluster and model by absolute path.
sed -e "s#\"clusters/#\"$PWD/configs/clusters/#" -e "s#\"models/#\"$PWD/configs/models/#" configs/p4d16.json >"$tmp/base.json"
sed 's#gpt2-100b.json#missing.json#' "$tmp/base.json" >"$tmp/nomodel.json"
sed 's#"instances": 16#"instance": 16#' "$tmp/base.json" >"$tmp/typo.json"

out=(--out "$tmp/res")
expect_error "configs/p4d16.json (--set): checkpoint.shceme: unknown key" --config configs/p4d16.json --set checkpoint.shceme=none "${out[@]}"
expect_error "typo.json: instances: missing key (is \"instance\" a misspelling of it?)" --config "$tmp/typo.json" "${out[@]}"
expect_error "instances: must be an integer" --config configs/p4d16.json --set instances=sixteen "${out[@]}"
expect_error "checkpoint.mu: must be in" --config configs/p4d16.json --set checkpoint.mu=2 "${out[@]}"
expect_error "checkpoint.replicas: m = 20 exceeds the 16 instances" --config configs/p4d16.json --set checkpoint.replicas=20 "${out[@]}"
expect_error "checkpoint.gpu_buffer_MiB: the buffer does not fit" --config configs/p4d16.json --set checkpoint.gpu_buffer_MiB=60000 "${out[@]}"
expect_error "failures.simultaneous: k = 17 exceeds" --config configs/p4d16.json --set failures.simultaneous=17 "${out[@]}"
expect_error "checkpoint.placement: group placement needs replicas to divide instances" --config configs/p4d16.json --set checkpoint.replicas=3 --set checkpoint.placement=group "${out[@]}"
expect_error "checkpoint.scheme: must be one of none, blocking, naive, no_pipeline, gemini" --config configs/p4d16.json --set checkpoint.scheme=fast "${out[@]}"
expect_error "nomodel.json: model: file .*missing.json does not exist" --config "$tmp/nomodel.json" "${out[@]}"
expect_error "broken.json: (syntax): not valid JSON" --config "$tmp/broken.json" "${out[@]}"
expect_error "nothere.json: --config: file does not exist" --config "$tmp/nothere.json" "${out[@]}"
expect_error "training.sequence_length: exceeds the model's max_positions" --config configs/p4d16.json --set training.sequence_length=4096 "${out[@]}"
expect_error "nic.count: the cluster has no NIC" --config configs/p4d16.json --set cluster=clusters/h200.json "${out[@]}"
expect_error "expected key=value" --config configs/p4d16.json --set oops "${out[@]}"
expect_error "The following argument was not expected: --frobnicate\|--frobnicate" --config configs/p4d16.json --frobnicate "${out[@]}"
expect_error "figure: 99: no such figure" figure 99 --out "$tmp/figs"

[ $fails -eq 0 ] || { echo "$fails bad-input case(s) misbehaved"; exit 1; }
