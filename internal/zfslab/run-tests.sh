#!/usr/bin/env bash
# run-tests.sh runs compiled integration test binaries, one per package, each in
# its package directory, the way `go test` would, and prints go test's closing
# lines, each followed by the OpenZFS version it ran against.
# Usage: run-tests.sh MANIFEST [extra test flags...]
# MANIFEST lines are "binary<TAB>package dir<TAB>import path".
set -uo pipefail
manifest=$1
shift
run=${GOZFS_TEST_RUN:-^TestIntegration}

# What this run tests: the lab exports GOZFS_LAB_ZFS; elsewhere, ask the module.
zv=${GOZFS_LAB_ZFS:-}
if [ -z "$zv" ]; then
	zv=$(cat /sys/module/zfs/version 2>/dev/null)
	zv=${zv%%-*}
fi
userland=$(zfs version 2>/dev/null | head -1)
printf '=== OpenZFS %s (module %s; userland %s, %s; Linux %s)\n' "${zv:-unknown}" \
	"$(cat /sys/module/zfs/version 2>/dev/null || echo unknown)" "${userland:-unknown}" \
	"$(command -v zfs || echo 'no zfs')" "$(uname -r)"

failed=0
while IFS=$'\t' read -r bin dir pkg; do
	[ -n "$bin" ] || continue
	start=$(date +%s.%N)
	(cd "$dir" && "$bin" -test.run "$run" -test.v -test.timeout "${GOZFS_TEST_TIMEOUT:-30m}" "$@")
	rc=$?
	secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
	if [ $rc -eq 0 ]; then
		printf 'ok  \t%s\t%.3fs\tzfs %s\n' "$pkg" "$secs" "$zv"
	else
		printf 'FAIL\t%s\t%.3fs\tzfs %s\n' "$pkg" "$secs" "$zv"
		failed=1
	fi
done <"$manifest"
exit $failed
