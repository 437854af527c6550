#!/usr/bin/env bash
# Regenerates src/*/PublicAPI.Unshipped.txt from the analyzer's report: symbols it reports as undeclared (RS0016) are
# added, declared symbols it cannot find (RS0017) are removed, so the declared API matches the code.
set -euo pipefail
cd "$(dirname "$0")/.."
for project in ${PROJECTS:-src/FogPlacement src/FogPlacement.Aggregation src/FogPlacement.Extensions src/FogPlacement.Orleans src/FogPlacement.Orleans.PostgreSql src/FogPlacement.Onnx}; do
  log=$(dotnet build "$project" --no-incremental -p:TreatWarningsAsErrors=false 2>&1 || true)
  grep -oP "RS0016: Symbol '\K.*(?=' is not part of the declared public API)" <<<"$log" | sort -u > /tmp/publicapi.new || true
  grep -oP "RS0017: Symbol '\K.*(?=' is part of the declared API, but is either not public or could not be found)" <<<"$log" | sort -u > /tmp/publicapi.gone || true
  { echo '#nullable enable'; { grep -v '^#nullable' "$project/PublicAPI.Unshipped.txt" | grep -vxF -f /tmp/publicapi.gone || true; cat /tmp/publicapi.new; } | sort -u; } > /tmp/publicapi.merged
  mv /tmp/publicapi.merged "$project/PublicAPI.Unshipped.txt"
done
