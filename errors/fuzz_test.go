package errors

import (
	"strings"
	"testing"

	"github.com/gozfs/gozfs/command"
	"github.com/stretchr/testify/require"
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
		require.Less(t, k, numKinds, "Classify returned unknown kind")
		err := FromCommand("op", name, &command.ExitError{Argv: []string{"zfs", "op"}, Code: 1, Stderr: stderr})
		msg := err.Error()
		require.True(t, strings.HasPrefix(msg, "zfs op"), "message %q lacks its origin", msg)
		require.Equal(t, k, KindOf(err), "KindOf")
		if tok, ok := resumeToken(stderr); ok {
			require.True(t, validResumeToken(tok), "ResumeToken returned malformed %q", tok)
		}
	})
}
