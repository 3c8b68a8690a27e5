#!/usr/bin/env bash
# Build wsp-vrelay, the fake cluster's vswitch stand-in for vhost-user (fixtures/kube/vrelay), against the system
# DPDK. Idempotent: make rebuilds only when the source or the Makefile is newer than the binary.
set -euo pipefail
cd "$(dirname "$0")/../../fixtures/kube/vrelay"
pkg-config --exists libdpdk || { echo "setup: libdpdk not found by pkg-config (install libdpdk-dev)" >&2; exit 1; }
if ! make -s -q 2>/dev/null; then
  echo "setup: building the fake cluster's vhost-user relay (wsp-vrelay)" >&2
  make -s >&2
fi
