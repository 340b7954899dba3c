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
)

// fakeZFS returns a client whose zfs is a shell script, run by the real exec
// runner, and the directory the script runs in ($DIR). The script sees the
// zfs arguments as "$@".
func fakeZFS(t testing.TB, script string) (*zfs.Client, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "zfs")
	if err := os.WriteFile(path, []byte("#!/bin/sh\nDIR="+dir+"\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := &command.Exec{Paths: map[string]string{"zfs": path}, GracePeriod: 2 * time.Second}
	return zfs.New(zfs.ClientOptions{Runner: r}), dir
}

// testData writes n random bytes to dir/data and returns them.
func testData(t testing.TB, dir string, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	if err := os.WriteFile(filepath.Join(dir, "data"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

var snap = "tank/a@s"

func TestReaderStreams(t *testing.T) {
	c, dir := fakeZFS(t, `cat "$DIR/data"`)
	want := testData(t, dir, 3<<20+17)
	s, err := send.Reader(context.Background(), c, snap, send.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := io.ReadAll(s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes, want %d identical bytes", len(got), len(want))
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestReaderErrorAfterLastByte(t *testing.T) {
	c, dir := fakeZFS(t, `cat "$DIR/data"; echo "cannot open 'tank/a@s': dataset does not exist" >&2; exit 1`)
	want := testData(t, dir, 1<<20)
	s, err := send.Reader(context.Background(), c, snap, send.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := io.ReadAll(s)
	if !bytes.Equal(got, want) {
		t.Errorf("read %d bytes before the error, want all %d", len(got), len(want))
	}
	var e *errors.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *errors.Error", err)
	}
	if e.Op != "send" || e.Name != "tank/a@s" || e.ExitCode != 1 || !strings.Contains(e.Stderr, "dataset does not exist") {
		t.Errorf("error = %+v", e)
	}
	if !errors.Is(err, errors.ErrNotExist) {
		t.Errorf("err = %v, want Kind NotExist", err)
	}
}

// pidOf reads the pid the fake wrote to dir/pid.
func pidOf(t *testing.T, dir string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(filepath.Join(dir, "pid"))
		if err == nil && len(bytes.TrimSpace(b)) > 0 {
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatal("fake zfs did not start")
		}
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
			if err != nil {
				t.Fatal(err)
			}
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
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if !gone(pid) {
				t.Errorf("fake zfs %d still running after Close", pid)
			}
			t.Logf("Close took %v", time.Since(start))
			if _, err := s.Read(make([]byte, 1)); err == nil {
				t.Error("Read after Close succeeded")
			}
		})
	}
}

func TestCancelStopsSend(t *testing.T) {
	c, dir := fakeZFS(t, `echo $$ > "$DIR/pid"; exec cat /dev/zero`)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := send.Reader(ctx, c, snap, send.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	buf := make([]byte, 1<<20)
	if _, err := io.ReadFull(s, buf); err != nil {
		t.Fatal(err)
	}
	pid := pidOf(t, dir)
	cancel()
	_, err = io.Copy(io.Discard, s)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, errors.ErrCanceled) {
		t.Errorf("err = %v, want a Canceled error matching context.Canceled", err)
	}
	if !gone(pid) {
		t.Errorf("fake zfs %d still running", pid)
	}
}

func TestWriteToRegularFileIsDirect(t *testing.T) {
	// The fake reports whether its standard output is the very file.
	c, dir := fakeZFS(t, `if [ "$(stat -L -c %i /proc/$$/fd/1)" = "$(stat -c %i "$DIR/out")" ]; then printf direct; else printf copied; fi`)
	f, err := os.Create(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString("head:")
	s, err := send.Reader(context.Background(), c, snap, send.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n, err := io.Copy(f, s)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(f.Name())
	if string(got) != "head:direct" || n != 6 {
		t.Errorf("file = %q, n = %d; want \"head:direct\", 6", got, n)
	}
	// The stream is over: reading it now gives EOF.
	if n, err := s.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Errorf("Read after WriteTo = %d, %v; want 0, EOF", n, err)
	}
}

func TestToHandsOverFilesAndSockets(t *testing.T) {
	// The fake says what its standard output is.
	c, _ := fakeZFS(t, `stat -L -c %F /proc/self/fd/1`)
	ctx := context.Background()

	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := send.To(ctx, c, pw, snap, send.Options{}); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	got, _ := io.ReadAll(pr)
	if strings.TrimSpace(string(got)) != "fifo" {
		t.Errorf("pipe: zfs wrote to a %q", got)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	if err := send.To(ctx, c, conn, snap, send.Options{}); err != nil {
		t.Fatal(err)
	}
	// The connection is usable from Go afterwards, deadlines included, so
	// it is back in non-blocking mode.
	conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write([]byte("after\n")); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := conn.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read deadline on the connection: err = %v, want a timeout", err)
	}
	conn.(*net.TCPConn).CloseWrite()
	b := <-accepted
	conn.Close()
	if string(b) != "socket\nafter\n" {
		t.Errorf("socket: received %q", b)
	}

	var buf bytes.Buffer
	if err := send.To(ctx, c, &buf, snap, send.Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(buf.String()) != "fifo" {
		t.Errorf("buffer: zfs wrote to a %q", buf.String())
	}
}

func TestTransforms(t *testing.T) {
	c, dir := fakeZFS(t, `cat "$DIR/data"`)
	data := bytes.Repeat([]byte("zfs send stream "), 1<<16)
	if err := os.WriteFile(filepath.Join(dir, "data"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	z, err := compress.New(compress.Zstd, compress.Options{})
	if err != nil {
		t.Fatal(err)
	}
	unzip := func(t *testing.T, b []byte) []byte {
		t.Helper()
		r, err := z.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		out, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	ctx := context.Background()

	t.Run("push", func(t *testing.T) {
		p := stream.NewProgress(stream.ProgressOptions{})
		var buf bytes.Buffer
		if err := send.To(ctx, c, &buf, snap, send.Options{Transforms: []stream.WriteTransform{z.NewWriter}, Progress: p}); err != nil {
			t.Fatal(err)
		}
		if buf.Len() >= len(data)/10 {
			t.Errorf("compressed to %d bytes, want far fewer than %d", buf.Len(), len(data))
		}
		if !bytes.Equal(unzip(t, buf.Bytes()), data) {
			t.Error("round trip differs")
		}
		if n := p.Snapshot().Bytes; n != int64(len(data)) {
			t.Errorf("progress counted %d bytes, want %d (before transforms)", n, len(data))
		}
	})
	t.Run("pull", func(t *testing.T) {
		p := stream.NewProgress(stream.ProgressOptions{})
		s, err := send.Reader(ctx, c, snap, send.Options{Transforms: []stream.WriteTransform{z.NewWriter}, Progress: p, BufferSize: 64 << 10})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var buf bytes.Buffer
		if _, err := io.Copy(&buf, s); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(unzip(t, buf.Bytes()), data) {
			t.Error("round trip differs")
		}
		if n := p.Snapshot().Bytes; n != int64(len(data)) {
			t.Errorf("progress counted %d bytes, want %d", n, len(data))
		}
	})
	t.Run("pull progress without transforms", func(t *testing.T) {
		p := stream.NewProgress(stream.ProgressOptions{})
		s, err := send.Reader(ctx, c, snap, send.Options{Progress: p})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		n, err := io.Copy(io.Discard, s)
		if err != nil || n != int64(len(data)) || p.Snapshot().Bytes != n {
			t.Errorf("copied %d (%v), progress %d; want %d", n, err, p.Snapshot().Bytes, len(data))
		}
	})
}

func TestWriterFailureStopsSend(t *testing.T) {
	c, dir := fakeZFS(t, `echo $$ > "$DIR/pid"; exec cat /dev/zero`)
	werr := errors.New("disk full")
	w := &failingWriter{after: 1 << 20, err: werr}
	err := send.To(context.Background(), c, w, snap, send.Options{})
	if !errors.Is(err, werr) {
		t.Errorf("err = %v, want it to wrap the writer's error", err)
	}
	if pid := pidOf(t, dir); !gone(pid) {
		t.Errorf("fake zfs %d still running", pid)
	}
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
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err = send.To(context.Background(), c, f, snap, send.Options{})
	if !errors.Is(err, errors.ErrInvalidArgument) || !strings.Contains(err.Error(), "open only for reading") {
		t.Errorf("err = %v, want InvalidArgument saying the file is open only for reading", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
		t.Error("zfs send ran")
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	if err := send.To(context.Background(), c, pr, snap, send.Options{}); !errors.Is(err, errors.ErrInvalidArgument) {
		t.Errorf("read end of a pipe: err = %v, want InvalidArgument", err)
	}

	s, err := send.Reader(context.Background(), c, snap, send.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := io.Copy(f, s); !errors.Is(err, os.ErrClosed) && !errors.Is(err, syscall.EBADF) {
		t.Errorf("WriteTo a read-only file: err = %v, want the file's EBADF", err)
	}
}
