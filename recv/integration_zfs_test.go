//go:build zfs

package recv_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/proc"
	"github.com/gozfs/gozfs/internal/ztest"
	"github.com/gozfs/gozfs/recv"
	"github.com/gozfs/gozfs/send"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/encrypt"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// labPool is a throwaway pool with helpers for the tests below.
type labPool struct {
	t testing.TB
	*ztest.Pool
	c *zfs.Client
}

func newLabPool(t testing.TB, args ...string) *labPool {
	t.Helper()
	p := ztest.NewPool(t, ztest.PoolOptions{Size: 256 << 20, Args: args})
	return &labPool{t: t, Pool: p, c: zfs.New(zfs.ClientOptions{})}
}

func (p *labPool) zfs(args ...string) string {
	p.t.Helper()
	return strings.TrimSpace(ztest.Run(p.t, "zfs", args...))
}

func (p *labPool) name(rel string) string { return p.Name + "/" + rel }

func (p *labPool) mountpoint(ds string) string {
	p.t.Helper()
	return p.zfs("get", "-H", "-o", "value", "mountpoint", ds)
}

// write puts n random bytes into file rel of dataset ds.
func (p *labPool) write(ds, rel string, n int) {
	p.t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	path := filepath.Join(p.mountpoint(ds), rel)
	require.NoError(p.t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(p.t, os.WriteFile(path, b, 0o644))
}

// sums returns the SHA-256 of every regular file under the mountpoint of ds
// (the .zfs directory is not listed by default).
func (p *labPool) sums(ds string) map[string]string {
	p.t.Helper()
	root := p.mountpoint(ds)
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		h := sha256.Sum256(b)
		rel, _ := filepath.Rel(root, path)
		out[rel] = hex.EncodeToString(h[:])
		return nil
	})
	require.NoError(p.t, err)
	return out
}

func (p *labPool) sameFiles(a, b string) {
	p.t.Helper()
	sa, sb := p.sums(a), p.sums(b)
	require.NotEmpty(p.t, sa, "%s has no files", a)
	assert.Len(p.t, sa, len(sb), "%s has %d files, %s has %d", a, len(sa), b, len(sb))
	for k, v := range sa {
		assert.Equal(p.t, v, sb[k], "%s differs between %s and %s", k, a, b)
	}
}

func (p *labPool) exists(ds string) bool {
	_, err := ztest.Try("zfs", "list", "-H", "-t", "all", ds)
	return err == nil
}

func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// noZFSChildren fails t if a zfs process started by this test binary is
// still running.
func noZFSChildren(t testing.TB) {
	t.Helper()
	left, err := proc.Descendants(os.Getpid())
	require.NoError(t, err)
	for _, p := range left {
		assert.NotEqual(t, "zfs", p.Executable, "zfs process %d still running", p.PID)
	}
}

// killReceive kills the zfs receive started by this test binary.
func killReceive(t testing.TB) bool {
	left, err := proc.Descendants(os.Getpid())
	if !assert.NoError(t, err) {
		return false
	}
	for _, p := range left {
		cmdline, _ := os.ReadFile("/proc/" + strconv.Itoa(p.PID) + "/cmdline")
		if p.Executable == "zfs" && bytes.Contains(cmdline, []byte("receive\x00")) {
			return syscall.Kill(p.PID, syscall.SIGKILL) == nil
		}
	}
	return false
}

func TestIntegrationFullToFileAndBack(t *testing.T) {
	p := newLabPool(t)
	ctx := ctxFor(t)
	src := p.name("src")
	p.zfs("create", src)
	p.write(src, "a", 2<<20)
	p.write(src, "dir/b", 300<<10)
	p.zfs("snapshot", src+"@s1")
	snap := src + "@s1"

	est, err := send.Estimate(ctx, p.c, snap, send.Options{})
	require.NoError(t, err)
	path := filepath.Join(ztest.Dir(t), "full.zfs")
	f, err := os.Create(path)
	require.NoError(t, err)
	s, err := send.Reader(ctx, p.c, snap, send.Options{})
	require.NoError(t, err)
	n, err := io.Copy(f, s) // WriteTo hands the file to zfs send
	s.Close()
	f.Close()
	require.NoError(t, err)
	t.Logf("stream %d bytes, estimate %d", n, est)
	assert.GreaterOrEqual(t, n, int64(2<<20), "stream")
	assert.GreaterOrEqual(t, est, n*9/10, "stream")
	assert.LessOrEqual(t, est, n*11/10, "stream")

	in, err := os.Open(path)
	require.NoError(t, err)
	defer in.Close()
	res, err := recv.Into(ctx, p.c, p.name("dst"), in, recv.Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{p.name("dst@s1")}, res.Snapshots, "Snapshots")
	p.sameFiles(src, p.name("dst"))

	// The same stream encrypted into a file and back, verified on the way.
	key := make([]byte, encrypt.KeySize)
	rand.Read(key)
	enc, err := encrypt.New(encrypt.Options{Key: key})
	require.NoError(t, err)
	var sealed bytes.Buffer
	require.NoError(t, send.To(ctx, p.c, &sealed, snap, send.Options{Transforms: []stream.WriteTransform{enc.NewWriter}}))
	_, err = recv.Into(ctx, p.c, p.name("dec"), bytes.NewReader(sealed.Bytes()),
		recv.Options{Transforms: []stream.ReadTransform{enc.NewReader}, Verify: true})
	require.NoError(t, err)
	p.sameFiles(src, p.name("dec"))

	// A tampered final chunk must not create anything.
	bad := bytes.Clone(sealed.Bytes())
	bad[len(bad)-1] ^= 1
	_, err = recv.Into(ctx, p.c, p.name("bad"), bytes.NewReader(bad),
		recv.Options{Transforms: []stream.ReadTransform{enc.NewReader}})
	assert.ErrorIs(t, err, encrypt.ErrAuthentication, "tampered stream")
	assert.False(t, p.exists(p.name("bad@s1")), "tampered stream committed %s", p.name("bad@s1"))
	noZFSChildren(t)
}

func TestIntegrationIncremental(t *testing.T) {
	p := newLabPool(t)
	ctx := ctxFor(t)
	src, dst := p.name("src"), p.name("dst")
	p.zfs("create", src)
	p.write(src, "a", 1<<20)
	p.zfs("snapshot", src+"@s1")
	p.write(src, "b", 512<<10)
	p.zfs("snapshot", src+"@s2")
	p.zfs("bookmark", src+"@s2", src+"#b2")
	p.write(src, "c", 512<<10)
	p.zfs("snapshot", src+"@s3")
	p.write(src, "d", 256<<10)
	p.zfs("snapshot", src+"@s4")
	p.write(src, "e", 256<<10)
	p.zfs("snapshot", src+"@s5")

	replicate := func(snap string, sopts send.Options, ropts recv.Options) *recv.Result {
		t.Helper()
		res, err := recv.Replicate(ctx, p.c, p.c, snap, dst, recv.ReplicateOptions{Send: sopts, Receive: ropts})
		require.NoError(t, err, "replicate %s", snap)
		return res
	}
	replicate(src+"@s1", send.Options{}, recv.Options{})

	// From a snapshot, through the pull API and the verifier.
	s, err := send.Reader(ctx, p.c, src+"@s2", send.Options{From: src + "@s1"})
	require.NoError(t, err)
	res, err := recv.Into(ctx, p.c, dst, s, recv.Options{Verify: true})
	s.Close()
	require.NoError(t, err)
	assert.Equal(t, []string{dst + "@s2"}, res.Snapshots, "Snapshots")

	// From a bookmark, with its estimate.
	est, err := send.Estimate(ctx, p.c, src+"@s3", send.Options{From: src + "#b2"})
	assert.NoError(t, err, "estimate from a bookmark")
	assert.GreaterOrEqual(t, est, int64(512<<10), "estimate from a bookmark")
	replicate(src+"@s3", send.Options{From: src + "#b2"}, recv.Options{})

	// Intermediates: s4 and s5 in one stream.
	res = replicate(src+"@s5", send.Options{From: src + "@s3", Intermediates: true}, recv.Options{})
	assert.Equal(t, []string{dst + "@s4", dst + "@s5"}, res.Snapshots, "Snapshots")
	p.sameFiles(src, dst)

	// An incremental that does not start at the destination's latest
	// snapshot, as real zfs reports it.
	other := p.name("other")
	_, err = recv.Replicate(ctx, p.c, p.c, src+"@s1", other, recv.ReplicateOptions{})
	require.NoError(t, err)
	_, err = recv.Replicate(ctx, p.c, p.c, src+"@s4", other, recv.ReplicateOptions{Send: send.Options{From: src + "@s3"}})
	assert.ErrorIs(t, err, errors.ErrStreamMismatch, "mismatched incremental")
	t.Logf("mismatched incremental: %v", err)
	noZFSChildren(t)
}

func TestIntegrationReplicationStream(t *testing.T) {
	p := newLabPool(t)
	ctx := ctxFor(t)
	src := p.name("src")
	p.zfs("create", src)
	p.zfs("create", src+"/child")
	p.zfs("create", src+"/skip")
	p.zfs("set", "com.example:tag=hello", src)
	p.write(src, "a", 512<<10)
	p.write(src+"/child", "b", 512<<10)
	p.zfs("snapshot", "-r", src+"@r1")
	p.zfs("create", p.name("rr"))

	opts := recv.ReplicateOptions{
		Send:    send.Options{Replicate: true, ExcludeDatasets: []string{src + "/skip"}},
		Receive: recv.Options{Naming: recv.DiscardFirst},
	}
	want := []string{p.name("rr/src@r1"), p.name("rr/src/child@r1")}
	v, err := p.c.Version(ctx)
	require.NoError(t, err)
	if !v.AtLeast(2, 2) {
		// Before 2.2 zfs send has no -X: refused before running, typed; the
		// stream then carries every descendant.
		_, err := recv.Replicate(ctx, p.c, p.c, src+"@r1", p.name("rr"), opts)
		assert.ErrorIs(t, err, errors.ErrNotSupported, "ExcludeDatasets on %s", v)
		opts.Send.ExcludeDatasets = nil
		want = []string{p.name("rr/src@r1"), p.name("rr/src/child@r1"), p.name("rr/src/skip@r1")}
	}
	res, err := recv.Replicate(ctx, p.c, p.c, src+"@r1", p.name("rr"), opts)
	require.NoError(t, err)
	got := res.Snapshots
	if !v.AtLeast(2, 2) {
		got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	}
	assert.Equal(t, want, got, "Snapshots")
	if v.AtLeast(2, 2) {
		assert.False(t, p.exists(p.name("rr/src/skip")), "excluded dataset was received")
	}
	assert.Equal(t, "hello", p.zfs("get", "-H", "-o", "value", "com.example:tag", p.name("rr/src")), "property not replicated")
	p.sameFiles(src+"/child", p.name("rr/src/child"))
}

func TestIntegrationRawEncrypted(t *testing.T) {
	p := newLabPool(t)
	ctx := ctxFor(t)
	keyfile := filepath.Join(ztest.Dir(t), "key")
	require.NoError(t, os.WriteFile(keyfile, []byte("correct horse battery staple\n"), 0o600))
	src := p.name("secret")
	p.zfs("create", "-o", "encryption=on", "-o", "keyformat=passphrase", "-o", "keylocation=file://"+keyfile, src)
	p.write(src, "a", 1<<20)
	p.zfs("snapshot", src+"@s1")

	dst := p.name("copy")
	_, err := recv.Replicate(ctx, p.c, p.c, src+"@s1", dst, recv.ReplicateOptions{
		Send:    send.Options{Raw: true},
		Receive: recv.Options{NoMount: true},
	})
	require.NoError(t, err)
	assert.Equal(t, "unavailable", p.zfs("get", "-H", "-o", "value", "keystatus", dst), "keystatus of the raw copy")
	p.zfs("load-key", "-L", "file://"+keyfile, dst)
	p.zfs("mount", dst)
	p.sameFiles(src, dst)

	// A non-raw stream re-encrypted on receive with its own key.
	key2 := filepath.Join(ztest.Dir(t), "key2")
	os.WriteFile(key2, bytes.Repeat([]byte{0x42}, 32), 0o600)
	_, err = recv.Replicate(ctx, p.c, p.c, src+"@s1", p.name("re"), recv.ReplicateOptions{
		Receive: recv.Options{SetProperties: map[string]string{"encryption": "on", "keyformat": "raw", "keylocation": "file://" + key2}},
	})
	require.NoError(t, err)
	assert.Equal(t, p.name("re"), p.zfs("get", "-H", "-o", "value", "encryptionroot", p.name("re")), "encryptionroot")
	p.sameFiles(src, p.name("re"))
}

func TestIntegrationCompressed(t *testing.T) {
	p := newLabPool(t, "-O", "compression=lz4")
	ctx := ctxFor(t)
	src := p.name("src")
	p.zfs("create", src)
	text := bytes.Repeat([]byte("compressible zfs data block\n"), 80000) // ~2 MiB
	require.NoError(t, os.WriteFile(filepath.Join(p.mountpoint(src), "text"), text, 0o644))
	p.zfs("snapshot", src+"@s1")
	plain, err := send.Estimate(ctx, p.c, src+"@s1", send.Options{})
	require.NoError(t, err)
	comp, err := send.Estimate(ctx, p.c, src+"@s1", send.Options{Compressed: true})
	require.NoError(t, err)
	t.Logf("estimate %d plain, %d compressed", plain, comp)
	assert.Less(t, comp, plain/2, "compressed estimate %d not much below plain %d", comp, plain)
	var buf bytes.Buffer
	require.NoError(t, send.To(ctx, p.c, &buf, src+"@s1", send.Options{Compressed: true, LargeBlocks: true, Embedded: true}))
	assert.Less(t, int64(buf.Len()), plain/2, "compressed stream %d bytes, plain estimate %d", buf.Len(), plain)
	_, err = recv.Into(ctx, p.c, p.name("dst"), &buf, recv.Options{Verify: true})
	require.NoError(t, err)
	p.sameFiles(src, p.name("dst"))
}

func TestIntegrationSocket(t *testing.T) {
	p := newLabPool(t)
	ctx := ctxFor(t)
	src := p.name("src")
	p.zfs("create", src)
	p.write(src, "a", 1<<20)
	p.zfs("snapshot", src+"@s1")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	got := make(chan error, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			got <- err
			return
		}
		defer conn.Close()
		_, err = recv.Into(ctx, p.c, p.name("dst"), conn, recv.Options{}) // handed to zfs receive
		got <- err
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	// handed to zfs send
	require.NoError(t, send.To(ctx, p.c, conn, src+"@s1", send.Options{}))
	conn.Close()
	require.NoError(t, <-got)
	p.sameFiles(src, p.name("dst"))
}

func TestIntegrationResumeAfterKill(t *testing.T) {
	p := newLabPool(t)
	ctx := ctxFor(t)
	src := p.name("src")
	p.zfs("create", src)
	p.write(src, "a", 3<<20)
	p.write(src, "b", 1<<20)
	p.zfs("snapshot", src+"@s1")

	t.Run("Replicate resumes by itself", func(t *testing.T) {
		kill, killed := killAt(t, 2<<20)
		var argv [][]string
		var mu sync.Mutex
		rec := command.RunnerFunc(func(ctx context.Context, c *command.Cmd) error {
			mu.Lock()
			argv = append(argv, c.Argv())
			mu.Unlock()
			return (&command.Exec{}).Run(ctx, c)
		})
		c := zfs.New(zfs.ClientOptions{Runner: rec})
		dst := p.name("auto")
		est, err := send.Estimate(ctx, c, src+"@s1", send.Options{})
		require.NoError(t, err)
		prog := stream.NewProgress(stream.ProgressOptions{Total: est})
		res, err := recv.Replicate(ctx, c, c, src+"@s1", dst, recv.ReplicateOptions{
			Send:    send.Options{Progress: prog},
			Receive: recv.Options{Resumable: true, Transforms: []stream.ReadTransform{kill}},
			Retries: 3,
		})
		require.NoError(t, err)
		ps := prog.Finish()
		t.Logf("progress after the resume: %d of %d bytes (estimate %d), %.1f%%", ps.Bytes, ps.Total, est, 100*ps.Fraction())
		assert.LessOrEqual(t, ps.Bytes, ps.Total*105/100, "progress ends at %d of %d bytes", ps.Bytes, ps.Total)
		assert.GreaterOrEqual(t, ps.Bytes, ps.Total*9/10, "progress ends at %d of %d bytes", ps.Bytes, ps.Total)
		assert.LessOrEqual(t, ps.Fraction(), 1.0, "progress ends at %d of %d bytes", ps.Bytes, ps.Total)
		require.True(t, killed(), "the receive was never killed")
		resumed := false
		for _, a := range argv {
			if len(a) > 2 && a[1] == "send" && slices.Contains(a, "-t") {
				resumed = true
			}
		}
		assert.True(t, resumed, "no zfs send -t among %q", argv)
		assert.Equal(t, []string{dst + "@s1"}, res.Snapshots, "Snapshots")
		p.sameFiles(src, dst)
	})

	t.Run("by hand, with abort", func(t *testing.T) {
		kill, killed := killAt(t, 2<<20)
		dst := p.name("manual")
		s, err := send.Reader(ctx, p.c, src+"@s1", send.Options{})
		require.NoError(t, err)
		res, err := recv.Into(ctx, p.c, dst, s, recv.Options{Resumable: true, Transforms: []stream.ReadTransform{kill}})
		s.Close()
		var re *errors.ResumableError
		require.True(t, killed(), "the receive was never killed; err = %v", err)
		require.ErrorAs(t, err, &re, "want a resumable error with a token")
		require.NotEmpty(t, re.Token, "want a resumable error with a token")
		assert.ErrorIs(t, err, errors.ErrInterrupted, "kind %v", errors.KindOf(err))
		assert.Empty(t, res.Snapshots, "Result %+v: want nothing committed", res)
		assert.Equal(t, dst+"@s1", res.Incomplete, "Result %+v: want %s incomplete", res, dst+"@s1")

		// A full stream into the target that holds the partial state:
		// zfs says it exists; the error says what is there.
		s, err = send.Reader(ctx, p.c, src+"@s1", send.Options{})
		require.NoError(t, err)
		_, err = recv.Into(ctx, p.c, dst, s, recv.Options{Resumable: true})
		s.Close()
		if assert.ErrorAs(t, err, &re, "full stream into partial state: want a ResumableError") {
			assert.Equal(t, tok0(t, p, dst), re.Token, "full stream into partial state: token")
		}
		assert.ErrorIs(t, err, errors.ErrResumableStatePresent, "full stream into partial state: kind %v", errors.KindOf(err))
		assert.NotErrorIs(t, err, errors.ErrInterrupted, "full stream into partial state")
		assert.NotErrorIs(t, err, errors.ErrExist, "full stream into partial state")
		t.Logf("full stream into partial state: %v", err)
		tok, err := recv.ResumeToken(ctx, p.c, dst)
		assert.NoError(t, err, "ResumeToken")
		assert.Equal(t, re.Token, tok, "ResumeToken")
		est, err := send.Estimate(ctx, p.c, "", send.Options{ResumeToken: tok})
		assert.NoError(t, err, "estimate of the rest")
		assert.Greater(t, est, int64(0), "estimate of the rest")
		assert.Less(t, est, int64(5<<20), "estimate of the rest")

		// Abort, twice: the second finds nothing and succeeds too.
		require.NoError(t, recv.Abort(ctx, p.c, dst))
		assert.NoError(t, recv.Abort(ctx, p.c, dst), "second Abort")
		assert.False(t, p.exists(dst), "%s exists after aborting its first receive", dst)
	})
	noZFSChildren(t)
}

// tok0 reads the resume token of ds with zfs get.
func tok0(t *testing.T, p *labPool, ds string) string {
	t.Helper()
	return p.zfs("get", "-H", "-o", "value", "receive_resume_token", ds)
}

// TestIntegrationIncrementalAgain: an incremental that the target already
// has succeeds, as zfs receive does, and the Result says nothing was
// committed.
func TestIntegrationIncrementalAgain(t *testing.T) {
	p := newLabPool(t)
	ctx := ctxFor(t)
	src, dst := p.name("src"), p.name("dst")
	p.zfs("create", src)
	p.write(src, "a", 256<<10)
	p.zfs("snapshot", src+"@s1")
	p.write(src, "b", 256<<10)
	p.zfs("snapshot", src+"@s2")
	_, err := recv.Replicate(ctx, p.c, p.c, src+"@s1", dst, recv.ReplicateOptions{Receive: recv.Options{NoMount: true}})
	require.NoError(t, err)
	var inc bytes.Buffer
	require.NoError(t, send.To(ctx, p.c, &inc, src+"@s2", send.Options{From: src + "@s1"}))
	res, err := recv.Into(ctx, p.c, dst, bytes.NewReader(inc.Bytes()), recv.Options{NoMount: true})
	require.NoError(t, err, "first")
	require.Equal(t, []string{dst + "@s2"}, res.Snapshots, "first: Snapshots")
	require.Empty(t, res.Skipped, "first: Skipped")
	res, err = recv.Into(ctx, p.c, dst, bytes.NewReader(inc.Bytes()), recv.Options{NoMount: true})
	require.NoError(t, err, "again")
	assert.Empty(t, res.Snapshots, "again: Result %+v: want nothing committed", res)
	assert.Equal(t, []string{dst + "@s2"}, res.Skipped, "again: Result %+v: want %s skipped", res, dst+"@s2")
	assert.Empty(t, res.Incomplete, "again: Result %+v: want nothing incomplete", res)
}

// TestIntegrationCancelLeavesNothing cancels transfers that cannot finish
// before the cancel (their last bytes are held back until after it), so the
// cancel always lands part-way.
func TestIntegrationCancelLeavesNothing(t *testing.T) {
	p := newLabPool(t)
	src := p.name("src")
	p.zfs("create", src)
	p.write(src, "a", 4<<20)
	p.zfs("snapshot", src+"@s1")

	for _, direct := range []bool{false, true} {
		name := map[bool]string{false: "copied", true: "direct"}[direct]
		t.Run(name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			fds := openFDs(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			dst := p.name("cancel-" + name)
			g := newGate(64 << 10)
			opts := recv.ReplicateOptions{Receive: recv.Options{Resumable: true}}
			if !direct {
				opts.Receive.Transforms = []stream.ReadTransform{stream.ReaderFunc(func(r io.Reader) io.Reader { return r })}
			}
			type outcome struct {
				res *recv.Result
				err error
			}
			done := make(chan outcome, 1)
			go func() {
				res, err := recv.Replicate(ctx, g.client(), p.c, src+"@s1", dst, opts)
				done <- outcome{res, err}
			}()
			select {
			case <-g.holding:
			case o := <-done:
				require.Failf(t, "finished before the cancel", "%+v, %v", o.res, o.err)
			}
			cancel()
			start := time.Now()
			o := <-done
			t.Logf("returned %v after cancel: %v", time.Since(start), o.err)
			assert.ErrorIs(t, o.err, context.Canceled)
			assert.ErrorIs(t, o.err, errors.ErrCanceled)
			// Nearly all of the stream was received: the state is saved.
			var re *errors.ResumableError
			if assert.ErrorAs(t, o.err, &re, "want a resumable error") {
				assert.NotEmpty(t, re.Token, "resumable error without a token")
			}
			assert.ErrorIs(t, o.err, errors.ErrInterrupted)
			if assert.NotNil(t, o.res, "Result") {
				assert.Empty(t, o.res.Snapshots, "Result %+v: want nothing committed", o.res)
				assert.Equal(t, dst+"@s1", o.res.Incomplete, "Result %+v: want %s incomplete", o.res, dst+"@s1")
			}
			assert.NoError(t, recv.Abort(context.Background(), p.c, dst))
			assert.False(t, p.exists(dst), "%s left after Abort", dst)
			noZFSChildren(t)
			assert.Equal(t, fds, openFDs(t), "file descriptors open now vs before")
		})
	}
}

func TestIntegrationCorrectiveReceive(t *testing.T) {
	p := newLabPool(t, "-O", "compression=off", "-O", "recordsize=128k")
	ctx := ctxFor(t)
	v, err := p.c.Version(ctx)
	require.NoError(t, err)
	if !v.AtLeast(2, 2) {
		t.Skipf("corrective receive needs OpenZFS 2.2 (have %s)", v)
	}
	src := p.name("src")
	p.zfs("create", src)
	// Eight 128 KiB blocks, each starting with a unique marker.
	var data []byte
	for i := range 8 {
		blk := make([]byte, 128<<10)
		rand.Read(blk)
		copy(blk, "GOZFS-HEAL-MARKER-BLOCK-"+strconv.Itoa(i)+"-"+hex.EncodeToString(blk[100:108]))
		data = append(data, blk...)
	}
	file := filepath.Join(p.mountpoint(src), "f")
	require.NoError(t, os.WriteFile(file, data, 0o644))
	p.zfs("snapshot", src+"@s1")
	var sent bytes.Buffer
	require.NoError(t, send.To(ctx, p.c, &sent, src+"@s1", send.Options{}))

	// Corrupt block 3 on the vdev while the pool is exported.
	marker := data[3*128<<10 : 3*128<<10+40]
	ztest.Run(t, "zpool", "export", p.Name)
	vdev, err := os.ReadFile(p.Vdevs[0])
	require.NoError(t, err)
	off := bytes.Index(vdev, marker)
	if off < 0 || bytes.Contains(vdev[off+1:], marker) {
		ztest.Run(t, "zpool", "import", "-d", filepath.Dir(p.Vdevs[0]), "-R", p.AltRoot, "-o", "cachefile=none", p.Name)
		t.Skip("cannot locate exactly one copy of the block on the vdev (metadata or layout differs); skipping")
	}
	vf, err := os.OpenFile(p.Vdevs[0], os.O_WRONLY, 0)
	require.NoError(t, err)
	vf.WriteAt(bytes.Repeat([]byte{0xAA}, 4096), int64(off+1000))
	vf.Close()
	vdev = nil
	ztest.Run(t, "zpool", "import", "-d", filepath.Dir(p.Vdevs[0]), "-R", p.AltRoot, "-o", "cachefile=none", p.Name)

	_, err = os.ReadFile(file)
	require.Error(t, err, "reading the corrupted file succeeded; the corruption did not take")
	t.Logf("before healing: %v", err)

	res, err := recv.Into(ctx, p.c, src+"@s1", bytes.NewReader(sent.Bytes()), recv.Options{Corrective: true})
	require.NoError(t, err)
	t.Logf("healed: %q", res.Snapshots)
	got, err := os.ReadFile(file)
	require.NoError(t, err, "reading after corrective receive")
	assert.Equal(t, data, got, "file differs after healing")
}

// BenchmarkIntegrationReplicate compares Replicate with the shell pipeline
// `zfs send snap | zfs receive dst` on the same snapshot; "ratio" is
// shell time / our time.
func BenchmarkIntegrationReplicate(b *testing.B) {
	p := newLabPool(b)
	ctx := context.Background()
	src := p.name("src")
	p.zfs("create", src)
	p.write(src, "a", 8<<20)
	p.zfs("snapshot", src+"@s1")
	destroy := func(ds string) {
		if p.exists(ds) {
			p.zfs("destroy", "-r", ds)
		}
	}
	shell := func() time.Duration {
		destroy(p.name("shell"))
		ztest.Run(b, "zpool", "sync", p.Name)
		t0 := time.Now()
		out, err := exec.Command("sh", "-c", "zfs send "+src+"@s1 | zfs receive "+p.name("shell")).CombinedOutput()
		require.NoError(b, err, "%s", out)
		return time.Since(t0)
	}
	sdk := func() time.Duration {
		destroy(p.name("sdk"))
		ztest.Run(b, "zpool", "sync", p.Name)
		t0 := time.Now()
		_, err := recv.Replicate(ctx, p.c, p.c, src+"@s1", p.name("sdk"), recv.ReplicateOptions{})
		require.NoError(b, err)
		return time.Since(t0)
	}
	// Full receives into new datasets; destroying the previous copy and
	// syncing the pool are not timed, and the order alternates so that
	// neither side always runs on a warmer cache.
	var base, ours time.Duration
	i := 0
	for b.Loop() {
		if i%2 == 0 {
			base += shell()
			ours += sdk()
		} else {
			ours += sdk()
			base += shell()
		}
		i++
	}
	b.ReportMetric(float64(base)/float64(ours), "ratio")
	b.ReportMetric(float64(ours.Nanoseconds())/float64(b.N), "ours-ns/op")
	b.ReportMetric(float64(base.Nanoseconds())/float64(b.N), "base-ns/op")
}
