#!/bin/sh
# PID 1 of the netem VM (init=/sbin/netem-vm-init): mounts the basics, loads sch_netem and sch_tbf, runs the lab's
# netem checks with LAB_NET_BACKEND=netem, prints every result on the serial console and powers off.
# Kernel command line: netem_checks=full (default: doctor, tc matrix, real namespace test, `lab calibrate`, cleanup),
# netem_checks=small (the HLS calibrate fixture and the impaired WebRTC fixture instead of the 9-viewer calibrate) or
# netem_checks=link (no browser runs: for an emulated CPU, where ffmpeg and Chromium miss the lab's start-up timeouts).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o size=1g tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /run/netns
mount -o remount,rw /
echo 1 >/proc/sys/kernel/sysrq
hostname netem-vm
ip link set lo up

checks=full
for word in $(cat /proc/cmdline); do
  case "$word" in netem_checks=*) checks="${word#netem_checks=}" ;; esac
done

failed=""
step() { # step NAME command...: runs one check, prints its exit code
  name="$1"; shift
  echo
  echo "===== netem-vm: $name: $* ====="
  start=$(date +%s)
  "$@"
  rc=$?
  echo "===== netem-vm: $name: exit $rc after $(( $(date +%s) - start )) s ====="
  [ "$rc" -eq 0 ] || failed="$failed $name"
}

echo "===== netem-vm: kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ {print int($2/1024)" MiB"}' /proc/meminfo), checks=$checks ====="
step modprobe modprobe -a sch_netem sch_tbf
lsmod | grep -E '^sch_(netem|tbf)'

cd /opt/latency-lab || exit 1
export LAB_NET_BACKEND=netem
step doctor node bin/lab.js doctor
step tc-matrix node --import tsx scripts/netem-vm/tc-matrix.ts
step namespace-test node node_modules/vitest/vitest.mjs run test/harness/network/namespace-link.real.test.ts
if [ "$checks" = link ]; then
  echo "===== netem-vm: netem_checks=link: no browser runs ====="
elif [ "$checks" = small ]; then
  step calibrate-hls node bin/lab.js calibrate test/fixtures/calibrate-hls.yaml --quiet
  # On the VM's disk (not tmpfs): debugfs can read it from rootfs.img afterwards.
  rm -rf /root/imp
  step impaired-webrtc node bin/lab.js run test/fixtures/impaired-webrtc.yaml --quiet --out /root/imp
  if [ -f /root/imp/results.json ]; then
    node -e '
      const r = JSON.parse(require("fs").readFileSync("/root/imp/results.json", "utf8"));
      console.log(`status ${r.status}${r.error ? `: ${r.error}` : ""}`);
      for (const p of r.paths ?? []) {
        const s = p.viewers?.[0]?.webrtcStats ?? {};
        console.log(`path ${p.id ?? p.name}: backend ${p.network?.backend ?? "none"}, p50 ${p.latencyMs?.p50} ms, p95 ${p.latencyMs?.p95} ms, nackCount ${s.nackCount}, packetsLost ${s.packetsLost}`);
      }' || true
  fi
else
  step calibrate node bin/lab.js calibrate --quiet
fi

echo
echo "===== netem-vm: left behind (must show nothing of the lab: no namespace, no ll* link, no netem/tbf) ====="
echo "--- ip netns list"; ip netns list
echo "--- ip link"; ip link
echo "--- tc qdisc show"; tc qdisc show
leftover=$( { ip netns list; ip -o link | awk -F': ' '{print $2}' | grep '^ll'; tc qdisc show | grep -E 'netem|tbf'; } 2>/dev/null)
[ -z "$leftover" ] || failed="$failed cleanup"

echo
if [ -z "$failed" ]; then echo "===== netem-vm: RESULT PASS ====="; else echo "===== netem-vm: RESULT FAIL:$failed ====="; fi
sync
echo o >/proc/sysrq-trigger
sleep 30
