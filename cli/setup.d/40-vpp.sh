#!/usr/bin/env bash
# Find or build FD.io VPP for the local lab (drivers/vpp/locate-vpp.ts reads what this leaves behind).
#
# An install or build tree in WIRESPEED_VPP_PREFIX is only checked; sources in WIRESPEED_VPP_SRC are built
# once, with only the plugins the lab uses, into a fixed cache outside the repo:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/wirespeed/vpp/<version>-<stamp>/
# where the stamp covers the source tree's contents and the build flags, so a fresh clone on this machine
# (CI's included) finds the build without any variable. Without WIRESPEED_VPP_SRC this step only checks and
# never builds: a plain `npm test` stays fast. The locator then takes `vpp` and `vppctl` on PATH, else the
# newest build in the cache, else VPP tests skip with the reason it gives.
# The build takes about 20 minutes on 2 idle cores; it runs under `nice` so lab tests of others keep their CPU.
set -euo pipefail

say()  { printf 'setup: vpp: %s\n' "$*" >&2; }
fail() { printf 'setup: vpp: FAILED: %s\n' "$1" >&2; [ $# -gt 1 ] && printf 'setup: vpp: what to do: %s\n' "$2" >&2; exit 1; }

if [ -n "${WIRESPEED_VPP_PREFIX:-}" ]; then
  [ -x "$WIRESPEED_VPP_PREFIX/bin/vpp" ] && [ -x "$WIRESPEED_VPP_PREFIX/bin/vppctl" ] \
    || fail "WIRESPEED_VPP_PREFIX=$WIRESPEED_VPP_PREFIX has no bin/vpp and bin/vppctl" \
            "point it at a VPP install prefix or a cmake build tree (the folder holding bin/ and lib/)"
  exit 0
fi
SRC=${WIRESPEED_VPP_SRC:-}
[ -n "$SRC" ] || exit 0

[ -f "$SRC/src/CMakeLists.txt" ] && [ -x "$SRC/src/scripts/version" ] \
  || fail "WIRESPEED_VPP_SRC=$SRC is not a VPP source tree (no src/CMakeLists.txt or src/scripts/version)" \
          "point it at a checkout or an exported tree of github.com/FDio/vpp, e.g. tag v25.06"

# VPP's version script reads src/scripts/.version, else `git describe`. An exported tree has neither:
# WIRESPEED_VPP_VERSION (the tag, e.g. v25.06) names it; we never write into the source tree.
if [ -f "$SRC/src/scripts/.version" ]; then
  vstring=$(cat "$SRC/src/scripts/.version")
elif vstring=$(git -C "$SRC" describe --long --match 'v*' 2>/dev/null); then
  :
elif [ -n "${WIRESPEED_VPP_VERSION:-}" ]; then
  vstring="${WIRESPEED_VPP_VERSION}-0-g0000000"
else
  fail "cannot tell the version of $SRC (no src/scripts/.version, no git metadata)" \
       "set WIRESPEED_VPP_VERSION to the tag the tree was exported from, e.g. WIRESPEED_VPP_VERSION=v25.06"
fi
case "$vstring" in v[0-9]*) ;; *) fail "VPP version '$vstring' does not start with v<digits>" \
  "give the tag, e.g. WIRESPEED_VPP_VERSION=v25.06";; esac
version=$(echo "$vstring" | cut -d- -f1 | sed -e 's/^v//')

# Only the plugins the lab uses; every other folder of src/plugins is excluded (the list follows the tree).
KEEP=(memif vhost ping af_packet)
excluded=()
for d in "$SRC"/src/plugins/*/; do
  name=$(basename "$d")
  [[ " ${KEEP[*]} " == *" $name "* ]] || excluded+=("$name")
done
FLAGS=(-DCMAKE_BUILD_TYPE=Release -DVPP_USE_LTO=OFF -DVPP_USE_CCACHE=OFF
       -DVPP_MARCH_VARIANT_ADL=OFF -DVPP_MARCH_VARIANT_HSW=OFF -DVPP_MARCH_VARIANT_ICL=OFF
       -DVPP_MARCH_VARIANT_SKX=OFF -DVPP_MARCH_VARIANT_SPR=OFF -DVPP_MARCH_VARIANT_TRM=OFF
       -DVPP_MARCH_VARIANT_ZNVER3=OFF -DVPP_MARCH_VARIANT_ZNVER4=OFF -DVPP_MARCH_VARIANT_SCALAR=OFF
       "-DVPP_EXCLUDED_PLUGINS=$(IFS=,; echo "${excluded[*]}")")

say "hashing the sources in $SRC"
stamp=$( { printf '%s\n' "$vstring" "${FLAGS[@]}";
           cd "$SRC" && find src -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; } \
         | sha256sum | cut -c1-12)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/wirespeed/vpp
OUT=$CACHE/$version-$stamp
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9   # concurrent setups build once; the second finds the first's result

if [ -f "$OUT/wirespeed-vpp.env" ]; then
  exit 0
fi

# Debian packages for the build, only now that we build.
DEPS=(cmake ninja-build python3-ply libssl-dev libunwind-dev libnl-3-dev libnl-route-3-dev libmnl-dev
      libelf-dev libpcap-dev uuid-dev clang)
missing=()
for p in "${DEPS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing build dependencies: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq || fail "apt-get update failed" "check that Debian's package mirror is reachable"
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]} failed" "run it by hand to see apt's message"
fi

# Build from a private copy: the version file goes into the copy, and the user's tree stays untouched.
# The cache folder is the cmake build tree itself (bin/, lib/<triplet>/ with the plugins), and only the
# programs and plugins the lab runs are built: about a third fewer steps than everything (unit tests,
# API test tools, the other client libraries), whose binaries find their libraries by their build RPATH.
COPY=$CACHE/.src-$version-$stamp
rm -rf "$COPY" "$OUT"
mkdir -p "$COPY" "$OUT"
LOG=$OUT/build.log
say "building VPP $version (stamp $stamp) in $OUT; about 20 minutes on 2 idle cores, log in $LOG"
cp -a "$SRC/src" "$COPY/src"
echo "$vstring" > "$COPY/src/scripts/.version"
# cmake's check for python's ply fails with another interpreter first on PATH: Debian's python3 first.
export PATH=/usr/bin:$PATH
jobs=${WIRESPEED_VPP_JOBS:-$(nproc)}
TARGETS=(vpp vppctl vpp_get_stats)
for p in "${KEEP[@]}"; do TARGETS+=("${p}_plugin"); done
{
  nice -n 10 cmake -G Ninja -S "$COPY/src" -B "$OUT" "${FLAGS[@]}" &&
  nice -n 10 ninja -C "$OUT" -j"$jobs" "${TARGETS[@]}"
} >"$LOG" 2>&1 || { tail -40 "$LOG" >&2; rm -rf "$COPY";
  fail "the VPP build failed (log: $LOG)" "read the log; a missing Debian package shows as a cmake or compiler error"; }
rm -rf "$COPY"
[ -x "$OUT/bin/vpp" ] && [ -x "$OUT/bin/vppctl" ] || fail "the build made no $OUT/bin/vpp or bin/vppctl" "read $LOG"
# Written last: the locator takes a cache folder only when this file exists (an interrupted build has none).
{
  printf 'VPP_VERSION=%s\n' "$version"
  printf 'VPP_VSTRING=%s\n' "$vstring"
  printf 'VPP_STAMP=%s\n' "$stamp"
  printf 'VPP_SOURCE=%s\n' "$SRC"
  printf 'VPP_PLUGINS=%s\n' "${KEEP[*]}"
} > "$OUT/wirespeed-vpp.env.tmp"
mv "$OUT/wirespeed-vpp.env.tmp" "$OUT/wirespeed-vpp.env"
say "VPP $version built in $OUT"
