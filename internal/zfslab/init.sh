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
n=0
until mount -t 9p -o trans=virtio,version=9p2000.L,msize=1048576,cache=mmap hostroot /newroot 2>/dev/null; do
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
