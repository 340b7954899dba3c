//go:build zfs

package recv_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/ztest"
	"github.com/gozfs/gozfs/recv"
	"github.com/gozfs/gozfs/send"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The soak: reliability at scale. `make soak` runs it with GOZFS_SOAK=1 and
// the full counts; `make test` runs the same checks with the short counts.
type soakCounts struct {
	cancels     int // transfers cancelled at random points
	kills       int // random kill points of one large stream
	killStream  int // size of the file behind that stream
	goroutines  int // concurrent listers and snapshotters
	perRoutine  int // snapshots and listings each
	fullPoolMiB int // data sent into a 64 MiB pool
}

func soak() (soakCounts, bool) {
	if os.Getenv("GOZFS_SOAK") == "1" {
		return soakCounts{cancels: 1000, kills: 20, killStream: 64 << 20, goroutines: 32, perRoutine: 25, fullPoolMiB: 96}, true
	}
	// Short: one transfer per cancel route; the full-pool case uses a quota
	// (fullPoolMiB 0), which fails the same way with far less data to write.
	return soakCounts{cancels: 4, kills: 1, killStream: 6 << 20, goroutines: 4, perRoutine: 2}, false
}

func TestIntegrationSoak(t *testing.T) {
	n, full := soak()
	t.Logf("soak counts %+v (full: %v)", n, full)
	p := newLabPool(t)
	p.zfs("set", "compression=off", p.Name)
	t.Run("cancel at random points", func(t *testing.T) { soakCancel(t, p, n.cancels) })
	t.Run("kill and resume", func(t *testing.T) { soakKill(t, p, n.kills, n.killStream) })
	t.Run("concurrent listings and snapshots", func(t *testing.T) { soakConcurrent(t, p, n.goroutines, n.perRoutine) })
	t.Run("receive into a full pool", func(t *testing.T) { soakFullPool(t, p, n.fullPoolMiB) })
}

// soakCancel runs transfers and cancels each at a random point, by one of
// four routes: in a send-side transform, in a receive-side transform, on
// the network between the two, or while the stream is held back from a
// direct pipe. Nothing may be left: no zfs process, goroutine, file
// descriptor, or received dataset (non-resumable receives; resumable ones
// leave state that Abort removes).
func soakCancel(t *testing.T, p *labPool, count int) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	src := p.name("csrc")
	p.zfs("create", src)
	p.write(src, "a", 1<<20)
	p.zfs("snapshot", src+"@s")
	size, err := send.Estimate(context.Background(), p.c, src+"@s", send.Options{})
	require.NoError(t, err)
	fds := openFDs(t)
	routes := []string{"send transform", "receive transform", "network", "direct pipe"}
	var outcome [4]map[string]int
	for i := range outcome {
		outcome[i] = map[string]int{}
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for i := range count {
		route := i % len(routes)
		resumable := i/len(routes)%2 == 1
		at := rng.Int64N(size)
		dst := p.name("c" + strconv.Itoa(i))
		got := cancelOnce(t, p, src+"@s", dst, route, at, resumable)
		outcome[route][got]++
		if p.exists(dst) {
			assert.True(t, resumable, "transfer %d (%s at %d): %s left behind", i, routes[route], at, dst)
			assert.NoError(t, recv.Abort(context.Background(), p.c, dst), "transfer %d: Abort", i)
			assert.False(t, p.exists(dst), "transfer %d: %s left after Abort", i, dst)
		}
		noZFSChildren(t)
		require.False(t, t.Failed(), "stopping at transfer %d", i)
	}
	assert.Equal(t, fds, openFDs(t), "file descriptors open now vs before")
	for i, r := range routes {
		t.Logf("SOAK cancel %-17s %v", r, outcome[i])
	}
	fmt.Printf("SOAK cancelled transfers: %d, leftovers: none (processes, goroutines, descriptors, datasets checked)\n", count)
}

// cancelOnce runs one transfer cancelled at byte `at` of the stream by the
// given route, and says how it ended.
func cancelOnce(t *testing.T, p *labPool, snap, dst string, route int, at int64, resumable bool) string {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelAt := func(r io.Reader) io.Reader { return &cancelReader{r: r, left: at, cancel: cancel} }
	ropts := recv.Options{Resumable: resumable, NoMount: true}
	var err error
	var res *recv.Result
	switch route {
	case 0: // in a send-side transform
		tr := func(w io.Writer) (io.WriteCloser, error) {
			pr, pw := io.Pipe()
			done := make(chan struct{})
			go func() {
				_, err := io.Copy(w, cancelAt(pr))
				pr.CloseWithError(err) // a writer blocked on pw fails now
				close(done)
			}()
			return closeWait{pw, done}, nil
		}
		res, err = recv.Replicate(ctx, p.c, p.c, snap, dst, recv.ReplicateOptions{
			Send: send.Options{Transforms: []stream.WriteTransform{tr}}, Receive: ropts})
	case 1: // in a receive-side transform
		ropts.Transforms = []stream.ReadTransform{stream.ReaderFunc(cancelAt)}
		res, err = recv.Replicate(ctx, p.c, p.c, snap, dst, recv.ReplicateOptions{Receive: ropts})
	case 2: // on the network: the sender's connection is cut at `at`
		ln, lerr := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, lerr)
		sent := make(chan error, 1)
		go func() {
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				sent <- err
				return
			}
			defer conn.Close()
			s, err := send.Reader(ctx, p.c, snap, send.Options{})
			if err != nil {
				sent <- err
				return
			}
			defer s.Close()
			_, err = io.Copy(conn, cancelAt(s))
			sent <- err
		}()
		conn, aerr := ln.Accept()
		ln.Close()
		require.NoError(t, aerr)
		res, err = recv.Into(ctx, p.c, dst, conn, ropts)
		conn.Close()
		<-sent
	case 3: // a direct pipe whose stream is held back; cancelled after a random wait
		g := newGate(64 << 10)
		done := make(chan struct{})
		go func() {
			res, err = recv.Replicate(ctx, g.client(), p.c, snap, dst, recv.ReplicateOptions{Receive: ropts})
			close(done)
		}()
		select {
		case <-g.holding:
		case <-time.After(time.Duration(at%2000) * time.Millisecond):
		case <-done:
		}
		cancel()
		<-done
	}
	switch {
	case err == nil:
		// The cancel came after the end of the stream.
		if assert.NotNil(t, res, "%s: success without a Result", dst) {
			assert.Len(t, res.Snapshots, 1, "%s: success without a snapshot: %+v", dst, res)
		}
		p.zfs("destroy", "-r", dst)
		return "completed"
	case !errors.Is(err, context.Canceled):
		assert.ErrorIs(t, err, context.Canceled, "%s", dst)
		return "other"
	case res != nil && len(res.Snapshots) != 0:
		// zfs receive had committed the stream when the cancel reached
		// it (the whole stream was already in the pipe): the Result says
		// so, and the snapshot is there.
		assert.True(t, p.exists(res.Snapshots[0]), "%s: Result %+v names a snapshot that does not exist", dst, res)
		p.zfs("destroy", "-r", dst)
		return "committed as it was cancelled"
	}
	var re *errors.ResumableError
	if errors.As(err, &re) {
		assert.True(t, resumable, "%s: %v: resumable error from a non-resumable receive", dst, err)
		assert.ErrorIs(t, err, errors.ErrInterrupted, "%s: resumable error not Interrupted", dst)
		return "cancelled, state saved"
	}
	return "cancelled"
}

type cancelReader struct {
	r      io.Reader
	left   int64
	cancel func()
}

func (c *cancelReader) Read(b []byte) (int, error) {
	if c.left <= 0 {
		c.cancel()
		// Give the cancel time to reach the commands before more bytes
		// flow; they are stopped whatever arrives after.
		time.Sleep(10 * time.Millisecond)
	} else if int64(len(b)) > c.left {
		b = b[:c.left]
	}
	n, err := c.r.Read(b)
	c.left -= int64(n)
	return n, err
}

type closeWait struct {
	*io.PipeWriter
	done chan struct{}
}

func (c closeWait) Close() error {
	c.PipeWriter.Close()
	<-c.done
	return nil
}

// soakKill receives one large stream, killing zfs receive at `kills` random
// points and resuming each time; the result must be identical to the
// source.
func soakKill(t *testing.T, p *labPool, kills, size int) {
	ctx := ctxFor(t)
	src := p.name("ksrc")
	p.zfs("create", src)
	p.write(src, "big", size)
	p.write(src, "small", 4096)
	p.zfs("snapshot", src+"@s")
	dst := p.name("kdst")
	sopts := send.Options{}
	snap := src + "@s"
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	done := 0
	for attempt := 0; ; attempt++ {
		est, err := send.Estimate(ctx, p.c, snap, sopts)
		require.NoError(t, err)
		ropts := recv.Options{Resumable: true, NoMount: true}
		var killed func() bool
		if done < kills {
			// Beyond the 1 MiB pipe, so zfs receive is running.
			var tr stream.ReadTransform
			tr, killed = killAt(t, 2<<20+rng.Int64N(max(1, est-(2<<20)-(64<<10))))
			ropts.Transforms = []stream.ReadTransform{tr}
		}
		s, err := send.Reader(ctx, p.c, snap, sopts)
		require.NoError(t, err)
		_, err = recv.Into(ctx, p.c, dst, s, ropts)
		s.Close()
		if err == nil {
			break
		}
		var re *errors.ResumableError
		require.ErrorAs(t, err, &re, "attempt %d", attempt)
		require.NotEmpty(t, re.Token, "attempt %d: %v", attempt, err)
		require.ErrorIs(t, err, errors.ErrInterrupted, "attempt %d", attempt)
		require.NotNil(t, killed, "attempt %d: failed without a kill: %v", attempt, err)
		require.True(t, killed(), "attempt %d: failed without a kill: %v", attempt, err)
		done++
		sopts, snap = send.Options{ResumeToken: re.Token}, ""
		if est < 3<<20 && done < kills {
			t.Logf("only %d bytes left to send: %d kills", est, done)
			kills = done
		}
	}
	p.zfs("mount", dst)
	p.sameFiles(src, dst)
	noZFSChildren(t)
	fmt.Printf("SOAK kill and resume: %d MiB stream killed %d times, resumed byte-identical\n", size>>20, done)
}

// soakConcurrent runs goroutines that each take snapshots and list them on
// one client.
func soakConcurrent(t *testing.T, p *labPool, goroutines, each int) {
	ctx := ctxFor(t)
	fs := p.name("conc")
	p.zfs("create", fs)
	var listed, made atomic.Int64
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				name := fs + "@g" + strconv.Itoa(g) + "-" + strconv.Itoa(i)
				if _, err := p.c.CreateSnapshots(ctx, []string{name}, zfs.SnapshotOptions{}); !assert.NoError(t, err, "snapshot %s", name) {
					return
				}
				made.Add(1)
				list, err := p.c.List(ctx, zfs.ListOptions{Roots: []string{fs}, Recursive: true, Types: []zfs.Type{zfs.TypeSnapshot}})
				if !assert.NoError(t, err, "list") {
					return
				}
				found := false
				for _, d := range list {
					found = found || d.Name() == name
				}
				assert.True(t, found, "%s missing from a listing of %d made after it", name, len(list))
				listed.Add(int64(len(list)))
			}
		}()
	}
	wg.Wait()
	list, err := p.c.List(ctx, zfs.ListOptions{Roots: []string{fs}, Recursive: true, Types: []zfs.Type{zfs.TypeSnapshot}})
	assert.NoError(t, err, "final listing")
	assert.Equal(t, goroutines*each, len(list), "final listing: snapshots")
	noZFSChildren(t)
	fmt.Printf("SOAK concurrent: %d goroutines made %d snapshots and listed %d entries in %d listings\n",
		goroutines, made.Load(), listed.Load(), goroutines*each)
}

// soakFullPool receives a stream larger than the destination pool: a typed
// error, and nothing committed.
func soakFullPool(t *testing.T, p *labPool, mib int) {
	ctx := ctxFor(t)
	src := p.name("fsrc")
	p.zfs("create", src)
	var dst, what string
	if mib > 0 {
		small := ztest.NewPool(t, ztest.PoolOptions{Size: 64 << 20})
		p.write(src, "big", mib<<20)
		dst, what = small.Name+"/full", fmt.Sprintf("%d MiB into a 64 MiB pool", mib)
	} else {
		p.zfs("create", "-o", "quota=4M", p.name("quota"))
		p.write(src, "big", 8<<20)
		dst, what = p.name("quota/full"), "8 MiB below a 4 MiB quota"
	}
	p.zfs("snapshot", src+"@s")
	res, err := recv.Replicate(ctx, p.c, p.c, src+"@s", dst, recv.ReplicateOptions{Receive: recv.Options{NoMount: true}})
	assert.ErrorIs(t, err, errors.ErrNoSpace, "kind %v", errors.KindOf(err))
	if assert.NotNil(t, res, "Result") {
		assert.Empty(t, res.Snapshots, "Result %+v: want nothing committed", res)
		assert.Equal(t, dst+"@s", res.Incomplete, "Result %+v: want %s incomplete", res, dst+"@s")
	}
	_, lerr := ztest.Try("zfs", "list", dst)
	assert.Error(t, lerr, "%s exists after the failed receive", dst)
	noZFSChildren(t)
	fmt.Printf("SOAK full pool: %s: %v\n", what, err)
}
