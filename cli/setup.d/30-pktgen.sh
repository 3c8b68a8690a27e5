#!/usr/bin/env bash
# pktgen-dpdk for the pktgen generator (drivers/loadgen/pktgen). Debian does not package it, so:
#  - an installed `pktgen` on PATH, or an install tree in WIRESPEED_PKTGEN_PREFIX (<prefix>/bin/pktgen),
#    is used as it is: nothing to do here;
#  - sources in WIRESPEED_PKTGEN_SRC (a Pktgen-DPDK tree: meson.build, VERSION) are built with Lua and
#    wirespeed's patches (drivers/loadgen/pktgen/patches/) into a cache outside the repo,
#    ${XDG_CACHE_HOME:-$HOME/.cache}/wirespeed/pktgen/<version>-<stamp>/bin/pktgen, so that a later
#    fresh clone on this machine (CI's included) finds the build without the variable.
# Without any of them pktgen is absent: the pktgen tests and scenarios skip with that reason; setup
# does not fail. Idempotent: skipped when a build of the same sources, patch and DPDK version exists.
# The build uses -march=native (pktgen's meson.build): a cache belongs to the machine that built it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PATCHES=$ROOT/drivers/loadgen/pktgen/patches
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/wirespeed/pktgen
SRC=${WIRESPEED_PKTGEN_SRC:-}

say() { printf 'setup: pktgen: %s\n' "$*" >&2; }
die() { say "$1"; [ $# -gt 1 ] && say "what to do: $2"; exit 1; }

newest_cached() {
  # Complete builds only (a build is renamed into place when it is done); newest version first.
  find "$CACHE" -mindepth 3 -maxdepth 3 -path '*/bin/pktgen' -perm -u+x 2>/dev/null | sort -V -r | head -n 1
}

if [ -z "$SRC" ]; then
  if [ -n "${WIRESPEED_PKTGEN_PREFIX:-}" ]; then
    [ -x "$WIRESPEED_PKTGEN_PREFIX/bin/pktgen" ] \
      || die "WIRESPEED_PKTGEN_PREFIX=$WIRESPEED_PKTGEN_PREFIX has no executable bin/pktgen" \
             "point it at the install prefix of a Lua-enabled pktgen build (meson install --destdir/prefix), or unset it"
    say "using $WIRESPEED_PKTGEN_PREFIX/bin/pktgen (WIRESPEED_PKTGEN_PREFIX)"
  elif command -v pktgen >/dev/null 2>&1; then
    say "using $(command -v pktgen) (PATH)"
  elif cached=$(newest_cached) && [ -n "$cached" ]; then
    say "using the cached build $cached"
  else
    say "not found (no pktgen on PATH, no WIRESPEED_PKTGEN_PREFIX, nothing built in $CACHE); the pktgen tests and scenarios will skip"
    say "to build it: WIRESPEED_PKTGEN_SRC=/path/to/Pktgen-DPDK npm run setup (23.06.1 builds against Debian 12's DPDK 22.11)"
  fi
  exit 0
fi

[ -f "$SRC/meson.build" ] && [ -f "$SRC/VERSION" ] && [ -d "$SRC/app" ] \
  || die "WIRESPEED_PKTGEN_SRC=$SRC is not a Pktgen-DPDK source tree (meson.build, VERSION, app/)" \
         "point it at a checkout or export of github.com/pktgen/Pktgen-DPDK, e.g. tag pktgen-23.06.1"
version=$(tr -d ' \t\r\n' < "$SRC/VERSION")
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "$SRC/VERSION holds '$version', not a version like 23.06.1"
pkg-config --exists libdpdk || die "pkg-config cannot find libdpdk" "install libdpdk-dev (npm run setup does)"

# Same sources + same patch + same DPDK = same build. Paths are hashed relative to the tree.
src_hash=$(cd "$SRC" && find . \( -path ./build -o -path ./.git \) -prune -o -type f -print0 \
  | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
stamp=$(printf '%s %s %s' "$src_hash" "$(cat "$PATCHES"/*.patch | sha256sum | cut -c1-16)" "$(pkg-config --modversion libdpdk)" | sha256sum | cut -c1-12)
OUT=$CACHE/$version-$stamp
[ -x "$OUT/bin/pktgen" ] && exit 0

# Build dependencies, only when building (DPDK's own headers come with the main setup).
deps=(meson ninja-build liblua5.3-dev libpcap-dev libnuma-dev pkg-config patch)
missing=()
for p in "${deps[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing build dependencies: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed" "check that Debian's package mirror is reachable"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed" "run it by hand to see apt's message"
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9   # concurrent setups build once
[ -x "$OUT/bin/pktgen" ] && exit 0

stage=$(mktemp -d "$CACHE/.build-$version-XXXXXX")
trap 'rm -rf "$stage"' EXIT
say "building $version from $SRC into $OUT (about a minute on 2 cores)"
mkdir -p "$stage/src" "$stage/out/bin"
tar -C "$SRC" --exclude=./build --exclude=./.git -cf - . | tar -C "$stage/src" -xf -
# Each patch changes one line of one file; a tree without that line (an older version) needs no patch.
for p in "$PATCHES"/*.patch; do
  if patch -s -d "$stage/src" -p1 -l --forward --no-backup-if-mismatch --dry-run < "$p" >/dev/null; then
    patch -s -d "$stage/src" -p1 -l --forward --no-backup-if-mismatch < "$p"
    continue
  fi
  target=$(sed -n 's#^+++ b/##p' "$p" | head -n 1)
  line=$(sed -n 's/^-[ \t]*\([^-].*\)$/\1/p' "$p" | head -n 1)
  if [ -f "$stage/src/$target" ] && grep -qF -- "$line" "$stage/src/$target"; then
    die "$(basename "$p") does not apply to pktgen $version ($target has the line it changes, in other context)" \
        "use a version the patches fit (23.03.0 and 23.06.1 are tested), or update $p for this tree"
  fi
  say "$(basename "$p") not needed: $target of $version has no '$line'"
done
# lib/lua includes rte_version.h without declaring the dpdk dependency.
inc=$(pkg-config --cflags-only-I libdpdk | sed -e 's/-I//g' -e 's/ \+/:/g' -e 's/:$//')
log=$stage/out/build.log
if ! (cd "$stage/src" && export C_INCLUDE_PATH="$inc${C_INCLUDE_PATH:+:$C_INCLUDE_PATH}" \
      && nice -n 10 meson setup build -Denable_lua=true && nice -n 10 ninja -C build) >"$log" 2>&1; then
  tail -30 "$log" >&2
  die "pktgen $version did not build against DPDK $(pkg-config --modversion libdpdk) (log above)" \
      "against Debian 12's DPDK 22.11 only 23.03.0 and 23.06.1 build: 23.10 and later need DPDK 23.11 APIs (rte_eth_bond_members_get), 22.x fail on DPDK 22.11's headers (-Werror)"
fi
cp "$stage/src/build/app/pktgen" "$stage/out/bin/pktgen"
echo "$version" > "$stage/out/VERSION"
printf 'source %s\npatches %s\ndpdk %s\nbuilt %s\n' "$SRC" "$PATCHES" "$(pkg-config --modversion libdpdk)" "$(date -u +%FT%TZ)" > "$stage/out/BUILD-INFO"
mv "$stage/out" "$OUT"   # the build appears complete or not at all
# Older builds of the same version (other sources or patch) would only confuse the search.
find "$CACHE" -mindepth 1 -maxdepth 1 -name "$version-*" ! -path "$OUT" -exec rm -rf {} +
say "built $OUT/bin/pktgen"
