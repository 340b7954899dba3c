#!/bin/busybox sh
# The lab guest's first stage: mount the host root over 9p and switch into it.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in netfs 9pnet 9pnet_virtio 9p; do
	insmod /lib/modules/$m.ko || echo "gozfs-lab: insmod $m failed"
done
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=1048576,cache=mmap hostroot /newroot; then
	echo "gozfs-lab: cannot mount the host root"
	echo o >/proc/sysrq-trigger
fi
stage2=$(sed -n 's/.*gozfslab\.stage2=\([^ ]*\).*/\1/p' /proc/cmdline)
umount /dev /sys /proc
exec switch_root /newroot /bin/bash "$stage2"
