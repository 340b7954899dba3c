package zpool

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/commandtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The golden files under testdata/<version>/ are real output of OpenZFS,
// captured in the lab by testdata/capture.sh. Their paths are those of the
// lab's pool directory.
const (
	capDir = "testdata/2.3.2"
	labDir = "/run/gozfs-lab/pools/zt/"
)

// errorCase is a failed operation replayed from a capture: the argv zpool
// ran, the call that makes the client run it, and the error it must match.
type errorCase struct {
	capture string
	argv    []string
	call    func(c *Client) error
	want    error
}

// replayErrors runs each case on a client from newClient whose fake runner
// answers with the standard error and exit code captured in the lab (read
// with read, from the capture directory's index.tsv and <capture>.err), and
// checks the error callers get.
func replayErrors(t *testing.T, read func(testing.TB, string) []byte, newClient func(*testing.T) (*Client, *commandtest.Fake), cases []errorCase) {
	t.Helper()
	index := map[string][]string{} // capture name → exit code, argv
	for _, line := range strings.Split(strings.TrimSpace(string(read(t, "index.tsv"))), "\n") {
		f := strings.SplitN(line, "\t", 3)
		require.Len(t, f, 3)
		index[f[0]] = f[1:]
	}
	for _, tc := range cases {
		t.Run(tc.capture, func(t *testing.T) {
			stderr := string(read(t, tc.capture+".err"))
			entry, ok := index[tc.capture]
			require.True(t, ok)
			code, err := strconv.Atoi(entry[0])
			require.NoError(t, err)
			require.NotZero(t, code)
			c, fake := newClient(t)
			fake.Expect(tc.argv...).Stderr(stderr).Exit(code)
			err = tc.call(c)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			var e *errors.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.argv, e.Argv)
			assert.Equal(t, code, e.ExitCode)
			assert.True(t, strings.HasPrefix(err.Error(), "zpool "), err.Error())
		})
	}
}

func golden(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(capDir, name))
	require.NoError(t, err)
	return b
}

func parseText(t *testing.T, name string) []*Status {
	t.Helper()
	all, err := ParseStatus(golden(t, name))
	require.NoError(t, err, name)
	return all
}

func parseJSON(t *testing.T, name string) []*Status {
	t.Helper()
	all, err := ParseStatusJSON(golden(t, name))
	require.NoError(t, err, name)
	return all
}

func one(t *testing.T, all []*Status) *Status {
	t.Helper()
	require.Len(t, all, 1)
	return all[0]
}

// summary describes a vdev tree with everything both output paths report.
func summary(vs []*Vdev) []string {
	var out []string
	var walk func(v *Vdev, depth int)
	walk = func(v *Vdev, depth int) {
		s := fmt.Sprintf("%s%s type=%s class=%s state=%s errors=%d/%d/%d slow=%d",
			strings.Repeat("  ", depth), v.Name, v.Type, v.Class, v.State,
			v.ReadErrors, v.WriteErrors, v.ChecksumErrors, v.SlowIOs)
		if v.Aux != "" {
			s += " aux=" + string(v.Aux)
		}
		if v.Was != "" {
			s += " was=" + v.Was
		}
		if v.Path != "" {
			s += " path=" + v.Path
		}
		if v.Repairing {
			s += " repairing"
		}
		for _, p := range []struct {
			name string
			p    Progress
		}{{"init", v.Initialize}, {"trim", v.Trim}} {
			if p.p.State != "" {
				s += fmt.Sprintf(" %s=%s/%d%%", p.name, p.p.State, p.p.Percent)
				if !p.p.Time.IsZero() {
					s += "@" + p.p.Time.UTC().Format(time.RFC3339)
				}
			}
		}
		out = append(out, s)
		for _, c := range v.Children {
			walk(c, depth+1)
		}
	}
	for _, v := range vs {
		walk(v, 0)
	}
	return out
}

// TestStatusTextMatchesJSON parses the same pool state captured as text and
// as JSON and checks that the two parsers agree on everything text output
// shows.
func TestStatusTextMatchesJSON(t *testing.T) {
	pairs := [][2]string{
		{"single-status-st.txt", "single-status-v.json"},
		{"mirror-status-st.txt", "mirror-status-v.json"},
		{"raidz-status-st.txt", "raidz-status-v.json"},
		{"mix-status-st.txt", "mix-status-v.json"},
		{"draid-status-st.txt", "draid-status-v.json"},
		{"nofeat-status-st.txt", "nofeat-status-v.json"},
		{"single-status.txt", "single-status.json"},
		{"mix-status.txt", "mix-status.json"},
		{"scrub-running-status.txt", "scrub-running-status.json"},
		{"scrub-paused-status.txt", "scrub-paused-status.json"},
		{"scrub-canceled-status.txt", "scrub-canceled-status.json"},
		{"scrub-done-status.txt", "scrub-done-status.json"},
		{"degraded-status.txt", "degraded-status.json"},
		{"resilver-status.txt", "resilver-status.json"},
		{"resilver-done-status.txt", "resilver-done-status.json"},
		{"trim-suspended-status.txt", "trim-suspended-status.json"},
		{"trim-status.txt", "trim-status.json"},
		{"spare-status.txt", "spare-status.json"},
		{"checkpoint-status.txt", "checkpoint-status.json"},
		{"errors-status-v.txt", "errors-status-v.json"},
		{"errors-scrub-e-status.txt", "errors-scrub-e-status.json"},
		{"cksum-status.txt", "cksum-status.json"},
		{"draid-degraded-status.txt", "draid-degraded-status.json"},
		{"rebuild-status.txt", "rebuild-status.json"},
		{"all-status.txt", "all-status.json"},
	}
	for _, p := range pairs {
		t.Run(p[0], func(t *testing.T) {
			texts, jsons := parseText(t, p[0]), parseJSON(t, p[1])
			require.Equal(t, len(jsons), len(texts))
			require.NotEmpty(t, texts)
			for i := range texts {
				ts, js := texts[i], jsons[i]
				assert.Equal(t, js.Name, ts.Name)
				assert.Equal(t, js.State, ts.State)
				assert.Equal(t, js.Status, ts.Status)
				assert.Equal(t, js.Action, ts.Action)
				assert.Equal(t, js.MsgID, ts.MsgID)
				assert.Equal(t, js.MoreInfo, ts.MoreInfo)
				assert.Equal(t, js.ErrorCount, ts.ErrorCount)
				assert.Equal(t, js.Errors, ts.Errors)
				assert.NotZero(t, js.GUID)
				assert.Equal(t, summary([]*Vdev{js.Root}), summary([]*Vdev{ts.Root}))
				for _, class := range []struct {
					name string
					j, t []*Vdev
				}{{"logs", js.Logs, ts.Logs}, {"special", js.Special, ts.Special}, {"dedup", js.Dedup, ts.Dedup}, {"cache", js.Cache, ts.Cache}, {"spares", js.Spares, ts.Spares}} {
					assert.Equal(t, summary(class.j), summary(class.t), class.name)
				}
				assert.Equal(t, js.Checkpoint != nil, ts.Checkpoint != nil, "checkpoint")
				if js.Checkpoint != nil && ts.Checkpoint != nil {
					assert.Equal(t, js.Checkpoint.Created, ts.Checkpoint.Created)
					assert.InEpsilon(t, float64(js.Checkpoint.Space), float64(ts.Checkpoint.Space), 0.01)
				}
				if js.Scan == nil || !(js.Scan.Function == ScanResilver && len(js.Rebuilds) > 0 && ts.Scan == nil) {
					compareScan(t, js.Scan, ts.Scan)
				}
			}
		})
	}
}

// compareScan checks what text output tells of a scan against JSON.
func compareScan(t *testing.T, js, ts *Scan) {
	t.Helper()
	require.Equal(t, js == nil, ts == nil, "scan presence")
	if js == nil {
		return
	}
	assert.Equal(t, js.Function, ts.Function)
	assert.Equal(t, js.State, ts.State)
	assert.Equal(t, js.Paused, ts.Paused)
	assert.Equal(t, js.PausedSince, ts.PausedSince)
	assert.True(t, js.Exact)
	assert.False(t, ts.Exact)
	assert.InDelta(t, js.Percent, ts.Percent, 0.01)
	switch js.State {
	case ScanFinished:
		assert.Equal(t, js.End, ts.End)
		assert.Equal(t, js.Start, ts.Start)
		assert.Equal(t, js.Errors, ts.Errors)
		assertRounded(t, js.Processed, ts.Processed)
	case ScanCanceled:
		assert.Equal(t, js.End, ts.End)
	case ScanScanning:
		assert.Equal(t, js.Start, ts.Start)
		assertRounded(t, js.ToExamine, ts.ToExamine)
		assertRounded(t, js.Examined, ts.Examined)
		assertRounded(t, js.ToIssue, ts.ToIssue)
		assertRounded(t, js.Issued, ts.Issued)
		assertRounded(t, js.Processed, ts.Processed)
	}
}

// assertRounded checks that text output's rounded size is within its
// precision (three significant digits) of the exact value.
func assertRounded(t *testing.T, exact, rounded uint64) {
	t.Helper()
	if exact == 0 {
		assert.Zero(t, rounded)
		return
	}
	assert.InEpsilon(t, float64(exact), float64(rounded), 0.01, "exact %d, rounded %d", exact, rounded)
}

func TestStatusGoldenLayouts(t *testing.T) {
	for _, parse := range []struct {
		name string
		f    func(t *testing.T, name string) []*Status
		ext  string
	}{{"text", parseText, "-status-st.txt"}, {"json", parseJSON, "-status-v.json"}} {
		t.Run(parse.name, func(t *testing.T) {
			mix := one(t, parse.f(t, "mix"+parse.ext))
			assert.Equal(t, "gzmix", mix.Name)
			require.Len(t, mix.Root.Children, 2)
			assert.Equal(t, TypeMirror, mix.Root.Children[0].Type)
			assert.Equal(t, "raidz2-1", mix.Root.Children[1].Name)
			assert.Equal(t, TypeRAIDZ, mix.Root.Children[1].Type)
			assert.Len(t, mix.Root.Children[1].Children, 4)
			require.Len(t, mix.Logs, 1)
			assert.Equal(t, "mirror-2", mix.Logs[0].Name)
			assert.Equal(t, ClassLog, mix.Logs[0].Children[1].Class)
			require.Len(t, mix.Special, 1)
			assert.Equal(t, "mirror-3", mix.Special[0].Name)
			require.Len(t, mix.Dedup, 1)
			assert.Equal(t, labDir+"dd1", mix.Dedup[0].Name)
			assert.Equal(t, TypeFile, mix.Dedup[0].Type)
			require.Len(t, mix.Cache, 1)
			assert.Equal(t, ClassCache, mix.Cache[0].Class)
			require.Len(t, mix.Spares, 2)
			assert.Equal(t, Avail, mix.Spares[1].State)
			assert.Len(t, mix.Vdevs(), 1+(1+2)+(1+4)+1+(1+2)+(1+2)+1+2)
			assert.Equal(t, labDir+"sp2", mix.Vdev(labDir+"sp2").Path)
			assert.Nil(t, mix.Vdev("nope"))
			assert.Len(t, mix.Root.Leaves(), 6)
			a1 := mix.Vdev(labDir + "a1")
			assert.Equal(t, ProgressNone, a1.Trim.State)
			assert.Equal(t, ProgressNone, a1.Initialize.State)

			draid := one(t, parse.f(t, "draid"+parse.ext))
			assert.Equal(t, "draid1:2d:5c:1s-0", draid.Root.Children[0].Name)
			assert.Equal(t, TypeDRAID, draid.Root.Children[0].Type)
			require.Len(t, draid.Spares, 1)
			assert.Equal(t, TypeDistributedSpare, draid.Spares[0].Type)
		})
	}
}

func TestStatusGoldenStates(t *testing.T) {
	st := one(t, parseText(t, "scrub-running-status.txt"))
	require.NotNil(t, st.Scan)
	assert.Equal(t, ScanScanning, st.Scan.State)
	assert.False(t, st.Scan.Paused)
	assert.False(t, st.Scan.Done())
	assert.NotZero(t, st.Scan.ToExamine)
	assert.False(t, st.Scan.Start.IsZero())

	st = one(t, parseJSON(t, "scrub-paused-status.json"))
	assert.True(t, st.Scan.Paused)
	assert.True(t, st.Scan.PausedSince.After(st.Scan.Start) || st.Scan.PausedSince.Equal(st.Scan.Start))
	assert.True(t, st.Scan.End.IsZero())

	st = one(t, parseJSON(t, "scrub-canceled-status.json"))
	assert.Equal(t, ScanCanceled, st.Scan.State)
	assert.True(t, st.Scan.Done())

	for _, name := range []string{"degraded-status.txt", "degraded-status.json"} {
		st = statusOf(t, name)
		assert.Equal(t, Degraded, st.State, name)
		assert.Equal(t, Offline, st.Vdev(labDir+"m1").State, name)
		assert.Equal(t, Degraded, st.Vdev("mirror-0").State, name)
		assert.True(t, strings.HasPrefix(st.Status, "One or more devices has been taken offline"), name)
		assert.NotContains(t, st.Status, "\t", name)
	}
	for _, name := range []string{"resilver-status.txt", "resilver-status.json"} {
		st = statusOf(t, name)
		require.NotNil(t, st.Scan, name)
		assert.Equal(t, ScanResilver, st.Scan.Function, name)
		assert.Equal(t, ScanScanning, st.Scan.State, name)
		r := st.Vdev("replacing-0")
		require.NotNil(t, r, name)
		assert.Equal(t, TypeReplacing, r.Type, name)
		assert.Len(t, r.Children, 2, name)
	}
	for _, name := range []string{"draid-degraded-status.txt", "draid-degraded-status.json"} {
		st = statusOf(t, name)
		missing := st.Root.Children[0].Children[4]
		assert.Equal(t, TypeMissing, missing.Type, name)
		assert.Equal(t, Unavail, missing.State, name)
		assert.Equal(t, labDir+"d5", missing.Was, name)
		assert.Equal(t, "ZFS-8000-2Q", st.MsgID, name)
	}
	for _, name := range []string{"rebuild-status.txt", "rebuild-status.json"} {
		st = statusOf(t, name)
		sp := st.Vdev("spare-4")
		require.NotNil(t, sp, name)
		assert.Equal(t, TypeSpare, sp.Type, name)
		assert.Equal(t, TypeDistributedSpare, sp.Children[1].Type, name)
		assert.Equal(t, InUse, st.Spares[0].State, name)
		assert.Equal(t, AuxSpared, st.Spares[0].Aux, name)
	}
	for _, name := range []string{"errors-status-v.txt", "errors-status-v.json"} {
		st = statusOf(t, name)
		assert.Equal(t, uint64(1), st.ErrorCount, name)
		assert.Equal(t, []string{labDir + "root/gzerr/victim"}, st.Errors, name)
		assert.NotZero(t, st.Vdev(labDir+"e1").ChecksumErrors, name)
		assert.Equal(t, "ZFS-8000-8A", st.MsgID, name)
	}
	for _, name := range []string{"errors-scrub-e-status.txt", "errors-scrub-e-status.json"} {
		st = statusOf(t, name)
		require.NotNil(t, st.Scan, name)
		assert.Equal(t, ScanErrorScrub, st.Scan.Function, name)
		assert.Equal(t, ScanFinished, st.Scan.State, name)
		assert.Equal(t, uint64(1), st.Scan.Examined, name)
		assert.False(t, st.Scan.End.IsZero(), name)
	}
	st = one(t, parseText(t, "errors-status.txt"))
	assert.Equal(t, uint64(1), st.ErrorCount)
	assert.Empty(t, st.Errors)
	for _, name := range []string{"cksum-status.txt", "cksum-status.json"} {
		st = statusOf(t, name)
		assert.NotZero(t, st.Vdev(labDir+"m2").ChecksumErrors, name)
		assert.Zero(t, st.Vdev(labDir+"m3").ChecksumErrors, name)
		assert.NotZero(t, st.Scan.Processed, name)
	}
	for _, name := range []string{"checkpoint-status.txt", "checkpoint-status.json"} {
		st = statusOf(t, name)
		require.NotNil(t, st.Checkpoint, name)
		assert.False(t, st.Checkpoint.Created.IsZero(), name)
		assert.NotZero(t, st.Checkpoint.Space, name)
	}
	for _, name := range []string{"trim-status.txt", "trim-status.json"} {
		st = statusOf(t, name)
		tr := st.Vdev(labDir + "m2").Trim
		assert.Equal(t, ProgressComplete, tr.State, name)
		assert.Equal(t, 100, tr.Percent, name)
		assert.False(t, tr.Time.IsZero(), name)
	}
	// A TRIM in progress (text and JSON were taken moments apart).
	for _, name := range []string{"trim-running-status.txt", "trim-running-status.json"} {
		st = statusOf(t, name)
		tr := st.Vdev(labDir + "m3").Trim
		assert.Equal(t, ProgressActive, tr.State, name)
		assert.Less(t, tr.Percent, 100, name)
		assert.False(t, tr.Time.IsZero(), name)
	}
	for _, name := range []string{"trim-suspended-status.txt", "trim-suspended-status.json"} {
		assert.Equal(t, ProgressSuspended, statusOf(t, name).Vdev(labDir+"m3").Trim.State, name)
	}

	all := parseJSON(t, "all-status.json")
	assert.Greater(t, len(all), 2)
}

// statusOf parses a golden status file by its extension.
func statusOf(t *testing.T, name string) *Status {
	t.Helper()
	if strings.HasSuffix(name, ".json") {
		return one(t, parseJSON(t, name))
	}
	return one(t, parseText(t, name))
}

func TestStatusNoPools(t *testing.T) {
	for _, name := range []string{"all-status-x.txt", "errors-status-x.txt"} {
		all, err := ParseStatus(golden(t, name))
		require.NoError(t, err)
		if strings.Contains(string(golden(t, name)), "all pools are healthy") {
			assert.Empty(t, all, name)
		}
	}
}
