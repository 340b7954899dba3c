#!/usr/bin/env bash
# make-fixtures.sh creates small send streams with real OpenZFS, together with
# `zstream dump` output for each, snapshot GUIDs, and receive_resume_token
# values, for the tests of format/sendstream and format/resumetoken.
#
# It must run as root on a machine with ZFS, and builds a throwaway pool on a
# file under a tmpfs directory. Run it in the lab VM from the module root:
#
#   internal/zfslab/zfslab run -- bash format/sendstream/testdata/make-fixtures.sh
#
# Streams are written gzip-compressed (NAME.zsend.gz) next to this script, with
# NAME.dump holding `zstream dump NAME.zsend`. Each stream must stay under
# 200 KiB compressed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tokdir=$(cd "$here/../../resumetoken" && pwd)/testdata
mkdir -p "$tokdir"
base=${GOZFS_LAB_DIR:-/dev/shm}
work=$(mktemp -d "$base/fixtures.XXXXXX")
pool=gozfsfx
cleanup() {
	zpool destroy -f "$pool" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

log() { printf 'make-fixtures: %s\n' "$*" >&2; }

truncate -s 512M "$work/vdev"
zpool create -f -o cachefile=none -O compression=lz4 -O mountpoint="/$pool" \
	-R "$work/root" "$pool" "$work/vdev"
mnt="$work/root/$pool"

# text LINES writes LINES lines of repetitive text: compressible by gzip, and
# by lz4 on disk, but shipped uncompressed by a plain zfs send.
text() { awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s line %06d: the quick brown fox jumps over the lazy dog\n", s, i }'; }

# A file system with a few kinds of content, and three snapshots.
zfs create "$pool/fs"
text 20 small >"$mnt/fs/small.txt"
text 5000 big >"$mnt/fs/big.txt"
printf 'tiny\n' >"$mnt/fs/tiny" # small enough for an embedded block pointer
mkdir "$mnt/fs/dir"
ln -s ../small.txt "$mnt/fs/dir/link"
zfs snapshot "$pool/fs@a"
text 3000 more >>"$mnt/fs/big.txt"
rm "$mnt/fs/tiny"
text 10 new >"$mnt/fs/dir/new.txt"
zfs set com.example:note=fixture "$pool/fs"
zfs snapshot "$pool/fs@b"
zfs create "$pool/fs/child"
text 100 child >"$mnt/fs/child/file.txt"
zfs snapshot -r "$pool/fs@c"
zfs hold keep "$pool/fs@c"

# Large blocks for -L.
zfs create -o recordsize=1M "$pool/big"
text 25000 large >"$mnt/big/large.txt"
zfs snapshot "$pool/big@s"

# An encrypted file system for raw (-w) sends.
printf 'fixture-passphrase\n' >"$work/key"
zfs create -o encryption=aes-256-gcm -o keyformat=passphrase \
	-o keylocation="file://$work/key" "$pool/enc"
text 200 secret >"$mnt/enc/secret.txt"
zfs snapshot "$pool/enc@s"

# stream NAME ARGS... sends ARGS into NAME.zsend.gz and records its dump.
stream() {
	local name=$1
	shift
	log "zfs send $* > $name"
	zfs send "$@" >"$work/$name.zsend"
	zstream dump "$work/$name.zsend" >"$here/$name.dump"
	gzip -9n <"$work/$name.zsend" >"$here/$name.zsend.gz"
	local size
	size=$(stat -c %s "$here/$name.zsend.gz")
	if [ "$size" -gt $((200 * 1024)) ]; then
		log "$name.zsend.gz is $size bytes, over 200 KiB"
		exit 1
	fi
}

rm -f "$here"/*.zsend.gz "$here"/*.dump
stream full "$pool/fs@a"
stream incremental -i @a "$pool/fs@b"
stream intermediates-I -I @a "$pool/fs@c"
stream replicate-R -R "$pool/fs@c"
stream replicate-holds-Rh -R -h "$pool/fs@c"
stream props-p -p "$pool/fs@b"
stream compressed-c -c "$pool/fs@a"
stream embedded-e -e "$pool/fs@a"
stream largeblock-L -L "$pool/big@s"
stream lec -L -e -c "$pool/big@s"
stream raw-w -w "$pool/enc@s"

# Interrupted receives leave resume tokens. partial NAME BYTES ARGS... sends
# ARGS, cuts the stream after BYTES bytes, and receives it resumably into
# $pool/NAME.
partial() {
	local name=$1 bytes=$2
	shift 2
	log "zfs send $* | head -c $bytes | zfs receive -s $pool/$name"
	set +o pipefail
	zfs send "$@" | head -c "$bytes" | zfs receive -s -u "$pool/$name" 2>/dev/null || true
	set -o pipefail
	zfs get -H -o value receive_resume_token "$pool/$name"
}
zfs send "$pool/fs@a" | zfs receive -u "$pool/rinc"
: >"$tokdir/tokens.txt"
token() {
	local label=$1 tok=$2
	if [ -z "$tok" ] || [ "$tok" = - ]; then
		log "no resume token for $label"
		exit 1
	fi
	printf '%s %s\n' "$label" "$tok" >>"$tokdir/tokens.txt"
	zstream token "$tok" >"$tokdir/$label.zstream-token"
}
token full "$(partial rfull 200000 "$pool/fs@a")"
token incremental "$(partial rinc 100000 -i @a "$pool/fs@b")"
token lec "$(partial rlec 50000 -L -e -c "$pool/big@s")"
token raw "$(partial rraw 10000 -w "$pool/enc@s")"

# A resumed send starts where the interrupted one stopped.
log "zfs send -t <token of full>"
zfs send -t "$(zfs get -H -o value receive_resume_token "$pool/rfull")" >"$work/resumed-t.zsend"
zstream dump "$work/resumed-t.zsend" >"$here/resumed-t.dump"
gzip -9n <"$work/resumed-t.zsend" >"$here/resumed-t.zsend.gz"

zfs list -Hp -t snapshot -o name,guid -r "$pool" | sed "s|^|snapshot |" >"$here/guids.txt"
zfs list -Hp -t filesystem -o name,guid -r "$pool" | sed "s|^|filesystem |" >>"$here/guids.txt"
cp "$here/guids.txt" "$tokdir/guids.txt"
zfs version | head -2 | sed 's/^/# /' >>"$here/guids.txt"
log "done: $(ls "$here"/*.zsend.gz | wc -l) streams, $(wc -l <"$tokdir/tokens.txt") tokens"
