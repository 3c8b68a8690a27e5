#!/usr/bin/env bash
# One idempotent setup step for `npm start` and `npm test`: Debian packages, npm packages,
# hugepages with a hugetlbfs mount, native builds. Fast when everything is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

say()  { printf 'setup: %s\n' "$*" >&2; }
fail() { printf 'setup: FAILED: %s\n' "$1" >&2; [ $# -gt 1 ] && printf 'setup: what to do: %s\n' "$2" >&2; exit 3; }

[ "$(id -u)" = 0 ] || fail "must run as root (it installs Debian packages, allocates hugepages, creates network namespaces)" \
  "run it again as root, e.g. 'sudo npm test'"

# --- Debian packages -----------------------------------------------------------------------------
# dpdk: l3fwd/testpmd runtime; dpdk-dev/libdpdk-dev: headers and pkg-config for our generator and l3fwd;
# dpdk-doc: l3fwd example sources; openssh-server: real sshd for SSH shell tests; victoria-metrics and
# influxdb: real time-series servers for the sink tests; chromium: renders the HTML report in tests and
# prints certificates to PDF; poppler-utils: pdftotext, with which tests read those PDFs back;
# openvswitch-switch-dpdk: OVS-DPDK datapath where cores allow.
PKGS=(dpdk dpdk-dev libdpdk-dev dpdk-doc build-essential pkg-config python3 iproute2 procps util-linux
      openssh-server victoria-metrics influxdb chromium poppler-utils openvswitch-switch-dpdk)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  # Packaged daemons must not start themselves: tests start their own servers on loopback.
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; created_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || fail "apt-get update failed" "check that Debian's package mirror is reachable"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]} failed" "run it by hand to see apt's message"
  [ $created_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
fi
# Debian's packages may have started daemons anyway on a machine with systemd; we never use them.

# --- npm packages --------------------------------------------------------------------------------
stamp=node_modules/.wirespeed-lock-stamp
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error || fail "npm ci failed" "check network access to the npm registry"
  touch "$stamp"
fi

# --- hugepages -----------------------------------------------------------------------------------
NEED_PAGES=${WIRESPEED_HUGEPAGES:-1024}
HP=/sys/kernel/mm/hugepages/hugepages-2048kB
[ -d $HP ] || fail "this kernel has no 2 MB hugepages ($HP missing)" "boot a kernel with CONFIG_HUGETLBFS"
total=$(cat $HP/nr_hugepages)
if [ "$total" -lt "$NEED_PAGES" ]; then
  say "allocating $NEED_PAGES x 2 MB hugepages (had $total)"
  echo "$NEED_PAGES" > $HP/nr_hugepages
  total=$(cat $HP/nr_hugepages)
  [ "$total" -ge "$NEED_PAGES" ] || fail "only $total of $NEED_PAGES hugepages could be allocated" \
    "free memory, or set WIRESPEED_HUGEPAGES lower (the local lab needs about 512)"
fi
if ! awk '$3=="hugetlbfs"{f=1} END{exit !f}' /proc/mounts; then
  say "mounting hugetlbfs on /dev/hugepages"
  mkdir -p /dev/hugepages
  mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages || fail "could not mount hugetlbfs on /dev/hugepages"
fi

# --- native builds -------------------------------------------------------------------------------
for step in "$ROOT"/cli/setup.d/*.sh; do
  [ -e "$step" ] || continue
  bash "$step" || fail "native build step $(basename "$step") failed" "see the compiler output above"
done
say "ready"
