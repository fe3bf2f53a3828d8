#!/usr/bin/env bash
# mmdebstrap customize hook of image/build.sh: turns the freshly bootstrapped Debian root filesystem ($1) into
# the ft-edge image's. Runs on the build host; commands inside the rootfs run through chroot + qemu-user.
set -euo pipefail
R=$1
ROOT=${FT_EDGE_ROOT:?} WORK=${FT_EDGE_WORK:?} OUT=${FT_EDGE_OUT:?} NAME=${FT_EDGE_NAME:?}
in_root() { chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"; }
step() { printf '[image %s]   %s\n' "$(date -u +%H:%M:%S)" "$*"; }

step "native modules for arm64, against Debian's own node headers"
# Cross-compiled with Debian's aarch64 toolchain: compiling sqlite3.c inside the chroot under qemu-user takes
# well over ten minutes, natively about one. The headers are the libnode-dev/libuv1-dev of the node version just
# installed in the image, and every module is loaded by that node below before it is accepted.
mkdir -p "$R/tmp/headers" "$WORK/headers"
# The cached base carries no resolver configuration; the image gets systemd-resolved's stub below.
rm -f "$R/etc/resolv.conf"
cp /etc/resolv.conf "$R/etc/resolv.conf"
(cd "$R/tmp/headers" && in_root sh -c 'cd /tmp/headers && apt-get download -q=2 libnode-dev libuv1-dev')
for deb in "$R"/tmp/headers/*.deb; do dpkg-deb -x "$deb" "$WORK/headers"; done
rm -rf "$R/tmp/headers"
# node-gyp looks for uv.h in NODEDIR/deps/uv/include; Debian installs it in /usr/include.
mkdir -p "$WORK/headers/usr/deps/uv"
ln -sfn ../../include "$WORK/headers/usr/deps/uv/include"
(
  cd "$WORK/app"
  export CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ LINK=aarch64-linux-gnu-g++ AR=aarch64-linux-gnu-ar \
    npm_config_arch=arm64 npm_config_target_arch=arm64 npm_config_nodedir="$WORK/headers/usr" \
    npm_config_build_from_source=true
  npm rebuild --offline --no-audit --no-fund >"$WORK/native-build.log" 2>&1 ||
    { tail -40 "$WORK/native-build.log" >&2; exit 1; }
)
# The native modules are the packages with a binding.gyp (better-sqlite3, unix-dgram, ...). Keep only what loads:
# no objects, no sqlite3 sources, no debug symbols.
native=$(cd "$WORK/app/node_modules" && find . -mindepth 2 -maxdepth 3 -name binding.gyp -printf '%h\n' | sed 's|^\./||' | LC_ALL=C sort)
[ -n "$native" ] || { echo "customize.sh: no native modules found" >&2; exit 1; }
for mod in $native; do
  d=$WORK/app/node_modules/$mod
  ls "$d"/build/Release/*.node >/dev/null 2>&1 || { echo "customize.sh: $mod was not built" >&2; exit 1; }
  find "$d/build" -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} +
  find "$d/build/Release" -mindepth 1 ! -name '*.node' -exec rm -rf {} +
  rm -f "$d/build/Release/test_extension.node"
  aarch64-linux-gnu-strip --strip-unneeded "$d"/build/Release/*.node
done
rm -rf "$WORK/app/node_modules/better-sqlite3/deps" "$WORK/app/node_modules/better-sqlite3/src"

step "install ft-edge with scripts/install.sh"
rm -rf "$R/tmp/ft-edge-app"
cp -a "$WORK/app" "$R/tmp/ft-edge-app"
in_root node -e "
  const dir = '/tmp/ft-edge-app/node_modules/';
  for (const m of process.argv.slice(1)) require(dir + m);
  new (require(dir + 'better-sqlite3'))(':memory:').prepare('select 1').get();
  console.log('native modules ' + process.argv.slice(1).join(', ') + ' load on arm64 node ' + process.version);" $native
in_root /tmp/ft-edge-app/scripts/install.sh --no-start --prebuilt /tmp/ft-edge-app
rm -rf "$R/tmp/ft-edge-app"
in_root ft-edge --version

step "system configuration"
cp -a --no-preserve=ownership "$ROOT/image/rootfs/." "$R/"
install -m 0600 "$ROOT/image/ft-edge.json" "$R/boot/firmware/ft-edge.json"
in_root systemctl enable systemd-networkd.service systemd-resolved.service systemd-timesyncd.service \
  ft-edge-growroot.service
ln -sfn ../run/systemd/resolve/stub-resolv.conf "$R/etc/resolv.conf"
# Root logs in on the local consoles (HDMI, serial) without a password, as on Debian's own Raspberry Pi
# images; there is no SSH server.
sed -i 's,^root:[^:]*:,root::,' "$R/etc/shadow"

# Boot files on the FAT partition: root by label, serial + HDMI consoles; then regenerate cmdline.txt and
# config.txt the way the raspi-firmware package does on every kernel upgrade.
sed -i -e 's|^#\?ROOTPART=.*|ROOTPART=LABEL=RASPIROOT|' -e 's|^#\?CONSOLES=.*|CONSOLES="ttyS1,115200 tty0"|' \
  "$R/etc/default/raspi-firmware"
in_root env DEB_MAINT_PARAMS=configure /etc/kernel/postinst.d/z50-raspi-firmware
grep -q 'root=LABEL=RASPIROOT' "$R/boot/firmware/cmdline.txt" || { echo "customize.sh: cmdline.txt lacks root=LABEL=RASPIROOT" >&2; exit 1; }

in_root dpkg-query -W -f '${Package}\t${Version}\t${Architecture}\n' | LC_ALL=C sort > "$OUT/$NAME.packages"

step "clean for a reproducible tree"
# machine-id is created at first boot (and ConditionFirstBoot= units run then).
: > "$R/etc/machine-id"
rm -f "$R/var/lib/dbus/machine-id" "$R/var/lib/systemd/random-seed" "$R/var/cache/ldconfig/aux-cache" \
  "$R"/var/lib/dpkg/*-old "$R"/var/cache/debconf/*-old "$R/etc/.pwd.lock"
find "$R/var/log" -type f -delete
# The package cache was synced out to the build cache; lists and caches are outdated by the first apt update.
find "$R/var/cache/apt" "$R/var/lib/apt/lists" -type f -delete
rm -rf "$R/tmp/"* "$R/var/tmp/"* "$R/root/.npm"
