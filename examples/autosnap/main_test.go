package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/internal/zfssim"
)

var t0 = time.Date(2026, 12, 3, 6, 0, 0, 0, time.UTC)

func newSim(now *time.Time) *zfssim.Sim {
	sim := zfssim.New()
	sim.SetClock(func() time.Time { return *now })
	sim.AddFilesystem("tank", nil)
	sim.AddFilesystem("tank/home", nil)
	sim.AddFilesystem("tank/home/alice", nil)
	sim.AddFilesystem("tank/home/bob", nil)
	sim.AddFilesystem("tank/db", nil)
	return sim
}

type hookLog struct{ calls [][]string }

func (h *hookLog) Run(ctx context.Context, c *command.Cmd) error {
	h.calls = append(h.calls, c.Argv())
	if c.Name == "false" {
		return &command.ExitError{Argv: c.Argv(), Code: 1}
	}
	return nil
}

func runT(t *testing.T, sim *zfssim.Sim, hooks *hookLog, now time.Time, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if hooks == nil {
		hooks = &hookLog{}
	}
	rc := runEnv(context.Background(), env{c: sim.Client(), hooks: hooks, stdout: &out, stderr: &errb}, now, args)
	return rc, out.String(), errb.String()
}

func TestFlagMode(t *testing.T) {
	now := t0
	sim := newSim(&now)
	for h := 1; h <= 3; h++ {
		now = t0.Add(time.Duration(h) * time.Hour)
		rc, out, errs := runT(t, sim, nil, now, "-label", "hourly", "-keep", "2", "-utc", "-r", "tank/home")
		require.Equal(t, 0, rc, errs)
		assert.Contains(t, out, fmt.Sprintf("created tank/home/bob@zfs-auto-snap_hourly-2026-12-03-%02d00\n", 6+h))
		if h == 3 {
			assert.Contains(t, out, "destroyed tank/home/alice@zfs-auto-snap_hourly-2026-12-03-0700\n")
		}
	}
	assert.Equal(t, []string{"tank/home@zfs-auto-snap_hourly-2026-12-03-0800", "tank/home@zfs-auto-snap_hourly-2026-12-03-0900"}, sim.Snapshots("tank/home"))
	// Not due again within the hour.
	rc, out, _ := runT(t, sim, nil, now.Add(10*time.Minute), "-label", "hourly", "-keep", "2", "-utc", "-r", "tank/home")
	assert.Equal(t, 0, rc)
	assert.Empty(t, out)
	// Unless forced.
	rc, out, _ = runT(t, sim, nil, now.Add(10*time.Minute), "-force", "-label", "hourly", "-keep", "2", "-utc", "tank/home")
	assert.Equal(t, 0, rc)
	assert.Contains(t, out, "created tank/home@zfs-auto-snap_hourly-2026-12-03-0910")
}

func TestFlagModeDryRun(t *testing.T) {
	now := t0
	sim := newSim(&now)
	for h := range 4 {
		sim.Write("tank/db", 1<<20)
		sim.AddSnapshot(fmt.Sprintf("tank/db@autosnap_2026-12-03_0%d:00:00_daily", h), t0.Add(time.Duration(h-4)*24*time.Hour))
	}
	rc, out, errs := runT(t, sim, nil, now, "-n", "-naming", "sanoid", "-label", "daily", "-keep", "2", "-utc", "tank/db")
	require.Equal(t, 0, rc, errs)
	assert.Equal(t, `daily: zfs snapshot tank/db@autosnap_2026-12-03_06:00:00_daily (1 datasets)
would destroy tank/db@autosnap_2026-12-03_00:00:00_daily
would destroy tank/db@autosnap_2026-12-03_01:00:00_daily
would destroy tank/db@autosnap_2026-12-03_02:00:00_daily
would reclaim 3145728 bytes
`, out)
	assert.Len(t, sim.Snapshots("tank/db"), 4, "nothing changed")
}

func TestFlagModeUsage(t *testing.T) {
	now := t0
	sim := newSim(&now)
	for _, args := range [][]string{
		{},
		{"-keep", "-1", "tank"},
		{"-naming", "nope", "tank"},
		{"-cron", "61 * * * *", "tank"},
		{"-label", "a:b", "tank"},
		{"-config", "x.toml", "tank"},
	} {
		rc, _, _ := runT(t, sim, nil, now, args...)
		assert.Equal(t, 2, rc, "%q", args)
	}
	rc, _, errs := runT(t, sim, nil, now, "tank/nothere")
	assert.Equal(t, 1, rc)
	assert.Contains(t, errs, "does not exist")
}

const conf = `
naming = "sanoid"
timezone = "UTC"

[template.production]
hourly = 2
daily = 3
pre_snapshot = ["/usr/local/bin/flush", "--all"]
post_snapshot = ["/usr/local/bin/thaw"]

[[template.production.label]]
name = "4hourly"
cron = "0 */4 * * *"
keep = 1

[template.scratch]
hourly = 1

[dataset."tank/home"]
template = "production"
recursive = true
daily = 5

[dataset."tank/home/bob"]
template = "scratch"

[dataset."tank/db"]
template = "production"
autosnap = false
`

func TestConfigMode(t *testing.T) {
	now := t0
	sim := newSim(&now)
	dir := t.TempDir()
	path := filepath.Join(dir, "autosnap.toml")
	require.NoError(t, os.WriteFile(path, []byte(conf), 0o644))
	for i := range 3 {
		sim.AddSnapshot(fmt.Sprintf("tank/db@autosnap_2026-12-0%d_00:00:00_hourly", i+1), t0.Add(time.Duration(i-3)*24*time.Hour))
	}
	hooks := &hookLog{}
	rc, out, errs := runT(t, sim, hooks, now, "-config", path)
	require.Equal(t, 0, rc, errs)
	for _, want := range []string{
		"created tank/home/bob@autosnap_2026-12-03_06:00:00_hourly",
		"created tank/home@autosnap_2026-12-03_06:00:00_hourly",
		"created tank/home/alice@autosnap_2026-12-03_06:00:00_daily",
		"created tank/home/alice@autosnap_2026-12-03_06:00:00_4hourly",
		"destroyed tank/db@autosnap_2026-12-01_00:00:00_hourly", // autoprune only: hourly = 2
	} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "tank/home/bob@autosnap_2026-12-03_06:00:00_daily", "bob has its own section")
	assert.NotContains(t, out, "created tank/db")
	assert.Equal(t, [][]string{{"/usr/local/bin/flush", "--all"}, {"/usr/local/bin/thaw"}}, hooks.calls, "tank/home's hooks; tank/db takes no snapshot")
	var snapCmds []string
	for _, c := range sim.Calls() {
		if c[1] == "snapshot" {
			snapCmds = append(snapCmds, strings.Join(c, " "))
		}
	}
	assert.Equal(t, []string{
		"zfs snapshot tank/home@autosnap_2026-12-03_06:00:00_hourly tank/home/alice@autosnap_2026-12-03_06:00:00_hourly",
		"zfs snapshot tank/home@autosnap_2026-12-03_06:00:00_daily tank/home/alice@autosnap_2026-12-03_06:00:00_daily",
		"zfs snapshot tank/home@autosnap_2026-12-03_06:00:00_4hourly tank/home/alice@autosnap_2026-12-03_06:00:00_4hourly",
		"zfs snapshot tank/home/bob@autosnap_2026-12-03_06:00:00_hourly",
	}, snapCmds)

	// A failing pre hook: nothing taken for that dataset, exit 1.
	bad := strings.Replace(conf, `"/usr/local/bin/flush", "--all"`, `"false"`, 1)
	require.NoError(t, os.WriteFile(path, []byte(bad), 0o644))
	rc, _, errs = runT(t, sim, &hookLog{}, now.Add(time.Hour), "-config", path)
	assert.Equal(t, 1, rc)
	assert.Contains(t, errs, "pre-snapshot hook")
}

func TestConfigErrors(t *testing.T) {
	now := t0
	sim := newSim(&now)
	dir := t.TempDir()
	for name, text := range map[string]string{
		"unknown key":   "[dataset.\"tank\"]\nhourli = 3\n",
		"no dataset":    "naming = \"sanoid\"\n",
		"bad template":  "[dataset.\"tank\"]\ntemplate = \"x\"\n",
		"bad naming":    "naming = \"x\"\n[dataset.\"tank\"]\nhourly = 1\n",
		"bad zone":      "timezone = \"Mars/Olympus\"\n[dataset.\"tank\"]\nhourly = 1\n",
		"no label":      "[dataset.\"tank\"]\nrecursive = true\n",
		"bad grid":      "[[template.t.label]]\nname = \"x\"\ngrid = \"1x1y\"\n[dataset.\"tank\"]\ntemplate = \"t\"\n",
		"bad cron":      "[[template.t.label]]\nname = \"x\"\ncron = \"* *\"\n[dataset.\"tank\"]\ntemplate = \"t\"\n",
		"negative":      "[dataset.\"tank\"]\nhourly = -1\n",
		"toml syntax":   "[dataset.\"tank\"\n",
		"not a dataset": "[dataset.\"tank@x\"]\nhourly = 1\n",
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".toml")
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
		rc, _, errs := runT(t, sim, nil, now, "-config", path)
		assert.Equal(t, 2, rc, "%s: %s", name, errs)
	}
	assert.Empty(t, sim.Calls())
}
