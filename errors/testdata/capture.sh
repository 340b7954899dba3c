#!/usr/bin/env bash
# capture.sh records what real zfs prints for failures whose Kind the errors
# package's golden test (golden_test.go) checks. Run it from the repository
# root inside the lab:
#
#	internal/zfslab/zfslab run -- bash errors/testdata/capture.sh
#
# It builds two small pools under $GOZFS_LAB_DIR and writes, for each case,
# the standard error as <case>.err, the exit status as <case>.rc and, when
# there is any, the standard output as <case>.out into
# errors/testdata/<version>/.
#
# ZFS_USERLAND=DIR records another OpenZFS userland against the lab's kernel
# module, as zfs/testdata/capture.sh does (see internal/zfslab/README.md):
#
#	internal/zfslab/userland.sh 2.1.11-1+deb12u1 .build/zfs-2.1.11
#	internal/zfslab/zfslab run -- env ZFS_USERLAND=.build/zfs-2.1.11 bash errors/testdata/capture.sh
#
# Never add a `zfs hold` with a tag of 256 bytes or more here: OpenZFS 2.3.2
# accepts it, then fails an assertion in syncing context and never returns.
set -u
: "${GOZFS_LAB_DIR:?run inside the lab}"
D=$GOZFS_LAB_DIR
if [ -n "${ZFS_USERLAND:-}" ]; then
	ul=$(cd "$ZFS_USERLAND" && pwd) || exit 2
	[ -x "$ul/sbin/zfs" ] || { echo "capture.sh: no sbin/zfs in $ZFS_USERLAND" >&2; exit 2; }
	libs=$(printf '%s:' "$ul"/lib/*-linux-gnu)
	export PATH="$ul/sbin:$ul/usr/sbin:$PATH" LD_LIBRARY_PATH="${libs%:}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
export LC_ALL=C
ver=$(zfs version | sed -n '1s/^zfs-\([0-9.]*\).*/\1/p')
OUT=${OUT:-errors/testdata/$ver}
rm -rf "$OUT"
mkdir -p "$OUT"
P=gzerr
Q=gzerr2

# cap NAME CMD...: run CMD, keep stdout, stderr and exit status.
cap() {
	local n=$1
	shift
	"$@" >"$OUT/$n.out" 2>"$OUT/$n.err"
	echo $? >"$OUT/$n.rc"
	[ -s "$OUT/$n.err" ] || rm -f "$OUT/$n.err"
	[ -s "$OUT/$n.out" ] || rm -f "$OUT/$n.out"
}
# capsend NAME CMD...: like cap, discarding standard output (a stream).
capsend() {
	local n=$1
	shift
	"$@" >/dev/null 2>"$OUT/$n.err"
	echo $? >"$OUT/$n.rc"
	[ -s "$OUT/$n.err" ] || rm -f "$OUT/$n.err"
}
# caprecv NAME STREAM CMD...: like cap, with the file STREAM on standard input.
caprecv() {
	local n=$1 in=$2
	shift 2
	"$@" <"$in" >"$OUT/$n.out" 2>"$OUT/$n.err"
	echo $? >"$OUT/$n.rc"
	[ -s "$OUT/$n.err" ] || rm -f "$OUT/$n.err"
	[ -s "$OUT/$n.out" ] || rm -f "$OUT/$n.out"
}

truncate -s 128M "$D/e1" "$D/e2"
zpool create -f -R "$D/r1" -o cachefile=none $P "$D/e1"
zpool create -f -R "$D/r2" -o cachefile=none $Q "$D/e2"
zfs version >"$OUT/version.out"

zfs create $P/fs
zfs create $P/fs2
zfs create -p $P/parent/child
zfs create -V 8M $P/vol
zfs create $Q/fs
echo data >"$D/r1/$P/fs/file"
zfs snapshot $P/fs@s1
zfs snapshot $P/vol@s1
zfs snapshot $Q/fs@s1
zfs send $P/fs@s1 >"$D/fs.zstream"
zfs send $P/vol@s1 >"$D/vol.zstream"

# A volume cannot be a parent (libzfs EZFS_WRONG_PARENT, pyzfs WrongParent).
cap create-below-volume zfs create $P/vol/fs
cap create-volume-below-volume zfs create -V 1M $P/vol/vol
cap rename-below-volume zfs rename $P/fs2 $P/vol/fs2
caprecv recv-below-volume "$D/fs.zstream" zfs receive $P/vol/fs
# A volume stream cannot replace the root dataset, nor a filesystem with
# children (pyzfs WrongParent).
caprecv recv-volume-over-root "$D/vol.zstream" zfs receive -F $P
caprecv recv-volume-over-children "$D/vol.zstream" zfs receive -F $P/parent
# A pool's root dataset is made by zpool create, not zfs create.
cap create-root zfs create "trail "
cap create-pool-root zfs create $P

# Properties of snapshots: only user properties.
cap snapshot-native-property zfs snapshot -o compression=lz4 $P/fs@native
cap set-native-property-snapshot zfs set compression=lz4 $P/fs@s1
# User property names are shorter than 256 bytes, values than 8192.
long255=$(printf 'a%.0s' $(seq 1 251))
cap set-user-property-name-255 zfs set "com:$long255=x" $P/fs
cap set-user-property-name-256 zfs set "com:${long255}a=x" $P/fs
val8191=$(head -c 8191 /dev/zero | tr '\0' v)
cap set-user-property-value-8191 zfs set "com.example:v=$val8191" $P/fs
cap set-user-property-value-8192 zfs set "com.example:v=${val8191}v" $P/fs
cap set-user-property-uppercase zfs set "Com.Example:v=1" $P/fs

# Atomic snapshots: one per dataset, all in one pool (pyzfs
# DuplicateSnapshots, PoolsDiffer).
cap snapshot-same-fs zfs snapshot $P/fs@a $P/fs@b
cap snapshot-two-pools zfs snapshot $P/fs@x $Q/fs@x
cap clone-two-pools zfs clone $P/fs@s1 $Q/clone
cap rename-two-pools zfs rename $P/fs2 $Q/fs2

# Channel programs: the Lua error follows the first line.
printf 'inv+val:id\n' >"$D/syntax.lua"
cap program-syntax zfs program $P "$D/syntax.lua"
printf 'assert(1 == 2)\n' >"$D/assert.lua"
cap program-runtime zfs program $P "$D/assert.lua"
printf 'zfs.sync.snapshot("%s@zcp")\n' "$P/fs" >"$D/nosync.lua"
cap program-nosync zfs program -n $P "$D/nosync.lua"
printf 'return 1\n' >"$D/one.lua"
cap program-memory-limit zfs program -m 1 $P "$D/one.lua"
cap program-instruction-limit-0 zfs program -t 0 $P "$D/one.lua"
cap program-instruction-limit-big zfs program -t 100000001 $P "$D/one.lua"

# zfs send into a file that is open only for reading.
: >"$D/readonly"
zfs send $P/fs@s1 1<"$D/readonly" 2>"$OUT/send-readonly-file.err"
echo $? >"$OUT/send-readonly-file.rc"

# Sending a filesystem or volume (OpenZFS 2.0 and later): only while it is
# not mounted (or read-only) and not open.
capsend send-mounted-filesystem zfs send $P/fs2
zfs unmount $P/fs2
capsend send-unmounted-filesystem zfs send $P/fs2
zfs send $P/fs2 >"$D/fs2.zstream"
caprecv recv-filesystem-stream "$D/fs2.zstream" zfs receive -v $P/fromfs
cap list-filesystem-stream zfs list -H -t all -o name -r $P/fromfs
zfs mount $P/fs2
zfs set readonly=on $P/fs2
capsend send-readonly-filesystem zfs send $P/fs2
capsend send-volume zfs send $P/vol
capsend send-filesystem-replicate zfs send -R $P/fs2
capsend send-filesystem-incremental zfs send -i @s1 $P/fs

# Destroying snapshots that do not exist.
cap destroy-missing-snapshots zfs destroy $P/fs@nope1,nope2
cap destroy-missing-snapshots-of-missing zfs destroy $P/nope@a,b
cap destroy-missing-snapshots-r zfs destroy -r $P/fs@nope1

# A bookmark's short name.
cap bookmark-short zfs bookmark $P/fs@s1 '#bm'
cap bookmark-short-list zfs list -H -o name -t bookmark $P/fs

# Receiving an incremental that the target already has: zfs consumes and
# ignores it ("snap ... already exists; ignoring" with -v).
zfs snapshot $P/fs@s2
zfs send $P/fs@s1 | zfs receive -u $P/copy
zfs send -i @s1 $P/fs@s2 >"$D/inc.zstream"
caprecv recv-incremental "$D/inc.zstream" zfs receive -v -u $P/copy
caprecv recv-incremental-again "$D/inc.zstream" zfs receive -v -u $P/copy
# A resumable receive cut short leaves partial state; a full stream into
# the target then says the target exists.
head -c 200000 "$D/fs.zstream" >"$D/cut.zstream"
dd if=/dev/urandom of="$D/r1/$P/fs/big" bs=64k count=32 status=none
zfs snapshot $P/fs@big
zfs send $P/fs@big >"$D/big.zstream"
head -c 1000000 "$D/big.zstream" >"$D/cut.zstream"
caprecv recv-cut-resumable "$D/cut.zstream" zfs receive -v -s -u $P/partial
cap partial-token zfs get -H -o value receive_resume_token $P/partial
caprecv recv-into-partial-full "$D/big.zstream" zfs receive -v -s -u $P/partial
caprecv recv-into-partial-full-F "$D/big.zstream" zfs receive -v -s -u -F $P/partial
zfs receive -A $P/partial
# An incremental cut short leaves partial state in an existing target.
zfs send $P/fs@s1 | zfs receive -u $P/incpartial
zfs send -i @s1 $P/fs@big >"$D/bigi.zstream"
head -c 1000000 "$D/bigi.zstream" >"$D/cuti.zstream"
caprecv recv-cut-incremental "$D/cuti.zstream" zfs receive -v -s -u $P/incpartial
caprecv recv-into-partial-incremental "$D/bigi.zstream" zfs receive -v -s -u $P/incpartial

zpool export $P
zpool export $Q
