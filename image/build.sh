#!/usr/bin/env bash
# Builds the ft-edge SD card image for the Raspberry Pi 3, 4, 400 and Zero 2 W: Debian 13 (trixie) arm64 made
# the way Debian's own Raspberry Pi images are (raspi-firmware + linux-image-arm64), Node from Debian, ft-edge
# installed by scripts/install.sh inside the image with its native modules built for arm64.
#
#   sudo image/build.sh            (npm run image)
# Output in image/build/: ft-edge-VERSION-raspi-arm64.img.xz, .img.xz.sha256, .packages (every package and
# version in the image), and the uncompressed .img the boot proof uses. See image/README.md.
#
# Environment: FT_EDGE_IMAGE_CACHE (default /var/cache/ft-edge-image: .debs and npm tarballs kept between builds),
# FT_EDGE_IMAGE_MIRROR (default http://deb.debian.org/debian; a snapshot.debian.org URL pins the packages),
# FT_EDGE_IMAGE_SECURITY_MIRROR, FT_EDGE_IMAGE_FRESH=1 (ignore today's cached Debian base), SOURCE_DATE_EPOCH
# (default: the last commit's time).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/image/build
CACHE=${FT_EDGE_IMAGE_CACHE:-/var/cache/ft-edge-image}
MIRROR=${FT_EDGE_IMAGE_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${FT_EDGE_IMAGE_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
SUITE=trixie
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct)}
# Heavy steps yield to everything else on a shared build machine.
NICE=(nice -n 19 ionice -c3)

step() { printf '[image %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { echo "image/build.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (mmdebstrap --mode=root, chroot, binfmt_misc)"

"$ROOT/image/host-setup.sh"
VERSION=$(node -p "require('$ROOT/package.json').version")
NAME=ft-edge-$VERSION-raspi-arm64
WORK=$OUT/work
mkdir -p "$OUT" "$CACHE/debs" "$CACHE/npm"
rm -rf "$WORK"
mkdir -p "$WORK"
cleanup() {
  # mmdebstrap unmounts what it mounted; this only catches an interrupted customize step.
  for m in proc sys dev; do mountpoint -q "$WORK/rootfs/$m" 2>/dev/null && umount -l "$WORK/rootfs/$m"; done
  return 0
}
trap cleanup EXIT

step "ft-edge $VERSION: compile and pack"
cd "$ROOT"
[ -d node_modules ] || npm ci --no-audit --no-fund
# tsc emits even when it reports type errors; those fail `npm test`, not the image.
npm run --silent build || echo "image: tsc reported type errors (the JavaScript was emitted)" >&2
[ -f dist/src/cli/main.js ] || { echo "image: dist/src/cli/main.js was not built" >&2; exit 1; }
npm pack --silent --pack-destination "$WORK" >/dev/null
tar -xzf "$WORK/ft-edge-$VERSION.tgz" -C "$WORK"
mv "$WORK/package" "$WORK/app"
cp package-lock.json "$WORK/app/"
# Production dependencies as sources only; the native ones are compiled for arm64 inside the rootfs step.
# No optional ones: they are ccxt's bufferutil (a native module with no arm64 prebuild, which ws and ccxt use only
# when it loads; ws' own JavaScript does the same masking) and fflate (ccxt's websocket gzip, imported lazily).
(cd "$WORK/app" && npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund --cache "$CACHE/npm" >/dev/null)

packages=$(grep -v -e '^#' -e '^$' "$ROOT/image/packages.txt" | paste -sd, -)
mirrors=("deb $MIRROR $SUITE main non-free-firmware" "deb $MIRROR $SUITE-updates main non-free-firmware"
  "deb $SECURITY_MIRROR $SUITE-security main non-free-firmware")
# The Debian base (every package of packages.txt installed: the kernel, initramfs and package scripts run under
# qemu-user, most of the build's time) is kept in the cache for the rest of the UTC day, so rebuilds within a
# day take minutes; a new day, package list or mirror makes a new one. FT_EDGE_IMAGE_FRESH=1 ignores it.
key=$({ echo "$packages $SUITE ${mirrors[*]}"; date -u +%F; } | sha256sum | cut -c1-16)
BASE=$CACHE/base-$key.tar
if [ -f "$BASE" ] && [ "${FT_EDGE_IMAGE_FRESH:-0}" != 1 ]; then
  step "Debian $SUITE arm64 base from the cache ($BASE)"
else
  step "Debian $SUITE arm64 base (mmdebstrap under qemu-user)"
  find "$CACHE" -maxdepth 1 -name 'base-*.tar*' -delete
  "${NICE[@]}" mmdebstrap --mode=root --arch=arm64 --variant=apt --format=tar \
    --include="$packages" \
    --aptopt='Acquire::Retries "3"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --skip=download/empty --skip=essential/unlink --skip=cleanup/apt/lists \
    --setup-hook='mkdir -p "$1/var/cache/apt/archives"' \
    --setup-hook="sync-in $CACHE/debs /var/cache/apt/archives/" \
    --customize-hook="sync-out /var/cache/apt/archives $CACHE/debs" \
    --customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb' \
    "$SUITE" "$BASE.part" "${mirrors[@]}"
  mv "$BASE.part" "$BASE"
fi

step "ft-edge root filesystem"
export FT_EDGE_ROOT=$ROOT FT_EDGE_WORK=$WORK FT_EDGE_OUT=$OUT FT_EDGE_NAME=$NAME
"${NICE[@]}" mmdebstrap --mode=root --arch=arm64 --variant=custom --skip=update \
  --setup-hook="tar-in $BASE /" \
  --customize-hook='"$FT_EDGE_ROOT/image/customize.sh" "$1"' \
  "$SUITE" "$WORK/rootfs" "${mirrors[@]}"

step "disk image"
"${NICE[@]}" "$ROOT/image/assemble.sh" "$WORK/rootfs" "$OUT/$NAME.img"

step "compress (xz)"
rm -f "$OUT/$NAME.img.xz"
"${NICE[@]}" xz --threads=2 -6 --keep --force "$OUT/$NAME.img"
(cd "$OUT" && sha256sum "$NAME.img.xz" > "$NAME.img.xz.sha256")
"$ROOT/image/inputs-hash.sh" > "$OUT/$NAME.inputs"
rm -rf "$WORK"
step "done: $OUT/$NAME.img.xz ($(du -m "$OUT/$NAME.img.xz" | cut -f1) MB; $(du -m --apparent-size "$OUT/$NAME.img" | cut -f1) MB uncompressed)"
cat "$OUT/$NAME.img.xz.sha256"
