#!/usr/bin/env bash
# setup.sh installs what the real-ZFS lab needs: qemu, a static busybox for the guest's
# initramfs, and its OpenZFS targets:
#   2.3  a Debian backports kernel with headers, and OpenZFS from backports (zfs-dkms
#        builds the module for that kernel; zfsutils-linux provides zfs/zpool, which the
#        guest runs from the shared host root). The default target.
#   2.1  Debian 12's own OpenZFS 2.1.11 on its 6.1 kernel, built by setup-2.1.sh under
#        the lab's cache directory without installing any of it (so the host keeps the
#        2.3 userland); it needs only a compiler and make from here.
#
#   internal/zfslab/setup.sh [TARGET...]     # default: 2.3 2.1
#
# It is idempotent: a second run does nothing but check.
#
# Package sources: the backports suite and the contrib component are added by reusing
# the mirror URI this machine's apt configuration already uses for its release.
set -euo pipefail

log() { printf 'zfslab setup: %s\n' "$*" >&2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
want21=false want23=false
for arg in "${@:-2.3 2.1}"; do
	for t in $arg; do
		case "$t" in
		2.3 | 2.3.*) want23=true ;;
		2.1 | 2.1.*) want21=true ;;
		*) log "unknown target '$t' (the lab has 2.3 and 2.1)"; exit 2 ;;
		esac
	done
done

if [ "$(id -u)" -ne 0 ]; then
	log "must run as root (it installs Debian packages)"
	exit 1
fi

# shellcheck disable=SC1091
. /etc/os-release
codename=${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}
bp="${codename}-backports"

kernel_version() {
	# The newest backports kernel whose headers and zfs module are installed.
	local d
	for d in $(ls -1d /lib/modules/*/ 2>/dev/null | sort -rV); do
		d=${d%/}
		d=${d##*/}
		if [ -f "/boot/vmlinuz-$d" ] && [ -d "/usr/src/linux-headers-$d" ] &&
			{ [ -e "/lib/modules/$d/updates/dkms/zfs.ko" ] || [ -e "/lib/modules/$d/updates/dkms/zfs.ko.xz" ] || [ -e "/lib/modules/$d/updates/dkms/zfs.ko.zst" ]; }; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

base_ready() {
	command -v qemu-system-x86_64 >/dev/null &&
		[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx switch_root &&
		command -v cpio >/dev/null && command -v setpriv >/dev/null &&
		command -v xz >/dev/null && command -v depmod >/dev/null
}
ready23() {
	command -v zfs >/dev/null && command -v zpool >/dev/null && kernel_version >/dev/null
}
# 2.1 is built from downloaded packages by setup-2.1.sh, which needs a compiler.
tools21() {
	command -v gcc-12 >/dev/null && command -v make >/dev/null && command -v strip >/dev/null &&
		[ -f /usr/include/stdio.h ]
}
ready() {
	base_ready && { ! $want23 || ready23; } && { ! $want21 || "$here/setup-2.1.sh" check; }
}
setup21() {
	! $want21 || "$here/setup-2.1.sh"
}

if ready; then
	! $want23 || log "2.3 ready (kernel $(kernel_version), zfsutils-linux $(dpkg-query -W -f '${Version}' zfsutils-linux 2>/dev/null || echo unknown))"
	setup21
	exit 0
fi
if base_ready && { ! $want23 || ready23; } && { ! $want21 || tools21; }; then
	# Only the 2.1 target is missing, and it installs nothing.
	! $want23 || log "2.3 ready (kernel $(kernel_version))"
	setup21
	exit 0
fi

# The mirror URI for this release, from deb822 sources or the one-line format.
mirror_uri() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v cn="$codename" '
			BEGIN { RS=""; FS="\n" }
			{
				uris=""; suites=""; types=""
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^URIs:/)   { uris = $i;   sub(/^URIs:[ \t]*/, "", uris) }
					if ($i ~ /^Suites:/) { suites = " " $i " " }
					if ($i ~ /^Types:/)  { types = $i }
				}
				if (types ~ /(^|[ \t])deb([ \t]|$)/ && suites ~ ("[ \t]" cn "[ \t]") && uris != "") {
					split(uris, u, /[ \t]+/); print u[1]; exit
				}
			}' "$f"
	done
	if [ -f /etc/apt/sources.list ]; then
		awk -v cn="$codename" '$1 == "deb" && $0 !~ /security/ {
			for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i+1) == cn) { print $i; exit } }
		}' /etc/apt/sources.list
	fi
}

uri=$(mirror_uri | head -1)
if [ -z "$uri" ]; then
	log "could not find the Debian mirror for $codename in the apt sources"
	exit 1
fi

list=/etc/apt/sources.list.d/gozfs-lab.sources
want="Types: deb
URIs: $uri
Suites: $codename $bp
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
if [ ! -f "$list" ] || [ "$(cat "$list")" != "$want" ]; then
	log "adding $bp and contrib from the configured mirror"
	printf '%s\n' "$want" >"$list"
fi

export DEBIAN_FRONTEND=noninteractive
apt_get() { apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"; }

log "apt-get update"
apt_get update >/dev/null

log "installing qemu, busybox-static and the initramfs tools"
apt_get install --no-install-recommends qemu-system-x86 busybox-static cpio util-linux xz-utils kmod

if $want21 && ! tools21; then
	log "installing a compiler and make for the 2.1 target's modules"
	apt_get install --no-install-recommends gcc-12 make libc6-dev binutils libelf1
fi

# The kernel and headers come first so that the zfs module is built for them when
# zfs-dkms is configured.
if $want23 && ! ready23; then
	log "installing the kernel and headers from $bp"
	apt_get install --no-install-recommends "linux-image-amd64/$bp" "linux-headers-amd64/$bp"
	log "installing OpenZFS from $bp (dkms builds the module; this takes a while once)"
	apt_get install --no-install-recommends -t "$bp" zfs-dkms zfsutils-linux
fi

if $want23 && ! kernel_version >/dev/null; then
	# dkms builds for the running kernel by default; build for the backports kernel too.
	for d in /usr/src/linux-headers-*-amd64; do
		kv=${d#/usr/src/linux-headers-}
		[ -f "/boot/vmlinuz-$kv" ] || continue
		zv=$(dpkg-query -W -f='${Version}' zfs-dkms | sed 's/-.*//')
		log "building the zfs module for $kv"
		dkms install -m zfs -v "$zv" -k "$kv"
	done
fi

setup21
if ready; then
	! $want23 || log "2.3 ready (kernel $(kernel_version))"
else
	log "installation finished but the lab is not ready"
	exit 1
fi
