#!/usr/bin/env bash
# capture.sh records the output of real zfs commands that the zfs package's
# golden tests parse. Run it from the repository root inside the lab:
#
#	internal/zfslab/zfslab run -- bash zfs/testdata/capture.sh
#
# It builds a small pool under $GOZFS_LAB_DIR with filesystems, a clone,
# volumes, snapshots, bookmarks, holds, user properties (one holding a tab and
# a newline), received and temporary property sources, an encrypted
# filesystem and files with awkward names, then writes what zfs prints into
# zfs/testdata/<version>/: standard output as *.out, standard error as *.err
# and the exit status as *.rc.
#
# ZFS_USERLAND=DIR captures what another OpenZFS userland prints against the
# lab's kernel module: the zfs and zpool under DIR (unpacked there by
# internal/zfslab/userland.sh) come first in PATH and DIR's libraries in
# LD_LIBRARY_PATH, and <version> is that userland's version:
#
#	internal/zfslab/userland.sh 2.1.11-1+deb12u1 .build/zfs-2.1.11
#	internal/zfslab/zfslab run -- env ZFS_USERLAND=.build/zfs-2.1.11 bash zfs/testdata/capture.sh
#
# Userlands older than 2.3 have no JSON output: commands with -j are skipped
# there, so their captures do not exist; zfs program -j, which 2.1 has, is
# still captured.
set -u
: "${GOZFS_LAB_DIR:?run inside the lab}"
D=$GOZFS_LAB_DIR
if [ -n "${ZFS_USERLAND:-}" ]; then
	ul=$(cd "$ZFS_USERLAND" && pwd) || exit 2
	[ -x "$ul/sbin/zfs" ] || { echo "capture.sh: no sbin/zfs in $ZFS_USERLAND" >&2; exit 2; }
	libs=$(printf '%s:' "$ul"/lib/*-linux-gnu)
	export PATH="$ul/sbin:$ul/usr/sbin:$PATH" LD_LIBRARY_PATH="${libs%:}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
ver=$(zfs version | sed -n '1s/^zfs-\([0-9.]*\).*/\1/p')
case $ver in
0.* | 1.* | 2.[012].*) json=false ;;
*) json=true ;;
esac
OUT=${OUT:-zfs/testdata/$ver}
mkdir -p "$OUT"
P=gzcap
R=$D/root

# nojson CMD...: true if CMD asks for JSON output and this zfs has none.
nojson() {
	local a
	$json && return 1
	[ "$2" = program ] && return 1
	for a in "$@"; do [ "$a" = -j ] && return 0; done
	return 1
}
# cap NAME CMD...: run CMD, keep stdout, stderr and exit status.
cap() {
	local n=$1
	shift
	nojson "$@" && return 0
	"$@" >"$OUT/$n.out" 2>"$OUT/$n.err"
	echo $? >"$OUT/$n.rc"
	[ -s "$OUT/$n.err" ] || rm -f "$OUT/$n.err"
}
# capin NAME INPUT CMD...: like cap, with INPUT on standard input.
capin() {
	local n=$1 in=$2
	shift 2
	nojson "$@" && return 0
	printf '%s' "$in" | "$@" >"$OUT/$n.out" 2>"$OUT/$n.err"
	echo $? >"$OUT/$n.rc"
	[ -s "$OUT/$n.err" ] || rm -f "$OUT/$n.err"
}

truncate -s 256M "$D/f1"
zpool create -f -R "$R" -o cachefile=none $P "$D/f1"
zfs version >"$OUT/version.out"

zfs create -o com.example:note=hello $P/fs
zfs create -p $P/fs/child/grand
zfs set "com.example:tab=$(printf 'a\tb\nc')" $P/fs
zfs set compression=lz4 $P/fs
zfs set quota=100M $P/fs/child
zfs create -V 16M $P/vol
zfs create -s -V 32M -b 16k $P/sparse
mkdir -p "$R/$P/fs/dir"
echo one >"$R/$P/fs/file1"
echo gone >"$R/$P/fs/deleted"
echo old >"$R/$P/fs/oldname"
zfs snapshot $P/fs@s1
dd if=/dev/urandom of="$R/$P/fs/big" bs=64k count=16 status=none
zfs snapshot -r $P/fs@s2
echo two >>"$R/$P/fs/file1"
zfs snapshot -o com.example:snapprop=yes $P/fs@s3 $P/vol@s3
zfs bookmark $P/fs@s1 $P/fs#b1
zfs bookmark $P/fs#b1 $P/fs#b1copy
zfs hold keep $P/fs@s1
zfs hold -r rkeep $P/fs@s2
zfs clone -o com.example:note=cloned $P/fs@s2 $P/clone
zfs send -p $P/fs@s1 | zfs receive -u $P/recv
zfs unmount $P/fs/child/grand
zfs mount -o ro $P/fs/child/grand

props=name,type,guid,createtxg,creation,used,available,referenced,compressratio,mounted,mountpoint,canmount,quota,volsize,origin,com.example:note,com.example:tab,written@s1
# -p rather than --json-int: --json-int prints integers above 2^63-1 (GUIDs)
# as 9223372036854775807 in OpenZFS 2.3.
cap list-json zfs list -j -p -r -t all -o "$props" $P
cap list-json-int zfs list -j --json-int -r -t all -o name,guid $P
cap list-json-plain zfs list -j -r -t filesystem,volume $P
cap list-text zfs list -H -p -r -t all -o "$props" $P
cap list-text-tab zfs list -H -p -r -t filesystem -o name,type,guid,createtxg,creation,com.example:tab,used $P
cap list-text-sorted zfs list -H -p -t snapshot -s createtxg -d 1 -o name,guid,createtxg $P/fs
cap list-json-sorted zfs list -j -p -t snapshot -S createtxg -d 1 -o name,guid,createtxg $P/fs
cap list-json-bookmarks zfs list -j -p -t bookmark -r -o name,guid,createtxg,creation $P
cap list-json-empty zfs list -j -p -t snapshot -d 1 -o name $P/fs/child
cap list-text-depth zfs list -H -p -d 1 -o name,type $P
cap get-json zfs get -j -p -r -t all "$props" $P
cap get-text zfs get -H -p -o name,property,value,source -r -t all "$props" $P
cap get-text-all zfs get -H -p -o name,property,value,source all $P/recv $P/fs/child/grand $P/fs/child
cap get-json-all zfs get -j -p all $P/recv $P/fs/child/grand $P/fs/child
cap get-text-order zfs get -H -p -o name,property,value -r -t all name,createtxg $P
cap list-text-order zfs list -H -p -r -t all -o name,createtxg $P
cap get-written zfs get -H -p -o name,property,value,source written@s1,written@s2,written $P/fs

# destroy dry runs
cap destroy-snap zfs destroy -nvp $P/vol@s3
cap destroy-range zfs destroy -nvp $P/fs@s1%s3
cap destroy-comma zfs destroy -nvp $P/fs@s2,s3
cap destroy-r zfs destroy -nvp -r $P/fs
cap destroy-R zfs destroy -nvp -R $P/fs
cap destroy-rs zfs destroy -nvp -r $P/fs@s2
# holds
cap holds zfs holds -H -p $P/fs@s1 $P/fs@s2
cap holds-r zfs holds -H -p -r $P/fs@s2
cap holds-human zfs holds $P/fs@s1
cap holds-none zfs holds -H -p $P/fs@s3
# without -p (which OpenZFS 2.1 lacks): times as "Sun Nov 22 07:43 2026"
cap holds-H zfs holds -H $P/fs@s1 $P/fs@s2
cap holds-H-r zfs holds -H -r $P/fs@s2

# diff with awkward names
zfs snapshot $P/fs@d1
echo mod >>"$R/$P/fs/file1"
rm "$R/$P/fs/deleted"
mv "$R/$P/fs/oldname" "$R/$P/fs/new name"
printf x >"$R/$P/fs/$(printf 'tab\there')"
printf x >"$R/$P/fs/$(printf 'nl\nhere')"
printf x >"$R/$P/fs/$(printf 'caf\303\251')"
printf x >"$R/$P/fs/back\\slash"
ln -s file1 "$R/$P/fs/link"
mkfifo "$R/$P/fs/fifo"
mkdir "$R/$P/fs/newdir"
ln "$R/$P/fs/file1" "$R/$P/fs/hardlink"
zfs snapshot $P/fs@d2
cap diff-Ht zfs diff -H -F -t $P/fs@d1 $P/fs@d2
cap diff-H zfs diff -H -F $P/fs@d1 $P/fs@d2
cap diff-Hh zfs diff -H -F -h $P/fs@d1 $P/fs@d2
cap diff-plain zfs diff $P/fs@d1 $P/fs@d2
echo live >"$R/$P/fs/livefile"
cap diff-live zfs diff -H -F -t $P/fs@d2 $P/fs

# channel programs
cat >"$D/prog.lua" <<'LUA'
args = ...
argv = args["argv"]
local snaps = {}
for s in zfs.list.snapshots(argv[1]) do
	snaps[#snaps + 1] = s
end
return {n = #snaps, first = snaps[1], args = argv, flag = true, neg = -5, nested = {x = "y"}}
LUA
cap program-json zfs program -j -n $P "$D/prog.lua" $P/fs
cap program-text zfs program -n $P "$D/prog.lua" $P/fs
echo 'return 42' >"$D/num.lua"
cap program-num-json zfs program -j -n $P "$D/num.lua"
cap program-num-text zfs program -n $P "$D/num.lua"
echo 'return' >"$D/nil.lua"
cap program-nil-json zfs program -j -n $P "$D/nil.lua"
cap program-nil-text zfs program -n $P "$D/nil.lua"
echo 'error("boom")' >"$D/err.lua"
cap program-err-json zfs program -j -n $P "$D/err.lua"
cap program-err-text zfs program -n $P "$D/err.lua"
echo 'while true do end' >"$D/loop.lua"
cap program-limit zfs program -n -t 1000 $P "$D/loop.lua"
capin program-stdin 'return 1' zfs program -n $P -
capin program-devstdin 'return 1' zfs program -n $P /dev/stdin
echo 'return zfs.sync.destroy(...)' >"$D/sync.lua"
cap program-sync-json zfs program -j $P "$D/sync.lua" $P/fs@nonexistent

# encryption
capin create-enc 'passphrase123' zfs create -o encryption=on -o keyformat=passphrase -o keylocation=prompt $P/enc
cap enc-keystatus zfs get -H -p -o name,property,value,source keystatus,keyformat,keylocation,encryption,encryptionroot $P/enc
cap unload-key-mounted zfs unload-key $P/enc
zfs unmount $P/enc
cap unload-key zfs unload-key $P/enc
cap enc-keystatus-unloaded zfs get -H -p -o name,property,value,source keystatus $P/enc
capin load-key-wrong 'wrongpassword' zfs load-key $P/enc
capin load-key 'passphrase123' zfs load-key $P/enc
capin load-key-again 'passphrase123' zfs load-key $P/enc
capin load-key-noop 'passphrase123' zfs load-key -n $P/enc
capin change-key 'newpassphrase' zfs change-key -o keyformat=passphrase -o keylocation=prompt $P/enc
capin change-key-hex "$(printf '%064d' 7)" zfs change-key -o keyformat=hex -o keylocation=prompt $P/enc
zfs unmount $P/enc
cap unload-key-2 zfs unload-key $P/enc
cap mount-noload zfs mount $P/enc
capin load-key-hex "$(printf '%064d' 7)" zfs load-key $P/enc

# errors
cap err-notexist zfs list -H -o name $P/nope
cap err-notexist-snap zfs list -H -o name $P/fs@nope
cap err-exist zfs create $P/fs
cap err-snap-exist zfs snapshot $P/fs@s1
cap err-children zfs destroy $P/fs/child
cap err-clones zfs destroy $P/fs@s2
cap err-held zfs destroy $P/fs@s1
cap err-batch zfs destroy $P/fs@s1,s3
cap err-notlatest zfs rollback $P/fs@s1
cap err-bookmark-exist zfs bookmark $P/fs@s2 $P/fs#b1
cap err-hold-exist zfs hold keep $P/fs@s1
cap err-release-notag zfs release nokeep $P/fs@s1
cap err-snap-multi zfs snapshot $P/fs@s1 $P/vol@new1
cap err-snap-multi2 zfs snapshot $P/fs@m1 $P/nope@m1
cap err-promote zfs promote $P/fs
cap err-rename-exist zfs rename $P/fs/child $P/clone
cap err-invalid-prop zfs set nosuchprop=1 $P/fs
cap err-invalid-value zfs set compression=bogus $P/fs
cap err-invalid-multi zfs set compression=lz4 atime=maybe $P/fs
cap err-destroy-range-bad zfs destroy -nvp $P/fs@s3%s1
cap err-diff-notsnap zfs diff $P/fs $P/fs@s1
cap err-inherit-notinheritable zfs inherit quota $P/fs
cap err-get-noprop zfs get -H -p nosuchprop $P/fs
cap err-list-badtype zfs list -t bogus
(cd "$R/$P/fs/child" && sleep 30) &
sleep 1
cap err-busy-unmount zfs unmount $P/fs/child
kill %1 2>/dev/null
wait
cap err-rollback-bookmark zfs rollback $P/fs@s2
cap err-bookmark-fromsnap-other zfs bookmark $P/fs@s2 $P/vol#x

# operations whose output (if any) matters
cap rename-r zfs rename -r $P/fs@s3 $P/fs@s3r
cap promote zfs promote $P/clone
cap list-after-promote zfs list -H -p -r -t snapshot -o name,origin $P
cap release-r zfs release -r rkeep $P/clone@s2
cap rollback-r zfs rollback -r $P/fs@d1
cap destroy-deferred zfs destroy -d $P/clone@s1
cap list-defer zfs get -H -p -o name,property,value,source defer_destroy,userrefs $P/clone@s1
cap mount-json zfs mount -j
cap get-sources zfs get -H -p -o name,property,value,source -s local,received quota,com.example:note,compression $P/fs $P/recv

zpool export $P
