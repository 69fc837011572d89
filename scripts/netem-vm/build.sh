#!/usr/bin/env bash
# Builds (idempotently) a Debian bookworm VM image whose stock kernel (linux-image-amd64, 6.1) has sch_netem, with
# this project, Node, Chromium, ffmpeg and iproute2 inside, so that the lab's netem backend can run for real.
# Nothing goes into the repository: everything lives under $NETEM_VM_DIR (default /var/tmp/netem-vm).
#   rootfs/        the debootstrapped tree (kept; re-running only refreshes the project and Node in it)
#   rootfs.img     ext4 image made from rootfs/ on every build (the VM boots it as /dev/vda)
# Needs root and apt-get (Debian/Ubuntu host). See README.md beside this file.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(cd "$here/../.." && pwd)"
dir="${NETEM_VM_DIR:-/var/tmp/netem-vm}"
root="$dir/rootfs"
mirror="${NETEM_VM_MIRROR:-http://deb.debian.org/debian}"
security="${NETEM_VM_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
# What the checks need inside the VM. linux-image-amd64 brings sch_netem/sch_tbf as modules; kmod loads them.
guest_packages=(linux-image-amd64 initramfs-tools kmod iproute2 ffmpeg chromium socat ca-certificates procps
  fonts-dejavu-core)

log() { echo "netem-vm build: $*"; }
[ "$(id -u)" -eq 0 ] || { echo "netem-vm build: needs root (debootstrap, chroot, mkfs)" >&2; exit 1; }

# 1. Host tools.
host_missing=()
command -v qemu-system-x86_64 >/dev/null 2>&1 || host_missing+=(qemu-system-x86)
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || host_missing+=(debootstrap)
command -v rsync >/dev/null 2>&1 || host_missing+=(rsync)
command -v mkfs.ext4 >/dev/null 2>&1 || [ -x /usr/sbin/mkfs.ext4 ] || host_missing+=(e2fsprogs)
if [ ${#host_missing[@]} -gt 0 ]; then
  log "installing ${host_missing[*]} on the host"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${host_missing[@]}" >/dev/null
fi
export PATH="$PATH:/usr/sbin:/sbin"

node_bin="$(command -v node || true)"
[ -n "$node_bin" ] || { echo "netem-vm build: no node on PATH (the VM gets a copy of the host's Node 20)" >&2; exit 1; }
[ -d "$project/node_modules" ] || { echo "netem-vm build: run npm ci in $project first (node_modules is copied into the VM)" >&2; exit 1; }

mkdir -p "$dir"

# 2. Base system.
if [ ! -e "$root/.netem-vm-debootstrap" ]; then
  log "debootstrap bookworm into $root (a few minutes)"
  if [ -e "$root/debootstrap/debootstrap.log" ] || [ ! -e "$root/etc/os-release" ]; then rm -rf "$root"; fi
  if [ ! -e "$root/etc/os-release" ]; then
    debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$mirror" >"$dir/debootstrap.log" 2>&1 ||
      { tail -20 "$dir/debootstrap.log" >&2; exit 1; }
  fi
  touch "$root/.netem-vm-debootstrap"
fi

# 3. Packages, installed in a chroot (services never start: policy-rc.d).
chroot_mounts=()
cleanup_mounts() {
  local i
  for ((i = ${#chroot_mounts[@]} - 1; i >= 0; i--)); do umount -l "${chroot_mounts[$i]}" 2>/dev/null || true; done
  chroot_mounts=()
}
trap cleanup_mounts EXIT
if [ ! -e "$root/.netem-vm-packages" ]; then
  log "installing ${guest_packages[*]} in the rootfs"
  cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
EOF
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod +x "$root/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  for m in proc sys dev dev/pts; do
    mkdir -p "$root/$m"
    mount --bind "/$m" "$root/$m"
    chroot_mounts+=("$root/$m")
  done
  chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${guest_packages[@]}" >"$dir/apt-guest.log" 2>&1 || { tail -30 "$dir/apt-guest.log" >&2; exit 1; }
  chroot "$root" apt-get clean
  cleanup_mounts
  echo netem-vm >"$root/etc/hostname"
  printf '127.0.0.1 localhost netem-vm\n::1 localhost\n' >"$root/etc/hosts"
  touch "$root/.netem-vm-packages"
fi
ls "$root"/boot/vmlinuz-* "$root"/boot/initrd.img-* >/dev/null 2>&1 ||
  { echo "netem-vm build: no kernel/initrd in $root/boot" >&2; exit 1; }

# 4. Node (same arch and glibc as the host: bookworm) and the project (working tree, without .git and run output;
#    node_modules is copied: pure JS plus esbuild's linux-x64 binary).
log "copying $node_bin and $project into the rootfs"
install -m 0755 "$node_bin" "$root/usr/local/bin/node"
mkdir -p "$root/opt/latency-lab"
rsync -a --delete --exclude=/.git --exclude=/runs --exclude=/test/.artifacts "$project/" "$root/opt/latency-lab/"
install -m 0755 "$here/guest-init.sh" "$root/sbin/netem-vm-init"

# 5. The disk image the VM boots (rebuilt each time: cheap next to the boot itself).
size_mb=$(( $(du -sm "$root" | cut -f1) + 2048 ))
log "making $dir/rootfs.img (${size_mb} MiB ext4)"
rm -f "$dir/rootfs.img"
mkfs.ext4 -q -F -L netem-vm -d "$root" "$dir/rootfs.img" "${size_mb}M"
log "ready: $dir/rootfs.img, kernel $(basename "$(ls "$root"/boot/vmlinuz-* | sort -V | tail -1)")"
