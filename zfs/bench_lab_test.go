//go:build zfs

package zfs_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/internal/ztest"
	"github.com/gozfs/gozfs/zfs"
)

// benchSnapshots is how many snapshots BenchmarkIntegrationListing lists:
// GOZFS_BENCH_SNAPSHOTS, default 100,000.
func benchSnapshots(b *testing.B) int {
	n := 100_000
	if s := os.Getenv("GOZFS_BENCH_SNAPSHOTS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("GOZFS_BENCH_SNAPSHOTS=%q: want a positive number", s)
		}
		n = v
	}
	return n
}

// makeSnapshots makes a pool with n snapshots, spread over about √(8n)
// filesystems, and returns the pool's name. ZFS takes at most one snapshot of
// a dataset per transaction group (a channel program or a `zfs snapshot` of
// several names both fail with "multiple snapshots of same fs" otherwise),
// so the fastest way is few transaction groups with many datasets each: the
// filesystems are created by concurrent `zfs create`s (whose sync tasks
// share transaction groups), then each round takes one snapshot of every
// filesystem with a single `zfs snapshot` of all their names. A round costs
// about as much as creating eight filesystems, hence the shape.
func makeSnapshots(b *testing.B, n int) string {
	p := ztest.NewPool(b, ztest.PoolOptions{Size: 4 << 30, Args: []string{"-O", "canmount=off", "-O", "mountpoint=none"}})
	fss := int(math.Ceil(math.Sqrt(8 * float64(n))))
	fss = min(fss, n)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, fss)
	work := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if _, err := ztest.Try("zfs", "create", fmt.Sprintf("%s/f%d", p.Name, i)); err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := range fss {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	created := time.Since(start)
	fmt.Fprintf(os.Stderr, "bench: %d filesystems created in %v\n", fss, created.Round(time.Millisecond))
	start = time.Now()
	for r, left := 0, n; left > 0; r++ {
		args := []string{"snapshot"}
		for i := range min(fss, left) {
			args = append(args, fmt.Sprintf("%s/f%d@s%d", p.Name, i, r))
		}
		left -= len(args) - 1
		ztest.Run(b, "zfs", args...)
		fmt.Fprintf(os.Stderr, "bench: %d snapshots\n", n-left)
	}
	b.Logf("%d filesystems created in %v, %d snapshots in %v", fss, created.Round(time.Millisecond), n, time.Since(start).Round(time.Millisecond))
	return p.Name
}

// cpuTimes returns the CPU time (user+system) of this process, all threads,
// and of its waited-for children.
func cpuTimes() (self, children time.Duration) {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru)
	children = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return self, children
}

// recorder remembers the last command it ran.
type recorder struct {
	mu   sync.Mutex
	args []string
	r    command.Runner
}

func (r *recorder) Run(ctx context.Context, c *command.Cmd) error {
	r.mu.Lock()
	r.args = c.Args
	r.mu.Unlock()
	return r.r.Run(ctx, c)
}

// heapInUse returns the in-use heap, as MemStats.HeapInuse, from
// runtime/metrics, which does not stop the world.
func heapInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}

// BenchmarkIntegrationListing lists the snapshots of a pool holding
// GOZFS_BENCH_SNAPSHOTS (default 100,000) of them through Client.Datasets,
// with typical properties, on the JSON path (`zfs list -j`), the default
// text path (`zfs get -H`, with sources) and the text path without sources
// (`zfs list -H`), and compares each with zfs itself running the same
// command into /dev/null, alternately in the same run. It reports the CPU
// time (user+system) this process spent on the listing (the parser, the
// pipe, the runner and the Go runtime) as a fraction of what the zfs child
// spent
// (%zfs-cpu, the target is at most 5%) and inverted as ratio (zfs's CPU ÷
// ours, higher is better), both per row in µs, the wall time of the SDK's
// listing against zfs's alone (wall-ratio), and peak-heap-MB, the largest
// in-use heap seen while iterating (sampled every n/256 rows). Run it with make bench-lab.
func BenchmarkIntegrationListing(b *testing.B) {
	ctx := context.Background()
	n := benchSnapshots(b)
	pool := makeSnapshots(b, n)
	v, err := zfs.New(zfs.ClientOptions{}).Version(ctx)
	if err != nil {
		b.Fatal(err)
	}
	props := []string{"used", "referenced", "com.example:keep"}
	for _, tc := range []struct {
		name string
		text bool
		opts zfs.ListOptions
	}{
		{"json", false, zfs.ListOptions{Roots: []string{pool}, Recursive: true, Types: []zfs.Type{zfs.TypeSnapshot}, Properties: props}},
		{"text-get", true, zfs.ListOptions{Roots: []string{pool}, Recursive: true, Types: []zfs.Type{zfs.TypeSnapshot}, Properties: props}},
		{"text-list", true, zfs.ListOptions{Roots: []string{pool}, Recursive: true, Types: []zfs.Type{zfs.TypeSnapshot}, Properties: props, NoSources: true}},
	} {
		if !tc.text && !v.SupportsJSON() {
			continue
		}
		b.Run(tc.name, func(b *testing.B) {
			rec := &recorder{r: &command.Exec{}}
			c := zfs.New(zfs.ClientOptions{Runner: rec, Version: v, TextOutput: tc.text})
			var ours, theirs, zfsAlone, oursWall, zfsWall time.Duration
			var peak uint64
			for range b.N {
				// The heap is sampled every sampleRows rows, not by a
				// timer: a goroutine waking up every few milliseconds
				// would cost this process more CPU than the parser, as
				// much as the listing lasts.
				runtime.GC()
				sampleRows := max(1, n/256)
				self0, child0 := cpuTimes()
				start := time.Now()
				rows := 0
				var sum uint64
				for d, err := range c.Datasets(ctx, tc.opts) {
					if err != nil {
						b.Fatal(err)
					}
					used, _ := d.Property("used").Bytes()
					sum += d.GUID() + d.CreateTXG() + uint64(d.Creation().Unix()) + used
					if rows++; rows%sampleRows == 0 {
						peak = max(peak, heapInUse())
					}
				}
				oursWall += time.Since(start)
				self1, child1 := cpuTimes()
				runtime.KeepAlive(sum)
				if rows != n {
					b.Fatalf("listed %d snapshots, want %d", rows, n)
				}
				ours += self1 - self0
				theirs += child1 - child0

				// zfs alone: the same command into /dev/null.
				devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
				if err != nil {
					b.Fatal(err)
				}
				cmd := exec.Command("zfs", rec.args...)
				cmd.Env = append(os.Environ(), "LC_ALL=C")
				cmd.Stdout = devnull
				start = time.Now()
				if err := cmd.Run(); err != nil {
					b.Fatal(err)
				}
				zfsWall += time.Since(start)
				devnull.Close()
				zfsAlone += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			b.Logf("zfs %s: %d rows", strings.Join(rec.args, " "), n)
			rows := float64(b.N * n)
			us := func(d time.Duration) float64 { return float64(d.Microseconds()) / rows }
			b.ReportMetric(us(ours), "our-µs-cpu/row")
			b.ReportMetric(us(theirs), "zfs-µs-cpu/row")
			b.ReportMetric(us(zfsAlone), "zfs-alone-µs-cpu/row")
			b.ReportMetric(100*float64(ours)/float64(theirs), "%zfs-cpu")
			b.ReportMetric(float64(theirs)/float64(ours), "ratio")
			b.ReportMetric(float64(zfsWall)/float64(oursWall), "wall-ratio")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(rows/oursWall.Seconds(), "rows/s")
		})
	}
}
