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

# Issue 11's reproducers (the input contract under fuzzing).
printf '{"instances": 1e400}' >"$tmp/huge.json"
mkfifo "$tmp/fifo.json"
ln -s "$tmp/loop.json" "$tmp/loop.json"
long=$(printf 'x%.0s' $(seq 300))
mkdir -p "$tmp/ro" && chmod a-w "$tmp/ro"
sed 's#"clusters/[^"]*"#""#' configs/p4d16.json >"$tmp/emptycluster.json"
sed "s#\"clusters/[^\"]*\"#\"$PWD/configs/clusters\"#" configs/p4d16.json >"$tmp/dircluster.json"
deep=$(head -c 100000 /dev/zero | tr '\0' '[')
printf '{"description": "x", "deep": %s' "$deep" >"$tmp/deep.json"
head -c 100000 /dev/zero | tr '\0' ']' >>"$tmp/deep.json"
echo '}' >>"$tmp/deep.json"
expect_error "huge.json: (syntax): not valid JSON" --config "$tmp/huge.json" "${out[@]}"
expect_error "deep.json: (syntax): nested deeper than 64 levels" --config "$tmp/deep.json" "${out[@]}"
expect_error "fifo.json: --config: is a FIFO" --config "$tmp/fifo.json" "${out[@]}"
expect_error "loop.json: --config: cannot be read" --config "$tmp/loop.json" "${out[@]}"
expect_error "--config: cannot be read: File name too long\|--config: file does not exist" --config "$tmp/$long.json" "${out[@]}"
expect_error "emptycluster.json: cluster: an empty path names no file" --config "$tmp/emptycluster.json" "${out[@]}"
expect_error "dircluster.json: cluster: file .*clusters: is a directory" --config "$tmp/dircluster.json" "${out[@]}"
expect_error "(--set): cluster.nic.bandwidth_Gbps: must be at least 0.001 when count > 0" --config configs/p4d16.json --set cluster.nic.bandwidth_Gbps=0 "${out[@]}"
expect_error "cluster.nic.count: 12 NICs above the 8 GPUs must be a multiple" --config configs/p4d16.json --set cluster.nic.count=12 "${out[@]}"
expect_error "run.seed: must be in \[0, 9223372036854775807\]" --config configs/p4d16.json --set run.seed=9223372036854775808 "${out[@]}"
expect_error "\-\-set: description: the value is not valid UTF-8" --config configs/p4d16.json --set "description=$(printf 'a\xff')" "${out[@]}"
expect_error "\-\-set: (empty): an empty --set names no key" --config configs/p4d16.json --set '' "${out[@]}"
expect_error "\-\-out: \"\": an empty directory name" --config configs/p4d16.json --out ""
expect_error "/dev/null: --idle-profile: is a character device" --config configs/p4d16.json --idle-profile /dev/null "${out[@]}"
expect_error "training.precision: fp32 is not simulated" --config configs/p4d16.json --set training.precision=fp32 "${out[@]}"
expect_error "checkpoint.gpu_buffer_MiB: sub-buffers of .* at most 4096 in run.collectives hierarchical" --config configs/p4d16.json --set checkpoint.gpu_buffer_MiB=0.001 "${out[@]}"
expect_error "checkpoint.sub_buffers: must be in \[1, 1024\]" --config configs/p4d16.json --set checkpoint.sub_buffers=65536 "${out[@]}"
expect_error "training.gradient_accumulation_steps: must be in \[1, 48\]" --config configs/p4d16.json --set training.gradient_accumulation_steps=1048576 "${out[@]}"
expect_error "checkpoint.profile_iterations: must be in \[1, 32\]" --config configs/p4d16.json --set checkpoint.profile_iterations=1048576 "${out[@]}"
expect_error "run.iterations: must be in \[1, 32\]" --config configs/p4d16.json --set run.iterations=1048576 "${out[@]}"
if [ "$(id -u)" -ne 0 ]; then # root writes into a read-only directory anyway
  expect_error "ro/summary.json: --out: cannot write the file" --config configs/p4d16.json --out "$tmp/ro"
fi
if [ -w /dev/full ]; then # a full disk: /dev/full's directory cannot take the temporary file either
  expect_error "cannot create the directory" --config configs/p4d16.json --out /dev/full/res
fi
mkdir -p "$tmp/blocked/summary.json" # as root too: the final rename fails, and its temporary file goes
expect_error "blocked/summary.json: --out: cannot write the file" --config configs/p4d16.json --out "$tmp/blocked"
[ -n "$(find "$tmp/ro" "$tmp/blocked" -name '*.tmp.*')" ] && { echo "FAIL: a partial .tmp file was left in --out"; fails=$((fails + 1)); }

# Accepted inputs that used to crash or run as something else: they simulate, exactly as given.
expect_run() { # expect_run "jq-ish grep pattern" args...
  local pattern=$1
  shift
  if ! "$bin" "$@" --json >"$tmp/out" 2>"$tmp/err" || ! grep -q -- "$pattern" "$tmp/out"; then
    echo "FAIL: gemini-sim $* -> $(head -c 300 "$tmp/err")"
    fails=$((fails + 1))
  else
    echo "ok: runs: $*"
  fi
}
expect_run '"seed":9007199254740993' --config configs/p4d16.json --set run.seed=9007199254740993 --set checkpoint.scheme=none
expect_run '"instances":16' --config configs/p4d16.json --set cluster.nic.count=16
expect_run '"gpus_per_instance":1' --config configs/p4d16.json --set cluster.gpus_per_instance=1 --set cluster.pcie.gpus_per_switch=1 --set model=models/gpt2-10b.json
expect_run '"name":"p5.48xlarge"' --config configs/p4d16.json --set cluster=clusters/p5.json

[ $fails -eq 0 ] || { echo "$fails bad-input case(s) misbehaved"; exit 1; }
