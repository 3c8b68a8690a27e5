#!/usr/bin/env bash
# Build DPDK's l3fwd example against the system libdpdk (Debian's dpdk-doc ships the sources), with
# wirespeed's patch for vdevs: mask the requested RX offloads by what the port offers (net_vhost, memif
# and af_packet lack the IPv4 checksum offload l3fwd always asks for), link state interrupts where the port
# has them (a virtio_user server port accepts a restarted vhost client from that interrupt: OVS restart),
# and wait 0.5 s instead of 9 s for links that only come up when the peer connects. Idempotent: skipped
# when the binary was built from the same sources, patch and DPDK version.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SRC=/usr/share/dpdk/examples
PATCH=$ROOT/drivers/dpdk/l3fwd/vdev.patch
OUT=$ROOT/drivers/dpdk/l3fwd/build
BIN=$OUT/l3fwd

[ -d "$SRC/l3fwd" ] && [ -d "$SRC/common" ] || {
  echo "setup: l3fwd: $SRC/l3fwd or $SRC/common missing; install the dpdk-doc package" >&2; exit 1; }
pkg-config --exists libdpdk || { echo "setup: l3fwd: pkg-config cannot find libdpdk; install libdpdk-dev" >&2; exit 1; }

mkdir -p "$OUT"
exec 9>"$OUT/.lock"
flock 9   # concurrent setups (parallel test runs) build once

stamp="$(pkg-config --modversion libdpdk) $(cat "$SRC/l3fwd/"*.c "$SRC/l3fwd/"*.h "$PATCH" | sha256sum | cut -d' ' -f1)"
if [ -x "$BIN" ] && [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$stamp" ]; then
  exit 0
fi

echo "setup: building l3fwd (DPDK $(pkg-config --modversion libdpdk)) with the vdev patch" >&2
rm -rf "$OUT/src"
mkdir -p "$OUT/src"
# The example Makefile includes ../common: copy both.
cp -r "$SRC/l3fwd" "$SRC/common" "$OUT/src/"
patch -s -d "$OUT/src" -p1 < "$PATCH"
make -s -C "$OUT/src/l3fwd" -j"$(nproc)" >"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log" >&2; exit 1; }
ln -sfn "src/l3fwd/build/l3fwd-shared" "$BIN"
[ -x "$BIN" ] || { echo "setup: l3fwd: build produced no $BIN" >&2; exit 1; }
echo "$stamp" > "$OUT/.stamp"
