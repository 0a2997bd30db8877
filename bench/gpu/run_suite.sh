#!/usr/bin/env bash
# Builds ONLY the GPU microbenchmarks (bench/gpu) and runs every suite once, on the GPU machine, from the
# repository root:
#     bash bench/gpu/run_suite.sh [OUTDIR]          (OUTDIR defaults to $OUT)
# Writes OUTDIR/{gemm,memory,copy,nccl,interference,kernels}.json (Google Benchmark JSON, schema in
# traces/calibration/README.md), OUTDIR/machine.txt (nvidia-smi, nvcc, NCCL, host) and OUTDIR/run.log
# (build and console output): 8 files, the device tool's 8-file limit. kernels.json comes from
# bench/gpu/kernels_bench.py (PyTorch's attention, activation and norm kernels at the models' shapes), run with
# the machine's python3 on the model runs gsim_model_runs prints.
#
# Time: the whole script stops its suites before GSIM_SUITE_BUDGET_S seconds (default 530) so that it ends
# inside one 600 s device command; each suite also has its own cap. A suite cut short leaves
# <suite>.json.partial (not loadable) and the script exits 3.
#
# Environment knobs: GSIM_SUITES (the suites to run, in order; default "gemm memory copy nccl interference
# kernels"), GSIM_MIN_TIME (s of GPU time per repetition; default 0.05 for the ms-long GEMMs, 0.02
# for the other suites, whose small sizes cost ~10x their GPU time in host synchronisation), GSIM_REPETITIONS (5),
# GSIM_GPU_BUILD_DIR (default build-gpu-suite), GSIM_GPU_DEPS (a prefix made by bench/gpu/pack_deps.sh,
# default .device-carry/prefix; used only if CMake cannot find Google Benchmark / nlohmann / Eigen).
set -euo pipefail

start_s=$(date +%s)
out=${1:-${OUT:-}}
if [[ -z "$out" ]]; then
  echo "usage: bash bench/gpu/run_suite.sh OUTDIR   (or set OUT)" >&2
  exit 2
fi
[[ -f bench/gpu/CMakeLists.txt ]] || { echo "run_suite.sh: run from the repository root" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
log="$out/run.log"
: >"$log"
budget_s=${GSIM_SUITE_BUDGET_S:-530}
reps=${GSIM_REPETITIONS:-5}
build=${GSIM_GPU_BUILD_DIR:-build-gpu-suite}
deps=${GSIM_GPU_DEPS:-.device-carry/prefix}

# NVLink multicast off, always (device KINDS.md: NVLS can put a shared host's GPUs out of service).
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1

say() { echo "[run_suite $(($(date +%s) - start_s))s] $*" | tee -a "$log"; }

# ---- toolchain ---------------------------------------------------------------------------------------------
if ! command -v nvcc >/dev/null && [[ -x /usr/local/cuda/bin/nvcc ]]; then
  export PATH=/usr/local/cuda/bin:$PATH
fi
export CUDACXX=${CUDACXX:-$(command -v nvcc || true)}
generator=Ninja
command -v ninja >/dev/null || generator="Unix Makefiles"

# NCCL: CMake's default places (/usr/local/cuda, /usr) first, else the pip wheel PyTorch uses.
nccl_args=()
if [[ ! -f /usr/local/cuda/include/nccl.h && ! -f /usr/include/nccl.h ]]; then
  nccl_h=$(find /opt /usr/local/lib /usr/lib/python3* -name nccl.h -path '*nvidia*' 2>/dev/null | head -1 || true)
  if [[ -n "$nccl_h" ]]; then
    nccl_root=$(dirname "$(dirname "$nccl_h")")
    nccl_lib=$(ls "$nccl_root"/lib/libnccl.so* 2>/dev/null | head -1 || true)
    nccl_args=(-DNCCL_INCLUDE_DIR="$nccl_root/include" -DNCCL_LIBRARY="$nccl_lib")
  fi
fi

# ---- machine.txt -------------------------------------------------------------------------------------------
{
  echo "# gemini-sim GPU microbenchmarks: machine description"
  echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(hostname)  kernel: $(uname -r)  cpus: $(nproc)"
  echo "repo_commit: $(git rev-parse --verify -q HEAD 2>/dev/null || echo "unknown (no .git here)")"
  echo "NCCL_NVLS_ENABLE=$NCCL_NVLS_ENABLE  min_time=${GSIM_MIN_TIME:-0.05 gemm, 0.02 others}  repetitions=$reps"
  echo "nccl: ${nccl_args[*]:-found by CMake in /usr/local/cuda or /usr}"
  echo; echo "## nvcc --version"; nvcc --version 2>&1 || echo "nvcc: not found"
  echo; echo "## g++ --version"; g++ --version 2>&1 | head -1 || true
  echo; echo "## cmake --version"; cmake --version 2>&1 | head -1 || true
  echo; echo "## nvidia-smi"; nvidia-smi 2>&1 || true
  echo; echo "## nvidia-smi topo -m"; nvidia-smi topo -m 2>&1 || true
  echo; echo "## nvidia-smi -q (header and first GPU)"; nvidia-smi -q 2>&1 | head -n 60 || true
} >"$out/machine.txt"
say "machine: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | tr '\n' ';' || echo 'no nvidia-smi')"

# ---- build -------------------------------------------------------------------------------------------------
configure() {
  cmake -S . -B "$build" -G "$generator" -DGSIM_GPU_ONLY=ON -DGSIM_TESTS=OFF -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CUDA_ARCHITECTURES=90 "${nccl_args[@]}" "$@" >>"$log" 2>&1
}
say "configuring $build ($generator)"
if ! configure; then
  if [[ -d "$deps" ]]; then
    say "configure failed; retrying with the carried dependencies in $deps"
    rm -rf "$build"
    d=$(cd "$deps" && pwd)
    configure -Dbenchmark_DIR="$d/lib/x86_64-linux-gnu/cmake/benchmark" \
      -Dnlohmann_json_DIR="$d/share/cmake/nlohmann_json" -DEigen3_DIR="$d/share/eigen3/cmake" ||
      { say "configure failed again (see run.log)"; tail -n 30 "$log"; exit 1; }
  else
    say "configure failed (see run.log; carry $deps made by bench/gpu/pack_deps.sh if a library is missing)"
    tail -n 30 "$log"
    exit 1
  fi
fi
if ! grep -qs gpu_benches "$build/build.ninja" "$build/Makefile"; then
  say "CMake skipped bench/gpu (no CUDA compiler or no NCCL found; see run.log)"
  grep -i "gemini-sim:" "$log" || true
  exit 1
fi
say "building gpu_benches on $(nproc) cores"
if ! cmake --build "$build" --target gpu_benches -j "$(nproc)" >>"$log" 2>&1; then
  say "build failed (see run.log)"
  tail -n 40 "$log"
  exit 1
fi
say "build done"

# ---- run ---------------------------------------------------------------------------------------------------
# Google Benchmark 1.7 takes --benchmark_min_time=0.05, 1.8+ wants 0.05s (and warns without the unit).
bin="$build/bench/gpu"
unit=""
if "$bin/memory_bench" --benchmark_min_time=0.05s --benchmark_list_tests >/dev/null 2>&1; then
  unit=s
fi

status=0
declare -A caps min_times
run_suite() { # name, cap in seconds, min_time in seconds
  local name=$1 cap=$2 min_time=${GSIM_MIN_TIME:-$3} left
  left=$((budget_s - ($(date +%s) - start_s)))
  ((cap < left)) || cap=$left
  if ((cap < 10)); then
    say "$name: skipped, the time budget is spent"
    status=3
    return
  fi
  say "$name: running (at most ${cap}s)"
  local json="$out/$name.json" rc=0
  timeout --kill-after=10 "$cap" "$bin/${name}_bench" --benchmark_repetitions="$reps" \
    --benchmark_min_time="$min_time$unit" --benchmark_display_aggregates_only=true \
    --benchmark_out="$json" --benchmark_out_format=json >>"$log" 2>&1 || rc=$?
  local skipped
  skipped=$(grep -c '"error_occurred": true' "$json" 2>/dev/null || true)
  skipped=${skipped:-0}
  if ((rc != 0)); then
    mv -f "$json" "$json.partial" 2>/dev/null || true
    say "$name: FAILED or cut short (exit $rc): $json.partial is not loadable"
    status=3
  else
    local runs
    runs=$(grep -c '"run_type": "iteration"' "$json" || true)
    say "$name: done, $((runs - skipped)) timed runs, $skipped skipped with a reason"
  fi
}
run_kernels() { # the PyTorch suite: its own budget inside the cap; it rewrites its JSON after every entry
  local cap=$1 left
  left=$((budget_s - ($(date +%s) - start_s)))
  ((cap < left)) || cap=$left
  if ((cap < 30)); then
    say "kernels: skipped, the time budget is spent"
    status=3
    return
  fi
  local py=${GSIM_PYTHON:-python3} runs="$build/model_runs.json" rc=0
  rm -f "$out/kernels.json" "$out/kernels.json.partial"
  if ! "$bin/gsim_model_runs" "$PWD" >"$runs" 2>>"$log"; then
    say "kernels: gsim_model_runs failed (see run.log)"
    status=3
    return
  fi
  say "kernels: running $py bench/gpu/kernels_bench.py (at most ${cap}s)"
  PYTHONUNBUFFERED=1 timeout --kill-after=10 "$cap" "$py" bench/gpu/kernels_bench.py --runs "$runs" \
    --out "$out/kernels.json" --budget-s $((cap - 25)) --repetitions "$reps" \
    --min-time "${GSIM_MIN_TIME:-0.02}" >>"$log" 2>&1 || rc=$?
  if ((rc != 0)); then
    status=3
    if "$py" -c "import json,sys; json.load(open(sys.argv[1]))" "$out/kernels.json" 2>/dev/null; then
      say "kernels: cut short or incomplete (exit $rc); kernels.json holds the entries finished (the rest skipped)"
    else
      mv -f "$out/kernels.json" "$out/kernels.json.partial" 2>/dev/null || true
      say "kernels: FAILED (exit $rc): no loadable kernels.json"
    fi
  else
    say "kernels: done, $(grep -c '"run_type": "iteration"' "$out/kernels.json" || true) timed runs or skips"
  fi
}

caps=([gemm]=240 [memory]=80 [copy]=110 [nccl]=110 [interference]=60 [kernels]=240)
min_times=([gemm]=0.05 [memory]=0.02 [copy]=0.02 [nccl]=0.02 [interference]=0.05)
for suite in ${GSIM_SUITES:-gemm memory copy nccl interference kernels}; do
  case $suite in
  kernels) run_kernels "${caps[kernels]}" ;;
  gemm | memory | copy | nccl | interference) run_suite "$suite" "${caps[$suite]}" "${min_times[$suite]}" ;;
  *)
    say "unknown suite '$suite' in GSIM_SUITES"
    status=3
    ;;
  esac
done

say "finished (status $status): $(ls "$out" | tr '\n' ' ')"
grep -h -o '"error_message": "[^"]*"' "$out"/*.json 2>/dev/null | sort | uniq -c | tee -a "$log" || true
exit $status
