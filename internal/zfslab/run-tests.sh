#!/usr/bin/env bash
# run-tests.sh runs compiled integration test binaries, one per package, each in
# its package directory, the way `go test` would, and prints go test's closing
# lines. Usage: run-tests.sh MANIFEST [extra test flags...]
# MANIFEST lines are "binary<TAB>package dir<TAB>import path".
set -uo pipefail
manifest=$1
shift
run=${GOZFS_TEST_RUN:-^TestIntegration}
failed=0
while IFS=$'\t' read -r bin dir pkg; do
	[ -n "$bin" ] || continue
	start=$(date +%s.%N)
	(cd "$dir" && "$bin" -test.run "$run" -test.v -test.timeout "${GOZFS_TEST_TIMEOUT:-30m}" "$@")
	rc=$?
	secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
	if [ $rc -eq 0 ]; then
		printf 'ok  \t%s\t%.3fs\n' "$pkg" "$secs"
	else
		printf 'FAIL\t%s\t%.3fs\n' "$pkg" "$secs"
		failed=1
	fi
done <"$manifest"
exit $failed
