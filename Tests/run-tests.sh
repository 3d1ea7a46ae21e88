#!/usr/bin/env bash
# Runs the MSTest suite (called by `./sphereface test`, which installs the Debian packages first).
# Extra arguments go to the test host, e.g. --filter "FullyQualifiedName~Alignment".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log="$(mktemp)"
set +e
dotnet test --project Tests/SphereFace.Tests.csproj -c Release --no-progress "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# One plain closing line for log readers: "N passed, N failed".
passed=$(grep -oE '^ *succeeded: *[0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)
failed=$(grep -oE '^ *failed: *[0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)
skipped=$(grep -oE '^ *skipped: *[0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)
rm -f "$log"
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
exit $rc
