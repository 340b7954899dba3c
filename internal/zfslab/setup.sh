#!/usr/bin/env bash
# setup.sh installs what the real-ZFS lab needs: qemu, a static busybox for the guest's
# initramfs, a Debian backports kernel with headers, and OpenZFS (zfs-dkms builds the
# module for that kernel; zfsutils-linux provides zfs/zpool, which the guest runs from
# the shared host root). It is idempotent: a second run does nothing but check.
#
# Package sources: the backports suite and the contrib component are added by reusing
# the mirror URI this machine's apt configuration already uses for its release.
set -euo pipefail

log() { printf 'zfslab setup: %s\n' "$*" >&2; }

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

ready() {
	command -v qemu-system-x86_64 >/dev/null &&
		[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx switch_root &&
		command -v zfs >/dev/null && command -v zpool >/dev/null &&
		command -v cpio >/dev/null && command -v setpriv >/dev/null &&
		kernel_version >/dev/null
}

if ready; then
	log "ready (kernel $(kernel_version), zfsutils-linux $(dpkg-query -W -f '${Version}' zfsutils-linux 2>/dev/null || echo unknown))"
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

# qemu and the guest's initramfs tools. The kernel and headers come first so that the zfs
# module is built for them when zfs-dkms is configured.
log "installing qemu, busybox-static, kernel and headers from $bp"
apt_get install --no-install-recommends qemu-system-x86 busybox-static cpio util-linux xz-utils kmod \
	"linux-image-amd64/$bp" "linux-headers-amd64/$bp"

log "installing OpenZFS from $bp (dkms builds the module; this takes a while once)"
apt_get install --no-install-recommends -t "$bp" zfs-dkms zfsutils-linux

if ! kernel_version >/dev/null; then
	# dkms builds for the running kernel by default; build for the backports kernel too.
	for d in /usr/src/linux-headers-*-amd64; do
		kv=${d#/usr/src/linux-headers-}
		[ -f "/boot/vmlinuz-$kv" ] || continue
		zv=$(dpkg-query -W -f='${Version}' zfs-dkms | sed 's/-.*//')
		log "building the zfs module for $kv"
		dkms install -m zfs -v "$zv" -k "$kv"
	done
fi

if ready; then
	log "ready (kernel $(kernel_version))"
else
	log "installation finished but the lab is not ready"
	exit 1
fi
