#!/usr/bin/env bash
# Installs browserless (a CDP endpoint server: one Chromium per connection) once per machine, for the remote-viewer
# part of test/e2e/clock-offset.test.ts and for hand runs of viewers "on another machine" (docs/scale.md). It is NOT a
# dependency of the lab (package.json does not name it): npm installs it into a cache folder outside the clone,
# keyed by its version and a hash of this folder, and it runs offline with the system's Chromium:
#   $LATENCY_LAB_CACHE, else /var/cache/latency-lab (when writable), else ${XDG_CACHE_HOME:-~/.cache}/latency-lab
#   → <cache>/browserless/<version>-<hash>/
#        node_modules/@browserless.io/browserless/build/index.js   the server (run with node, from its package folder)
#        routes/{chromium,management}  ROUTES: symlinks to the package's routes (only these are loaded)
#        pw/chromium-<rev>/chrome-linux64/chrome  PLAYWRIGHT_BROWSERS_PATH: playwright's registry → the system Chromium
#        installed.json  written last: version, entry, routes, browsersPath, chromium (its presence = installed)
#
# Usage: install.sh [--force]        install unless cached
#        install.sh --print-path     print the install folder (an installed one if any cache root has it, else where
#                                    it would go) and exit 0
# Exit 0 when installed; otherwise 1 with "browserless install failed at step <name>: …".
set -euo pipefail

# browserless 2.42.0: its package.json says Node >= 24, but it runs on Node 20 (measured here, docs/scale.md); a newer
# 2.x is a new cache entry, to be checked on Node 20 before the pin moves.
VERSION="2.42.0"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
force=0
print_path=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    --print-path) print_path=1 ;;
    *) echo "install.sh: unknown argument $arg (allowed: --force, --print-path)" >&2; exit 2 ;;
  esac
done

step="start"
fail() {
  echo "browserless install failed at step \"$step\": $*" >&2
  exit 1
}
say() { echo "browserless: $*"; }

# sha256 over "<sha256>  ./<path>" lines of every file in this folder, sorted bytewise; first 12 hex digits.
recipe_hash() {
  (cd "$here" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-12
}
key="$VERSION-$(recipe_hash)"

# The cache roots in the order scripts/mediasoup-worker/build.sh uses them.
roots=()
if [ -n "${LATENCY_LAB_CACHE:-}" ]; then
  roots=("$LATENCY_LAB_CACHE")
else
  roots=(/var/cache/latency-lab "${XDG_CACHE_HOME:-$HOME/.cache}/latency-lab")
fi
for root in "${roots[@]}"; do
  if [ -f "$root/browserless/$key/installed.json" ]; then
    if [ "$print_path" -eq 1 ]; then echo "$root/browserless/$key"; exit 0; fi
    if [ "$force" -eq 0 ]; then
      say "cached: $root/browserless/$key (browserless $VERSION), nothing to install"
      exit 0
    fi
  fi
done
root="${roots[-1]}"
if [ -z "${LATENCY_LAB_CACHE:-}" ] && mkdir -p /var/cache/latency-lab 2>/dev/null && [ -w /var/cache/latency-lab ]; then root=/var/cache/latency-lab; fi
dest="$root/browserless/$key"
if [ "$print_path" -eq 1 ]; then echo "$dest"; exit 0; fi

step="find node, npm and Chromium"
command -v node >/dev/null 2>&1 || fail "node is not on PATH"
command -v npm >/dev/null 2>&1 || fail "npm is not on PATH"
chromium="${CHROME_PATH:-}"
[ -n "$chromium" ] || chromium="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$chromium" ] && [ -x "$chromium" ] || fail "no Chromium (set CHROME_PATH or install Debian's chromium: npm run setup)"
chromium="$(readlink -f "$chromium")"

step="lock the cache"
mkdir -p "$root/browserless" || fail "cannot create $root/browserless (set LATENCY_LAB_CACHE to a writable folder)"
exec 9>"$root/browserless/.install.lock"
if ! flock -n 9; then
  say "another install is running; waiting for it"
  flock 9
fi
if [ "$force" -eq 0 ] && [ -f "$dest/installed.json" ]; then
  say "cached: $dest (installed by the other run)"
  exit 0
fi

started=$(date +%s)
work="$dest.tmp"
rm -rf "$work"
mkdir -p "$work"

step="npm install @browserless.io/browserless@$VERSION"
say "installing browserless $VERSION with npm into $work (outside the clone; its install scripts are not run)"
# --omit=optional: its optional dependencies are its own dev tools (typescript, mocha, eslint…), not needed to run.
# --engine-strict=false: its engines field asks for Node 24 (see VERSION above).
log="$work/npm-install.log"
if ! (cd "$work" && nice -n 10 npm install --prefix "$work" --ignore-scripts --omit=optional --omit=dev --engine-strict=false \
  --no-audit --no-fund --loglevel=error "@browserless.io/browserless@$VERSION") >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  fail "npm install failed (log above: $log)"
fi
package="$work/node_modules/@browserless.io/browserless"
[ -f "$package/build/index.js" ] || fail "$package/build/index.js is missing after npm install"

step="link playwright-core into browserless's own node_modules"
# Its meta route resolves playwright-core from the package's folder; npm hoisted it to the top.
[ -d "$work/node_modules/playwright-core" ] || fail "npm did not install playwright-core"
mkdir -p "$package/node_modules"
ln -sfn ../../../playwright-core "$package/node_modules/playwright-core"

step="make the ROUTES folder (chromium and management routes only)"
mkdir -p "$work/routes"
for route in chromium management; do
  [ -d "$package/build/routes/$route" ] || fail "browserless $VERSION has no build/routes/$route"
  # Relative links: the folder is renamed into place below, and the routes' own relative imports resolve from the
  # link's target (Node follows symlinks).
  ln -sfn "../node_modules/@browserless.io/browserless/build/routes/$route" "$work/routes/$route"
done

step="make the playwright registry folder that points at $chromium"
revision="$(node -e 'const b = require(process.argv[1]).browsers.find((x) => x.name === "chromium"); process.stdout.write(b ? b.revision : "")' "$work/node_modules/playwright-core/browsers.json")" ||
  fail "cannot read playwright-core/browsers.json"
[ -n "$revision" ] || fail "playwright-core/browsers.json names no chromium revision"
# chrome-linux64 on x86_64, chrome-linux on arm64 (playwright's layout): both point at the same binary.
for layout in chrome-linux64 chrome-linux; do
  mkdir -p "$work/pw/chromium-$revision/$layout"
  ln -sfn "$chromium" "$work/pw/chromium-$revision/$layout/chrome"
done

step="load the server's modules"
# A real check without starting a server or a Chromium: its exports (and their imports) resolve on this Node.
(cd "$package" && node --input-type=module -e 'await import("./build/exports.js")') >>"$log" 2>&1 ||
  { tail -n 20 "$log" >&2; fail "browserless's modules do not load on node $(node --version) (log above)"; }

step="store the install in the cache"
node -e '
  const [file, version, chromium, revision] = process.argv.slice(1);
  const info = { version, entry: "node_modules/@browserless.io/browserless/build/index.js", routes: "routes",
    browsersPath: "pw", chromium, playwrightRevision: revision, node: process.version, installedAt: new Date().toISOString() };
  require("fs").writeFileSync(file, JSON.stringify(info, null, 2) + "\n");
' "$work/installed.json" "$VERSION" "$chromium" "$revision" || fail "cannot write $work/installed.json"
rm -rf "$dest"
mv "$work" "$dest"
# One install per machine: earlier versions or recipes (~450 MB each) go; the lock keeps a concurrent run out.
for old in "$root/browserless"/*; do
  [ "$old" = "$dest" ] || [ ! -f "$old/installed.json" ] || { say "removing the superseded install $old"; rm -rf "$old"; }
done
say "installed in $(($(date +%s) - started))s: $dest ($(du -sh "$dest" | cut -f1)), Chromium $chromium"
