#!/usr/bin/env bash
# Copies this (Debian 12, x86-64) machine's Google Benchmark 1.7.1, nlohmann/json and Eigen 3.4 -- headers,
# library and CMake package files, same layout -- into a prefix that can travel to the GPU machine with the
# device tool's `carry`, for the case where that machine lacks them. run_suite.sh uses it only when CMake
# cannot find the machine's own. Usage, from the repository root (the default prefix is git-ignored):
#     bash bench/gpu/pack_deps.sh [PREFIX]      # default .device-carry/prefix (about 12 MB)
set -euo pipefail
prefix=${1:-.device-carry/prefix}
arch=x86_64-linux-gnu
mkdir -p "$prefix/include" "$prefix/lib/$arch/cmake" "$prefix/share/cmake" "$prefix/share/eigen3"
cp -rL /usr/include/benchmark /usr/include/nlohmann /usr/include/eigen3 "$prefix/include/"
cp -L /usr/lib/$arch/libbenchmark.so.1.7.1 /usr/lib/$arch/libbenchmark_main.a "$prefix/lib/$arch/"
cp -rL /usr/lib/$arch/cmake/benchmark "$prefix/lib/$arch/cmake/"
cp -rL /usr/share/cmake/nlohmann_json "$prefix/share/cmake/"
cp -rL /usr/share/eigen3/cmake "$prefix/share/eigen3/"
du -sh "$prefix"
