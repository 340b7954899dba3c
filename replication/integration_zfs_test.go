//go:build zfs

package replication_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/ztest"
	"github.com/gozfs/gozfs/recv"
	"github.com/gozfs/gozfs/replication"
	"github.com/gozfs/gozfs/retention"
	"github.com/gozfs/gozfs/send"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/compress"
	"github.com/gozfs/gozfs/stream/transport"
	"github.com/gozfs/gozfs/zfs"
)

// lab is a source pool and a target pool.
type lab struct {
	t        testing.TB
	src, dst *ztest.Pool
	c        *zfs.Client
}

func newLab(t testing.TB) *lab {
	t.Helper()
	l := &lab{t: t,
		src: ztest.NewPool(t, ztest.PoolOptions{Size: 512 << 20}),
		dst: ztest.NewPool(t, ztest.PoolOptions{Size: 512 << 20}),
		c:   zfs.New(zfs.ClientOptions{}),
	}
	return l
}

func (l *lab) zfs(args ...string) string {
	l.t.Helper()
	return strings.TrimSpace(ztest.Run(l.t, "zfs", args...))
}

// write puts n random bytes into a new file of filesystem ds, mounted at
// its default mountpoint under its pool's altroot.
func (l *lab) write(ds string, n int) {
	l.t.Helper()
	root := l.src.AltRoot
	if strings.HasPrefix(ds, l.dst.Name+"/") {
		root = l.dst.AltRoot
	}
	mp := filepath.Join(root, ds)
	b := make([]byte, n)
	rand.Read(b)
	f, err := os.CreateTemp(mp, "f")
	require.NoError(l.t, err)
	_, err = f.Write(b)
	require.NoError(l.t, err)
	require.NoError(l.t, f.Close())
}

// snapGUIDs returns short snapshot name → GUID for ds.
func (l *lab) snapGUIDs(ds string) map[string]string {
	l.t.Helper()
	out := map[string]string{}
	for _, line := range strings.Split(l.zfs("list", "-H", "-p", "-d", "1", "-t", "snapshot", "-o", "name,guid", ds), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			out[f[0][strings.IndexByte(f[0], '@')+1:]] = f[1]
		}
	}
	return out
}

// names lists what `zfs list -t TYPE -r ROOT` shows.
func (l *lab) names(typ, root string) []string {
	l.t.Helper()
	out := l.zfs("list", "-H", "-r", "-t", typ, "-o", "name", root)
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}

func (l *lab) plan(ctx context.Context, src, dst string, opts replication.PlanOptions) *replication.Plan {
	l.t.Helper()
	p, err := replication.NewPlan(ctx, replication.Endpoint{Client: l.c, Dataset: src}, replication.Endpoint{Client: l.c, Dataset: dst}, opts)
	require.NoError(l.t, err)
	l.t.Logf("plan:\n%+v", p)
	return p
}

// sameSnapshots checks that every snapshot of every source dataset under
// src is, by GUID, on the target dataset under dst (which may also keep
// snapshots the source has pruned).
func (l *lab) sameSnapshots(src, dst string) {
	l.t.Helper()
	for _, ds := range l.names("filesystem,volume", src) {
		got := l.snapGUIDs(dst + strings.TrimPrefix(ds, src))
		for name, guid := range l.snapGUIDs(ds) {
			assert.Equal(l.t, guid, got[name], "%s@%s on the target", ds, name)
		}
	}
}

// noHolds checks that no snapshot under root carries a user hold.
func (l *lab) noHolds(root string) {
	l.t.Helper()
	out := l.zfs("list", "-H", "-p", "-r", "-t", "snapshot", "-o", "name,userrefs", root)
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			assert.Equal(l.t, "0", f[1], "holds on %s", f[0])
		}
	}
}

// cursors returns the replication cursors under root.
func (l *lab) cursors(root string) []string {
	var out []string
	for _, b := range l.names("bookmark", root) {
		if strings.Contains(b, "#gozfs-replication") {
			out = append(out, b)
		}
	}
	return out
}

func labCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// tree makes SRC, SRC/a, SRC/a/b and SRC/c with n recursive snapshots,
// writing a little to each dataset before every fifth snapshot and the last.
func (l *lab) tree(src string, from, n int) {
	l.t.Helper()
	if from == 1 {
		l.zfs("create", "-o", "com.example:tag=hello", "-o", "atime=off", src)
		l.zfs("create", "-p", src+"/a/b")
		l.zfs("create", src+"/c")
	}
	for i := from; i < from+n; i++ {
		if i%5 == 1 || i == from+n-1 {
			for _, ds := range []string{src, src + "/a", src + "/a/b", src + "/c"} {
				l.write(ds, 4096)
			}
		}
		l.zfs("snapshot", "-r", fmt.Sprintf("%s@s%02d", src, i))
	}
}

func TestIntegrationTreePruneAndNewChild(t *testing.T) {
	l := newLab(t)
	src, dst := l.src.Name+"/data", l.dst.Name+"/backup"
	start := time.Now()
	l.tree(src, 1, 50)
	t.Logf("made 50 snapshots of 4 datasets in %s", time.Since(start))
	ctx := labCtx(t)
	opts := replication.PlanOptions{Recursive: true}
	run := replication.RunOptions{
		Send:     send.Options{Properties: true},
		Receive:  recv.Options{NoMount: true, SetProperties: map[string]string{"canmount": "off"}, ExcludeProperties: []string{"mountpoint", "atime"}},
		Parallel: 2,
	}

	// 1. The whole tree, 50 snapshots on each of 3 levels.
	p := l.plan(ctx, src, dst, opts)
	require.NoError(t, p.Err())
	require.Len(t, p.Datasets, 4)
	start = time.Now()
	res, err := replication.Run(ctx, p, run)
	require.NoError(t, err, "%v", res)
	t.Logf("first run %s:\n%v", time.Since(start), res)
	l.sameSnapshots(src, dst)
	l.noHolds(src)
	assert.Len(t, l.cursors(src), 4)
	assert.Equal(t, "hello", l.zfs("get", "-H", "-o", "value", "com.example:tag", dst), "-p replicates user properties")
	assert.Equal(t, "off", l.zfs("get", "-H", "-o", "value", "canmount", dst+"/a/b"), "-o overrides")
	assert.Equal(t, "received", l.zfs("get", "-H", "-o", "source", "com.example:tag", dst))
	assert.Equal(t, "default", l.zfs("get", "-H", "-o", "source", "atime", dst), "-x excludes")

	// A new plan has nothing to do.
	p = l.plan(ctx, src, dst, opts)
	for _, dp := range p.Datasets {
		assert.Equal(t, replication.UpToDate, dp.Action, dp.Target)
	}

	// 2. New snapshots, then the source is pruned down to its newest:
	// the next run starts from the cursor bookmarks.
	l.tree(src, 51, 5)
	for _, ds := range l.names("filesystem", src) {
		l.zfs("destroy", ds+"@s01%s54")
	}
	assert.Equal(t, []string{src + "@s55"}, l.names("snapshot", src)[:1])
	p = l.plan(ctx, src, dst, opts)
	require.NoError(t, p.Err())
	for _, dp := range p.Datasets {
		require.Equal(t, replication.Update, dp.Action, dp.Target)
		require.NotNil(t, dp.Base)
		assert.True(t, dp.Base.IsBookmark(), "%s base %s", dp.Target, dp.Base.Name)
		assert.Equal(t, "@s55", dp.Steps[len(dp.Steps)-1].Snapshots[0].ShortName())
	}
	res, err = replication.Run(ctx, p, run)
	require.NoError(t, err, "%v", res)
	for _, d := range res.Datasets {
		assert.Equal(t, []string{d.Target + "@s55"}, d.Sent, "only the newest snapshot is sent")
	}
	assert.Equal(t, l.snapGUIDs(src)["s55"], l.snapGUIDs(dst)["s55"])
	l.noHolds(src)
	assert.Len(t, l.cursors(src), 4, "one cursor per dataset: %v", l.cursors(src))

	// Retention hook: after the run nothing is pending; with a new
	// snapshot, that snapshot is.
	prot, err := replication.Protected(ctx, l.c, src, replication.ProtectOptions{Recursive: true})
	require.NoError(t, err)
	assert.Empty(t, prot)
	l.zfs("snapshot", src+"/c@s56")
	prot, err = replication.Protected(ctx, l.c, src, replication.ProtectOptions{Recursive: true})
	require.NoError(t, err)
	assert.Equal(t, []string{src + "/c@s56"}, prot)

	// 3. A new child dataset is picked up.
	l.zfs("create", src+"/a/new")
	l.write(src+"/a/new", 8192)
	l.zfs("snapshot", src+"/a/new@n1")
	p = l.plan(ctx, src, dst, opts)
	var created []string
	for _, dp := range p.Datasets {
		if dp.Action == replication.Create {
			created = append(created, dp.Target)
		}
	}
	assert.Equal(t, []string{dst + "/a/new"}, created)
	res, err = replication.Run(ctx, p, run)
	require.NoError(t, err, "%v", res)
	l.sameSnapshots(src, dst)
}

func TestIntegrationDivergedTargetLeftAlone(t *testing.T) {
	l := newLab(t)
	ctx := labCtx(t)
	src, dst := l.src.Name+"/data", l.dst.Name+"/backup"
	l.tree(src, 1, 3)
	opts := replication.PlanOptions{Recursive: true}
	_, err := replication.Run(ctx, l.plan(ctx, src, dst, opts), replication.RunOptions{Receive: recv.Options{NoMount: true}})
	require.NoError(t, err)

	// The target's a/b gets a snapshot of its own; c is written to.
	l.zfs("snapshot", dst+"/a/b@mine")
	l.zfs("mount", dst+"/c")
	l.write(dst+"/c", 65536)
	// written is counted when the data reaches a transaction group.
	ztest.Run(t, "zpool", "sync", l.dst.Name)
	l.tree(src, 4, 1)
	before := l.names("snapshot", dst)
	writtenBefore := l.zfs("get", "-H", "-p", "-o", "value", "written", dst+"/c")

	p := l.plan(ctx, src, dst, opts)
	assert.ErrorIs(t, p.Err(), errors.ErrDiverged)
	assert.ErrorIs(t, p.Err(), errors.ErrDestinationModified)
	res, err := replication.Run(ctx, p, replication.RunOptions{Receive: recv.Options{NoMount: true}})
	require.Error(t, err)
	assert.ErrorIs(t, err, errors.ErrDiverged)
	assert.ErrorIs(t, err, errors.ErrDestinationModified)
	t.Logf("result:\n%v", res)
	after := l.names("snapshot", dst)
	for _, s := range before {
		assert.Contains(t, after, s, "nothing destroyed on the target")
	}
	assert.Contains(t, after, dst+"/a/b@mine")
	assert.Equal(t, writtenBefore, l.zfs("get", "-H", "-p", "-o", "value", "written", dst+"/c"), "c not rolled back")
	assert.Contains(t, after, dst+"@s04", "the other datasets went on")

	// Force rolls back, reported per dataset.
	l.zfs("unmount", dst+"/c")
	p = l.plan(ctx, src, dst, opts)
	res, err = replication.Run(ctx, p, replication.RunOptions{Force: true, Receive: recv.Options{NoMount: true}})
	require.NoError(t, err, "%v", res)
	for _, d := range res.Datasets {
		switch d.Target {
		case dst + "/a/b":
			assert.Equal(t, []string{dst + "/a/b@mine"}, d.Destroyed)
		case dst + "/c":
			assert.Equal(t, dst+"/c@s03", d.RolledBack)
		}
	}
	l.sameSnapshots(src, dst)
}

// interrupter is a runner that stops, once, the first zfs send or zfs
// receive whose stream passes the given size: the sender by failing its
// output (as if it died), the receiver by cancelling it (SIGINT, as if it
// was stopped).
type interrupter struct {
	inner command.Runner
	what  string // "send" or "receive"
	after int64
	fired atomic.Bool
}

func (r *interrupter) Run(ctx context.Context, c *command.Cmd) error {
	if len(c.Args) == 0 || c.Args[0] != r.what || slices.Contains(c.Args, "-n") || r.fired.Load() {
		return r.inner.Run(ctx, c)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c2 := *c
	if r.what == "send" {
		c2.Stdout = &failAfter{w: c.Stdout, n: r.after, fired: &r.fired}
	} else {
		c2.Stdin = &cancelAfter{r: c.Stdin, n: r.after, cancel: cancel, fired: &r.fired}
	}
	return r.inner.Run(ctx, &c2)
}

type failAfter struct {
	w     io.Writer
	n     int64
	fired *atomic.Bool
}

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n <= 0 && !f.fired.Swap(true) {
		return 0, syscall.EPIPE
	}
	n, err := f.w.Write(p)
	f.n -= int64(n)
	return n, err
}

type cancelAfter struct {
	r      io.Reader
	n      int64
	cancel func()
	fired  *atomic.Bool
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n -= int64(n); c.n <= 0 && !c.fired.Swap(true) {
		c.cancel()
		time.Sleep(time.Second) // let SIGINT land while data is still flowing
	}
	return n, err
}

func TestIntegrationInterruptedAndResumed(t *testing.T) {
	for _, what := range []string{"send", "receive"} {
		t.Run("kill "+what, func(t *testing.T) {
			l := newLab(t)
			ctx := labCtx(t)
			src, dst := l.src.Name+"/data", l.dst.Name+"/backup"
			l.zfs("create", src)
			l.write(src, 1<<20)
			l.zfs("snapshot", src+"@s1")
			l.write(src, 48<<20)
			l.zfs("snapshot", src+"@s2")
			l.write(src, 1<<20)
			l.zfs("snapshot", src+"@s3")
			c := zfs.New(zfs.ClientOptions{Runner: &interrupter{inner: &command.Exec{}, what: what, after: 8 << 20}})
			// Step per snapshot: the interrupted one is @s2, the first
			// stream over 8 MiB.
			p, err := replication.NewPlan(ctx, replication.Endpoint{Client: c, Dataset: src},
				replication.Endpoint{Client: c, Dataset: dst}, replication.PlanOptions{Steps: replication.StepEach})
			require.NoError(t, err)
			res, err := replication.Run(ctx, p, replication.RunOptions{Receive: recv.Options{NoMount: true}})
			require.NoError(t, err, "%v", res)
			t.Logf("%v", res)
			d := res.Datasets[0]
			assert.Equal(t, []string{src + "@s2"}, d.Resumed)
			assert.Equal(t, []string{dst + "@s1", dst + "@s2", dst + "@s3"}, d.Sent)
			l.sameSnapshots(src, dst)
			l.noHolds(src)
		})
	}
}

// TestIntegrationProcessKilled kills a process running a replication
// mid-stream (SIGKILL: no cleanup at all), then finishes the job with a
// fresh plan: the interrupted snapshot is resumed, the ones that landed are
// not sent again.
func TestIntegrationProcessKilled(t *testing.T) {
	if os.Getenv("GOZFS_REPL_HELPER") == "1" {
		return
	}
	l := newLab(t)
	ctx := labCtx(t)
	src, dst := l.src.Name+"/data", l.dst.Name+"/backup"
	l.zfs("create", src)
	l.write(src, 1<<20)
	l.zfs("snapshot", src+"@s1")
	l.write(src, 64<<20)
	l.zfs("snapshot", src+"@s2")
	l.write(src, 1<<20)
	l.zfs("snapshot", src+"@s3")

	cmd := exec.Command(os.Args[0], "-test.run", "^TestIntegrationReplicateHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "GOZFS_REPL_HELPER=1", "GOZFS_REPL_SRC="+src, "GOZFS_REPL_DST="+dst)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		t.Log("helper: " + sc.Text())
		if strings.HasPrefix(sc.Text(), "MIDSTREAM") {
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			killed = true
			break
		}
	}
	go io.Copy(io.Discard, out)
	_ = cmd.Wait()
	require.True(t, killed, "the helper never reached the middle of the stream")
	// Its zfs send and receive die with it (parent-death signal); give
	// them a moment.
	time.Sleep(2 * time.Second)

	p := l.plan(ctx, src, dst, replication.PlanOptions{})
	dp := p.Datasets[0]
	require.NotEmpty(t, dp.Steps)
	assert.Equal(t, "resume", dp.Steps[0].Kind(), "%+v", p)
	// The killed run's holds are still there: on @s2, being sent, and on
	// @s1, its incremental source.
	assert.Equal(t, []string{src + "@s1", src + "@s2"}, dp.Held)
	res, err := replication.Run(ctx, p, replication.RunOptions{Receive: recv.Options{NoMount: true}})
	require.NoError(t, err, "%v", res)
	t.Logf("%v", res)
	assert.Equal(t, []string{src + "@s2"}, res.Datasets[0].Resumed)
	assert.NotContains(t, res.Datasets[0].Sent, dst+"@s1", "@s1 had landed before the kill")
	l.sameSnapshots(src, dst)
	l.noHolds(src)
	assert.Len(t, l.cursors(src), 1)
}

// TestIntegrationReplicateHelper is the process TestIntegrationProcessKilled
// kills; it does nothing in a normal test run.
func TestIntegrationReplicateHelper(t *testing.T) {
	if os.Getenv("GOZFS_REPL_HELPER") != "1" {
		t.Skip("helper process")
	}
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{})
	p, err := replication.NewPlan(ctx, replication.Endpoint{Client: c, Dataset: os.Getenv("GOZFS_REPL_SRC")},
		replication.Endpoint{Client: c, Dataset: os.Getenv("GOZFS_REPL_DST")}, replication.PlanOptions{Steps: replication.StepEach})
	require.NoError(t, err)
	var said atomic.Bool
	_, err = replication.Run(ctx, p, replication.RunOptions{Receive: recv.Options{NoMount: true}, Progress: func(pr replication.Progress) {
		if pr.Current.Bytes > 16<<20 && !said.Swap(true) {
			fmt.Println("MIDSTREAM", pr.Step.To, pr.Current.Bytes)
		}
	}})
	require.Fail(t, "the helper should have been killed", "%v", err)
}

// TestIntegrationOverTransport delivers the streams over TCP (with zstd in
// transit) to a Receiver, as between hosts that reach each other only
// over TCP; the target client does the rest.
func TestIntegrationOverTransport(t *testing.T) {
	l := newLab(t)
	src, dst := l.src.Name+"/data", l.dst.Name+"/backup"
	l.tree(src, 1, 4)
	ctx := labCtx(t)
	z, err := compress.New(compress.Zstd, compress.Options{})
	require.NoError(t, err)
	var reg stream.Registry
	compress.Register(&reg, compress.Options{})
	srv := &transport.Server{Handler: &replication.Receiver{Client: l.c, Root: dst, Registry: &reg,
		Options: recv.Options{NoMount: true}, AllowForce: true}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	sctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(sctx, ln) }()
	defer func() { cancel(); require.NoError(t, <-served) }()

	// The target root exists, empty: only a forced run receives over it,
	// with -F asked of the Receiver.
	l.zfs("create", dst)
	run := replication.RunOptions{Transport: &transport.Sender{Addr: ln.Addr().String()},
		Transforms: []stream.Transform{z}, Parallel: 2}
	p := l.plan(ctx, src, dst, replication.PlanOptions{Recursive: true})
	assert.ErrorIs(t, p.Err(), errors.ErrNoCommonBase)
	run.Force = true
	res, err := replication.Run(ctx, p, run)
	require.NoError(t, err, "%v", res)
	t.Logf("%v", res)
	l.sameSnapshots(src, dst)
	l.noHolds(src)
}

// TestIntegrationPlaceholder replicates a tree whose root has no snapshot
// (an empty placeholder is made for it), then the root's first snapshot,
// whose full stream is received over the placeholder, stopped mid-stream
// and resumed (zfs receive -F both times): the child stays, and the
// placeholder's marks go.
func TestIntegrationPlaceholder(t *testing.T) {
	l := newLab(t)
	ctx := labCtx(t)
	src, dst := l.src.Name+"/data", l.dst.Name+"/backup"
	l.zfs("create", src)
	l.zfs("create", src+"/a")
	l.write(src+"/a", 4096)
	l.zfs("snapshot", src+"/a@a1")
	opts := replication.PlanOptions{Recursive: true}
	p := l.plan(ctx, src, dst, opts)
	require.True(t, p.Datasets[0].Placeholder, "%v", p)
	res, err := replication.Run(ctx, p, replication.RunOptions{Receive: recv.Options{NoMount: true}})
	require.NoError(t, err, "%v", res)
	assert.True(t, res.Datasets[0].Placeholder)
	assert.Equal(t, "on", l.zfs("get", "-H", "-o", "value", replication.PlaceholderProperty, dst))
	assert.Equal(t, "off", l.zfs("get", "-H", "-o", "value", "canmount", dst))

	l.write(src, 24<<20)
	l.zfs("snapshot", src+"@r1")
	c := zfs.New(zfs.ClientOptions{Runner: &interrupter{inner: &command.Exec{}, what: "receive", after: 8 << 20}})
	p, err = replication.NewPlan(ctx, replication.Endpoint{Client: c, Dataset: src}, replication.Endpoint{Client: c, Dataset: dst}, opts)
	require.NoError(t, err)
	t.Logf("plan:\n%+v", p)
	require.True(t, p.Datasets[0].OverPlaceholder)
	res, err = replication.Run(ctx, p, replication.RunOptions{Receive: recv.Options{NoMount: true}})
	require.NoError(t, err, "%v", res)
	t.Logf("%v", res)
	assert.Equal(t, []string{src + "@r1"}, res.Datasets[0].Resumed)
	assert.Empty(t, res.Datasets[0].Warnings)
	l.sameSnapshots(src, dst)
	assert.Contains(t, l.names("filesystem", dst), dst+"/a", "the child stays")
	assert.Equal(t, "-", l.zfs("get", "-H", "-o", "value", replication.PlaceholderProperty, dst))
	assert.Equal(t, "on", l.zfs("get", "-H", "-o", "value", "canmount", dst))
	l.noHolds(src)
}

// TestIntegrationRetentionKeepsBase prunes the source with package
// retention between and around runs, keeping what Plan.Protected and
// Protected name: replication carries on from what is left, and the
// snapshots not yet replicated survive a policy that would destroy them.
func TestIntegrationRetentionKeepsBase(t *testing.T) {
	l := newLab(t)
	ctx := labCtx(t)
	src, dst := l.src.Name+"/data", l.dst.Name+"/backup"
	snap := func(names ...string) {
		for _, n := range names {
			l.write(src, 4096)
			l.zfs("snapshot", src+"@"+n)
		}
	}
	// Only the newest snapshot is worth keeping to this policy.
	policy := retention.Policy{Rules: []retention.Rule{retention.KeepLast{N: 1}}}
	prune := func(keep []string) []string {
		t.Helper()
		res, err := retention.Prune(ctx, l.c, src, policy, retention.PruneOptions{Needed: replication.Needed(keep)})
		require.NoError(t, err)
		return res.Destroyed
	}
	run := replication.RunOptions{Receive: recv.Options{NoMount: true}}
	l.zfs("create", src)
	snap("s1", "s2", "s3")
	res, err := replication.Run(ctx, l.plan(ctx, src, dst, replication.PlanOptions{}), run)
	require.NoError(t, err, "%v", res)

	// Plan, prune with what the plan needs, run: the plan's base @s3 and
	// @s4, not sent yet, stay.
	snap("s4", "s5")
	p := l.plan(ctx, src, dst, replication.PlanOptions{})
	assert.Equal(t, src+"@s3", p.Datasets[0].Base.Name)
	assert.Equal(t, []string{src + "@s3", src + "@s4", src + "@s5"}, p.Protected())
	assert.Equal(t, []string{src + "@s1", src + "@s2"}, prune(p.Protected()))
	res, err = replication.Run(ctx, p, run)
	require.NoError(t, err, "%v", res)
	assert.Equal(t, []string{dst + "@s4", dst + "@s5"}, res.Datasets[0].Sent)

	// Between runs only what is not replicated yet is protected: the
	// policy takes every replicated snapshot, the base @s5 included, and
	// the next plan sends from @s5's cursor bookmark.
	snap("s6", "s7")
	keep, err := replication.Protected(ctx, l.c, src, replication.ProtectOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{src + "@s6", src + "@s7"}, keep)
	assert.Equal(t, []string{src + "@s3", src + "@s4", src + "@s5"}, prune(keep))
	assert.Equal(t, []string{src + "@s6", src + "@s7"}, l.names("snapshot", src))
	p = l.plan(ctx, src, dst, replication.PlanOptions{})
	require.NoError(t, p.Err())
	assert.Equal(t, src+"#"+replication.CursorName("", mustGUID(t, l.snapGUIDs(dst)["s5"])), p.Datasets[0].Base.Name)
	res, err = replication.Run(ctx, p, run)
	require.NoError(t, err, "%v", res)
	assert.Equal(t, []string{dst + "@s6", dst + "@s7"}, res.Datasets[0].Sent)
	l.sameSnapshots(src, dst)
	assert.Len(t, l.names("snapshot", dst), 7, "the target keeps what the source pruned")

	// A plan made before such a prune sends from the cursor too: its base
	// @s7 is gone when it runs.
	snap("s8", "s9")
	p = l.plan(ctx, src, dst, replication.PlanOptions{})
	assert.Equal(t, src+"@s7", p.Datasets[0].Base.Name)
	keep, err = replication.Protected(ctx, l.c, src, replication.ProtectOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{src + "@s6", src + "@s7"}, prune(keep))
	res, err = replication.Run(ctx, p, run)
	require.NoError(t, err, "%v", res)
	assert.Equal(t, []string{dst + "@s8", dst + "@s9"}, res.Datasets[0].Sent)
	assert.Len(t, res.Datasets[0].Warnings, 1, "the base is gone")
	l.sameSnapshots(src, dst)

	// The snapshots a run is sending from and to are held: a prune that
	// does not know about the replication keeps them (retention.Held) and
	// destroys only the replicated @s8.
	snap("s10")
	p = l.plan(ctx, src, dst, replication.PlanOptions{})
	once := make(chan struct{}, 1)
	once <- struct{}{}
	res, err = replication.Run(ctx, p, replication.RunOptions{Receive: recv.Options{NoMount: true},
		Progress: func(replication.Progress) {
			select {
			case <-once:
			default:
				return
			}
			snap("s11")
			pres, perr := retention.Prune(ctx, l.c, src, policy, retention.PruneOptions{})
			if !assert.NoError(t, perr) {
				return
			}
			assert.Equal(t, []string{src + "@s8"}, pres.Destroyed)
			for i, s := range pres.Plan.Snapshots {
				if s.Name == src+"@s9" || s.Name == src+"@s10" {
					assert.Equal(t, retention.Held, pres.Plan.Decisions[i].Reason, s.Name)
				}
			}
		}})
	require.NoError(t, err, "%v", res)
	assert.Equal(t, []string{dst + "@s10"}, res.Datasets[0].Sent)
	l.noHolds(src)
}

func mustGUID(t *testing.T, s string) uint64 {
	t.Helper()
	g, err := strconv.ParseUint(s, 10, 64)
	require.NoError(t, err)
	return g
}
