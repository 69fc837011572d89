#!/usr/bin/env bash
# Builds the netem VM if needed (build.sh, idempotent) and boots it: Debian's stock 6.1 kernel, the rootfs image as
# virtio disk, serial console on stdio, init = guest-init.sh, which runs the lab's netem checks and powers off.
# The whole console goes to $NETEM_VM_DIR/logs/netem-vm-<time>.log as well. No network device: loopback and the
# lab's own namespaces inside the VM are all it uses. Exit 0 when the guest printed "RESULT PASS".
# Environment:
#   NETEM_VM_CHECKS=full|small|link   full: doctor, tc matrix, real namespace test, `lab calibrate` (9 viewers);
#                                small: the HLS calibrate fixture and the impaired WebRTC fixture instead of calibrate;
#                                link: no browser runs. Default: full with KVM, link with TCG (under TCG ffmpeg and
#                                Chromium miss the lab's start-up timeouts).
#   NETEM_VM_ACCEL=kvm|tcg       default: kvm when /dev/kvm boots a stock kernel here (probed), tcg otherwise
#   NETEM_VM_CPUS (2), NETEM_VM_MEM (5G), NETEM_VM_TIMEOUT (seconds, default 5400), NETEM_VM_SKIP_BUILD=1
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${NETEM_VM_DIR:-/var/tmp/netem-vm}"
[ "${NETEM_VM_SKIP_BUILD:-}" = 1 ] || bash "$here/build.sh"

root="$dir/rootfs"
kernel="$(ls "$root"/boot/vmlinuz-* | sort -V | tail -1)"
initrd="$root/boot/initrd.img-${kernel##*/vmlinuz-}"
mkdir -p "$dir/logs"

# KVM: /dev/kvm must exist and actually run a stock kernel (some hosts expose a /dev/kvm that only runs
# paravirtualised guests: the stock kernel then never gets past its decompressor). Probe: the kernel alone, without
# a root disk, must print its banner within 60 s.
kvm_boots() {
  [ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
  local out
  out="$(timeout 60 qemu-system-x86_64 -enable-kvm -cpu host,-arch-capabilities -m 512 -nodefaults -display none \
    -no-reboot -serial stdio -kernel "$kernel" -append "console=ttyS0 panic=-1" 2>&1 || true)"
  grep -q 'Linux version' <<<"$out"
}
accel="${NETEM_VM_ACCEL:-}"
if [ -z "$accel" ]; then
  if kvm_boots; then accel=kvm; else
    echo "netem-vm: /dev/kvm missing or does not boot Debian's stock kernel here within 60 s: using TCG (emulated CPU, slow)"
    accel=tcg
  fi
fi
if [ "$accel" = kvm ]; then
  accel_args=(-enable-kvm -cpu host,-arch-capabilities)
  checks="${NETEM_VM_CHECKS:-full}"
else
  # A CPU model without AVX, so that nothing depends on QEMU 7.2's young AVX emulation.
  accel_args=(-accel tcg,thread=multi -cpu Westmere)
  checks="${NETEM_VM_CHECKS:-link}"
fi

log="$dir/logs/netem-vm-$(date +%Y%m%d-%H%M%S).log"
echo "netem-vm: booting ${kernel##*/} ($accel, ${NETEM_VM_CPUS:-2} CPUs, ${NETEM_VM_MEM:-5G}, checks=$checks); console → $log"
set +e
timeout "${NETEM_VM_TIMEOUT:-5400}" qemu-system-x86_64 "${accel_args[@]}" \
  -smp "${NETEM_VM_CPUS:-2}" -m "${NETEM_VM_MEM:-5G}" \
  -nodefaults -display none -no-reboot -serial stdio -nic none \
  -drive "file=$dir/rootfs.img,if=virtio,format=raw,cache=unsafe" \
  -kernel "$kernel" -initrd "$initrd" \
  -append "console=ttyS0 root=/dev/vda rw rootfstype=ext4 init=/sbin/netem-vm-init panic=1 netem_checks=$checks" \
  </dev/null 2>&1 | sed -u 's/\r$//' | tee "$log"
set -e
echo "netem-vm: console log: $log"
grep -q '===== netem-vm: RESULT PASS' "$log"
