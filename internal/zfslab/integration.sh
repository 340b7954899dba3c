#!/usr/bin/env bash
# integration.sh compiles the integration tests (files with the `zfs` build tag)
# on this machine and runs them against real ZFS: directly when GOZFS_DIRECT=1
# (a host with ZFS, as root), otherwise inside the lab VM, booted once for all
# packages, once per OpenZFS target named in GOZFS_LAB_ZFS (a space-separated
# list: "2.3", "2.1" or "2.3 2.1"; default 2.3; `make test` runs both). Every
# result line says which OpenZFS version it is from, and a summary of all runs
# comes last. GOZFS_TEST_RUN selects tests (default ^TestIntegration). Extra
# arguments are passed to the test binaries (e.g. -test.run X).
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

# child_cpu sets cpu to the CPU seconds this shell's finished children used
# (the VM's included; `times` runs in this shell, not a subshell): on a busy
# machine the VM gets a fraction of a core, and its CPU time says better than
# the wall time how long a quiet machine takes.
child_cpu() {
	times >"$build/times"
	cpu=$(awk 'NR == 2 {
		s = 0
		for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] }
		printf "%d\n", s
	}' "$build/times")
}
targets=${GOZFS_LAB_ZFS:-2.3}
targets=${targets//,/ }
rc=0
for t in $targets; do
	log=$build/log.$t
	printf '=== integration tests on the lab'"'"'s OpenZFS %s target\n' "$t"
	start=$(date +%s)
	child_cpu
	cpu0=$cpu
	set +e
	"$here/zfslab" run --zfs "$t" -- "$here/run-tests.sh" "$manifest" "$@" 2>&1 | tee "$log"
	trc=${PIPESTATUS[0]}
	set -e
	child_cpu
	printf '%s\t%s\t%s\t%s\n' "$t" "$trc" "$(($(date +%s) - start))" "$((cpu - cpu0))" >>"$build/runs"
	[ "$trc" -eq 0 ] || rc=1
done

# The summary: every package result and failed test, prefixed by its version.
echo
echo "=== integration summary"
while IFS=$'\t' read -r t trc secs cpu; do
	v=$(sed -n 's/^=== OpenZFS \([^ ]*\) .*/\1/p' "$build/log.$t" | head -1)
	v=${v:-$t}
	printf '[zfs %s] lab run (boot and tests) took %ss (%ss of CPU), exit %s\n' "$v" "$secs" "$cpu" "$trc"
	awk -v v="$v" '/^(ok  |FAIL)\t/ || /^ *--- FAIL: / { sub(/\tzfs [^\t]*$/, ""); printf "[zfs %s] %s\n", v, $0 }' "$build/log.$t"
done <"$build/runs"
exit $rc
