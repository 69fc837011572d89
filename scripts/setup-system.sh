#!/usr/bin/env bash
# Installs the system programs the lab needs (ffmpeg, Chromium) and does nothing when they are already there.
# Debian/Ubuntu: apt-get (through sudo when not root). Elsewhere: prints exactly what to install and exits 1.
set -euo pipefail

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
