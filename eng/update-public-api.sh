#!/usr/bin/env bash
# Regenerates src/*/PublicAPI.Unshipped.txt from the analyzer's RS0016 report (the declared API must match the code).
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/FogPlacement src/FogPlacement.Aggregation src/FogPlacement.Orleans; do
  dotnet build "$project" --no-incremental -p:TreatWarningsAsErrors=false 2>&1 \
    | grep -oP "RS0016: Symbol '\K.*(?=' is not part of the declared public API)" \
    | sort -u > /tmp/publicapi.new || true
  { echo '#nullable enable'; { grep -v '^#nullable' "$project/PublicAPI.Unshipped.txt" || true; cat /tmp/publicapi.new; } | sort -u; } > /tmp/publicapi.merged
  mv /tmp/publicapi.merged "$project/PublicAPI.Unshipped.txt"
done
