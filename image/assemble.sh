#!/usr/bin/env bash
# Turns the image's root filesystem tree into an SD card image, without loop devices or mounts:
#   MBR (fixed disk id) | 4 MiB gap | FAT32 RASPIFIRM (the tree's /boot/firmware, 256 MiB) | ext4 RASPIROOT (the rest)
# The ext4 size is the tree plus headroom; ft-edge-growroot.service grows it to the card at first boot.
# Fixed UUIDs, volume id, hash seed and timestamps (SOURCE_DATE_EPOCH): see image/README.md for what is and is
# not bit-for-bit reproducible.
#   image/assemble.sh ROOTFS_DIR OUTPUT.img
set -euo pipefail
TREE=${1:?rootfs directory} IMG=${2:?output image}
SDE=${SOURCE_DATE_EPOCH:?}
FAT_MIB=256
GAP_MIB=4
ROOT_UUID=6b8f3c2e-1f0a-4d5e-9c7b-2a4d6e8f0a1b
HASH_SEED=2f1e4d3c-5b6a-4789-8a0b-c1d2e3f4a5b6
FAT_ID=0x4654ED6E
DISK_ID=0x4654ED6E
tmp=$(mktemp -d "$(dirname "$IMG")/assemble.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Every timestamp at SOURCE_DATE_EPOCH, not just the clamped ones: the tree was just made.
find "$TREE" -exec touch --no-dereference --date="@$SDE" {} +

# FAT: created empty, then directories and files added one by one in sorted order (mcopy -s would follow the
# order of readdir, which differs from one build host to the next).
fat=$tmp/fat.img
export MTOOLS_SKIP_CHECK=1
mkfs.vfat -F 32 -n RASPIFIRM -i "${FAT_ID#0x}" --invariant -C "$fat" $((FAT_MIB * 1024)) >/dev/null
(
  cd "$TREE/boot/firmware"
  find . -mindepth 1 -type d -printf '%P\n' | LC_ALL=C sort | while read -r d; do mmd -i "$fat" "::/$d"; done
  find . -type f -printf '%P\n' | LC_ALL=C sort | while read -r f; do mcopy -p -m -i "$fat" "$f" "::/$f"; done
)
fat_used=$(du -sm --apparent-size "$TREE/boot/firmware" | cut -f1)
[ "$fat_used" -lt $((FAT_MIB * 3 / 4)) ] || { echo "assemble.sh: /boot/firmware holds ${fat_used} MiB, too close to the ${FAT_MIB} MiB partition" >&2; exit 1; }
# The firmware files now live in the FAT image; the root filesystem keeps the empty mount point.
find "$TREE/boot/firmware" -mindepth 1 -delete
touch --date="@$SDE" "$TREE/boot/firmware" "$TREE/boot"

# ext4 from the tree (mke2fs -d): the contents plus 25 % and 256 MiB free.
used_mib=$(du -sm --apparent-size "$TREE" | cut -f1)
root_mib=$(( (used_mib * 125 / 100 + 256 + 3) / 4 * 4 ))
ext=$tmp/root.img
E2FSPROGS_FAKE_TIME=$SDE mkfs.ext4 -q -F -L RASPIROOT -U "$ROOT_UUID" -d "$TREE" -b 4096 \
  -E "hash_seed=$HASH_SEED,lazy_itable_init=0,lazy_journal_init=0,root_owner=0:0" \
  "$ext" "${root_mib}M"
E2FSPROGS_FAKE_TIME=$SDE e2fsck -fn "$ext" >/dev/null

# The disk: MBR with a fixed id, FAT32 (LBA) first as the Pi's boot ROM wants, then Linux.
total_mib=$((GAP_MIB + FAT_MIB + root_mib))
rm -f "$IMG"
truncate -s "${total_mib}M" "$IMG"
sfdisk --quiet "$IMG" <<EOF
label: dos
label-id: $DISK_ID
unit: sectors
start=$((GAP_MIB * 2048)), size=$((FAT_MIB * 2048)), type=c, bootable
start=$(((GAP_MIB + FAT_MIB) * 2048)), size=$((root_mib * 2048)), type=83
EOF
dd if="$fat" of="$IMG" bs=1M seek="$GAP_MIB" conv=notrunc,sparse status=none
dd if="$ext" of="$IMG" bs=1M seek=$((GAP_MIB + FAT_MIB)) conv=notrunc,sparse status=none
touch --date="@$SDE" "$IMG"
echo "assemble.sh: $IMG: ${total_mib} MiB (FAT ${FAT_MIB} MiB with ${fat_used} MiB used, ext4 ${root_mib} MiB with ${used_mib} MiB used)"
