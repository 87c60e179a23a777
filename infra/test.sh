#!/usr/bin/env bash
# Runs every test, on a fresh machine too: installs what the tests use (Azurite from npm; Postfix's smtp-sink,
# dnsmasq, dkimpy, Chromium and its driver, and rspamd from Debian's packages), builds, runs the unit and integration tests, and ends with
# "N passed, N failed". Cyrus SASL (sasl2-bin, libsasl2-modules) lets a Postfix instance of the tests' own require AUTH,
# as an upstream smarthost does. The Azure templates' checks (bicep build and lint, the settings they pass) are unit tests
# (tests/Sendarix.Tests.Unit/Deployment/BicepTests.cs); the Bicep CLI comes from NuGet with the build's restore.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if ! command -v smtp-sink >/dev/null || ! command -v saslpasswd2 >/dev/null || ! command -v dnsmasq >/dev/null || ! /usr/bin/python3 -c 'import dkim, nacl' 2>/dev/null \
  || [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! command -v rspamd >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test: installing postfix (smtp-sink, and an upstream with AUTH), sasl2-bin and libsasl2-modules (its SASL), dnsmasq-base, python3-dkim (dkimpy), python3-nacl (its Ed25519), chromium and chromium-driver (the dashboard's browser tests), rspamd (outbound spam scanning tests)"
    export DEBIAN_FRONTEND=noninteractive
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    apt-get update -qq >/dev/null && apt-get install -y -qq postfix sasl2-bin libsasl2-modules dnsmasq-base python3-dkim python3-nacl chromium chromium-driver rspamd >/dev/null \
      || { echo "apt-get install failed" >&2; exit 1; }
  else
    echo "The tests need Postfix (with Cyrus SASL), dnsmasq, dkimpy, Chromium and rspamd: install the Debian packages postfix, sasl2-bin, libsasl2-modules, dnsmasq-base, python3-dkim, python3-nacl, chromium, chromium-driver and rspamd." >&2
    exit 1
  fi
fi
command -v python3 >/dev/null || { echo "The tests need python3 (smtplib is the non-.NET client)." >&2; exit 1; }
if [ ! -x node_modules/.bin/azurite ]; then
  echo "test: installing Azurite (npm ci)"
  npm ci --prefer-offline --no-audit --no-fund --loglevel=error || exit 1
fi

dotnet build Sendarix.Orleans.sln -c Release -nologo -v quiet || { echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
status=0
for project in tests/*/*.csproj; do
  dotnet test "$project" -c Release --no-build -nologo 2>&1 | tee -a "$log" || status=1
done

# Each test assembly ends with "Passed!  - Failed: F, Passed: P, Skipped: S, Total: T" (or "Failed!  - ...").
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
rm -f "$log"
passed=${passed:-0}; failed=${failed:-0}; skipped=${skipped:-0}
[ "$failed" -gt 0 ] && status=1
[ "$passed" -eq 0 ] && status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
