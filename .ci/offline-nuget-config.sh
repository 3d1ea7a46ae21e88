#!/usr/bin/env bash
# Prints a NuGet.config whose only sources are the folder FEED (the packed SphereFace packages) and NuGet's global
# package folder, so an app restored with it uses nothing from a remote feed (.ci/package-consumer.sh, .ci/web-verify.sh).
# Usage: .ci/offline-nuget-config.sh FEED > NuGet.config
set -euo pipefail
cat <<XML
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$1" />
    <add key="global-folder" value="$HOME/.nuget/packages" />
  </packageSources>
</configuration>
XML
