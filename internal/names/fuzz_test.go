package names_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/gozfs/gozfs/internal/names"
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
		if (anyErr == nil) != refOK(s) {
			t.Fatalf("Any(%q) = %v, reference says valid=%v", s, anyErr, refOK(s))
		}
		ds, snap, bm := names.Dataset(s), names.Snapshot(s), names.Bookmark(s)
		accepted := 0
		for _, err := range []error{ds, snap, bm} {
			if err == nil {
				accepted++
			}
		}
		if anyErr == nil && accepted != 1 || anyErr != nil && accepted != 0 {
			t.Fatalf("%q: Any=%v but Dataset=%v Snapshot=%v Bookmark=%v", s, anyErr, ds, snap, bm)
		}
		if (names.SnapshotOrBookmark(s) == nil) != (snap == nil || bm == nil) {
			t.Fatalf("%q: SnapshotOrBookmark disagrees with Snapshot and Bookmark", s)
		}
		if anyErr == nil {
			if len(s) == 0 || len(s) > names.MaxLen || s[0] == '-' || s[0] == '/' {
				t.Fatalf("accepted %q violates length or leading-character bounds", s)
			}
			if err := names.Operand(s); err != nil {
				t.Fatalf("accepted %q but Operand rejects it: %v", s, err)
			}
			if strings.ContainsAny(s, "%\x00\n") {
				t.Fatalf("accepted %q with a forbidden character", s)
			}
			if err := names.Pool(names.PoolOf(s)); err != nil {
				t.Fatalf("accepted %q but its pool part is invalid: %v", s, err)
			}
		}
		if names.Pool(s) == nil {
			if ds != nil || len(s) > names.MaxPoolLen {
				t.Fatalf("Pool accepts %q but Dataset says %v", s, ds)
			}
		}
		if names.NewPool(s) == nil && names.Pool(s) != nil {
			t.Fatalf("NewPool accepts %q but Pool does not", s)
		}
		if err := names.Component(s); err == nil && strings.ContainsAny(s, "/@#") {
			t.Fatalf("Component accepts %q", s)
		}
	})
}
