#!/usr/bin/env bash
# make-fixtures.sh builds small pools with real OpenZFS on sparse files, fills
# them with the kinds of content the readers must handle, and records what the
# kernel's ZFS shows for them. Its outputs are the fixtures of format/poolimage
# (pool images) and format/streamfs (send streams of the same datasets).
#
# It must run as root on a machine with ZFS. Run it in the lab VM from the
# module root (the pool files live in the guest's tmpfs):
#
#   GOZFS_LAB_MEM=3072 internal/zfslab/zfslab run --timeout 60m -- \
#       bash format/poolimage/testdata/make-fixtures.sh
#
# Outputs, next to this script:
#   images/POOL.N.img.zst   the exported pool's vdev files, zstd-compressed
#                           (sparse 64-128 MiB files: a few hundred KiB each)
#   POOL/DATASET.jsonl.gz   manifest.py's listing of each mounted dataset and
#                           snapshot ("/" in names becomes "%")
#   POOL/zfs-get.txt        zfs get -Hp all, every dataset of the pool
#   POOL/zpool-get.txt      zpool get -Hp all
#   POOL/zdb-l.txt          zdb -l -u of the pool's first vdev file
#   POOL/blocks.txt         zdb -bbb summary lines that say which kinds of
#                           block pointers the pool holds (gang, embedded)
# and in ../../streamfs/testdata:
#   NAME.zsend.gz           send streams of some of the datasets
#   NAME.jsonl.gz           the manifest of the snapshot each stream carries
#   tree-incr.diff          zfs diff of the two snapshots tree-incr spans
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
streams=$here/../../streamfs/testdata
mkdir -p "$here/images" "$streams"
streams=$(cd "$streams" && pwd)
base=${GOZFS_LAB_DIR:-/dev/shm}
work=$(mktemp -d "$base/imgfx.XXXXXX")
pools=()
cleanup() {
	for p in "${pools[@]}"; do zpool destroy -f "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
log() { printf 'make-fixtures: %s\n' "$*" >&2; }
py=/usr/bin/python3
manifest() { "$py" "$here/manifest.py" "$1" | gzip -9n; }

# text N S: N lines of repetitive text (compressible by every algorithm but zle).
text() { awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s line %06d: the quick brown fox jumps over the lazy dog\n", s, i }'; }
# rand N: N bytes that no algorithm compresses.
rand() { head -c "$1" /dev/urandom; }
# zeroish N: N bytes, mostly zeros with a few marks (what zle compresses).
zeroish() { "$py" -c 'import sys; n=int(sys.argv[1]); b=bytearray(n)
for i in range(0, n, 4099): b[i] = (i // 4099) % 251 + 1
sys.stdout.buffer.write(b)' "$1"; }

# newpool NAME SIZE ZPOOL-CREATE-ARGS... -- VDEV-SPEC: files NAME.0, NAME.1, ... are
# created for every "@" in VDEV-SPEC, in order.
newpool() {
	local name=$1 size=$2
	shift 2
	local args=() spec=() n=0
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	for w in "$@"; do
		if [ "$w" = @ ]; then
			truncate -s "$size" "$work/$name.$n"
			spec+=("$work/$name.$n")
			n=$((n + 1))
		else
			spec+=("$w")
		fi
	done
	log "zpool create $name ${args[*]} $*"
	zpool create -f -o cachefile=none -O mountpoint="/$name" -R "$work/root" "${args[@]}" "$name" "${spec[@]}"
	pools+=("$name")
}

# record POOL: manifests of every mounted file system and its snapshots, the
# properties, then export the pool and keep its images.
record() {
	local pool=$1 out="$here/$1"
	rm -rf "$out"
	mkdir -p "$out"
	sync
	zpool sync "$pool"
	local ds mp
	zfs list -H -t filesystem -o name,mountpoint -r "$pool" >"$work/list"
	while IFS=$'\t' read -r ds mp; do
		[ "$mp" = - ] || [ "$mp" = none ] || [ "$mp" = legacy ] && continue
		mountpoint -q "$mp" || continue
		manifest "$mp" >"$out/${ds//\//%}.jsonl.gz"
		local snap
		for snap in $(zfs list -H -t snapshot -o name -d 1 "$ds"); do
			manifest "$mp/.zfs/snapshot/${snap#*@}" >"$out/${snap//\//%}.jsonl.gz"
		done
	done <"$work/list"
	zfs get -Hp all -r -t all "$pool" >"$out/zfs-get.txt"
	zpool get -Hp all "$pool" >"$out/zpool-get.txt"
	zfs list -Hp -t all -o name,type,guid,createtxg,encryption -r "$pool" >"$out/zfs-list.txt"
	zpool export "$pool"
	zdb -l -u "$work/$pool.0" >"$out/zdb-l.txt" || true
	zdb -e -p "$work" -bbb "$pool" 2>&1 | grep -iE 'gang|embedded|^\s+bp count|^\s+Total' >"$out/blocks.txt" || true
	local f
	for f in "$work/$pool".*; do
		zstd -q -19 -T2 -f "$f" -o "$here/images/$(basename "$f").img.zst"
		rm -f "$f"
	done
	log "$pool: $(du -cb "$here/images/$pool".*.img.zst | tail -1 | cut -f1) bytes of images"
}

# payload DIR: files of awkward sizes for the vdev-layout images.
payload() {
	local d=$1 n
	mkdir -p "$d/sizes" "$d/small"
	for n in 1 511 512 513 4095 4096 4097 12345 131071 131072 131073 1048577; do
		text $((n / 70 + 1)) "size$n" | head -c "$n" >"$d/sizes/text-$n"
	done
	rand 20000 >"$d/random.bin"
	rand 1000 >"$d/random-small.bin"
	text 6000 payload >"$d/text.txt"
	for n in $(seq 1 100); do printf 'small file %d\n' "$n" >"$d/small/f$n"; done
	ln -s random.bin "$d/link"
}

# ---------------------------------------------------------------- gang blocks
newpool fxgang 64M -o ashift=9 -O compression=off -O recordsize=128K -- @
zfs create fxgang/g
echo 16384 >/sys/module/zfs/parameters/metaslab_force_ganging
echo 100 >/sys/module/zfs/parameters/metaslab_force_ganging_pct
text 12000 gang >"$work/root/fxgang/g/ganged.txt"
rand 200000 >"$work/root/fxgang/g/ganged.bin"
sync
zpool sync fxgang
echo $((16 * 1024 * 1024 + 1)) >/sys/module/zfs/parameters/metaslab_force_ganging
echo 3 >/sys/module/zfs/parameters/metaslab_force_ganging_pct
printf 'after\n' >"$work/root/fxgang/g/after.txt"
record fxgang

# ---------------------------------------------------------------- layouts
newpool fxmirror 64M -o ashift=9 -O compression=lz4 -- mirror @ @
payload "$work/root/fxmirror"
record fxmirror

newpool fxraidz1 64M -o ashift=12 -O compression=lz4 -- raidz1 @ @ @ @
payload "$work/root/fxraidz1"
zfs create -o recordsize=1M fxraidz1/large
text 20000 r1large >"$work/root/fxraidz1/large/large.txt"
record fxraidz1

newpool fxraidz2 64M -o ashift=9 -O compression=lz4 -- raidz2 @ @ @ @ @ @
payload "$work/root/fxraidz2"
record fxraidz2

newpool fxraidz3 64M -o ashift=9 -O compression=lz4 -- raidz3 @ @ @ @ @ @ @ @
payload "$work/root/fxraidz3"
zfs create -o compression=off fxraidz3/plain
payload "$work/root/fxraidz3/plain"
record fxraidz3

# A pool limited to the features OpenZFS 2.1 knows (what a 2.1 host makes).
newpool fxcompat21 64M -o compatibility=openzfs-2.1-linux -O compression=gzip -- @
payload "$work/root/fxcompat21"
record fxcompat21

# ---------------------------------------------------------------- single
newpool fxsingle 128M -o ashift=12 -O compression=lz4 -- @
m="$work/root/fxsingle"
text 20 readme >"$m/README"
for c in off lz4 lzjb gzip gzip-9 zle zstd zstd-19; do
	zfs create -o compression="$c" "fxsingle/c-$c"
	text 3000 "$c" >"$m/c-$c/text.txt"
	zeroish 300000 >"$m/c-$c/zeroish.bin"
	rand 8000 >"$m/c-$c/random.bin"
	printf 'tiny %s\n' "$c" >"$m/c-$c/tiny.txt"
done
for k in fletcher2 fletcher4 sha256 sha512 skein edonr blake3; do
	zfs create -o checksum="$k" "fxsingle/k-$k"
	text 2000 "$k" >"$m/k-$k/text.txt"
	rand 8000 >"$m/k-$k/random.bin"
	mkdir "$m/k-$k/dir"
	printf 'hello %s\n' "$k" >"$m/k-$k/dir/hello"
done
zfs create -o recordsize=1M "fxsingle/big"
text 120000 big >"$m/big/big.txt"
zfs create -o recordsize=1M -o compression=off "fxsingle/large"
text 30000 large >"$m/large/large.txt"
rand 40000 >"$m/large/random.bin"
zfs create -o compression=off "fxsingle/sparse"
truncate -s 10M "$m/sparse/holes.bin"
printf 'start' | dd of="$m/sparse/holes.bin" conv=notrunc status=none
printf 'middle' | dd of="$m/sparse/holes.bin" bs=1 seek=5000000 conv=notrunc status=none
printf 'end' | dd of="$m/sparse/holes.bin" bs=1 seek=$((10 * 1024 * 1024 - 3)) conv=notrunc status=none
truncate -s 256M "$m/sparse/empty-256M"
zfs create -o compression=lz4 "fxsingle/sparse-lz4"
head -c 3000000 /dev/zero >"$m/sparse-lz4/zeros.bin"
{ text 100 a; head -c 1000000 /dev/zero; text 100 b; } >"$m/sparse-lz4/zero-middle.txt"

zfs create -o com.example:note=fixture -o quota=100M "fxsingle/tree"
t="$m/tree"
d="$t"
for i in $(seq -w 1 30); do d="$d/level$i"; done
mkdir -p "$d"
printf 'deep\n' >"$d/bottom.txt"
for i in $(seq 0 9); do
	mkdir "$t/dir$i"
	for j in $(seq 0 99); do printf 'file %d in dir %d\n' "$j" "$i" >"$t/dir$i/file$j.txt"; done
done
ln -s dir0/file0.txt "$t/short-link"
long=$(printf 'x%.0s' $(seq 1 200))
ln -s "$long/$long/target" "$t/long-link"
ln "$t/dir1/file1.txt" "$t/hardlink"
mkfifo "$t/fifo"
mknod "$t/null-dev" c 1 3
printf '#!/bin/sh\n' >"$t/setuid"
chmod 4755 "$t/setuid"
printf 'owned\n' >"$t/owned"
chown 1234:5678 "$t/owned"
chmod 0640 "$t/owned"
touch -d '2001-02-03 04:05:06.123456789 UTC' "$t/owned"
printf 'name with spaces\n' >"$t/name with spaces"
printf 'utf8\n' >"$t/grüße-日本"
zfs snapshot fxsingle/tree@s1
rm "$t/dir2/file5.txt"
printf 'changed\n' >>"$t/dir3/file7.txt"
printf 'new\n' >"$t/dir4/new-file.txt"
mkdir "$t/newdir"
printf 'in new dir\n' >"$t/newdir/inside.txt"
mv "$t/dir5/file9.txt" "$t/dir6/moved.txt"
zfs snapshot fxsingle/tree@s2
zfs clone fxsingle/tree@s1 fxsingle/clone
printf 'clone only\n' >"$m/clone/clone-only.txt"

zfs create "fxsingle/fat"
(cd "$m/fat" && seq -f 'entry-%05g-with-a-somewhat-longer-name' 0 9999 | xargs touch)
zfs snapshot fxsingle/fat@s

zfs create -o xattr=sa -o dnodesize=auto "fxsingle/xattr-sa"
x="$m/xattr-sa"
printf 'a\n' >"$x/small-xattr"
printf 'b\n' >"$x/many-xattrs"
printf 'c\n' >"$x/big-xattr"
"$py" - "$x" <<'PY'
import os, sys
d = sys.argv[1]
os.setxattr(d + "/small-xattr", "user.color", b"blue")
for i in range(40):
    os.setxattr(d + "/many-xattrs", "user.attr%02d" % i, ("value %d " % i).encode() * 3)
os.setxattr(d + "/big-xattr", "user.big", bytes(range(256)) * 12)
os.setxattr(d, "user.on-dir", b"dir value")
PY
ln -s "$long" "$x/long-link-sa"
zfs snapshot fxsingle/xattr-sa@s

zfs create -o xattr=dir "fxsingle/xattr-dir"
printf 'd\n' >"$m/xattr-dir/file"
"$py" -c 'import os, sys; os.setxattr(sys.argv[1], "user.where", b"in a directory")' "$m/xattr-dir/file"

zfs create -o version=4 -o xattr=dir "fxsingle/legacy"
l="$m/legacy"
text 100 legacy >"$l/text.txt"
mkdir "$l/dir"
printf 'in dir\n' >"$l/dir/file"
ln -s text.txt "$l/short-link"
ln -s "$long/target" "$l/long-link"
zfs snapshot fxsingle/legacy@s

zfs create -o dnodesize=16k "fxsingle/dnode16k"
for i in $(seq 1 20); do printf 'dnode %d\n' "$i" >"$m/dnode16k/f$i"; done
zfs snapshot fxsingle/dnode16k@s

printf 'fixture-passphrase\n' >"$work/key"
zfs create -o encryption=aes-256-gcm -o keyformat=passphrase -o keylocation="file://$work/key" "fxsingle/enc"
text 200 secret >"$m/enc/secret.txt"
zfs snapshot fxsingle/enc@s
zfs create -V 4M -o volblocksize=16k "fxsingle/vol"

zfs snapshot fxsingle/big@s
zfs snapshot fxsingle/large@s
zfs snapshot fxsingle/c-zle@s
zfs snapshot fxsingle/sparse@s

# Send streams of the same datasets, for format/streamfs.
stream() {
	local name=$1 snap=$2
	shift 2
	log "zfs send $* $snap > $name"
	zfs send "$@" "$snap" | gzip -9n >"$streams/$name.zsend.gz"
	local mp
	mp=$(zfs get -H -o value mountpoint "${snap%@*}")
	manifest "$mp/.zfs/snapshot/${snap#*@}" >"$streams/$name.jsonl.gz"
}
rm -f "$streams"/*.zsend.gz "$streams"/*.jsonl.gz "$streams"/*.diff
stream tree-full fxsingle/tree@s1
stream tree-c fxsingle/tree@s1 -c
stream tree-e fxsingle/tree@s1 -e
stream tree-s2 fxsingle/tree@s2 -e -c
stream tree-incr fxsingle/tree@s2 -i @s1
zfs diff -H fxsingle/tree@s1 fxsingle/tree@s2 | sed "s|$m/tree/||" | sort >"$streams/tree-incr.diff"
stream large-L fxsingle/large@s -L
stream large-split fxsingle/large@s
stream large-Lce fxsingle/large@s -L -c -e
stream fat-c fxsingle/fat@s -c
stream xattr-sa fxsingle/xattr-sa@s -e
stream legacy fxsingle/legacy@s
stream dnode16k fxsingle/dnode16k@s -c
stream sparse fxsingle/sparse@s
stream zle-c fxsingle/c-zle@s -c
stream enc-raw fxsingle/enc@s -w
zfs list -Hp -t snapshot -o name,guid -r fxsingle >"$streams/guids.txt"
record fxsingle

zfs version | head -2 | sed 's/^/# /' >"$here/zfs-version.txt"
log "done: $(du -cb "$here"/images/*.zst | tail -1 | cut -f1) bytes of images"
