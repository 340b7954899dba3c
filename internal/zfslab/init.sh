#!/bin/busybox sh
# The lab guest's first stage: load the modules that reach the host root (zfslab
# put them in /lib/modules, numbered in load order), mount the host root over 9p
# and switch into it.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in /lib/modules/*.ko; do
	[ -f "$m" ] || continue
	insmod "$m" || echo "gozfs-lab: insmod $m failed"
done
# Devices are probed as their drivers load; give a slow emulated machine a moment.
# cache=loose keeps what the guest reads in its page cache: every zfs command
# execs the same binaries and libraries, and with cache=mmap each exec read
# them again over 9p and had them translated again by the emulator (zfs
# version took about 4 times as long, a zfs snapshot 3 times). The guest sees
# the host's files as they were when it read them, which is what a lab run
# needs: the test binaries are built before it boots; what the guest writes
# reaches the host by the sync guest.sh does before powering off.
n=0
until mount -t 9p -o trans=virtio,version=9p2000.L,msize=1048576,cache=loose hostroot /newroot 2>/dev/null; do
	n=$((n + 1))
	if [ $n -ge 20 ]; then
		echo "gozfs-lab: cannot mount the host root"
		echo o >/proc/sysrq-trigger
	fi
	sleep 1
done
stage2=$(sed -n 's/.*gozfslab\.stage2=\([^ ]*\).*/\1/p' /proc/cmdline)
umount /dev /sys /proc
exec switch_root /newroot /bin/bash "$stage2"
