package zfs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gozfs/gozfs/command"
)

// benchRows is the size of the listings the benchmarks parse.
const benchRows = 1_000_000

// benchProps are the properties the benchmark listings carry besides
// identity.
var benchProps = []string{"used", "referenced"}

// benchText and benchJSON build, once, a `zfs list -H -p` and a `zfs list
// -j -p` listing of benchRows snapshots, as zfs prints them.
var (
	benchText = sync.OnceValue(func() []byte { return benchInput(false) })
	benchJSON = sync.OnceValue(func() []byte { return benchInput(true) })
)

func benchInput(js bool) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	if js {
		b.Grow(benchRows * 560)
		b.WriteString(`{"output_version":{"command":"zfs list","vers_major":0,"vers_minor":1},"datasets":{`)
	} else {
		b.Grow(benchRows * 120)
	}
	prop := func(k, v string) string {
		return `"` + k + `":{"value":"` + v + `","source":{"type":"NONE","data":"-"}}`
	}
	for i := 0; i < benchRows; i++ {
		name := fmt.Sprintf("tank/data/set@autosnap_2024-01-01_00:00:00_%07d", i)
		guid := strconv.FormatUint(r.Uint64(), 10)
		txg := strconv.Itoa(1000 + i)
		creation := strconv.Itoa(1700000000 + i)
		used := strconv.Itoa(r.IntN(1 << 30))
		refer := strconv.Itoa(r.IntN(1 << 34))
		if !js {
			fmt.Fprintf(&b, "%s\tsnapshot\t%s\t%s\t%s\t%s\t%s\n", name, guid, txg, creation, used, refer)
			continue
		}
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%s":{"name":"%s","type":"SNAPSHOT","pool":"tank","createtxg":"%s","dataset":"tank/data/set","snapshot_name":"%s","properties":{%s,%s,%s,%s,%s,%s}}`,
			name, name, txg, name[len("tank/data/set@"):],
			prop("type", "snapshot"), prop("guid", guid), prop("createtxg", txg), prop("creation", creation), prop("used", used), prop("referenced", refer))
	}
	if js {
		b.WriteString("}}\n")
	}
	return b.Bytes()
}

// benchClient returns a client whose runner writes out as the output of any
// command, in 64 KiB writes (what a pipe delivers at a time), to whatever
// standard output the caller gave.
func benchClient(out []byte, text bool) *Client {
	return New(ClientOptions{Version: Version{Major: 2, Minor: 3}, TextOutput: text, Runner: command.RunnerFunc(func(ctx context.Context, c *command.Cmd) error {
		for b := out; len(b) > 0; {
			n := min(len(b), 64<<10)
			if _, err := c.Stdout.Write(b[:n]); err != nil {
				return err
			}
			b = b[n:]
		}
		return nil
	})})
}

var benchOpts = ListOptions{Roots: []string{"tank/data/set"}, Depth: 1, Types: []Type{TypeSnapshot}, Properties: benchProps, Sort: []SortKey{{Property: "createtxg"}}}

// mistifyDataset is the struct mistifyio/go-zfs fills from each row.
type mistifyDataset struct {
	Name       string
	Type       string
	GUID       uint64
	CreateTXG  uint64
	Creation   uint64
	Used       uint64
	Referenced uint64
}

func setUint(field *uint64, value string) error {
	if value == "-" {
		*field = 0
		return nil
	}
	v, err := strconv.ParseUint(value, 10, 64)
	if err != nil {
		return err
	}
	*field = v
	return nil
}

// baselineText is the approach of mistifyio/go-zfs (its command.Run and
// listByType): the command's whole output into a bytes.Buffer, split into
// lines and the lines into tab-separated strings, then a struct per row.
func baselineText(ctx context.Context, c *Client) ([]*mistifyDataset, error) {
	var stdout bytes.Buffer
	if err := c.Options().Runner.Run(ctx, &command.Cmd{Name: "zfs", Stdout: &stdout}); err != nil {
		return nil, err
	}
	lines := strings.Split(stdout.String(), "\n")
	lines = lines[0 : len(lines)-1]
	output := make([][]string, len(lines))
	for i, l := range lines {
		output[i] = strings.Split(l, "\t")
	}
	var datasets []*mistifyDataset
	name := ""
	var ds *mistifyDataset
	for _, line := range output {
		if name != line[0] {
			name = line[0]
			ds = &mistifyDataset{Name: name}
			datasets = append(datasets, ds)
		}
		ds.Type = line[1]
		for i, f := range []*uint64{&ds.GUID, &ds.CreateTXG, &ds.Creation, &ds.Used, &ds.Referenced} {
			if err := setUint(f, line[2+i]); err != nil {
				return nil, err
			}
		}
	}
	return datasets, nil
}

// baselineJSON is the naive JSON approach: read all output, unmarshal it
// whole, then build a struct per dataset.
func baselineJSON(ctx context.Context, c *Client) ([]*mistifyDataset, error) {
	var stdout bytes.Buffer
	if err := c.Options().Runner.Run(ctx, &command.Cmd{Name: "zfs", Stdout: &stdout}); err != nil {
		return nil, err
	}
	out := stdout.Bytes()
	var doc struct {
		Datasets map[string]struct {
			Name       string `json:"name"`
			Type       string `json:"type"`
			Properties map[string]struct {
				Value  string `json:"value"`
				Source struct {
					Type string `json:"type"`
					Data string `json:"data"`
				} `json:"source"`
			} `json:"properties"`
		} `json:"datasets"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, err
	}
	ds := make([]*mistifyDataset, 0, len(doc.Datasets))
	for _, v := range doc.Datasets {
		d := &mistifyDataset{Name: v.Name, Type: v.Type}
		for k, f := range map[string]*uint64{"guid": &d.GUID, "createtxg": &d.CreateTXG, "creation": &d.Creation, "used": &d.Used, "referenced": &d.Referenced} {
			if err := setUint(f, v.Properties[k].Value); err != nil {
				return nil, err
			}
		}
		ds = append(ds, d)
	}
	return ds, nil
}

// measured is one side of a comparison: wall and CPU time (all threads:
// parsing on two goroutines costs what both use), allocations and bytes per
// row, and how much the live heap grew while rows were being produced.
type measured struct {
	nsPerRow, cpuNsPerRow, allocsPerRow, bytesPerRow float64
	heapGrowthMB                                     float64
}

// add accumulates one run of f over benchRows rows.
func (m *measured) add(runs int, f func()) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu := processCPU()
	start := time.Now()
	f()
	el := time.Since(start)
	cpu = processCPU() - cpu
	runtime.ReadMemStats(&after)
	rows := float64(runs * benchRows)
	m.nsPerRow += float64(el.Nanoseconds()) / rows
	m.cpuNsPerRow += float64(cpu.Nanoseconds()) / rows
	m.allocsPerRow += float64(after.Mallocs-before.Mallocs) / rows
	m.bytesPerRow += float64(after.TotalAlloc-before.TotalAlloc) / rows
}

// liveGrowth runs f once, untimed, and returns the largest growth of the live
// heap (after a forced collection) over the heap before, in MiB, sampled
// through the sample function f calls every so often.
func liveGrowth(f func(sample func())) float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak uint64
	f(func() {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		if ms.HeapAlloc > base {
			peak = max(peak, ms.HeapAlloc-base)
		}
	})
	return float64(peak) / (1 << 20)
}

func report(b *testing.B, m measured) {
	b.ReportMetric(1e9/m.nsPerRow, "rows/s")
	b.ReportMetric(m.allocsPerRow, "allocs/row")
	b.ReportMetric(m.bytesPerRow, "B/row")
	b.ReportMetric(m.heapGrowthMB, "live-MB")
}

// benchCompare compares ours with the baseline: every sub-benchmark runs the
// baseline and ours alternately, b.N times each, so both see the same
// machine, and reports for ours ratio = baseline wall time per row / ours
// (higher is better), cpu-ratio = the same for CPU time, and alloc-ratio =
// baseline allocations per row / ours. live-MB is how much the live heap
// grows while the rows are produced: flat for the iterator, the whole
// listing for List and the baseline.
//
// ours-iterate only parses; ours-typed also reads, from every Dataset, what
// the baseline's struct holds (name, type, GUID, createtxg, creation, and
// used and referenced as numbers), since ours parses property values only
// when asked.
//
// Each comparison runs at least minRounds alternating rounds, whatever b.N,
// so that a single noisy round (make bench runs -benchtime 1x) does not make
// the ratio.
func benchCompare(b *testing.B, in []byte, text bool, minRounds int, baseline func(context.Context, *Client) ([]*mistifyDataset, error)) {
	ctx := context.Background()
	c := benchClient(in, text)
	runBase := func() {
		ds, err := baseline(ctx, c)
		if err != nil || len(ds) != benchRows {
			b.Fatalf("baseline: %d rows, %v", len(ds), err)
		}
	}
	iterate := func(typed bool) func(sample func()) {
		return func(sample func()) {
			n := 0
			var sum uint64
			for d, err := range c.Datasets(ctx, benchOpts) {
				if err != nil {
					b.Fatal(err)
				}
				if typed {
					used, err1 := d.Property("used").Bytes()
					refer, err2 := d.Property("referenced").Bytes()
					if err1 != nil || err2 != nil || d.Type() != TypeSnapshot || d.Name() == "" {
						b.Fatalf("%s: %v %v", d.Name(), err1, err2)
					}
					sum += d.GUID() + d.CreateTXG() + uint64(d.Creation().Unix()) + used + refer
				}
				if n++; sample != nil && n%(benchRows/8) == 0 {
					sample()
				}
			}
			if n != benchRows {
				b.Fatalf("%d rows", n)
			}
			runtime.KeepAlive(sum)
		}
	}
	list := func() {
		ds, err := c.List(ctx, benchOpts)
		if err != nil || len(ds) != benchRows {
			b.Fatalf("%d rows, %v", len(ds), err)
		}
	}
	baseGrowth := func(sample func()) {
		ds, _ := baseline(ctx, c)
		sample()
		runtime.KeepAlive(ds)
	}
	compare := func(ours func(), growth func(sample func())) func(*testing.B) {
		return func(b *testing.B) {
			var base, m measured
			rounds := max(b.N, minRounds)
			for i := 0; i < rounds; i++ {
				base.add(rounds, runBase)
				m.add(rounds, ours)
			}
			m.heapGrowthMB = liveGrowth(growth)
			report(b, m)
			b.ReportMetric(base.nsPerRow/m.nsPerRow, "ratio")
			b.ReportMetric(base.cpuNsPerRow/m.cpuNsPerRow, "cpu-ratio")
			b.ReportMetric(base.allocsPerRow/m.allocsPerRow, "alloc-ratio")
		}
	}
	b.Run("baseline", func(b *testing.B) {
		var base measured
		for i := 0; i < b.N; i++ {
			base.add(b.N, runBase)
		}
		base.heapGrowthMB = liveGrowth(baseGrowth)
		report(b, base)
	})
	b.Run("ours-iterate", compare(func() { iterate(false)(nil) }, iterate(false)))
	b.Run("ours-typed", compare(func() { iterate(true)(nil) }, iterate(true)))
	b.Run("ours-list", compare(list, func(sample func()) {
		ds, _ := c.List(ctx, benchOpts)
		sample()
		runtime.KeepAlive(ds)
	}))
}

// BenchmarkListText parses a 1,000,000-snapshot `zfs list -H -p` listing:
// ours (streamed through the Datasets iterator, or collected by List)
// against the approach of mistifyio/go-zfs. The output reaches both through
// the Runner, as a real command's would.
func BenchmarkListText(b *testing.B) {
	benchCompare(b, benchText(), true, 3, baselineText)
}

// BenchmarkListJSON parses a 1,000,000-snapshot `zfs list -j -p` listing:
// ours against reading it all and unmarshalling it with encoding/json.
func BenchmarkListJSON(b *testing.B) {
	benchCompare(b, benchJSON(), false, 1, baselineJSON)
}
