#!/usr/bin/env bash
# Build wsp-gen, the local traffic generator (drivers/loadgen/local-gen), against the system DPDK.
# Idempotent: make rebuilds only when a source, header or the Makefile is newer than the binary.
set -euo pipefail
cd "$(dirname "$0")/../../drivers/loadgen/local-gen"
pkg-config --exists libdpdk || { echo "setup: libdpdk not found by pkg-config (install libdpdk-dev)" >&2; exit 1; }
if ! make -s -q 2>/dev/null; then
  echo "setup: building the local traffic generator (wsp-gen)" >&2
  make -s >&2
fi
