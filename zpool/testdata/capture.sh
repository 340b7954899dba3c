#!/usr/bin/env bash
# capture.sh records the real output of zpool commands for the zpool package's
# golden tests. It builds throwaway pools on files under $GOZFS_LAB_DIR and
# writes one file per command to zpool/testdata/<version>/:
#
#   NAME        standard output
#   NAME.err    standard error (only when non-empty)
#   index.tsv   NAME, exit code and argv of every capture
#
# Run it in the lab from the repository root:
#
#   internal/zfslab/zfslab run -- bash zpool/testdata/capture.sh
#
# Paths in the captures are those of the lab ($GOZFS_LAB_DIR); times, GUIDs
# and byte counts are whatever the run produced.
#
# ZFS_USERLAND=DIR captures what another OpenZFS userland prints against the
# lab's kernel module: the zfs and zpool under DIR (unpacked there by
# internal/zfslab/userland.sh) come first in PATH and DIR's libraries in
# LD_LIBRARY_PATH, and <version> is that userland's version:
#
#   internal/zfslab/userland.sh 2.1.11-1+deb12u1 .build/zfs-2.1.11
#   internal/zfslab/zfslab run -- env ZFS_USERLAND=.build/zfs-2.1.11 bash zpool/testdata/capture.sh
#
# Userlands older than 2.3 have no JSON output: commands with -j are skipped
# there (not run, not in index.tsv). Commands that such a userland lacks
# (zpool scrub -e, pool user properties) are run and record its complaint.
set -uo pipefail

[ -n "${GOZFS_LAB_DIR:-}" ] || { echo "capture.sh: run me in the lab (GOZFS_LAB_DIR unset)" >&2; exit 2; }
export LC_ALL=C

if [ -n "${ZFS_USERLAND:-}" ]; then
	ul=$(cd "$ZFS_USERLAND" && pwd) || exit 2
	[ -x "$ul/sbin/zpool" ] || { echo "capture.sh: no sbin/zpool in $ZFS_USERLAND" >&2; exit 2; }
	libs=$(printf '%s:' "$ul"/lib/*-linux-gnu)
	export PATH="$ul/sbin:$ul/usr/sbin:$PATH" LD_LIBRARY_PATH="${libs%:}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ver=$(zfs version | sed -n '1s/^zfs-\([0-9.]*\).*/\1/p')
case $ver in
0.* | 1.* | 2.[012].*) json=false ;;
*) json=true ;;
esac
out="$here/$ver"
rm -rf "$out"
mkdir -p "$out"
D="$GOZFS_LAB_DIR/zt"
R="$D/root"
mkdir -p "$D" "$R"

# cap NAME CMD ARGS... runs CMD, keeping its output under NAME.
cap() {
	local name=$1 a
	shift
	if ! $json; then
		for a in "$@"; do [ "$a" = -j ] && return 0; done
	fi
	"$@" >"$out/$name" 2>"$out/$name.err"
	local rc=$?
	[ -s "$out/$name.err" ] || rm -f "$out/$name.err"
	printf '%s\t%s\t%s\n' "$name" "$rc" "$*" >>"$out/index.tsv"
	return 0
}

mk() { # mk FILE... makes 128 MiB sparse files
	local f
	for f in "$@"; do truncate -s 128M "$D/$f"; done
}

create() { # create POOL VDEVSPEC... (file names relative to $D)
	local pool=$1
	shift
	local args=() a
	for a in "$@"; do
		case "$a" in
		mirror | raidz* | draid* | log | cache | spare | special | dedup) args+=("$a") ;;
		*) mk "$a" && args+=("$D/$a") ;;
		esac
	done
	zpool create -f -R "$R" -o cachefile=none "$pool" "${args[@]}"
}

# everything NAME POOL captures the read-only views of POOL under NAME-*.
everything() {
	local n=$1 p=$2
	cap "$n-list.txt" zpool list -H -p "$p"
	cap "$n-list-o.txt" zpool list -H -p -o name,size,allocated,free,checkpoint,expandsize,fragmentation,capacity,dedupratio,health,altroot,guid,readonly "$p"
	cap "$n-list.json" zpool list -j --json-int "$p"
	cap "$n-list-o.json" zpool list -j --json-int -o name,size,allocated,free,checkpoint,expandsize,fragmentation,capacity,dedupratio,health,altroot,guid,readonly "$p"
	cap "$n-get.txt" zpool get -H -p all "$p"
	cap "$n-get.json" zpool get -j --json-int all "$p"
	cap "$n-status.txt" zpool status "$p"
	cap "$n-status-v.txt" zpool status -v -p "$p"
	cap "$n-status-st.txt" zpool status -s -t -i -p "$p"
	cap "$n-status.json" zpool status -j --json-int "$p"
	cap "$n-status-v.json" zpool status -j --json-int -v -s -t -i "$p"
	cap "$n-iostat.txt" zpool iostat -H -p "$p"
	cap "$n-iostat-v.txt" zpool iostat -H -p -v "$p"
}

zfs version >"$out/version.txt"

# Layouts.
create gzsingle f1
create gzmirror mirror m1 m2
create gzraidz raidz1 r1 r2 r3
create gzmix mirror a1 a2 raidz2 a3 a4 a5 a6 log mirror l1 l2 cache c1 spare s1 s2 special mirror sp1 sp2 dedup dd1
create gzdraid draid1:2d:5c:1s d1 d2 d3 d4 d5
mk nofeat
zpool create -f -d -R "$R" -o cachefile=none -o feature@async_destroy=enabled gznofeat "$D/nofeat"

for p in gzsingle gzmirror gzraidz gzmix gzdraid gznofeat; do
	everything "${p#gz}" "$p"
done
cap all-list.txt zpool list -H -p
cap all-list.json zpool list -j --json-int
cap all-list-v.txt zpool list -H -p -v
cap all-get-some.txt zpool get -H -p -o name,property,value,source size,health,feature@async_destroy
cap all-get-some.json zpool get -j --json-int size,health,feature@async_destroy
cap all-status-x.txt zpool status -x
cap all-iostat-stream.txt zpool iostat -H -p gzsingle gzmirror 1 3
cap all-iostat-y.txt zpool iostat -H -p -y gzsingle 1 1
cap all-iostat-lq.txt zpool iostat -H -p -l -q gzsingle

# Dry run.
mk n1 n2 n3
cap create-n.txt zpool create -n gzdry mirror "$D/n1" "$D/n2" log "$D/n3"

# suspend PROGRESS: 1 stops scrubs and resilvers from progressing, 0 lets them go.
suspend() { echo "$1" >/sys/module/zfs/parameters/zfs_scan_suspend_progress; }

# Data and a scrub: running, paused, resumed, cancelled, finished.
dd if=/dev/urandom of="$R/gzraidz/data" bs=1M count=24 status=none
dd if=/dev/urandom of="$R/gzmirror/data" bs=1M count=16 status=none
zpool sync
suspend 1
zpool scrub gzraidz
sleep 2
cap scrub-running-status.txt zpool status -p gzraidz
cap scrub-running-status.json zpool status -j --json-int gzraidz
zpool scrub -p gzraidz
cap scrub-paused-status.txt zpool status gzraidz
cap scrub-paused-status.json zpool status -j --json-int gzraidz
zpool scrub gzraidz
sleep 1
zpool scrub -s gzraidz
cap scrub-canceled-status.txt zpool status gzraidz
cap scrub-canceled-status.json zpool status -j --json-int gzraidz
suspend 0
zpool scrub -w gzraidz
cap scrub-done-status.txt zpool status gzraidz
cap scrub-done-status.json zpool status -j --json-int gzraidz
cap scrub-done-history.txt zpool history -il gzraidz
cap scrub-done-history-plain.txt zpool history gzraidz

# Degraded: a device taken offline temporarily, then back online.
cap offline.txt zpool offline -t gzmirror "$D/m1"
cap degraded-status.txt zpool status gzmirror
cap degraded-status.json zpool status -j --json-int gzmirror
cap degraded-list.txt zpool list -H -p gzmirror
dd if=/dev/urandom of="$R/gzmirror/more" bs=1M count=4 status=none
zpool sync gzmirror
cap online.txt zpool online gzmirror "$D/m1"
cap online-status.txt zpool status gzmirror
zpool wait -t resilver gzmirror

# Resilver in progress: replace a mirror member with scans held.
mk m3
suspend 1
zpool replace gzmirror "$D/m1" "$D/m3"
sleep 2
cap resilver-status.txt zpool status gzmirror
cap resilver-status.json zpool status -j --json-int gzmirror
cap resilver-iostat-v.txt zpool iostat -p -v gzmirror
suspend 0
cap resilver-wait.txt zpool wait -t resilver,replace gzmirror
cap resilver-done-status.txt zpool status gzmirror
cap resilver-done-status.json zpool status -j --json-int gzmirror

# Attach and detach.
mk m4
cap attach.txt zpool attach -w gzmirror "$D/m3" "$D/m4"
cap attach-status.txt zpool status gzmirror
cap detach.txt zpool detach gzmirror "$D/m4"

# Trim: rate-limited (in progress), suspended, cancelled, then complete.
cap trim-slow.txt zpool trim -r 64K gzmirror
cap trim-running-status.txt zpool status -t gzmirror
cap trim-running-status.json zpool status -j --json-int -t gzmirror
zpool trim -c gzmirror
cap trim-suspend.txt sh -c 'zpool trim -r 64K gzmirror && zpool trim -s gzmirror'
cap trim-suspended-status.txt zpool status -t gzmirror
cap trim-suspended-status.json zpool status -j --json-int -t gzmirror
cap trim-resume.txt zpool trim -r 64K gzmirror
cap trim-cancel.txt zpool trim -c gzmirror
cap trim-canceled-status.txt zpool status -t gzmirror
cap trim.txt zpool trim -w gzmirror
cap trim-status.txt zpool status -t gzmirror
cap trim-status.json zpool status -j --json-int -t gzmirror

# Spare in use: a spare replacing a member of gzmix.
cap spare-replace.txt zpool replace gzmix "$D/a1" "$D/s1"
zpool wait -t resilver gzmix
cap spare-status.txt zpool status gzmix
cap spare-status.json zpool status -j --json-int gzmix

# Checkpoint.
cap checkpoint.txt zpool checkpoint gzsingle
cap checkpoint-status.txt zpool status gzsingle
cap checkpoint-status.json zpool status -j --json-int gzsingle
cap checkpoint-list.txt zpool list -H -p gzsingle
cap checkpoint-get.txt zpool get -H -p checkpoint gzsingle
cap checkpoint-again.txt zpool checkpoint gzsingle
cap checkpoint-discard.txt zpool checkpoint -d -w gzsingle

# corrupt POOL FILE VDEV...: write FILE (uncompressed, into POOL's root
# dataset) and overwrite its first block on each VDEV, found by its content,
# with the pool exported.
corrupt() {
	local pool=$1 file=$2 v start count
	shift 2
	zfs set compression=off "$pool"
	yes GOZFSMARK | head -c 1048576 >"$R/$pool/$file"
	zpool sync "$pool"
	zpool export "$pool"
	for v in "$@"; do
		# Every run of 512-byte sectors holding the marker is overwritten.
		grep -obUaF GOZFSMARK "$D/$v" | cut -d: -f1 | awk '
			{ s = int($1 / 512) }
			s == prev || s == prev + 1 { prev = s; next }
			NR > 1 { print start, prev - start + 1 }
			{ start = s; prev = s }
			END { if (NR) print start, prev - start + 1 }' |
			while read -r start count; do
				echo "corrupting $pool/$file on $v: $count sectors at sector $start" >&2
				dd if=/dev/urandom of="$D/$v" bs=512 seek="$start" count="$count" conv=notrunc status=none
			done
	done
	zpool import -d "$D" -R "$R" -o cachefile=none "$pool"
}

# Data errors: a file of a new single-disk pool, its first block read back
# with prefetch off (in the lab, reads that failed through prefetch gave EIO
# without being counted or logged).
create gzerr e1
corrupt gzerr victim e1
echo 1 >/sys/module/zfs/parameters/zfs_prefetch_disable
dd if="$R/gzerr/victim" of=/dev/null bs=128k count=1 status=none 2>/dev/null
echo 0 >/sys/module/zfs/parameters/zfs_prefetch_disable
zpool sync gzerr
cap errors-status.txt zpool status gzerr
cap errors-status-v.txt zpool status -v gzerr
cap errors-status-v.json zpool status -j --json-int -v gzerr
cap errors-status-x.txt zpool status -x
cap errors-scrub-e.txt zpool scrub -e -w gzerr
cap errors-scrub-e-status.txt zpool status -v gzerr
cap errors-scrub-e-status.json zpool status -j --json-int -v gzerr
cap clear.txt zpool clear gzerr
cap errors-cleared-status.txt zpool status gzerr
zpool destroy gzerr

# Checksum errors repaired by a scrub of a mirror.
corrupt gzmirror victim m2
zpool scrub -w gzmirror
cap cksum-status.txt zpool status -p gzmirror
cap cksum-status.json zpool status -j --json-int gzmirror

# Several pools at once.
cap all-status.txt zpool status -p
cap all-status.json zpool status -j --json-int
cap all-get.txt zpool get -H -p all
cap all-iostat-t.txt zpool iostat -H -p -T u gzsingle gzmirror 1 2
cap all-iostat-ty.txt zpool iostat -H -p -T u -y gzsingle 1 2
cap all-iostat-v-t.txt zpool iostat -p -v -T u gzmix gzsingle 1 2
cap all-iostat-v-all.txt zpool iostat -p -v

# Properties.
cap set.txt zpool set comment=hello gzsingle
cap set-user.txt zpool set org.example:tag=blue gzsingle
cap get-user.txt zpool get -H -p comment,org.example:tag gzsingle
cap get-user.json zpool get -j --json-int comment,org.example:tag gzsingle
cap get-all-user.txt zpool get -H -p all gzsingle
cap set-bad.txt zpool set nosuchprop=1 gzsingle
cap set-bad-value.txt zpool set failmode=sometimes gzsingle
cap get-bad.txt zpool get -H -p nosuchprop gzsingle
cap upgrade-v.txt zpool upgrade -v
cap upgrade-nofeat.txt zpool upgrade gznofeat
cap upgrade-list.txt zpool upgrade

# Export and import.
cap export.txt zpool export gzraidz
cap export-mix.txt zpool export gzmix
zpool export gzdraid
rm -f "$D/d5"
cap import-list.txt zpool import -d "$D"
cap import-list-json.txt zpool import -d "$D" -j
guid=$(zpool import -d "$D" | sed -n '/pool: gzraidz/{n;s/.*id: //p}')
cap import-guid.txt zpool import -d "$D" -R "$R" -o cachefile=none -N -o readonly=on "$guid" gzrenamed
cap import-ro-status.txt zpool status gzrenamed
cap import-ro-get.txt zpool get -H -p readonly,altroot,cachefile gzrenamed
cap import-name.txt zpool import -d "$D" -R "$R" -o cachefile=none gzdraid
cap draid-degraded-status.txt zpool status gzdraid
cap draid-degraded-status.json zpool status -j --json-int gzdraid
missing=$(zpool status gzdraid | awk '/UNAVAIL/ {print $1}')
cap rebuild.txt zpool replace -w gzdraid "$missing" draid1-0-0
cap rebuild-status.txt zpool status gzdraid
cap rebuild-status.json zpool status -j --json-int gzdraid
cap import-missing.txt zpool import -d "$D" nosuchpool
cap import-exists.txt zpool import -d "$D" -R "$R" -o cachefile=none gzmix gzsingle
zpool destroy gzrenamed
zpool destroy gznofeat
cap import-destroyed.txt zpool import -D -d "$D"

# Waits.
cap wait-idle.txt zpool wait -t scrub,trim gzsingle
cap wait-missing.txt zpool wait -t scrub nosuchpool

# Errors.
cap err-status-missing.txt zpool status nosuchpool
cap err-status-missing.json zpool status -j nosuchpool
cap err-list-missing.txt zpool list -H -p nosuchpool
cap err-get-missing.txt zpool get -H -p all nosuchpool
cap err-destroy-missing.txt zpool destroy nosuchpool
cap err-create-exists.txt zpool create -f -m none -o cachefile=none gzsingle "$D/n1"
cap err-create-inuse.txt zpool create -R "$R" -o cachefile=none gzother "$D/f1"
cap err-create-small.txt sh -c "truncate -s 16M '$D/tiny' && zpool create -R '$R' -o cachefile=none gztiny '$D/tiny'"
cap err-offline-noreplica.txt zpool offline gzsingle "$D/f1"
cap err-offline-nodev.txt zpool offline gzmirror "$D/nosuchdev"
cap err-scrub-pause-none.txt zpool scrub -p gzsingle
cap err-scrub-stop-none.txt zpool scrub -s gzsingle
cap err-trim-cancel-none.txt zpool trim -c gzsingle
cap err-detach-nomirror.txt zpool detach gzsingle "$D/f1"
cap err-checkpoint-discard-none.txt zpool checkpoint -d gzsingle
cap err-export-missing.txt zpool export nosuchpool
cap err-history-missing.txt zpool history nosuchpool
cap err-iostat-missing.txt zpool iostat -H -p nosuchpool

for p in $(zpool list -H -o name); do zpool destroy -f "$p"; done
cap destroy-missing-empty.txt zpool list -H -p
rm -rf "$D"
echo "captured $(wc -l <"$out/index.tsv") commands into $out"
