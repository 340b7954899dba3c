package send_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/send"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/compress"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeZFS returns a client whose zfs is a shell script, run by the real exec
// runner, and the directory the script runs in ($DIR). The script sees the
// zfs arguments as "$@".
func fakeZFS(t testing.TB, script string) (*zfs.Client, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "zfs")
	require.NoError(t, os.WriteFile(path, []byte("#!/bin/sh\nDIR="+dir+"\n"+script+"\n"), 0o755))
	r := &command.Exec{Paths: map[string]string{"zfs": path}, GracePeriod: 2 * time.Second}
	return zfs.New(zfs.ClientOptions{Runner: r}), dir
}

// testData writes n random bytes to dir/data and returns them.
func testData(t testing.TB, dir string, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data"), b, 0o644))
	return b
}

var snap = "tank/a@s"

func TestReaderStreams(t *testing.T) {
	c, dir := fakeZFS(t, `cat "$DIR/data"`)
	want := testData(t, dir, 3<<20+17)
	s, err := send.Reader(context.Background(), c, snap, send.Options{})
	require.NoError(t, err)
	defer s.Close()
	got, err := io.ReadAll(s)
	require.NoError(t, err)
	require.Equal(t, want, got, "read")
	assert.NoError(t, s.Close(), "Close")
}

func TestReaderErrorAfterLastByte(t *testing.T) {
	c, dir := fakeZFS(t, `cat "$DIR/data"; echo "cannot open 'tank/a@s': dataset does not exist" >&2; exit 1`)
	want := testData(t, dir, 1<<20)
	s, err := send.Reader(context.Background(), c, snap, send.Options{})
	require.NoError(t, err)
	defer s.Close()
	got, err := io.ReadAll(s)
	assert.Equal(t, want, got, "read")
	var e *errors.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "send", e.Op, "error = %+v", e)
	assert.Equal(t, "tank/a@s", e.Name, "error = %+v", e)
	assert.Equal(t, 1, e.ExitCode, "error = %+v", e)
	assert.Contains(t, e.Stderr, "dataset does not exist", "error = %+v", e)
	assert.ErrorIs(t, err, errors.ErrNotExist)
}

// pidOf reads the pid the fake wrote to dir/pid.
func pidOf(t *testing.T, dir string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(filepath.Join(dir, "pid"))
		if err == nil && len(bytes.TrimSpace(b)) > 0 {
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			require.NoError(t, err)
			return pid
		}
		require.False(t, time.Now().After(deadline), "fake zfs did not start")
		time.Sleep(10 * time.Millisecond)
	}
}

func gone(pid int) bool {
	// A zombie would still accept signal 0, but the runner reaps its child
	// before Close returns.
	return syscall.Kill(pid, 0) == syscall.ESRCH
}

func TestCloseBeforeEOFStopsSend(t *testing.T) {
	tests := []struct {
		name, script string
	}{
		// An endless writer: stops on EPIPE once the read end is closed.
		{"writer", `echo $$ > "$DIR/pid"; exec cat /dev/zero`},
		// A process that ignores SIGPIPE and SIGTERM and writes nothing: only
		// SIGKILL after the grace period stops it.
		{"stubborn", `trap '' PIPE TERM; echo $$ > "$DIR/pid"; while :; do sleep 0.1; done`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, dir := fakeZFS(t, tt.script)
			s, err := send.Reader(context.Background(), c, snap, send.Options{})
			require.NoError(t, err)
			go func() {
				// Reading blocks for the stubborn fake; Close must end it.
				buf := make([]byte, 64<<10)
				for {
					if _, err := s.Read(buf); err != nil {
						return
					}
				}
			}()
			pid := pidOf(t, dir)
			start := time.Now()
			assert.NoError(t, s.Close(), "Close")
			assert.True(t, gone(pid), "fake zfs %d still running after Close", pid)
			t.Logf("Close took %v", time.Since(start))
			_, err = s.Read(make([]byte, 1))
			assert.Error(t, err, "Read after Close succeeded")
		})
	}
}

func TestCancelStopsSend(t *testing.T) {
	c, dir := fakeZFS(t, `echo $$ > "$DIR/pid"; exec cat /dev/zero`)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := send.Reader(ctx, c, snap, send.Options{})
	require.NoError(t, err)
	defer s.Close()
	buf := make([]byte, 1<<20)
	_, err = io.ReadFull(s, buf)
	require.NoError(t, err)
	pid := pidOf(t, dir)
	cancel()
	_, err = io.Copy(io.Discard, s)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, errors.ErrCanceled)
	assert.True(t, gone(pid), "fake zfs %d still running", pid)
}

func TestWriteToRegularFileIsDirect(t *testing.T) {
	// The fake reports whether its standard output is the very file.
	c, dir := fakeZFS(t, `if [ "$(stat -L -c %i /proc/$$/fd/1)" = "$(stat -c %i "$DIR/out")" ]; then printf direct; else printf copied; fi`)
	f, err := os.Create(filepath.Join(dir, "out"))
	require.NoError(t, err)
	defer f.Close()
	f.WriteString("head:")
	s, err := send.Reader(context.Background(), c, snap, send.Options{})
	require.NoError(t, err)
	defer s.Close()
	n, err := io.Copy(f, s)
	require.NoError(t, err)
	got, _ := os.ReadFile(f.Name())
	assert.Equal(t, "head:direct", string(got), "file")
	assert.Equal(t, int64(6), n, "file")
	// The stream is over: reading it now gives EOF.
	rn, err := s.Read(make([]byte, 10))
	assert.Zero(t, rn, "Read after WriteTo")
	assert.Same(t, io.EOF, err, "Read after WriteTo = %v, want io.EOF itself", err)
}

func TestToHandsOverFilesAndSockets(t *testing.T) {
	// The fake says what its standard output is.
	c, _ := fakeZFS(t, `stat -L -c %F /proc/self/fd/1`)
	ctx := context.Background()

	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	require.NoError(t, send.To(ctx, c, pw, snap, send.Options{}))
	pw.Close()
	got, _ := io.ReadAll(pr)
	assert.Equal(t, "fifo", strings.TrimSpace(string(got)), "pipe: zfs wrote to a %q", got)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	accepted := make(chan []byte)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			close(accepted)
			return
		}
		b, _ := io.ReadAll(conn)
		conn.Close()
		accepted <- b
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	require.NoError(t, send.To(ctx, c, conn, snap, send.Options{}))
	// The connection is usable from Go afterwards, deadlines included, so
	// it is back in non-blocking mode.
	conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, err = conn.Write([]byte("after\n"))
	require.NoError(t, err)
	conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	_, err = conn.Read(make([]byte, 1))
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded, "read deadline on the connection")
	conn.(*net.TCPConn).CloseWrite()
	b := <-accepted
	conn.Close()
	assert.Equal(t, "socket\nafter\n", string(b), "socket: received")

	var buf bytes.Buffer
	require.NoError(t, send.To(ctx, c, &buf, snap, send.Options{}))
	assert.Equal(t, "fifo", strings.TrimSpace(buf.String()), "buffer: zfs wrote to a %q", buf.String())
}

func TestTransforms(t *testing.T) {
	c, dir := fakeZFS(t, `cat "$DIR/data"`)
	data := bytes.Repeat([]byte("zfs send stream "), 1<<16)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data"), data, 0o644))
	z, err := compress.New(compress.Zstd, compress.Options{})
	require.NoError(t, err)
	unzip := func(t *testing.T, b []byte) []byte {
		t.Helper()
		r, err := z.NewReader(bytes.NewReader(b))
		require.NoError(t, err)
		defer r.Close()
		out, err := io.ReadAll(r)
		require.NoError(t, err)
		return out
	}
	ctx := context.Background()

	t.Run("push", func(t *testing.T) {
		p := stream.NewProgress(stream.ProgressOptions{})
		var buf bytes.Buffer
		require.NoError(t, send.To(ctx, c, &buf, snap, send.Options{Transforms: []stream.WriteTransform{z.NewWriter}, Progress: p}))
		assert.Less(t, buf.Len(), len(data)/10, "compressed to %d bytes, want far fewer than %d", buf.Len(), len(data))
		assert.Equal(t, data, unzip(t, buf.Bytes()), "round trip differs")
		n := p.Snapshot().Bytes
		assert.Equal(t, int64(len(data)), n, "progress counted %d bytes, want %d (before transforms)", n, len(data))
	})
	t.Run("pull", func(t *testing.T) {
		p := stream.NewProgress(stream.ProgressOptions{})
		s, err := send.Reader(ctx, c, snap, send.Options{Transforms: []stream.WriteTransform{z.NewWriter}, Progress: p, BufferSize: 64 << 10})
		require.NoError(t, err)
		defer s.Close()
		var buf bytes.Buffer
		_, err = io.Copy(&buf, s)
		require.NoError(t, err)
		assert.Equal(t, data, unzip(t, buf.Bytes()), "round trip differs")
		n := p.Snapshot().Bytes
		assert.Equal(t, int64(len(data)), n, "progress counted %d bytes, want %d", n, len(data))
	})
	t.Run("pull progress without transforms", func(t *testing.T) {
		p := stream.NewProgress(stream.ProgressOptions{})
		s, err := send.Reader(ctx, c, snap, send.Options{Progress: p})
		require.NoError(t, err)
		defer s.Close()
		n, err := io.Copy(io.Discard, s)
		if assert.NoError(t, err, "copied %d (%v), progress %d; want %d", n, err, p.Snapshot().Bytes, len(data)) {
			assert.Equal(t, int64(len(data)), n, "copied %d (%v), progress %d; want %d", n, err, p.Snapshot().Bytes, len(data))
			assert.Equal(t, n, p.Snapshot().Bytes, "copied %d (%v), progress %d; want %d", n, err, p.Snapshot().Bytes, len(data))
		}
	})
}

func TestWriterFailureStopsSend(t *testing.T) {
	c, dir := fakeZFS(t, `echo $$ > "$DIR/pid"; exec cat /dev/zero`)
	werr := errors.New("disk full")
	w := &failingWriter{after: 1 << 20, err: werr}
	err := send.To(context.Background(), c, w, snap, send.Options{})
	assert.ErrorIs(t, err, werr)
	pid := pidOf(t, dir)
	assert.True(t, gone(pid), "fake zfs %d still running", pid)
}

type failingWriter struct {
	n, after int
	err      error
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n+len(p) > w.after {
		return 0, w.err
	}
	w.n += len(p)
	return len(p), nil
}

// TestToReadOnlyFile: zfs send handed a file open only for reading fails
// with exit status 1 and nothing on standard error (OpenZFS 2.3.2, see
// errors/testdata), so To rejects it before running; WriteTo copies into it
// and reports the file's own error.
func TestToReadOnlyFile(t *testing.T) {
	c, dir := fakeZFS(t, `echo ran > "$DIR/ran"; printf stream`)
	path := filepath.Join(dir, "out")
	require.NoError(t, os.WriteFile(path, nil, 0o644))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	err = send.To(context.Background(), c, f, snap, send.Options{})
	assert.ErrorIs(t, err, errors.ErrInvalidArgument)
	assert.ErrorContains(t, err, "open only for reading")
	_, err = os.Stat(filepath.Join(dir, "ran"))
	assert.Error(t, err, "zfs send ran")
	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	defer pr.Close()
	defer pw.Close()
	assert.ErrorIs(t, send.To(context.Background(), c, pr, snap, send.Options{}), errors.ErrInvalidArgument, "read end of a pipe")

	s, err := send.Reader(context.Background(), c, snap, send.Options{})
	require.NoError(t, err)
	defer s.Close()
	_, err = io.Copy(f, s)
	assert.True(t, errors.Is(err, os.ErrClosed) || errors.Is(err, syscall.EBADF), "WriteTo a read-only file: err = %v, want the file's EBADF", err)
}
