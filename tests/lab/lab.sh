#!/bin/bash
# The Fusis lab: runs commands against a real IPVS kernel on hosts whose kernel has none.
#
# It boots Debian's own kernel (linux-image-amd64's dependency, which has ip_vs) under qemu with no
# network device. The guest sees the host's root filesystem read-only over virtio-9p with a RAM
# overlay on top, so the checkout, dotnet, ipvsadm and serf are all there at the same paths; only the
# per-run folder ($FUSISTEST_LAB_OUT inside, .lab/runs/<id>/ outside) is written back to the host.
#
#   lab.sh setup              apt installs, kernel download/extract, initramfs (idempotent, quiet when done)
#   lab.sh run [--] CMD...    boot, run CMD with sh -c in the current directory, power off.
#                             Exit status: CMD's; 124 timeout; 125 lab failure.
#   lab.sh shell              interactive busybox shell in the initramfs (debugging)
#
# Environment:
#   FUSISTEST_LAB_DIR       scratch folder (default: <repo>/.lab, git-ignored)
#   FUSISTEST_LAB_TIMEOUT   seconds for the whole VM lifetime (default 900; build.ps1 passes its -TimeoutSeconds, 1800)
#   FUSISTEST_LAB_ACCEL     auto|tcg|kvm; auto picks kvm only when /dev/kvm works AND the CPU shows vmx/svm
#   FUSISTEST_LAB_CPU, FUSISTEST_LAB_MEM (2G), FUSISTEST_LAB_SMP (2), FUSISTEST_LAB_APPEND (extra kernel command line)
#   FUSISTEST_LAB_VERBOSE=1 also streams the guest console to stderr
#   FUSISTEST_LAB_RUN_DIR   use this (new or empty) folder as the run folder instead of .lab/runs/<id>
# One VM runs at a time (a lock in FUSISTEST_LAB_DIR); a second run waits for the first.
#   Variables named FUSISTEST_* (other than FUSISTEST_LAB_*) are passed into the guest.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
LAB_DIR=${FUSISTEST_LAB_DIR:-$REPO/.lab}
LAB_TIMEOUT=${FUSISTEST_LAB_TIMEOUT:-900}
LAB_ACCEL=${FUSISTEST_LAB_ACCEL:-auto}
LAB_MEM=${FUSISTEST_LAB_MEM:-2G}
LAB_SMP=${FUSISTEST_LAB_SMP:-2}
LAB_VERBOSE=${FUSISTEST_LAB_VERBOSE:-0}
KDIR=$LAB_DIR/kernel
KEEP_RUNS=20
# Boot set: insmod'ed by /init before the 9p root can be mounted. The full module tree of the kernel
# is bind-mounted later, so plain `modprobe` works for everything else.
BOOT_MODS="virtio_pci 9pnet_virtio 9p overlay"
# Shipped in the initramfs as a fallback for when the full tree is not reachable. crc32c_generic is
# libcrc32c's softdep (nf_conntrack, ip_vs), which `modinfo -F depends` does not report.
EXTRA_MODS="crc32c_generic ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_sh ip_vs_dh ip_vs_mh ip_vs_sed ip_vs_nq ip_vs_fo ip_vs_ovf ip_vs_lblc ip_vs_lblcr nf_nat veth dummy bridge ipip"
# The lab's, and the host suites' tools: lintian checks the .deb, promtool (prometheus) /metrics, chromium the status page.
APT_PACKAGES="qemu-system-x86 busybox-static ipvsadm serf kmod cpio iproute2 curl python3 strace ca-certificates nftables iptables etcd-server lintian prometheus chromium bird2"

say() { echo "[lab $(date +%T)] $*" >&2; }
die() { say "ERROR: $*"; exit 125; }
now_ms() { local n=${EPOCHREALTIME/./}; echo $(( n / 1000 )); }

packages_missing() {
  local c
  for c in qemu-system-x86_64 ipvsadm serf modinfo depmod cpio ip curl strace nft iptables-nft lintian promtool chromium bird birdc; do command -v "$c" >/dev/null || return 0; done
  [ -x /bin/busybox ] && [ -x /usr/bin/python3 ] && return 1
  return 0
}

apt_install() {
  [ "$(id -u)" = 0 ] || die "the lab's packages are missing and installing them needs root: apt-get install $APT_PACKAGES"
  say "installing $APT_PACKAGES"
  apt-get -o DPkg::Lock::Timeout=600 update -q >&2 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $APT_PACKAGES >&2 \
    || die "apt-get install failed"
}

# The kernel Debian currently ships: the version linux-image-amd64 depends on (follows Debian updates).
resolve_kver() {
  apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/.*Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -1
}

kver() {
  [ -f "$LAB_DIR/kver" ] || die "the lab is not set up: run '$0 setup'"
  cat "$LAB_DIR/kver"
}

# Fingerprint of everything the initramfs is built from: rebuild only when it changes.
initramfs_inputs_hash() {
  { echo "$1 $BOOT_MODS $EXTRA_MODS"; cat "$HERE/init" "$HERE/stage2.sh" "$HERE/resolve-modules.sh" /bin/busybox; } | sha256sum | cut -d' ' -f1
}

cmd_setup() {
  local t0; t0=$(now_ms)
  mkdir -p "$LAB_DIR"
  if packages_missing; then apt_install; fi
  local KV
  if [ -f "$LAB_DIR/kver" ]; then KV=$(cat "$LAB_DIR/kver"); else
    KV=$(resolve_kver)
    if [ -z "$KV" ]; then apt-get -o DPkg::Lock::Timeout=600 update -q >&2 || true; KV=$(resolve_kver); fi
    [ -n "$KV" ] || die "cannot tell which kernel linux-image-amd64 depends on (apt-cache depends linux-image-amd64)"
  fi
  if [ ! -s "$KDIR/lib/modules/$KV/modules.dep" ] || [ ! -f "$KDIR/boot/vmlinuz-$KV" ]; then
    say "downloading and extracting linux-image-$KV"
    rm -rf "$LAB_DIR/debs" "$KDIR"; mkdir -p "$LAB_DIR/debs"
    (cd "$LAB_DIR/debs" && apt-get -q download "linux-image-$KV" >&2) || die "apt-get download linux-image-$KV failed"
    dpkg-deb -x "$LAB_DIR"/debs/linux-image-"$KV"_*.deb "$KDIR" || die "dpkg-deb -x failed"
    rm -rf "$LAB_DIR/debs"
    # so a plain `modprobe` works inside the VM against the full tree
    depmod -b "$KDIR" "$KV"
  fi
  if [ ! -f "$LAB_DIR/vmlinux" ]; then
    # Under TCG the bzImage's xz decompressor costs ~7 s a boot: extract the ELF once and boot it via PVH.
    /usr/bin/python3 - "$KDIR/boot/vmlinuz-$KV" "$LAB_DIR/vmlinux.tmp" <<'PY' || die "cannot extract vmlinux"
import lzma, sys
data = open(sys.argv[1], 'rb').read()
start = data.find(b'\xfd7zXZ\x00')
if start < 0:
    sys.exit("no xz payload in the bzImage")
elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data[start:])
if elf[:4] != b'\x7fELF':
    sys.exit("the xz payload is not an ELF image")
open(sys.argv[2], 'wb').write(elf)
PY
    mv "$LAB_DIR/vmlinux.tmp" "$LAB_DIR/vmlinux"
  fi
  local h; h=$(initramfs_inputs_hash "$KV")
  if [ ! -f "$LAB_DIR/initramfs.cpio" ] || [ "$(cat "$LAB_DIR/initramfs.hash" 2>/dev/null)" != "$h" ]; then
    build_initramfs "$KV"
    echo "$h" > "$LAB_DIR/initramfs.hash"
  fi
  echo "$KV" > "$LAB_DIR/kver"
  local took=$(( $(now_ms) - t0 ))
  [ "$took" -lt 1000 ] || say "lab ready: kernel $KV (setup took ${took} ms)"
}

build_initramfs() {
  local KV=$1 st="$LAB_DIR/initramfs.d" M="$KDIR/lib/modules/$1"
  say "building the initramfs"
  rm -rf "$st"; mkdir -p "$st"/{bin,sbin,dev,proc,sys,tmp,mnt,newroot,lib/modules/"$KV"}
  cp /bin/busybox "$st/bin/busybox"
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$st/bin/$a"; done
  mknod -m 600 "$st/dev/console" c 5 1; mknod -m 666 "$st/dev/null" c 1 3; mknod -m 660 "$st/dev/ttyS0" c 4 64
  "$HERE/resolve-modules.sh" "$M" $BOOT_MODS > "$st/lib/modules/boot.order" 2>/dev/null
  "$HERE/resolve-modules.sh" "$M" $BOOT_MODS $EXTRA_MODS > "$LAB_DIR/initramfs.modules" 2>/dev/null
  while read -r ko; do mkdir -p "$st/lib/modules/$KV/$(dirname "$ko")"; cp "$M/$ko" "$st/lib/modules/$KV/$ko"; done < "$LAB_DIR/initramfs.modules"
  cp "$M"/modules.builtin* "$M/modules.order" "$st/lib/modules/$KV/"
  depmod -b "$st" "$KV"
  install -m 755 "$HERE/init" "$st/init"
  install -m 755 "$HERE/stage2.sh" "$st/stage2.sh"
  (cd "$st" && find . | cpio -o -H newc --quiet) > "$LAB_DIR/initramfs.cpio.tmp"
  mv "$LAB_DIR/initramfs.cpio.tmp" "$LAB_DIR/initramfs.cpio"
  rm -rf "$st"
}

pick_accel() {
  case "$LAB_ACCEL" in
    tcg|kvm) echo "$LAB_ACCEL" ;;
    auto) if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then echo kvm; else echo tcg; fi ;;
    *) die "FUSISTEST_LAB_ACCEL must be auto, tcg or kvm" ;;
  esac
}

prune_runs() {
  local d=$LAB_DIR/runs
  [ -d "$d" ] || return 0
  ls -1d "$d"/*/ 2>/dev/null | sort | head -n "-$KEEP_RUNS" | xargs -r rm -rf
}

# run_vm CMDSTRING: the exit status of the command inside the VM
run_vm() {
  local cmd=$1 KV accel cpu run
  [ -f "$LAB_DIR/initramfs.cpio" ] && [ -f "$LAB_DIR/vmlinux" ] || die "the lab is not set up: run '$0 setup'"
  # One VM at a time: emulation uses both cores, and two VMs would each take twice as long.
  exec 9>"$LAB_DIR/vm.lock"
  if ! flock -n 9; then
    say "another lab VM is running; waiting for it (up to ${LAB_TIMEOUT} s)"
    flock -w "$LAB_TIMEOUT" 9 || die "another lab VM is still running after ${LAB_TIMEOUT} s"
  fi
  KV=$(kver); accel=$(pick_accel)
  if [ "$accel" = kvm ]; then cpu=${FUSISTEST_LAB_CPU:-host}; else cpu=${FUSISTEST_LAB_CPU:-Nehalem}; fi
  if [ -n "${FUSISTEST_LAB_RUN_DIR:-}" ]; then
    run=$(mkdir -p "$FUSISTEST_LAB_RUN_DIR" && cd "$FUSISTEST_LAB_RUN_DIR" && pwd)
    [ -z "$(ls -A "$run")" ] || die "FUSISTEST_LAB_RUN_DIR=$run is not empty"
  else
    prune_runs
    run=$LAB_DIR/runs/$(date +%Y%m%d-%H%M%S)-$$
    mkdir -p "$run"
  fi
  printf '%s\n' "$cmd" > "$run/cmd.sh"
  { printf 'export VMLAB_CWD=%q\n' "$PWD"
    echo 'export FUSISTEST_LAB_OUT=/vmlab VMLAB_OUT=/vmlab'
    printf 'export FUSISTEST_LAB_RUN=%q\n' "$run"
    echo 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    local v
    for v in $(compgen -e | grep -E '^FUSISTEST_' | grep -vE '^FUSISTEST_LAB_' || true); do printf 'export %s=%q\n' "$v" "${!v}"; done
  } > "$run/env"
  local append="console=ttyS0 panic=-1 quiet loglevel=4 mitigations=off tsc=reliable"
  append+=" vmlab.msize=512000 vmlab.cache=loose vmlab.modtree=$KDIR/lib/modules ${FUSISTEST_LAB_APPEND:-}"
  local -a q=(qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -m "$LAB_MEM" -smp "$LAB_SMP"
    -nodefaults -no-user-config -display none -nic none -no-reboot
    -serial stdio -monitor none
    -kernel "$LAB_DIR/vmlinux" -initrd "$LAB_DIR/initramfs.cpio" -append "$append"
    -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap
    -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
    -fsdev local,id=vmlab,path="$run",security_model=none,multidevs=remap
    -device virtio-9p-pci,fsdev=vmlab,mount_tag=vmlab)
  printf '%q ' "${q[@]}" > "$run/qemu.cmdline"
  say "booting (accel=$accel cpu=$cpu mem=$LAB_MEM smp=$LAB_SMP, run folder $run)"
  local t0; t0=$(now_ms)
  # The command's output goes to out.log in the shared folder (never through a pipe: daemons it
  # leaves behind would hold the pipe open); stream it from here as it grows.
  : > "$run/out.log"
  tail -n +1 -F "$run/out.log" 2>/dev/null & local tailpid=$!
  set +e
  timeout -k 5 "$LAB_TIMEOUT" "${q[@]}" < /dev/null 2>&1 | while IFS= read -r line; do
      line=${line%$'\r'}
      local n; n=$(now_ms)
      printf '[%8.3f] %s\n' "$(( n - t0 ))e-3" "$line" >> "$run/console.log"
      case "$line" in VMLAB-CMD-START*) echo "$(( n - t0 ))" > "$run/host_ms_to_cmd" ;; esac
      [ "$LAB_VERBOSE" != 1 ] || printf '[%8.3f] %s\n' "$(( n - t0 ))e-3" "$line" >&2
    done
  local qrc=${PIPESTATUS[0]}
  set -e
  local total=$(( $(now_ms) - t0 ))
  sleep 0.3; kill "$tailpid" 2>/dev/null || true; wait "$tailpid" 2>/dev/null || true
  echo "$total" > "$run/host_ms_total"
  local rc=125
  [ -f "$run/rc" ] && rc=$(cat "$run/rc")
  if [ "$qrc" = 124 ]; then rc=124; say "TIMEOUT: the VM was stopped after ${LAB_TIMEOUT} s"; fi
  say "done: rc=$rc boot->command $(cat "$run/host_ms_to_cmd" 2>/dev/null || echo '?') ms, total ${total} ms"
  if [ "$rc" = 125 ] && [ ! -f "$run/rc" ]; then say "the VM gave no exit status; last console lines:"; tail -20 "$run/console.log" >&2; fi
  return "$rc"
}

cmd_run() {
  [ "${1:-}" = "--" ] && shift
  [ $# -gt 0 ] || die "usage: $0 run [--] CMD..."
  local c; c=$(printf '%q ' "$@")
  [ $# = 1 ] && c=$1          # a single argument is a shell string
  run_vm "$c"
}

cmd_shell() {
  local accel cpu; accel=$(pick_accel)
  if [ "$accel" = kvm ]; then cpu=${FUSISTEST_LAB_CPU:-host}; else cpu=${FUSISTEST_LAB_CPU:-Nehalem}; fi
  exec qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -m "$LAB_MEM" -smp "$LAB_SMP" -nodefaults -display none -nic none \
    -no-reboot -serial mon:stdio -kernel "$LAB_DIR/vmlinux" -initrd "$LAB_DIR/initramfs.cpio" \
    -append "console=ttyS0 panic=-1 vmlab.shell=1" \
    -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
}

case "${1:-}" in
  setup) shift; cmd_setup "$@" ;;
  run) shift; cmd_run "$@" ;;
  shell) shift; cmd_shell ;;
  *) sed -n '2,24p' "$0"; exit 2 ;;
esac
