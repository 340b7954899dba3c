package zfs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// benchRows is the size of the listings the benchmarks parse.
const benchRows = 1_000_000

// benchProps are the properties the benchmark listings carry besides
// identity.
var benchProps = []string{"used", "referenced"}

// benchInput builds, once, a `zfs list -H -p` and a `zfs list -j -p`
// listing of benchRows snapshots, as zfs prints them.
var benchInput = sync.OnceValues(func() (text, js []byte) {
	r := rand.New(rand.NewPCG(1, 2))
	var tb, jb bytes.Buffer
	tb.Grow(benchRows * 120)
	jb.Grow(benchRows * 560)
	jb.WriteString(`{"output_version":{"command":"zfs list","vers_major":0,"vers_minor":1},"datasets":{`)
	for i := 0; i < benchRows; i++ {
		name := fmt.Sprintf("tank/data/set@autosnap_2024-01-01_00:00:00_%07d", i)
		guid := strconv.FormatUint(r.Uint64(), 10)
		txg := strconv.Itoa(1000 + i)
		creation := strconv.Itoa(1700000000 + i)
		used := strconv.Itoa(r.IntN(1 << 30))
		refer := strconv.Itoa(r.IntN(1 << 34))
		fmt.Fprintf(&tb, "%s\tsnapshot\t%s\t%s\t%s\t%s\t%s\n", name, guid, txg, creation, used, refer)
		if i > 0 {
			jb.WriteByte(',')
		}
		prop := func(k, v string) string {
			return `"` + k + `":{"value":"` + v + `","source":{"type":"NONE","data":"-"}}`
		}
		fmt.Fprintf(&jb, `"%s":{"name":"%s","type":"SNAPSHOT","pool":"tank","createtxg":"%s","dataset":"tank/data/set","snapshot_name":"%s","properties":{%s,%s,%s,%s,%s,%s}}`,
			name, name, txg, name[len("tank/data/set@"):],
			prop("type", "snapshot"), prop("guid", guid), prop("createtxg", txg), prop("creation", creation), prop("used", used), prop("referenced", refer))
	}
	jb.WriteString("}}\n")
	return tb.Bytes(), jb.Bytes()
})

// benchClient returns a client whose runner writes out as the output of any
// command, in one write through the same pipe a real command's output takes.
func benchClient(out []byte, text bool) *Client {
	opts := []Option{WithVersion(Version{Major: 2, Minor: 3}), WithRunner(RunnerFunc(func(ctx context.Context, c *Cmd) error {
		_, err := c.Stdout.Write(out)
		return err
	}))}
	if text {
		opts = append(opts, WithTextOutput())
	}
	return New(opts...)
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

// baselineText is the approach of mistifyio/go-zfs: read all output, split it
// into lines and the lines into tab-separated strings, then build a struct
// per row.
func baselineText(r io.Reader) ([]*mistifyDataset, error) {
	out, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(out), "\n")
	lines = lines[:len(lines)-1]
	rows := make([][]string, len(lines))
	for i, l := range lines {
		rows[i] = strings.Split(l, "\t")
	}
	var ds []*mistifyDataset
	for _, line := range rows {
		d := &mistifyDataset{Name: line[0], Type: line[1]}
		for i, f := range []*uint64{&d.GUID, &d.CreateTXG, &d.Creation, &d.Used, &d.Referenced} {
			if err := setUint(f, line[2+i]); err != nil {
				return nil, err
			}
		}
		ds = append(ds, d)
	}
	return ds, nil
}

// baselineJSON is the naive JSON approach: read all output, unmarshal it
// whole, then build a struct per dataset.
func baselineJSON(r io.Reader) ([]*mistifyDataset, error) {
	out, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
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

// measured is one side of a comparison: time, allocations and bytes per row.
type measured struct {
	nsPerRow, allocsPerRow, bytesPerRow float64
	peakHeapMB                          float64
}

// measure runs f n times and returns per-row costs. sample is called by f
// every so often to record the live heap.
func measure(n int, f func(sample func())) measured {
	var peak uint64
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	for i := 0; i < n; i++ {
		f(sample)
	}
	el := time.Since(start)
	runtime.ReadMemStats(&after)
	rows := float64(n * benchRows)
	return measured{
		nsPerRow:     float64(el.Nanoseconds()) / rows,
		allocsPerRow: float64(after.Mallocs-before.Mallocs) / rows,
		bytesPerRow:  float64(after.TotalAlloc-before.TotalAlloc) / rows,
		peakHeapMB:   float64(peak) / (1 << 20),
	}
}

func report(b *testing.B, m measured) {
	b.ReportMetric(1e9/m.nsPerRow, "rows/s")
	b.ReportMetric(m.allocsPerRow, "allocs/row")
	b.ReportMetric(m.bytesPerRow, "B/row")
	b.ReportMetric(m.peakHeapMB, "peak-heap-MB")
}

// benchCompare runs the baseline once and ours b.N times, and reports ours
// with ratio = baseline ns per row / ours (higher is better) and
// alloc-ratio = baseline allocations per row / ours.
func benchCompare(b *testing.B, in []byte, text bool, baseline func(io.Reader) ([]*mistifyDataset, error)) {
	ctx := context.Background()
	c := benchClient(in, text)
	var base measured
	b.Run("baseline", func(b *testing.B) {
		base = measure(b.N, func(sample func()) {
			ds, err := baseline(bytes.NewReader(in))
			if err != nil || len(ds) != benchRows {
				b.Fatalf("baseline: %d rows, %v", len(ds), err)
			}
			sample()
		})
		report(b, base)
	})
	b.Run("ours-iterate", func(b *testing.B) {
		m := measure(b.N, func(sample func()) {
			n := 0
			for d, err := range c.Datasets(ctx, benchOpts) {
				if err != nil {
					b.Fatal(err)
				}
				if n++; n%(benchRows/10) == 0 {
					sample()
				}
				_ = d
			}
			if n != benchRows {
				b.Fatalf("%d rows", n)
			}
		})
		report(b, m)
		if base.nsPerRow == 0 {
			base = measure(1, func(func()) { _, _ = baseline(bytes.NewReader(in)) })
		}
		b.ReportMetric(base.nsPerRow/m.nsPerRow, "ratio")
		b.ReportMetric(base.allocsPerRow/m.allocsPerRow, "alloc-ratio")
	})
	b.Run("ours-list", func(b *testing.B) {
		m := measure(b.N, func(sample func()) {
			ds, err := c.List(ctx, benchOpts)
			if err != nil || len(ds) != benchRows {
				b.Fatalf("%d rows, %v", len(ds), err)
			}
			sample()
		})
		report(b, m)
		if base.nsPerRow > 0 {
			b.ReportMetric(base.nsPerRow/m.nsPerRow, "ratio")
			b.ReportMetric(base.allocsPerRow/m.allocsPerRow, "alloc-ratio")
		}
	})
}

// BenchmarkListText parses a 1,000,000-snapshot `zfs list -H -p` listing:
// ours (streamed through the Datasets iterator, or collected by List)
// against the approach of mistifyio/go-zfs.
func BenchmarkListText(b *testing.B) {
	text, _ := benchInput()
	benchCompare(b, text, true, baselineText)
}

// BenchmarkListJSON parses a 1,000,000-snapshot `zfs list -j -p` listing:
// ours against reading it all and unmarshalling it with encoding/json.
func BenchmarkListJSON(b *testing.B) {
	_, js := benchInput()
	benchCompare(b, js, false, baselineJSON)
}
