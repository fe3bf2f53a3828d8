#!/usr/bin/env bash
# Installs ft-edge as a systemd service on a Debian-based system (Raspberry Pi OS, Debian; the route for the
# Pi 5), the same way the image build does inside its chroot. Idempotent: run it again to upgrade; an existing
# configuration in /etc/ft-edge is kept.
#
#   sudo scripts/install.sh                  # from this checkout (npm ci + build + pack, then install)
#   sudo scripts/install.sh ft-edge-X.tgz    # from an `npm pack` tarball
#   sudo scripts/install.sh --prebuilt DIR   # a ready app tree with its node_modules built for this machine
#                                            # (what image/build.sh hands over)
# Options: --no-start (enable only; implied when systemd is not running, e.g. in a chroot).
set -euo pipefail

PREFIX=/opt/ft-edge
ETC=/etc/ft-edge
# The one Node requirement is package.json's engines.node; read here without node, which may be missing.
MIN_NODE=$(sed -n 's/.*"node": *">=\([0-9.]*\)".*/\1/p' "$(dirname "$0")/../package.json")
[ -n "$MIN_NODE" ] || { echo "install.sh: cannot read the Node requirement (engines.node) from package.json" >&2; exit 1; }
NODE_HELP="Raspberry Pi OS and Debian bookworm ship Node 18 (apt install nodejs): install Node 20 from NodeSource \
(https://github.com/nodesource/distributions: setup_20.x, then apt install nodejs) or nodejs.org's linux-arm64 \
tarball, or flash the ft-edge image (Debian trixie, Node 20.19)"
say() { echo "install.sh: $*"; }
die() { echo "install.sh: $*" >&2; exit 1; }

start=yes prebuilt='' source=''
while [ $# -gt 0 ]; do
  case "$1" in
    --no-start) start=no ;;
    --prebuilt) prebuilt=${2:?--prebuilt needs a directory}; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) source=$1 ;;
  esac
  shift
done

[ "$(id -u)" = 0 ] || die "must run as root (it creates a system user and installs a systemd unit)"
command -v node >/dev/null || die "node is missing: ft-edge needs Node.js $MIN_NODE or newer. $NODE_HELP"
node -e "const [a,b]=process.versions.node.split('.').map(Number),[x,y]='$MIN_NODE'.split('.').map(Number);process.exit(a>x||(a===x&&b>=y)?0:1)" \
  || die "node $(node --version) is too old: ft-edge needs $MIN_NODE or newer. $NODE_HELP"
command -v systemctl >/dev/null || die "systemd is missing: ft-edge runs as a systemd service"
[ -d /run/systemd/system ] || start=no

work=$(mktemp -d /tmp/ft-edge-install.XXXXXX)
trap 'rm -rf "$work"' EXIT

# 1. The app tree: dist/, config/, systemd/, scripts/, package.json and production node_modules.
if [ -n "$prebuilt" ]; then
  [ -f "$prebuilt/package.json" ] && [ -d "$prebuilt/node_modules" ] || die "$prebuilt is not a built ft-edge tree (no package.json or node_modules)"
  app=$prebuilt
else
  if [ -z "$source" ]; then
    source=$(cd "$(dirname "$0")/.." && pwd)
  fi
  command -v npm >/dev/null || die "npm is missing (Debian: apt install npm)"
  for tool in make g++ python3; do
    # better-sqlite3, unix-dgram and epoll compile from source when no prebuilt binary fits this machine.
    command -v "$tool" >/dev/null || die "$tool is missing: native modules build from source (apt install build-essential python3)"
  done
  if [ -d "$source" ]; then
    [ -f "$source/package.json" ] || die "$source is not an ft-edge checkout (no package.json)"
    say "building the package from $source"
    (cd "$source" && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build && npm pack --pack-destination "$work" >/dev/null)
    tarball=$(ls "$work"/ft-edge-*.tgz)
    lock=$source/package-lock.json
  else
    [ -f "$source" ] || die "$source: no such file or directory"
    tarball=$source lock=''
  fi
  tar -xzf "$tarball" -C "$work"
  app=$work/package
  [ -z "$lock" ] || cp "$lock" "$app/"
  say "installing production dependencies (native modules compile on this machine)"
  # Optional dependencies are left out as in the image (image/build.sh says why).
  if [ -f "$app/package-lock.json" ]; then
    (cd "$app" && npm ci --omit=dev --omit=optional --no-audit --no-fund)
  else
    (cd "$app" && npm install --omit=dev --omit=optional --no-audit --no-fund)
  fi
fi
[ -f "$app/dist/src/cli/main.js" ] || die "$app has no dist/src/cli/main.js (not built?)"

# 2. Swap it into $PREFIX (the old tree is kept until the new one is in place).
rm -rf "$PREFIX.new" "$PREFIX.old"
cp -a "$app" "$PREFIX.new"
chown -R root:root "$PREFIX.new"
chmod -R u=rwX,go=rX "$PREFIX.new"
chmod 0755 "$PREFIX.new/dist/src/cli/main.js" "$PREFIX.new/scripts/"*.sh "$PREFIX.new/scripts/"*.mjs
[ ! -e "$PREFIX" ] || mv "$PREFIX" "$PREFIX.old"
mv "$PREFIX.new" "$PREFIX"
rm -rf "$PREFIX.old"
ln -sfn "$PREFIX/dist/src/cli/main.js" /usr/bin/ft-edge
say "installed $(node -p "require('$PREFIX/package.json').version") in $PREFIX (/usr/bin/ft-edge)"

# 3. System integration: user and gpio group, udev rule for LEDs/GPIO, units, config directory.
install -D -m 0644 "$PREFIX/systemd/sysusers.d/ft-edge.conf" /usr/lib/sysusers.d/ft-edge.conf
systemd-sysusers /usr/lib/sysusers.d/ft-edge.conf
install -D -m 0644 "$PREFIX/systemd/udev/rules.d/60-ft-edge.rules" /etc/udev/rules.d/60-ft-edge.rules
install -D -m 0644 "$PREFIX/systemd/ft-edge.service" /etc/systemd/system/ft-edge.service
# Not enabled: ft-edge.service starts it (OnFailure=) when a configuration error stops the daemon.
install -D -m 0644 "$PREFIX/systemd/ft-edge-alarm.service" /etc/systemd/system/ft-edge-alarm.service
install -D -m 0644 "$PREFIX/scripts/image-import-config.service" /etc/systemd/system/ft-edge-import-config.service

# 0755 as systemd's ConfigurationDirectory= expects; the files in it carry their own modes (local.json 0640
# root:ft-edge, ws_token 0600 root).
install -d -m 0755 -o root -g root "$ETC"
# LoadCredential= needs the path to exist: an empty directory = no credential (the token is in the config).
[ -e "$ETC/ws_token" ] || install -d -m 0700 -o root -g root "$ETC/ws_token"
[ -e "$ETC/exchange" ] || install -d -m 0700 -o root -g root "$ETC/exchange"
if [ -e "$ETC/local.json" ]; then
  say "keeping the existing configuration $ETC/local.json"
else
  say "no configuration yet: write $ETC/local.json (see $PREFIX/config/default.json), or put ft-edge.json on /boot/firmware"
fi

if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  udevadm control --reload 2>/dev/null || true
  udevadm trigger --subsystem-match=leds --subsystem-match=gpio --action=add 2>/dev/null || true
fi
systemctl enable --quiet ft-edge.service ft-edge-import-config.service
if [ "$start" = yes ]; then
  systemctl restart ft-edge-import-config.service ft-edge.service || true
  systemctl --no-pager --lines=5 status ft-edge.service || true
else
  say "enabled ft-edge.service (starts at next boot)"
fi
