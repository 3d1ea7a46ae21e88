#!/usr/bin/env bash
# Packs the libraries into a local folder and builds a fresh console app outside the repository from those packages
# (plus the packages already in NuGet's global folder, offline), with no cmake or g++ on its PATH; runs it on a model
# and photos; and checks that its output holds none of the training-side, plotting or benchmark parts.
# Usage: .ci/package-consumer.sh MODEL IMAGE_ROOT LANDMARKS PHOTO_A PHOTO_B (two real photos, verified without landmarks)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="$(realpath "$1")" images="$(realpath "$2")" landmarks="$(realpath "$3")" photo_a="$(realpath "$4")" photo_b="$(realpath "$5")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
version="$(sed -n 's|.*<Version>\(.*\)</Version>.*|\1|p' "$repo/Directory.Build.props" | head -1)"

for p in Models Alignment Detection Inference Extensions Graphs Training; do
  dotnet pack "$repo/$p/SphereFace.$p.csproj" -c Release -o "$work/feed" -nologo -clp:ErrorsOnly >/dev/null
done
ls "$work/feed"
entries() { /usr/bin/python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1"; }
for p in Models Alignment Detection Inference Extensions; do
  entries "$work/feed/SphereFace.$p.$version.nupkg" | grep -qx "README.md" || { echo "SphereFace.$p: no readme in the package" >&2; exit 1; }
done
for f in NOTICE LICENSE-Apache-2.0.txt; do
  entries "$work/feed/SphereFace.Detection.$version.nupkg" | grep -qx "$f" || { echo "SphereFace.Detection: no $f in the package" >&2; exit 1; }
done
for lib in libsphereface_dnnl.so libsphereface_margin.so; do
  entries "$work/feed/SphereFace.Models.$version.nupkg" | grep -qx "runtimes/linux-x64/native/$lib" \
    || { echo "SphereFace.Models: $lib not under runtimes/linux-x64/native/" >&2; exit 1; }
done
# The MPI shim (needs libmpi.so.40) belongs to training only.
for p in Models Alignment Detection Inference Extensions; do
  ! entries "$work/feed/SphereFace.$p.$version.nupkg" | grep -q "libsphereface_mpi.so" || { echo "SphereFace.$p ships the MPI shim" >&2; exit 1; }
done
entries "$work/feed/SphereFace.Training.$version.nupkg" | grep -qx "runtimes/linux-x64/native/libsphereface_mpi.so" \
  || { echo "SphereFace.Training: libsphereface_mpi.so not under runtimes/linux-x64/native/" >&2; exit 1; }

mkdir -p "$work/app" "$work/bin"
cp "$repo/Clients/PackageConsumer/PackageConsumer.csproj" "$repo/Clients/PackageConsumer/Program.cs" "$work/app/"
bash "$repo/.ci/offline-nuget-config.sh" "$work/feed" > "$work/app/NuGet.config"
# A PATH with dotnet and the basic tools only: the consumer's build must not need cmake or a C++ compiler.
ln -s "$(command -v dotnet)" "$work/bin/dotnet"
for t in sh bash uname cat ls rm mkdir sed grep; do ln -s "$(command -v $t)" "$work/bin/$t"; done
cd "$work/app"
PATH="$work/bin" dotnet build -c Release -o "$work/out" -nologo -clp:ErrorsOnly -p:SphereFaceVersion="$version" \
  --packages "$work/packages" >/dev/null
dotnet "$work/out/PackageConsumer.dll" "$model" "$images" "$landmarks" "$photo_a" "$photo_b"

bad="$(cd "$work/out" && find . \( -iname '*skia*' -o -iname '*harfbuzz*' -o -iname 'ScottPlot*' -o -name 'SphereFace.Graphs.dll' \
  -o -name 'SphereFace.Training.dll' -o -name 'SphereFace.Benchmarks.dll' -o -name 'SphereFace.Reporting.dll' -o -name '*.py' \) -print)"
[ -z "$bad" ] || { echo "the consumer's output holds parts it should not: $bad" >&2; exit 1; }
echo "package consumer: $(du -sh "$work/out" | cut -f1) output, no plotting, graph-building, training or benchmark parts: ok"

# The web service sample from the same packages: a synthetic face with its landmarks, and the two real photos.
read -r face marks < <(awk 'NF == 11 { printf "%s %s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11; exit }' "$landmarks")
bash "$repo/.ci/web-verify.sh" "$work/feed" "$version" "$model" "$photo_a" "$photo_b" "$images/$face" "$marks"
