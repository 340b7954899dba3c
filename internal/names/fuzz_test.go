package names_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/gozfs/gozfs/internal/names"
	"github.com/stretchr/testify/require"
)

// reference is an independent statement of the grammar the validators
// implement, apart from lengths and reserved words, which refOK checks.
var reference = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_\-.: ]*(/[A-Za-z0-9_\-.: ]+)*([@#][A-Za-z0-9_\-.: ]+)?$`)

// refOK reports whether s is a valid dataset, snapshot or bookmark name by the
// reference grammar.
func refOK(s string) bool {
	if len(s) > names.MaxLen || !reference.MatchString(s) {
		return false
	}
	ds, short, mark := names.Split(s)
	pool := names.PoolOf(s)
	if len(pool) > names.MaxPoolLen || pool == "mirror" || pool == "raidz" || pool == "draid" {
		return false
	}
	parts := strings.Split(ds, "/")
	if short != "" {
		parts = append(parts, short)
	}
	if mark != "" {
		parts = append(parts, mark)
	}
	for _, p := range parts {
		if p == "." || p == ".." {
			return false
		}
	}
	return true
}

// FuzzValidate checks that the validators never panic, agree with the
// reference grammar, and accept only names that are safe to pass as
// arguments.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{
		"tank", "tank/a", "tank/a@s", "tank/a#b", "tank/a@b@c", "tank//a", "/tank", "tank/",
		"-tank", "1tank", "mirror", "mirror/a", "tank/.", "tank/..", "tank/a@", "@s", "tank/a b",
		"tank/a%b", "tank/é", "tank/\xff", "log", "spare1", strings.Repeat("a", 256),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		anyErr := names.Any(s)
		require.Equal(t, refOK(s), anyErr == nil, "Any(%q) = %v, reference says valid", s, anyErr)
		ds, snap, bm := names.Dataset(s), names.Snapshot(s), names.Bookmark(s)
		accepted := 0
		for _, err := range []error{ds, snap, bm} {
			if err == nil {
				accepted++
			}
		}
		wantAccepted := 0
		if anyErr == nil {
			wantAccepted = 1
		}
		require.Equal(t, wantAccepted, accepted, "%q: Any=%v but Dataset=%v Snapshot=%v Bookmark=%v", s, anyErr, ds, snap, bm)
		require.Equal(t, snap == nil || bm == nil, names.SnapshotOrBookmark(s) == nil, "%q: SnapshotOrBookmark disagrees with Snapshot and Bookmark", s)
		if anyErr == nil {
			require.NotEmpty(t, s, "accepted: violates length or leading-character bounds")
			require.LessOrEqual(t, len(s), names.MaxLen, "accepted: violates length or leading-character bounds")
			require.NotEqual(t, byte('-'), s[0], "accepted: violates length or leading-character bounds")
			require.NotEqual(t, byte('/'), s[0], "accepted: violates length or leading-character bounds")
			require.NoError(t, names.Operand(s), "accepted %q but Operand rejects it", s)
			require.False(t, strings.ContainsAny(s, "%\x00\n"), "accepted %q with a forbidden character", s)
			require.NoError(t, names.Pool(names.PoolOf(s)), "accepted %q but its pool part is invalid", s)
		}
		if names.Pool(s) == nil {
			require.NoError(t, ds, "Pool accepts")
			require.LessOrEqual(t, len(s), names.MaxPoolLen, "Pool accepts")
		}
		if names.NewPool(s) == nil {
			require.NoError(t, names.Pool(s), "NewPool accepts %q but Pool does not", s)
		}
		if err := names.Component(s); err == nil {
			require.False(t, strings.ContainsAny(s, "/@#"), "Component accepts %q", s)
		}
	})
}
