#!/usr/bin/env bash
# Installs the system programs the lab needs (ffmpeg, Chromium) and does nothing when they are already there.
# Debian/Ubuntu: apt-get (through sudo when not root). Elsewhere: prints exactly what to install and exits 1.
# Optional extras for the other WebRTC relays (Janus gateway, coturn for `turn: true`, a C compiler for Janus's
# loopback shim) are installed the same way when apt-get is there; missing extras never fail the setup.
# mediasoup's worker (relay: mediasoup) is built from the npm package's sources with Debian packages by
# scripts/mediasoup-worker/build.sh, once per machine (cached outside the clone); a failed build fails the setup with
# the step that failed. Skip it with `npm run setup -- --no-mediasoup`.
# browserless (remote viewers' CDP endpoint, started by test/e2e/clock-offset.test.ts) is installed with npm by
# scripts/browserless/install.sh, once per machine (cached outside the clone; not a dependency of the lab); a failed
# install fails the setup with the step that failed. Skip it with `npm run setup -- --no-browserless`.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_mediasoup=1
install_browserless=1
for arg in "$@"; do
  case "$arg" in
    --no-mediasoup) build_mediasoup=0 ;;
    --no-browserless) install_browserless=0 ;;
    *) echo "setup: unknown argument $arg (allowed: --no-mediasoup, --no-browserless)" >&2; exit 2 ;;
  esac
done

# browserless: installed once per machine into the cache (a second run only finds it there).
setup_browserless() {
  if [ "$install_browserless" -eq 0 ]; then
    echo "setup: browserless skipped (--no-browserless); the clock-offset e2e then skips its browserless viewer"
    return 0
  fi
  if ! bash "$repo/scripts/browserless/install.sh"; then
    echo "setup: browserless could not be installed (the step is named above)." >&2
    echo "setup: to set up without it: npm run setup -- --no-browserless" >&2
    return 1
  fi
}

# mediasoup's worker: MEDIASOUP_WORKER_BIN, else the build cache, else the package's own; built when none is there.
setup_mediasoup_worker() {
  if [ "$build_mediasoup" -eq 0 ]; then
    echo "setup: mediasoup worker skipped (--no-mediasoup); relay: mediasoup needs one"
    return 0
  fi
  if [ -n "${MEDIASOUP_WORKER_BIN:-}" ]; then
    [ -x "$MEDIASOUP_WORKER_BIN" ] || { echo "setup: MEDIASOUP_WORKER_BIN=$MEDIASOUP_WORKER_BIN is not an executable file" >&2; return 1; }
    echo "setup: mediasoup worker from MEDIASOUP_WORKER_BIN ($MEDIASOUP_WORKER_BIN)"
    return 0
  fi
  if [ ! -f "$repo/node_modules/mediasoup/package.json" ]; then
    echo "setup: mediasoup worker not built: node_modules/mediasoup is missing (run \`npm ci\`, then \`npm run setup\` again)"
    return 0
  fi
  if [ -x "$repo/node_modules/mediasoup/worker/out/Release/mediasoup-worker" ]; then
    echo "setup: mediasoup worker is the package's own (node_modules/mediasoup/worker/out/Release)"
    return 0
  fi
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "setup: optional: no mediasoup worker; scripts/mediasoup-worker/build.sh needs Debian/Ubuntu packages. Point MEDIASOUP_WORKER_BIN at a mediasoup-worker $(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$repo/node_modules/mediasoup/package.json" | head -n 1) for relay: mediasoup" >&2
    return 0
  fi
  if ! bash "$repo/scripts/mediasoup-worker/build.sh"; then
    echo "setup: mediasoup's worker could not be built (the step is named above); relay: mediasoup stays unavailable." >&2
    echo "setup: to set up without it: npm run setup -- --no-mediasoup" >&2
    return 1
  fi
}

install_optional_extras() {
  local extras=()
  command -v janus >/dev/null 2>&1 || [ -n "${JANUS_PATH:-}" ] || extras+=(janus)
  command -v turnserver >/dev/null 2>&1 || [ -n "${TURNSERVER_PATH:-}" ] || extras+=(coturn)
  command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || extras+=(gcc libc6-dev)
  # test/e2e/clock-offset.test.ts shifts one viewer's clock with libfaketime (the test skips without it)
  compgen -G '/usr/lib/*/faketime/libfaketime.so.1' >/dev/null || extras+=(libfaketime)
  # server: nginx-rtmp (nginx with Debian's dynamic RTMP module; the lab runs its own nginx per path, on loopback)
  [ -n "${NGINX_PATH:-}" ] || [ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ] || extras+=(nginx-light libnginx-mod-rtmp)
  if [ ${#extras[@]} -eq 0 ]; then
    echo "setup: optional extras (janus, coturn, a C compiler, nginx with the RTMP module) are present"
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: optional: install ${extras[*]} for relay: janus / turn: true / server: nginx-rtmp (Janus gateway 1.x, coturn, nginx with the RTMP module from your package manager)" >&2
    return 0
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: optional: need root or sudo to apt-get install ${extras[*]}" >&2; return 0; }
    sudo="sudo"
  fi
  echo "setup: installing optional ${extras[*]} with apt-get"
  if $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${extras[@]}" >/dev/null; then
    # The lab starts its own janus and turnserver per run, on loopback; the packages' system services are not used.
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      $sudo systemctl disable --now janus.service coturn.service nginx.service >/dev/null 2>&1 || true
    fi
    echo "setup: installed ${extras[*]}"
  else
    echo "setup: optional: could not install ${extras[*]}; relay: janus, turn: true and server: nginx-rtmp will be unavailable" >&2
  fi
}

# Network impairment (scenarios with `network`): ip/tc from iproute2, and socat for the userspace link emulator used
# on kernels without sch_netem. Optional like the relay extras: only scenarios with `network` need them.
install_network_extras() {
  local extras=()
  command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || extras+=(iproute2)
  command -v socat >/dev/null 2>&1 || extras+=(socat)
  # nft: the NAT routers of network.nat (nftables in the router namespace).
  command -v nft >/dev/null 2>&1 || [ -x /usr/sbin/nft ] || extras+=(nftables)
  if [ ${#extras[@]} -eq 0 ]; then
    echo "setup: network impairment tools (iproute2, socat, nftables) are present"
    return 0
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: optional: need root or sudo to install ${extras[*]} (network impairment)" >&2; return 0; }
    sudo="sudo"
  fi
  if command -v apt-get >/dev/null 2>&1 && $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${extras[@]}" >/dev/null; then
    echo "setup: installed ${extras[*]} (network impairment)"
  else
    echo "setup: optional: install ${extras[*]} for scenarios with \`network\`" >&2
  fi
}

have_browser() {
  [ -n "${CHROME_PATH:-}" ] && [ -x "${CHROME_PATH}" ] && return 0
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1
}
have_ffmpeg() {
  [ -n "${FFMPEG_PATH:-}" ] && [ -x "${FFMPEG_PATH}" ] && return 0
  command -v ffmpeg >/dev/null 2>&1
}

missing=()
have_ffmpeg || missing+=(ffmpeg)
have_browser || missing+=(chromium)
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: ffmpeg and a Chromium browser are present"
  install_optional_extras
  install_network_extras
  setup_mediasoup_worker
  setup_browserless
  exit 0
fi

if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: need root or sudo to apt-get install ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "setup: installing ${missing[*]} with apt-get"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  echo "setup: installed ${missing[*]}"
  install_optional_extras
  install_network_extras
  setup_mediasoup_worker
  setup_browserless
  exit 0
fi

cat >&2 <<MSG
setup: missing ${missing[*]} and this system has no apt-get. Install them yourself:
  macOS:   brew install ffmpeg && brew install --cask chromium
  Fedora:  sudo dnf install ffmpeg-free chromium
  Arch:    sudo pacman -S ffmpeg chromium
or point FFMPEG_PATH / CHROME_PATH at existing binaries (the browser must play H.264: not Chrome for Testing).
MSG
exit 1
