#!/usr/bin/env bash
# userland.sh fetches another OpenZFS userland (the zfs and zpool commands and
# the libraries they load) from Debian's packages and unpacks it into a
# directory, without installing anything:
#
#   internal/zfslab/userland.sh VERSION DIR
#   internal/zfslab/userland.sh 2.1.11-1+deb12u1 .build/zfs-2.1.11
#
# VERSION is a Debian package version that apt knows for zfsutils-linux
# (`apt-cache madison zfsutils-linux` lists them; the lab's sources give
# 2.1.11-1+deb12u1 from bookworm/contrib). DIR gets the packages' file tree
# (DIR/sbin/zfs, DIR/sbin/zpool, DIR/lib/<triplet>/libzfs.so.*, ...); keep it
# out of git: .build/ is ignored. An existing DIR is replaced.
#
# The lab's capture scripts run such a userland against the lab's kernel
# module when ZFS_USERLAND=DIR is set (see internal/zfslab/README.md):
#
#   internal/zfslab/zfslab run -- env ZFS_USERLAND=.build/zfs-2.1.11 bash zfs/testdata/capture.sh
#
# By hand, the same is: PATH=DIR/sbin:$PATH LD_LIBRARY_PATH=DIR/lib/<triplet>.
set -euo pipefail

prog=userland.sh
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 1; }

[ $# -eq 2 ] || { sed -n '2,20s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2; }
version=$1
dir=$2
case "$version" in
*[!A-Za-z0-9.+~:-]* | '') die "bad version '$version'" ;;
esac
command -v apt-get >/dev/null || die "apt-get not found"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found"

# The zfs and zpool commands and the shared libraries they link (libzpool is
# for zdb). The library packages' names carry their sonames, which differ
# between OpenZFS releases, so they are read from zfsutils-linux's
# dependencies for this version.
deps=$(apt-cache show "zfsutils-linux=$version" 2>/dev/null | sed -n 's/^Depends: //p' | head -1)
[ -n "$deps" ] || die "apt knows no zfsutils-linux $version (try: apt-cache madison zfsutils-linux)"
pkgs=(zfsutils-linux)
for p in $(printf '%s\n' "$deps" | tr ',' '\n' | sed 's/^ *//; s/[ (].*//' |
	grep -E '^lib(nvpair|uutil|zfs|zpool)[0-9]+linux$' | sort -u); do
	pkgs+=("$p")
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
specs=()
for p in "${pkgs[@]}"; do specs+=("$p=$version"); done
printf '%s: downloading %s\n' "$prog" "${specs[*]}" >&2
# apt-get download writes into the current directory; as root it warns that
# the download is not sandboxed, which is harmless here.
(cd "$tmp" && apt-get download -q "${specs[@]}" 2>&1 | grep -v -e '^W: ' >&2 || true)
for p in "${pkgs[@]}"; do
	ls "$tmp/${p}_"*.deb >/dev/null 2>&1 || die "could not download $p=$version"
done

rm -rf "$dir"
mkdir -p "$dir"
for f in "$tmp"/*.deb; do
	dpkg-deb -x "$f" "$dir"
done
for p in "${pkgs[@]}"; do
	printf '%s %s\n' "$p" "$version"
done >"$dir/PACKAGES"

[ -x "$dir/sbin/zfs" ] || [ -x "$dir/usr/sbin/zfs" ] || die "no zfs command in the packages"
printf '%s: %s unpacked into %s\n' "$prog" "$version" "$dir" >&2
