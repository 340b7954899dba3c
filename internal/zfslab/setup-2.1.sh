#!/usr/bin/env bash
# setup-2.1.sh builds the lab's second target: real OpenZFS 2.1.11 (Debian 12's
# own, bookworm contrib) on Debian 12's 6.1 kernel, next to the default target
# (2.3 from backports on the backports kernel, installed by setup.sh).
#
#   internal/zfslab/setup-2.1.sh          # build it unless it is ready (idempotent)
#   internal/zfslab/setup-2.1.sh check    # exit 0 if it is ready
#
# Nothing is installed on this machine: the kernel image, its headers and kbuild,
# zfs-dkms and the 2.1.11 userland (zfsutils-linux and the libraries it links)
# are fetched with `apt-get download` and unpacked with `dpkg-deb -x` under the
# lab's cache directory (GOZFS_LAB_CACHE, default /var/cache/gozfs-lab), so the
# host keeps its 2.3 userland. 2.1.11 supports kernels up to 6.2 (its META says
# Linux-Maximum: 6.2), hence the 6.1 kernel. The kernel's ABI number (the N in
# 6.1.0-N-amd64) moves with Debian's security updates, so it is read from what
# apt offers for linux-image-amd64 6.1.x, never written down here. The modules
# are built from the unpacked /usr/src/zfs-2.1.11 with its own configure
# against the unpacked headers, stripped, and placed with the kernel's modules
# in a tree indexed by `depmod -b`.
#
# The result, $cache/zfs-2.1/:
#   ready                       kernel=6.1.0-N-amd64, kernel-package=..., zfs=...
#   root/boot/vmlinuz-KV        the kernel zfslab boots for `--zfs 2.1`
#   root/lib/modules/KV/        its modules, with the zfs ones in extra/zfs/; the
#                               guest bind-mounts root/lib/modules on /lib/modules
#   root/sbin, root/lib/...     the 2.1.11 userland, first in the guest's PATH
#                               and LD_LIBRARY_PATH
# A second run only checks. Concurrent runs wait for each other (flock).
set -euo pipefail

zfs_version=2.1.11-1+deb12u1 # Debian package version of zfs-dkms and the userland
series=6.1                   # the kernel series it is built for
name=zfs-2.1

log() { printf 'zfslab setup %s: %s\n' "${name#zfs-}" "$*" >&2; }
die() { log "$*"; exit 1; }

cache=${GOZFS_LAB_CACHE:-/var/cache/gozfs-lab}
dir=$cache/$name

# ready prints the kernel release of a complete target and succeeds, or fails.
ready() {
	local kv
	[ -f "$dir/ready" ] || return 1
	kv=$(sed -n 's/^kernel=//p' "$dir/ready")
	[ -n "$kv" ] && [ -f "$dir/root/boot/vmlinuz-$kv" ] &&
		[ -f "$dir/root/lib/modules/$kv/modules.dep" ] &&
		[ -f "$dir/root/lib/modules/$kv/extra/zfs/zfs.ko" ] &&
		[ -x "$dir/root/sbin/zfs" ] && [ -x "$dir/root/sbin/zpool" ] || return 1
	echo "$kv"
}

if [ "${1:-}" = check ]; then
	ready >/dev/null
	exit $?
fi
[ $# -eq 0 ] || { sed -n '2,28s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2; }

if kv=$(ready); then
	log "ready (kernel $kv, zfs $zfs_version)"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || die "must run as root (it writes $cache and runs apt-get download)"
for c in apt-get apt-cache dpkg-deb depmod strip make gcc-12 flock; do
	command -v "$c" >/dev/null || die "$c is missing (setup.sh installs what is needed)"
done

mkdir -p "$cache"
exec 9>"$cache/$name.lock"
if ! flock -n 9; then
	log "another setup is building this target; waiting for it"
	flock 9
fi
if kv=$(ready); then
	log "ready (kernel $kv, zfs $zfs_version)"
	exit 0
fi

start=$(date +%s)
elapsed() { echo "$(($(date +%s) - start))s"; }

# The newest 6.1 kernel apt offers: the highest 6.1.x version of the
# linux-image-amd64 metapackage (bookworm or bookworm-security), whose
# dependency names the ABI, e.g. linux-image-6.1.0-57-amd64 (= 6.1.192-3).
pick_kernel() {
	local kver abi
	kver=$(apt-cache madison linux-image-amd64 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
		grep -E "^${series//./\\.}\.[0-9]+" | sort -uV | tail -1)
	[ -n "$kver" ] || return 1
	abi=$(apt-cache show "linux-image-amd64=$kver" 2>/dev/null | sed -n 's/^Depends:.*linux-image-\([0-9][^ ,]*-amd64\) .*/\1/p' | head -1)
	[ -n "$abi" ] || return 1
	printf '%s %s\n' "$kver" "$abi"
}

# download DIR PKG=VER...: apt-get download into DIR, quietly (as root apt
# warns that the download is not sandboxed, which is harmless here).
download() {
	local d=$1
	shift
	(cd "$d" && apt-get download -q "$@" 2>&1 | grep -v -e '^W: ' >&2 || true)
	local spec
	for spec in "$@"; do
		ls "$d/${spec%%=*}_"*.deb >/dev/null 2>&1 || return 1
	done
}

tmp=$cache/$name.tmp.$$
rm -rf "$cache/$name.tmp."*
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/debs" "$tmp/root"

fetch() {
	read -r kver abi < <(pick_kernel) || return 1
	common=${abi%-amd64}-common
	pkgs=("linux-image-$abi-unsigned=$kver" "linux-headers-$abi=$kver" "linux-headers-$common=$kver"
		"linux-kbuild-$series=$kver")
	for p in zfs-dkms zfsutils-linux libzfs4linux libzpool5linux libnvpair3linux libuutil3linux; do
		pkgs+=("$p=$zfs_version")
	done
	log "downloading kernel $abi ($kver) and zfs $zfs_version"
	rm -f "$tmp/debs/"*.deb
	download "$tmp/debs" "${pkgs[@]}"
}
if ! fetch; then
	# Stale package lists name versions the mirror no longer has: refresh once.
	log "apt-get update"
	apt-get -q update >/dev/null 2>&1 || true
	fetch || die "could not download the packages (does apt know bookworm contrib? run setup.sh)"
fi
log "downloaded in $(elapsed)"

for f in "$tmp/debs/"*.deb; do
	dpkg-deb -x "$f" "$tmp/root"
done
root=$tmp/root
src=$root/usr/src/zfs-${zfs_version%%-*}
hdr_arch=$root/usr/src/linux-headers-$abi
hdr_common=$root/usr/src/linux-headers-$common
[ -x "$src/configure" ] || die "no configure in $src"
[ -f "$hdr_arch/Makefile" ] && [ -f "$hdr_common/Makefile" ] || die "kernel headers missing"
# The arch headers include the common ones by their installed path; point that at
# the unpacked copy. The scripts and tools links are relative and resolve inside
# the unpacked tree (to usr/lib/linux-kbuild-6.1).
sed -i "s|^include /usr/src/|include $root/usr/src/|" "$hdr_arch/Makefile"
log "unpacked in $(elapsed)"

log "configuring zfs $zfs_version for $abi"
(cd "$src" && ./configure -q --with-config=kernel --with-linux="$hdr_common" --with-linux-obj="$hdr_arch") \
	>"$tmp/configure.log" 2>&1 || { tail -n 30 "$tmp/configure.log" >&2; die "configure failed (log above)"; }
log "configured in $(elapsed); building the modules"
make -C "$src/module" -j"$(nproc)" >"$tmp/make.log" 2>&1 || { tail -n 30 "$tmp/make.log" >&2; die "make failed (log above)"; }
log "built in $(elapsed)"

mods=$root/lib/modules/$abi
mkdir -p "$mods/extra/zfs"
n=0
while IFS= read -r ko; do
	strip --strip-debug -o "$mods/extra/zfs/${ko##*/}" "$ko"
	n=$((n + 1))
done < <(find "$src/module" -name '*.ko')
[ -f "$mods/extra/zfs/zfs.ko" ] || die "the build made no zfs.ko"
# The build and source links point at this machine's /usr/src, which has no such headers.
rm -f "$mods/build" "$mods/source"
depmod -b "$root" "$abi"
log "$n modules installed in the target's module tree"

# Only what the guest needs stays: kernel, modules, userland.
rm -rf "$root/usr/src" "$root/usr/lib/linux-kbuild-$series" "$tmp/debs"
printf 'kernel=%s\nkernel-package=%s\nzfs=%s\n' "$abi" "$kver" "$zfs_version" >"$tmp/ready.tmp"
rm -rf "$dir"
mkdir -p "$dir"
mv "$root" "$dir/root"
mv "$tmp/ready.tmp" "$dir/ready"
kv=$(ready) || die "the target is incomplete"
log "ready (kernel $kv, zfs $zfs_version) in $(elapsed)"
