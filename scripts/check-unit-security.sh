#!/usr/bin/env bash
# Fails unless `systemd-analyze security --offline=true` rates the service unit below 2.0 and parses it
# without a warning (an unknown or misspelled directive would silently weaken the hardening).
# Needs systemd-analyze >= 250 (--offline); installs Debian's systemd package when it is missing and we are root.
set -euo pipefail
cd "$(dirname "$0")/.."
unit=${1:-systemd/ft-edge.service}
limit=2.0

if ! command -v systemd-analyze >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd >/dev/null
  else
    echo "check-unit-security: systemd-analyze is missing (install Debian's systemd package)" >&2
    exit 2
  fi
fi
version=$(systemd-analyze --version | awk 'NR==1 {print $2}')
if [ "${version%%.*}" -lt 250 ] 2>/dev/null; then
  echo "check-unit-security: systemd-analyze $version has no --offline; version 250 or newer is needed" >&2
  exit 2
fi

err=$(mktemp)
trap 'rm -f "$err"' EXIT
report=$(systemd-analyze security --offline=true --no-pager "$unit" 2>"$err") || true
if grep -q "$(basename "$unit")" "$err"; then
  echo "check-unit-security: systemd-analyze $version warns about $unit:" >&2
  cat "$err" >&2
  exit 1
fi
level=$(printf '%s\n' "$report" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ -z "$level" ]; then
  echo "check-unit-security: no exposure level in systemd-analyze's output:" >&2
  printf '%s\n' "$report" >&2
  cat "$err" >&2
  exit 1
fi
if awk -v l="$level" -v max="$limit" 'BEGIN { exit !(l + 0 < max + 0) }'; then
  echo "check-unit-security: $unit exposure level $level (< $limit) with systemd-analyze $version"
else
  echo "check-unit-security: $unit exposure level $level, must be below $limit:" >&2
  printf '%s\n' "$report" | grep -v '^✓' >&2
  exit 1
fi
