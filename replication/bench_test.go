package replication_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/replication"
	"github.com/gozfs/gozfs/zfs"
)

// The planning benchmark's pools: benchDatasets filesystems under one root,
// each with benchSnaps snapshots and a cursor bookmark on the source; the
// target has the first benchHave of them, so every dataset has
// benchSnaps-benchHave snapshots to send.
const (
	benchDatasets = 1000
	benchSnaps    = 100
	benchHave     = 90
)

// benchRow is one row of a canned listing.
type benchRow struct {
	name, typ  string
	guid, txg  uint64
	props      []string // values of the side's extra columns
	dataset    string   // for snapshots and bookmarks
	short      string
	isSnapshot bool
}

// benchWorld writes the canned listings of both sides, as zfs prints them
// (text or JSON), for the recursive listings Plan runs and for the
// per-dataset listings of the naive planner, and returns a function that
// maps a command line to the file holding its output.
func benchWorld(b *testing.B, dir string, js bool) map[string]string {
	files := map[string]string{}
	write := func(argv []string, rows []benchRow, cols []string) {
		var buf bytes.Buffer
		if js {
			buf.WriteString(`{"output_version":{"command":"zfs list","vers_major":0,"vers_minor":1},"datasets":{`)
		}
		for i, r := range rows {
			if !js {
				fmt.Fprintf(&buf, "%s\t%s\t%d\t%d\t1700000000", r.name, r.typ, r.guid, r.txg)
				for _, v := range r.props {
					buf.WriteString("\t" + v)
				}
				buf.WriteByte('\n')
				continue
			}
			if i > 0 {
				buf.WriteByte(',')
			}
			prop := func(k, v string) string {
				return `"` + k + `":{"value":"` + v + `","source":{"type":"NONE","data":"-"}}`
			}
			ps := []string{prop("type", r.typ), prop("guid", fmt.Sprint(r.guid)), prop("createtxg", fmt.Sprint(r.txg)), prop("creation", "1700000000")}
			for k, c := range cols {
				ps = append(ps, prop(c, r.props[k]))
			}
			extra := ""
			if r.isSnapshot {
				extra = fmt.Sprintf(`,"dataset":"%s","snapshot_name":"%s"`, r.dataset, r.short)
			}
			fmt.Fprintf(&buf, `"%s":{"name":"%s","type":"%s","pool":"tank","createtxg":"%d"%s,"properties":{%s}}`,
				r.name, r.name, strings.ToUpper(r.typ), r.txg, extra, strings.Join(ps, ","))
		}
		if js {
			buf.WriteString("}}\n")
		}
		f := filepath.Join(dir, fmt.Sprintf("l%d", len(files)))
		require.NoError(b, os.WriteFile(f, buf.Bytes(), 0o644))
		files[strings.Join(argv, " ")] = f
	}
	scols := []string{"userrefs"}
	tcols := []string{"receive_resume_token", "written", "gozfs:placeholder"}
	fsRow := func(name string, guid uint64, target bool) benchRow {
		r := benchRow{name: name, typ: "filesystem", guid: guid, txg: 5, props: []string{"-"}}
		if target {
			r.props = []string{"-", "0", "-"}
		}
		return r
	}
	var srcAll, dstAll, srcRoot, dstRoot []benchRow
	srcRoot = append(srcRoot, fsRow("tank/r", 1, false))
	dstRoot = append(dstRoot, fsRow("backup/r", 2, true))
	srcAll, dstAll = append(srcAll, srcRoot...), append(dstAll, dstRoot...)
	for d := 0; d < benchDatasets; d++ {
		sname, tname := fmt.Sprintf("tank/r/d%04d", d), fmt.Sprintf("backup/r/d%04d", d)
		src := []benchRow{fsRow(sname, uint64(d)*1_000_003+11, false)}
		dst := []benchRow{fsRow(tname, uint64(d)*1_000_003+13, true)}
		for s := 0; s < benchSnaps; s++ {
			guid := uint64(d)*1_000_003 + uint64(s) + 100
			short := fmt.Sprintf("autosnap_2024-01-01_00:00:00_%03d", s)
			txg := uint64(1000 + s*10)
			src = append(src, benchRow{name: sname + "@" + short, typ: "snapshot", guid: guid, txg: txg, props: []string{"0"}, dataset: sname, short: short, isSnapshot: true})
			if s < benchHave {
				dst = append(dst, benchRow{name: tname + "@" + short, typ: "snapshot", guid: guid, txg: txg + 3, props: []string{"-", "4096", "-"}, dataset: tname, short: short, isSnapshot: true})
			}
			if s == benchHave-1 {
				bm := sname + "#" + replication.CursorName("", guid)
				src = append(src, benchRow{name: bm, typ: "bookmark", guid: guid, txg: txg, props: []string{"-"}})
			}
		}
		srcAll, dstAll = append(srcAll, src...), append(dstAll, dst...)
		srcRoot = append(srcRoot, src[0])
		dstRoot = append(dstRoot, dst[0])
		write(listArgv(js, false, sourceCols, sname), src, scols)
		write(listArgv(js, false, targetCols, tname), dst, tcols)
	}
	write(listArgv(js, true, sourceCols, "tank/r"), srcAll, scols)
	write(listArgv(js, true, targetCols, "backup/r"), dstAll, tcols)
	write(listArgv(js, false, sourceCols, "tank/r"), srcRoot, scols)
	write(listArgv(js, false, targetCols, "backup/r"), dstRoot, tcols)
	// The naive planner's dataset enumeration.
	var dsOnly []benchRow
	for _, r := range srcAll {
		if r.typ == "filesystem" {
			dsOnly = append(dsOnly, r)
		}
	}
	for i := range dsOnly {
		dsOnly[i].props = nil
	}
	argv := []string{"zfs", "list"}
	if js {
		argv = append(argv, "-j", "-p")
	} else {
		argv = append(argv, "-H", "-p")
	}
	argv = append(argv, "-r", "-t", "filesystem,volume", "-o", "name,type,guid,createtxg,creation", "tank/r")
	write(argv, dsOnly, nil)
	return files
}

// catRunner answers each zfs command with its canned output, by running a
// real `cat` of the file: one subprocess per command, as with zfs.
type catRunner struct {
	files map[string]string
	exec  command.Exec
	n     atomic.Int64
}

func (r *catRunner) Run(ctx context.Context, c *command.Cmd) error {
	r.n.Add(1)
	f, ok := r.files[strings.Join(c.Argv(), " ")]
	if !ok {
		return fmt.Errorf("bench: no canned output for %s", c)
	}
	return r.exec.Run(ctx, &command.Cmd{Name: "cat", Args: []string{f}, Stdout: c.Stdout, Stderr: c.Stderr})
}

// naivePlan plans dataset by dataset, as a planner that lists each dataset
// on its own would: one listing of the source's datasets, then one listing
// per dataset on each side.
func naivePlan(ctx context.Context, src, dst *zfs.Client) (int, error) {
	n := 0
	for d, err := range src.Datasets(ctx, zfs.ListOptions{Roots: []string{"tank/r"}, Recursive: true}) {
		if err != nil {
			return 0, err
		}
		name := d.Name()
		p, err := replication.NewPlan(ctx, replication.Endpoint{Client: src, Dataset: name},
			replication.Endpoint{Client: dst, Dataset: "backup/r" + strings.TrimPrefix(name, "tank/r")}, replication.PlanOptions{})
		if err != nil {
			return 0, err
		}
		n += toSend(p)
	}
	return n, nil
}

// toSend counts the snapshots a plan sends.
func toSend(p *replication.Plan) int {
	n := 0
	for _, dp := range p.Datasets {
		for _, st := range dp.Steps {
			n += len(st.Snapshots)
		}
	}
	return n
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPlan plans the replication of 1,000 datasets with 100 snapshots
// each (100,000 snapshots; 10 to send per dataset) from canned listings
// served by a runner that starts a real subprocess (`cat`) per command.
// Plan lists each side once; the naive planner lists each dataset on each
// side (2,001 and 2,000 commands). Reported for ours: ratio = naive wall
// time / ours, cpu-ratio = the same for this process's CPU time, plan-cpu-s
// = CPU seconds of one plan (parsing and planning, not the subprocesses),
// and cmds/side.
func BenchmarkPlan(b *testing.B) {
	for _, form := range []string{"text", "json"} {
		b.Run(form, func(b *testing.B) {
			js := form == "json"
			files := benchWorld(b, b.TempDir(), js)
			ctx := context.Background()
			srcR, dstR := &catRunner{files: files}, &catRunner{files: files}
			src := zfs.New(zfs.ClientOptions{Runner: srcR, Version: v232, TextOutput: !js})
			dst := zfs.New(zfs.ClientOptions{Runner: dstR, Version: v232, TextOutput: !js})
			ours := func() {
				p, err := replication.NewPlan(ctx, replication.Endpoint{Client: src, Dataset: "tank/r"},
					replication.Endpoint{Client: dst, Dataset: "backup/r"}, replication.PlanOptions{Recursive: true})
				require.NoError(b, err)
				require.Equal(b, benchDatasets*(benchSnaps-benchHave), toSend(p), "snapshots to send")
			}
			naive := func() {
				n, err := naivePlan(ctx, src, dst)
				require.NoError(b, err)
				require.Equal(b, benchDatasets*(benchSnaps-benchHave), n, "naive: snapshots to send")
			}
			measure := func(f func()) (wall, cpu time.Duration) {
				c0, t0 := processCPU(), time.Now()
				f()
				return time.Since(t0), processCPU() - c0
			}
			// The naive planner is slow (thousands of subprocesses): it
			// runs b.N times, ours at least three times, interleaved.
			var oursWall, oursCPU, naiveWall, naiveCPU time.Duration
			var cmds int64
			oursRounds := 0
			for i := 0; i < b.N; i++ {
				w, c := measure(naive)
				naiveWall, naiveCPU = naiveWall+w, naiveCPU+c
				for k := 0; k < 3; k++ {
					srcR.n.Store(0)
					w, c = measure(ours)
					cmds = srcR.n.Load()
					oursWall, oursCPU = oursWall+w, oursCPU+c
					oursRounds++
				}
			}
			oursWall /= time.Duration(oursRounds)
			oursCPU /= time.Duration(oursRounds)
			naiveWall /= time.Duration(b.N)
			naiveCPU /= time.Duration(b.N)
			b.ReportMetric(float64(naiveWall)/float64(oursWall), "ratio")
			b.ReportMetric(float64(naiveCPU)/float64(oursCPU), "cpu-ratio")
			b.ReportMetric(oursCPU.Seconds(), "plan-cpu-s")
			b.ReportMetric(oursWall.Seconds(), "plan-s")
			b.ReportMetric(naiveWall.Seconds(), "naive-s")
			b.ReportMetric(float64(cmds), "cmds/side")
		})
	}
}
