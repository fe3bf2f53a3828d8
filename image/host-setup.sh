#!/usr/bin/env bash
# Prepares a Debian/Ubuntu amd64 build host for image/build.sh and test/image/boot-proof.sh: the tools
# (installed only when missing) and binfmt_misc for running arm64 binaries in the build chroots.
# Idempotent; needs root. Used by CI and called by build.sh itself.
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "image/host-setup.sh: must run as root (debootstrap, chroot, binfmt_misc)" >&2; exit 1; }

# command -> Debian package providing it
declare -A need=(
  [mmdebstrap]=mmdebstrap
  [qemu-aarch64-static]=qemu-user-static
  [update-binfmts]=binfmt-support
  [qemu-system-aarch64]=qemu-system-arm
  [qemu-img]=qemu-utils
  [mkfs.vfat]=dosfstools
  [mcopy]=mtools
  [sfdisk]=fdisk
  [mkfs.ext4]=e2fsprogs
  [zstd]=zstd
  [arch-test]=arch-test
  [xz]=xz-utils
  [python3]=python3
  # the native modules are cross-compiled for arm64 (image/customize.sh)
  [aarch64-linux-gnu-g++]=g++-aarch64-linux-gnu
  [make]=make
)
missing=()
for cmd in $(printf '%s\n' "${!need[@]}" | sort); do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
done
# qemu-efi-aarch64 and ipxe-qemu are not needed: the proof boots the image's own kernel directly (-kernel/-initrd)
# and gives the NIC no option ROM (romfile=), so no firmware or efi-virtio.rom must be on this machine.
if [ "${#missing[@]}" -gt 0 ]; then
  echo "image/host-setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  update-binfmts --enable qemu-aarch64 || true
fi
if ! arch-test arm64 >/dev/null 2>&1; then
  echo "image/host-setup.sh: arm64 binaries do not run here even with qemu-user-static and binfmt_misc" >&2
  exit 1
fi
