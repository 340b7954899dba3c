package replication_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/replication"
	"github.com/gozfs/gozfs/zfs"
)

// fuzzClient answers any listing with out.
func fuzzClient(out string) *zfs.Client {
	return zfs.New(zfs.ClientOptions{Version: v232, TextOutput: true, Runner: command.RunnerFunc(func(ctx context.Context, c *command.Cmd) error {
		if c.Stdout != nil {
			_, err := c.Stdout.Write([]byte(out))
			return err
		}
		return nil
	})})
}

// FuzzPlan plans from arbitrary listings of both sides: planning must not
// panic, and the plan must hang together.
func FuzzPlan(f *testing.F) {
	for _, state := range []string{"fresh", "later"} {
		s, _ := os.ReadFile(filepath.Join("testdata", "2.3.2", state+"-source-text.out"))
		t, _ := os.ReadFile(filepath.Join("testdata", "2.3.2", state+"-target-text.out"))
		f.Add(string(s), string(t), true)
	}
	f.Add("gzrepl/src\tfilesystem\t1\t1\t1\t-\ngzrepl/src@a\tsnapshot\t2\t2\t1\t0\n", "gzrepl/dst\tfilesystem\t3\t1\t1\t-\t0\t-\ngzrepl/dst@a\tsnapshot\t2\t5\t1\t-\t0\t-\n", false)
	f.Fuzz(func(t *testing.T, src, dst string, recursive bool) {
		p, err := replication.NewPlan(context.Background(),
			replication.Endpoint{Client: fuzzClient(src), Dataset: "gzrepl/src"},
			replication.Endpoint{Client: fuzzClient(dst), Dataset: "gzrepl/dst"},
			replication.PlanOptions{Recursive: recursive})
		if err != nil {
			return
		}
		_ = p.String()
		for _, dp := range p.Datasets {
			require.Equal(t, dp.Action == replication.Blocked, dp.Conflict != nil, "%s: action %v with conflict %v", dp.Target, dp.Action, dp.Conflict)
			require.True(t, strings.HasPrefix(dp.Source, "gzrepl/src") && strings.HasPrefix(dp.Target, "gzrepl/dst"),
				"dataset %s → %s outside the roots", dp.Source, dp.Target)
			prev := ""
			for i, st := range dp.Steps {
				require.NotEmpty(t, st.Snapshots, "%s step %d", dp.Target, i)
				require.Equal(t, st.To, st.Snapshots[len(st.Snapshots)-1].Name, "%s step %d: To and its snapshots", dp.Target, i)
				require.True(t, strings.HasPrefix(st.To, dp.Source+"@"), "%s step %d sends %s", dp.Target, i, st.To)
				if i > 0 {
					require.Equal(t, prev, st.From, "%s step %d starts where the previous ended", dp.Target, i)
				}
				require.False(t, st.Intermediates && strings.Contains(st.From, "#"), "%s step %d: -I from a bookmark", dp.Target, i)
				prev = st.To
			}
		}
	})
}
