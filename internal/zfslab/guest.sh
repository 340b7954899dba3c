#!/bin/bash
# The lab guest's second stage, run as PID 1 on the shared host root: set up a
# private /run, /etc/zfs and pool directory, the target's modules and userland
# (zfslab writes them to $dir/modules and $dir/userland; empty: the host's),
# load zfs, run the command, report its exit code, power off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
rc=125
finish() {
	echo "$rc" >"$dir/rc.tmp" && mv "$dir/rc.tmp" "$dir/rc"
	sync
	echo 1 >/proc/sys/kernel/sysrq
	echo o >/proc/sysrq-trigger
	sleep 10
}
trap finish EXIT

mount -t proc proc /proc
dir=$(sed -n 's/.*gozfslab\.dir=\([^ ]*\).*/\1/p' /proc/cmdline)
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/lock
# Keep whatever ZFS writes off the shared host root.
mkdir -p /run/gozfs-lab/etc-zfs /run/gozfs-lab/pools
[ -d /etc/zfs ] && cp -a /etc/zfs/. /run/gozfs-lab/etc-zfs/
mount --bind /run/gozfs-lab/etc-zfs /etc/zfs
hostname gozfs-lab
# Another target's kernel brings its own module tree (a depmod -b tree in the lab
# cache); mounting it here affects only the guest's view of the host root.
modroot=$(cat "$dir/modules" 2>/dev/null)
[ -z "$modroot" ] || mount --bind "$modroot" /lib/modules
userland=$(cat "$dir/userland" 2>/dev/null)
ip link set lo up 2>/dev/null || true

out=/dev/hvc0
stty -F "$out" raw -echo 2>/dev/null || true
exec >"$out" 2>&1 </dev/null

if ! modprobe zfs; then
	echo "gozfs-lab: modprobe zfs failed"
	exit
fi
# udev makes /dev/zvol links; run it if the host has it.
if [ -x /lib/systemd/systemd-udevd ]; then
	/lib/systemd/systemd-udevd --daemon >/dev/null 2>&1 && udevadm trigger >/dev/null 2>&1 && udevadm settle -t 10 >/dev/null 2>&1
fi

mapfile -d '' argv <"$dir/argv"
while IFS= read -r -d '' kv; do
	case "${kv%%=*}" in
	HOME | TERM | PWD | OLDPWD | SHLVL | _ | HOSTNAME) ;;
	*[!A-Za-z0-9_]*) ;;
	*) export "$kv" ;;
	esac
done <"$dir/env"
export GOZFS_LAB=1 GOZFS_LAB_DIR=/run/gozfs-lab/pools HOME=/root TMPDIR=/tmp
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
if [ -n "$userland" ]; then
	# The target's own zfs, zpool, zdb, ... and the libraries they link come first.
	export PATH="$userland/sbin:$userland/usr/sbin:$userland/usr/bin:$PATH"
	libs=$(cd "$userland" && ls -d lib/*-linux-gnu usr/lib/*-linux-gnu 2>/dev/null | sed "s|^|$userland/|" | paste -sd:)
	export LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
# The OpenZFS version of the loaded module, e.g. 2.3.2 or 2.1.11, for scripts;
# Go code asks `zfs version` (zfs.Client.Version).
v=$(cat /sys/module/zfs/version 2>/dev/null)
export GOZFS_LAB_ZFS=${v%%-*}
[ -n "${GOPATH:-}" ] || export GOPATH=/root/go
limit=$(cat "$dir/limit")
cd "$(cat "$dir/cwd")" || exit

timeout -k 10 "$limit" "${argv[@]}"
rc=$?
# Leave no pool imported: export what the command left behind.
zpool export -a -f >/dev/null 2>&1 || true
