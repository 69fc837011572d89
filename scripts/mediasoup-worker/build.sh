#!/usr/bin/env bash
# Builds mediasoup's worker (the mediasoup-worker binary behind `relay: mediasoup`) from the C++ sources the npm
# package ships in node_modules/mediasoup/worker, against Debian packages only: nothing is downloaded.
#
# mediasoup's own install script downloads a prebuilt worker or the sources of its dependencies; package.json denies
# it. This recipe instead builds a *copy* of the worker folder (node_modules is never written to) where each meson
# subproject is one of ours (subprojects/*/meson.build here) that wraps the Debian library, with two adaptations
# that leave mediasoup's C++ untouched: include/srtp.h maps its libsrtp 3 calls onto libsrtp 2, and a link-time
# wrapper fixes a DTLS crash with Debian's kernel-TLS OpenSSL (subprojects/openssl/bio-callback-fix.c).
#
# The binary is cached outside the clone, keyed by mediasoup's version and a hash of this folder:
#   $LATENCY_LAB_CACHE, else /var/cache/latency-lab (when writable), else ${XDG_CACHE_HOME:-~/.cache}/latency-lab
#   → <cache>/mediasoup-worker/<version>-<hash>/mediasoup-worker
# so setup and CI build it once per machine; the lab finds it there by itself (ingest/relays/mediasoup-worker.ts).
#
# Usage: build.sh [--jobs N] [--force]   build unless cached (N parallel compiles, default 2, under nice)
#        build.sh --print-path            print where the binary is (or would be) cached and exit
# Exit 0 when the binary is in the cache; otherwise 1 with "mediasoup-worker build failed at step <name>".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
package="$repo/node_modules/mediasoup"
jobs=2
force=0
print_path=0
while [ $# -gt 0 ]; do
  case "$1" in
    --jobs) jobs="${2:?--jobs needs a number}"; shift 2 ;;
    --force) force=1; shift ;;
    --print-path) print_path=1; shift ;;
    *) echo "build.sh: unknown argument $1 (allowed: --jobs N, --force, --print-path)" >&2; exit 2 ;;
  esac
done
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "build.sh: --jobs must be a positive integer, got $jobs" >&2; exit 2; }

PACKAGES=(meson ninja-build pkg-config g++ python3 libssl-dev libuv1-dev libsrtp2-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler libusrsctp-dev)

step="start"
log=""
fail() {
  echo "mediasoup-worker build failed at step \"$step\": $*" >&2
  if [ -n "$log" ] && [ -s "$log" ]; then
    echo "---- last lines of $log ----" >&2
    tail -n 25 "$log" >&2
  fi
  exit 1
}
say() { echo "mediasoup-worker: $*"; }

# Where the cache lives (same rule as cacheRoots() in ingest/relays/mediasoup-worker.ts).
cache_root() {
  if [ -n "${LATENCY_LAB_CACHE:-}" ]; then echo "$LATENCY_LAB_CACHE"; return; fi
  if mkdir -p /var/cache/latency-lab 2>/dev/null && [ -w /var/cache/latency-lab ]; then echo /var/cache/latency-lab; return; fi
  echo "${XDG_CACHE_HOME:-$HOME/.cache}/latency-lab"
}

# sha256 over "<sha256>  ./<path>" lines of every file in this folder, sorted bytewise; first 12 hex digits.
recipe_hash() {
  (cd "$here" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-12
}

step="read the mediasoup package"
[ -f "$package/package.json" ] || fail "$package is missing: run \`npm ci\` first (mediasoup is an optional dependency)"
version="$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$package/package.json" | head -n 1)"
[ -n "$version" ] || fail "no version in $package/package.json"
key="$version-$(recipe_hash)"
root="$(cache_root)"
dest="$root/mediasoup-worker/$key"
binary="$dest/mediasoup-worker"
if [ "$print_path" -eq 1 ]; then echo "$binary"; exit 0; fi
[ -f "$package/worker/meson.build" ] || fail "$package/worker has no meson.build: this mediasoup package does not ship its worker sources"

if [ "$force" -eq 0 ] && [ -x "$binary" ]; then
  say "cached: $binary (mediasoup $version), nothing to build"
  exit 0
fi

step="install Debian packages"
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || fail "this recipe needs Debian/Ubuntu packages (${missing[*]}) and there is no apt-get here; point MEDIASOUP_WORKER_BIN at a mediasoup-worker $version instead"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || fail "need root or sudo to apt-get install ${missing[*]}"
    sudo="sudo"
  fi
  say "installing ${missing[*]} with apt-get"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null ||
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
    fail "apt-get install ${missing[*]} failed"
fi

step="lock the cache"
mkdir -p "$root/mediasoup-worker" || fail "cannot create $root/mediasoup-worker (set LATENCY_LAB_CACHE to a writable folder)"
exec 9>"$root/mediasoup-worker/.build.lock"
if ! flock -n 9; then
  say "another build of the worker is running; waiting for it"
  flock 9
fi
if [ "$force" -eq 0 ] && [ -x "$binary" ]; then
  say "cached: $binary (built by the other run)"
  exit 0
fi

started=$(date +%s)
work="$root/mediasoup-worker/.build-$key"
log="$work/build.log"
step="copy the worker sources"
rm -rf "$work"
mkdir -p "$work"
say "building mediasoup $version's worker in $work (a copy; node_modules stays untouched), log: $log"
: >"$log"
tar -C "$package/worker" --exclude=./out --exclude=./subprojects -cf - . | tar -C "$work" --one-top-level=worker -xf - ||
  fail "could not copy $package/worker"
src="$work/worker"
# Our subprojects replace mediasoup's download wraps, so meson finds a local project for each and fetches nothing.
mkdir -p "$src/subprojects"
cp -R "$here/subprojects/." "$src/subprojects/"
# Debian 12 has meson 1.0.1; mediasoup asks for >= 1.1.0 and configures fine with 1.0.
sed -i "s/meson_version: '>= [0-9.]*'/meson_version: '>= 1.0.0'/" "$src/meson.build"

step="meson setup"
say "configuring (meson $(meson --version), Debian libraries)"
(cd "$src" && meson setup --wrap-mode=nodownload --buildtype release -Db_ndebug=true -Dms_disable_liburing=true "$work/build") >>"$log" 2>&1 ||
  fail "meson setup failed"

# Compiles a ninja target and prints a progress line every 10 steps (and the first and last).
compile() {
  local target="$1" line n total shown=0
  set +e
  nice -n 10 ninja -C "$work/build" -j "$jobs" "$target" 2>&1 | while IFS= read -r line; do
    echo "$line" >>"$log"
    if [[ "$line" =~ ^\[([0-9]+)/([0-9]+)\]\ (.*)$ ]]; then
      n="${BASH_REMATCH[1]}"; total="${BASH_REMATCH[2]}"
      if [ "$n" -eq 1 ] || [ "$n" -eq "$total" ] || [ $((n - shown)) -ge 10 ]; then
        shown="$n"
        printf 'mediasoup-worker: [%s/%s] %s (%ss)\n' "$n" "$total" "$(sed -E 's/^(Compiling C\+\+ object|Compiling C object|Linking target|Linking static target) //; s/^(.{0,70}).*/\1/' <<<"${BASH_REMATCH[3]}")" "$(($(date +%s) - started))"
      fi
    fi
  done
  local status="${PIPESTATUS[0]}"
  set -e
  return "$status"
}

step="generate the flatbuffers headers (fbs/FBS)"
# libwebrtc includes FBS/*.h without declaring the dependency: generate them first.
compile fbs/FBS || fail "flatc could not generate the FBS headers"

step="compile mediasoup-worker"
compile mediasoup-worker || fail "compiling or linking mediasoup-worker failed"

step="start the built worker"
# A real check: mediasoup's Node side starts it, creates a router and closes it.
(cd "$repo" && MEDIASOUP_WORKER_BIN="$work/build/mediasoup-worker" node --input-type=module -e '
  const mediasoup = await import("mediasoup");
  const worker = await mediasoup.createWorker({ logLevel: "error" });
  await worker.createRouter({ mediaCodecs: [{ kind: "video", mimeType: "video/VP8", clockRate: 90000 }] });
  worker.close();
') >>"$log" 2>&1 || fail "the worker was built but mediasoup could not start it"

step="store the binary in the cache"
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
cp "$work/build/mediasoup-worker" "$dest.tmp/mediasoup-worker"
seconds=$(($(date +%s) - started))
{
  echo "mediasoup $version worker, recipe $key, built $(date -u +%Y-%m-%dT%H:%M:%SZ) in ${seconds}s with -j$jobs on $(nproc) cores"
  echo "meson $(meson --version), $(g++ --version | head -n 1)"
  dpkg-query -W -f='${Package} ${Version}\n' "${PACKAGES[@]}"
} >"$dest.tmp/build-info.txt"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
rm -rf "$work"
say "built in $((seconds / 60))m$((seconds % 60))s: $binary ($(du -h "$binary" | cut -f1))"
