package errors

import (
	"strings"
	"testing"

	"github.com/gozfs/gozfs/command"
)

// FuzzClassify feeds arbitrary standard error through the classifier, the
// message builder and the token extractor: none may panic, messages keep their
// prefix, and any token returned is well formed.
func FuzzClassify(f *testing.F) {
	for _, tc := range classifyCases {
		f.Add(tc.stderr, "tank/a")
	}
	f.Add("cannot x '", "")
	f.Add("cannot ", "x")
	f.Add("zfs send -t 1-2-3-4 zfs send -t", "")
	f.Fuzz(func(t *testing.T, stderr, name string) {
		k := Classify(stderr)
		if k >= numKinds {
			t.Fatalf("Classify returned unknown kind %d", k)
		}
		err := FromCommand("op", name, &command.ExitError{Argv: []string{"zfs", "op"}, Code: 1, Stderr: stderr})
		msg := err.Error()
		if !strings.HasPrefix(msg, "zfs op") {
			t.Fatalf("message %q lacks its origin", msg)
		}
		if KindOf(err) != k {
			t.Fatalf("KindOf = %v, Classify = %v", KindOf(err), k)
		}
		if tok, ok := resumeToken(stderr); ok && !validResumeToken(tok) {
			t.Fatalf("ResumeToken returned malformed %q", tok)
		}
	})
}
