#!/usr/bin/env bash
# integration.sh compiles the integration tests (files with the `zfs` build tag)
# on this machine and runs them against real ZFS: directly when GOZFS_DIRECT=1
# (a host with ZFS, as root), otherwise inside the lab VM, booted once for all
# packages. GOZFS_TEST_RUN selects tests (default ^TestIntegration). Extra arguments are passed to the test binaries (e.g. -test.run X).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

build=$(mktemp -d "${TMPDIR:-/tmp}/gozfs-itest.XXXXXX")
trap 'rm -rf "$build"' EXIT
manifest=$build/manifest
: >"$manifest"
# GOZFS_PKGS="./zfs ./zpool" limits the run to those package directories.
dirs=$(grep -rl --include='*_test.go' -E '^//go:build .*\bzfs\b' ${GOZFS_PKGS:-.} | xargs -r -n1 dirname | sort -u)
if [ -z "$dirs" ]; then
	echo "integration: no integration tests found" >&2
	exit 1
fi
i=0
for d in $dirs; do
	pkg=$(go list "$d")
	i=$((i + 1))
	bin="$build/$i-${pkg##*/}.test"
	go test -tags zfs -c -o "$bin" "$d"
	[ -x "$bin" ] || continue
	printf '%s\t%s\t%s\n' "$bin" "$root/${d#./}" "$pkg" >>"$manifest"
done

if [ "${GOZFS_DIRECT:-}" = 1 ]; then
	"$here/run-tests.sh" "$manifest" "$@"
	exit $?
fi
"$here/zfslab" run -- "$here/run-tests.sh" "$manifest" "$@"
