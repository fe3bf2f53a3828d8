#!/usr/bin/env bash
# npm run test:image: builds the image if it is missing or its inputs changed (image/inputs-hash.sh), then
# boots it under qemu-system-aarch64 and proves the appliance works (test/image/boot-proof.mjs).
# Needs root (image build) and the host tools of image/host-setup.sh. Leaves nothing running or behind but the
# image in image/build/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
[ "$(id -u)" = 0 ] || { echo "test:image: must run as root (it builds the image when needed)" >&2; exit 1; }
image/host-setup.sh
VERSION=$(node -p "require('./package.json').version")
NAME=ft-edge-$VERSION-raspi-arm64
IMG=image/build/$NAME.img
start=$(date +%s)
if [ -f "$IMG" ] && [ -f "image/build/$NAME.inputs" ] && [ "$(cat "image/build/$NAME.inputs")" = "$(image/inputs-hash.sh)" ]; then
  echo "test:image: $IMG is up to date with its inputs"
  # tsc emits even when it reports type errors; those fail `npm test`, not the image.
  npm run --silent build || echo "image: tsc reported type errors (the JavaScript was emitted)" >&2
  [ -f dist/src/cli/main.js ] || { echo "image: dist/src/cli/main.js was not built" >&2; exit 1; }
else
  image/build.sh
fi
built=$(date +%s)

work=$(mktemp -d /tmp/ft-edge-proof.XXXXXX)
cleanup() {
  # boot-proof.mjs stops QEMU itself; this catches a killed node process.
  if [ -f "$work/qemu.pid" ]; then kill -9 "$(cat "$work/qemu.pid")" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
rc=0
node test/image/boot-proof.mjs --image "$IMG" --work "$work" || rc=$?
end=$(date +%s)
echo "test:image: image $(du -m "$IMG.xz" | cut -f1) MB compressed ($(du -m --apparent-size "$IMG" | cut -f1) MB raw);" \
  "build $((built - start)) s, boot proof $((end - built)) s"
exit "$rc"
