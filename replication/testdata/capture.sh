#!/usr/bin/env bash
# capture.sh records the listings replication planning runs (one per side),
# in the states planning must recognise, from real zfs. Run it from the
# repository root inside the lab:
#
#	internal/zfslab/zfslab run -- bash replication/testdata/capture.sh
#
# It builds a source tree and a target tree that has been replicated to
# part-way and then disturbed: a dataset up to date, one behind, one diverged
# (a snapshot made on the target), one written to after its last snapshot,
# an interrupted incremental receive and an interrupted first (full) receive
# (both resumable), a source whose common snapshot was destroyed but kept as
# a cursor bookmark, a held snapshot, a dataset only on the target, and a
# placeholder. It writes into replication/testdata/<version>/ what zfs prints
# for the planner's listings, as JSON (-j) and as text (-H): *.out, *.err and
# *.rc, plus the resume tokens and GUIDs the tests check against.
set -u
: "${GOZFS_LAB_DIR:?run inside the lab}"
D=$GOZFS_LAB_DIR
ver=$(zfs version | sed -n '1s/^zfs-\([0-9.]*\).*/\1/p')
OUT=${OUT:-replication/testdata/$ver}
mkdir -p "$OUT"
P=gzrepl
R=$D/root
export LC_ALL=C

cap() {
	local n=$1
	shift
	"$@" >"$OUT/$n.out" 2>"$OUT/$n.err"
	echo $? >"$OUT/$n.rc"
	[ -s "$OUT/$n.err" ] || rm -f "$OUT/$n.err"
}
# fill FS N: write N KiB of random data into filesystem FS.
fill() { dd if=/dev/urandom of="$R/$1/f$RANDOM" bs=1k count="$2" status=none; }
# cut N: pass on the first N bytes of standard input, then drain the rest.
cut() { head -c "$1"; cat >/dev/null; }

truncate -s 512M "$D/f1"
zpool create -f -R "$R" -o cachefile=none $P "$D/f1" || exit 1
zfs version >"$OUT/version.out"

S=$P/src
T=$P/dst
types=filesystem,volume,snapshot,bookmark
scols=name,type,guid,createtxg,creation,userrefs
tcols=name,type,guid,createtxg,creation,receive_resume_token,written,gozfs:placeholder

# --- a source tree, never replicated ---
zfs create -p $S/a/b
zfs create $S/c
zfs create $S/d
zfs create $S/e
zfs create $S/f
zfs create $S/empty
zfs create -V 8M $S/vol
for i in 1 2 3; do
	for fs in $S $S/a $S/a/b $S/c $S/d $S/e $S/f; do fill $fs 64; done
	[ $i = 3 ] && fill $S/d 512
	zfs snapshot -r $S@s$i
	zfs destroy $S/empty@s$i
done
zfs bookmark $S/a@s1 $S/a#mark

cap fresh-source-json zfs list -j -p -r -t $types -o $scols $S
cap fresh-source-text zfs list -H -p -r -t $types -o $scols $S
cap fresh-target-json zfs list -j -p -r -t $types -o $tcols $T
cap fresh-target-text zfs list -H -p -r -t $types -o $tcols $T
cap fresh-single-json zfs list -j -p -d 1 -t $types -o $scols $S
cap fresh-single-text zfs list -H -p -d 1 -t $types -o $scols $S

# --- replicate up to @s2 everywhere (as a replication run would leave it) ---
for fs in "" /a /a/b /c /d /e /f /vol; do
	zfs send $S$fs@s1 | zfs receive -u $T$fs
	zfs send -i @s1 $S$fs@s2 | zfs receive -u $T$fs
done
zfs set canmount=off $T $T/a $T/a/b $T/c $T/d $T/e $T/f
zfs create -o canmount=off -o gozfs:placeholder=on $T/empty
for fs in "" /a /a/b /c /d /e /f /vol; do
	g=$(zfs get -H -p -o value guid $S$fs@s2)
	zfs bookmark $S$fs@s2 "$S$fs#gozfs-replication_$(printf %016x "$g")"
done
# root: up to date at @s3
zfs send -i @s2 $S@s3 | zfs receive -u $T
# a: behind (@s2), with a hold on @s3 (an interrupted run's)
zfs hold gozfs-replication $S/a@s3
# a/b: diverged: a snapshot made on the target
zfs snapshot $T/a/b@local
# c: written to after its last snapshot
zfs set canmount=on $T/c
zfs mount $T/c
fill $T/c 32
# d: interrupted incremental receive of @s3
zfs send -i @s2 $S/d@s3 | cut 100000 | zfs receive -s -u $T/d
# e: the source lost @s2 (pruned) but kept the cursor bookmark
zfs destroy $S/e@s2
# f: behind, with the target's @s1 destroyed (pruned on the target)
zfs destroy $T/f@s1
# g: a new source dataset whose first (full) receive was interrupted
zfs create $S/g
fill $S/g 512
zfs snapshot $S/g@s1
zfs send $S/g@s1 | cut 100000 | zfs receive -s -u $T/g
# h: a new source dataset, not on the target at all
zfs create $S/h
fill $S/h 16
zfs snapshot $S/h@s1
# vol: behind (@s2)
# a dataset only on the target
zfs create $T/stray

for fs in "" /a /a/b /c /d /e /f /g /h /vol; do zfs get -H -p -o name,value guid $S$fs; done >"$OUT/guids-source.txt"
zfs list -H -p -r -t snapshot,bookmark -o name,guid $S >>"$OUT/guids-source.txt"
zfs list -H -p -r -t snapshot -o name,guid $T >"$OUT/guids-target.txt"
zfs get -H -p -o name,value receive_resume_token $T/d $T/g >"$OUT/tokens.txt"

cap later-source-json zfs list -j -p -r -t $types -o $scols $S
cap later-source-text zfs list -H -p -r -t $types -o $scols $S
cap later-target-json zfs list -j -p -r -t $types -o $tcols $T
cap later-target-text zfs list -H -p -r -t $types -o $tcols $T

zpool destroy $P
