package zfs

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/gozfs/gozfs/command"
)

// benchRows is the size of the listings the unit benchmarks parse.
const benchRows = 200_000

// benchProps are the properties the benchmark listings carry besides
// identity.
var benchProps = []string{"used", "referenced"}

// benchOutput builds, once per format, a listing of benchRows snapshots as
// zfs prints it: `zfs list -H -p` ("list"), `zfs get -H -p -o
// name,property,value,source` ("get") or `zfs list -j -p` ("json").
var benchOutput = sync.OnceValue(func() map[string][]byte {
	m := map[string][]byte{}
	for _, f := range []string{"list", "get", "json"} {
		m[f] = benchInput(f)
	}
	return m
})

func benchInput(format string) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	if format == "json" {
		b.WriteString(`{"output_version":{"command":"zfs list","vers_major":0,"vers_minor":1},"datasets":{`)
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
		switch format {
		case "list":
			fmt.Fprintf(&b, "%s\tsnapshot\t%s\t%s\t%s\t%s\t%s\n", name, guid, txg, creation, used, refer)
		case "get":
			for _, pv := range [][2]string{{"type", "snapshot"}, {"guid", guid}, {"createtxg", txg}, {"creation", creation}, {"used", used}, {"referenced", refer}} {
				fmt.Fprintf(&b, "%s\t%s\t%s\t-\n", name, pv[0], pv[1])
			}
		case "json":
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"%s":{"name":"%s","type":"SNAPSHOT","pool":"tank","createtxg":"%s","dataset":"tank/data/set","snapshot_name":"%s","properties":{%s,%s,%s,%s,%s,%s}}`,
				name, name, txg, name[len("tank/data/set@"):],
				prop("type", "snapshot"), prop("guid", guid), prop("createtxg", txg), prop("creation", creation), prop("used", used), prop("referenced", refer))
		}
	}
	if format == "json" {
		b.WriteString("}}\n")
	}
	return b.Bytes()
}

// benchClient returns a client whose runner writes out as the output of any
// command, in 64 KiB writes (what a pipe delivers at a time).
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

// BenchmarkListing streams a listing of benchRows snapshots with two
// properties through Client.Datasets, from a fake runner, reading from
// every Dataset what a caller typically reads (name, type, GUID, createtxg,
// creation, and the properties as numbers): on the text path from `zfs
// list` (a sorted listing) and from `zfs get` (a listing with sources), and
// on the JSON path. It is the regression benchmark of the parsers, with no
// baseline to compare with in the same run: rows/s, allocs/row and B/row,
// and live-MB, the most the live heap grew while iterating (flat: it does
// not grow with the listing). How the parsers' cost compares with zfs's own
// is measured on real ZFS by BenchmarkIntegrationListing (make bench-lab).
func BenchmarkListing(b *testing.B) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		format string
		opts   ListOptions
	}{
		{"text-list", "list", ListOptions{Roots: []string{"tank/data/set"}, Depth: 1, Types: []Type{TypeSnapshot}, Properties: benchProps, Sort: []SortKey{{Property: "createtxg"}}}},
		{"text-get", "get", ListOptions{Roots: []string{"tank/data/set"}, Depth: 1, Types: []Type{TypeSnapshot}, Properties: benchProps}},
		{"json", "json", ListOptions{Roots: []string{"tank/data/set"}, Depth: 1, Types: []Type{TypeSnapshot}, Properties: benchProps}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c := benchClient(benchOutput()[tc.format], tc.format != "json")
			iterate := func(sample func()) {
				n := 0
				var sum uint64
				for d, err := range c.Datasets(ctx, tc.opts) {
					if err != nil {
						b.Fatal(err)
					}
					used, err1 := d.Property("used").Bytes()
					refer, err2 := d.Property("referenced").Bytes()
					if err1 != nil || err2 != nil || d.Type() != TypeSnapshot || d.Name() == "" {
						b.Fatalf("%s: %v %v", d.Name(), err1, err2)
					}
					sum += d.GUID() + d.CreateTXG() + uint64(d.Creation().Unix()) + used + refer
					if n++; sample != nil && n%(benchRows/8) == 0 {
						sample()
					}
				}
				if n != benchRows {
					b.Fatalf("%d rows", n)
				}
				runtime.KeepAlive(sum)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for range b.N {
				iterate(nil)
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			rows := float64(b.N) * benchRows
			b.ReportMetric(rows/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/rows, "allocs/row")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/rows, "B/row")
			b.ReportMetric(liveGrowth(iterate), "live-MB")
		})
	}
}

// liveGrowth runs f once and returns the largest growth of the live heap
// (after a forced collection) over the heap before, in MiB, sampled through
// the sample function f calls every so often.
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
