#!/usr/bin/env bash
# Prints one hash of everything the image is built from (this checkout's tracked files that go into it, as they
# are in the work tree): test/image/boot-proof.sh rebuilds the image only when it changed.
set -eu
cd "$(dirname "$0")/.."
git ls-files -z -- image scripts systemd src config package.json package-lock.json tsconfig.json |
  LC_ALL=C sort -z | xargs -0 sha256sum 2>/dev/null | sha256sum | cut -d' ' -f1
