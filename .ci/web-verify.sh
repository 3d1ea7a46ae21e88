#!/usr/bin/env bash
# Builds Clients/WebVerify outside the repository from the packed packages (FEED, plus NuGet's global folder, offline),
# publishes it for linux-x64, starts it on loopback and sends it real requests (.ci/web-verify-check.py): health and
# readiness, /verify and /embed with and without landmarks, the 400 and 422 answers, 8 concurrent requests; then stops it.
# Usage: .ci/web-verify.sh FEED VERSION MODEL PHOTO_A PHOTO_B FACE LANDMARKS_OF_FACE
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
feed="$(realpath "$1")" version="$2" model="$(realpath "$3")"
work="$(mktemp -d)"
server=""
cleanup() { [ -z "$server" ] || kill "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/app"
cp "$repo/Clients/WebVerify/WebVerify.csproj" "$repo/Clients/WebVerify/Program.cs" "$repo/Clients/WebVerify/appsettings.json" "$work/app/"
bash "$repo/.ci/offline-nuget-config.sh" "$feed" > "$work/app/NuGet.config"
cd "$work/app"
dotnet publish -c Release -o "$work/out" -nologo -clp:ErrorsOnly -p:SphereFaceVersion="$version" --packages "$work/packages" >/dev/null
echo "WebVerify publish (linux-x64, framework-dependent): $(du -sh "$work/out" | cut -f1)"
[ -z "$(find "$work/out" -name 'libsphereface_mpi.so' -o -name 'onnxruntime.dll')" ] || { echo "the publish holds the MPI shim or Windows natives" >&2; exit 1; }

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start=$(date +%s.%N)
SphereFace__Model="$model" ASPNETCORE_URLS="http://127.0.0.1:$port" dotnet "$work/out/WebVerify.dll" > "$work/server.log" 2>&1 &
server=$!
/usr/bin/python3 "$repo/.ci/web-verify-check.py" "http://127.0.0.1:$port" "$start" "${@:4}" || { cat "$work/server.log" >&2; exit 1; }
kill "$server"
wait "$server" 2>/dev/null || true
server=""
echo "WebVerify: ok"
