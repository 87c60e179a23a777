#!/usr/bin/env bash
# Runs the relay on this machine: Azurite (installed and started if needed, data kept in .data/), then one process
# with the silo, the SMTP front-end and the management API. On first run a development tenant and credential are
# created; every start prints them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (dotnet not found)." >&2; exit 1; }
command -v npm >/dev/null || { echo "Node.js and npm are required for Azurite (npm not found)." >&2; exit 1; }
infra/azurite.sh start
export DOTNET_ENVIRONMENT=Development ASPNETCORE_ENVIRONMENT=Development
dotnet build src/Sendarix.Host -c Release -v quiet -nologo
# Run from the repository root so the development data (.data/) sits beside Azurite's.
exec dotnet src/Sendarix.Host/bin/Release/net10.0/Sendarix.Host.dll "$@"
