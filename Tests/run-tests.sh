#!/usr/bin/env bash
# Runs the MSTest suite (called by `./sphereface test`, which installs the Debian packages first).
# Each test's result is printed as it ends (--output Detailed, one line for a passed test, the details of a failed
# one), so a long run shows its progress.
# Extra arguments go to the test host, e.g. --filter "FullyQualifiedName~Alignment".
# On a CPU with AVX-512 the kernel tests (category KernelPaths) run a second time with oneDNN capped at AVX2
# (ONEDNN_MAX_CPU_ISA=AVX2): the nChw8c layout and the plugin's own Winograd that AVX2 machines run, tested here too
# (not when the caller capped the instruction set already).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
count() { grep -oE "^ *$1: *[0-9]+" "$log" | grep -oE '[0-9]+' | tail -1; }
# Keeps a passed test's line and drops the output it captured; everything else (failures, summary) stays.
results() { awk '/^passed / { print; quiet = 1; next } /^(failed|skipped) |^Test run summary|^Running tests|^[^ ]/ { quiet = 0 } !quiet { print; fflush() }'; }
set +e
dotnet test --project Tests/SphereFace.Tests.csproj -c Release --no-progress --output Detailed "$@" 2>&1 | results | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# One plain closing line for log readers: "N passed, N failed".
passed=$(count succeeded) failed=$(count failed) skipped=$(count skipped)
if [ $# -eq 0 ] && [ -z "${ONEDNN_MAX_CPU_ISA:-}" ] && grep -qw avx512f /proc/cpuinfo; then
  echo "sphereface: the kernel tests again with oneDNN capped at AVX2 (ONEDNN_MAX_CPU_ISA=AVX2)"
  set +e
  ONEDNN_MAX_CPU_ISA=AVX2 dotnet test --project Tests/SphereFace.Tests.csproj -c Release --no-build --no-progress --output Detailed --filter "TestCategory=KernelPaths" 2>&1 | results | tee "$log"
  rc2=${PIPESTATUS[0]}
  set -e
  [ "$rc" -ne 0 ] || rc=$rc2
  passed=$(( ${passed:-0} + $(count succeeded || echo 0) )) failed=$(( ${failed:-0} + $(count failed || echo 0) ))
fi
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
exit $rc
