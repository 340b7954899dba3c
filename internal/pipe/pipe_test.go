package pipe_test

import (
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/gozfs/gozfs/internal/pipe"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestNewIsLarge(t *testing.T) {
	r, w, err := pipe.New()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	if runtime.GOOS != "linux" {
		return
	}
	rc, err := w.SyscallConn()
	require.NoError(t, err)
	var size int
	require.NoError(t, rc.Control(func(fd uintptr) { size, _ = unix.FcntlInt(fd, unix.F_GETPIPE_SZ, 0) }))
	// fs.pipe-max-size may be lower than Size, never lower than 64 KiB.
	assert.GreaterOrEqual(t, size, 64<<10)
	_, err = w.Write([]byte("x"))
	require.NoError(t, err)
	b := make([]byte, 1)
	_, err = r.Read(b)
	require.NoError(t, err)
	assert.Equal(t, "x", string(b))
}

func TestWriterDeliversAndReports(t *testing.T) {
	w := pipe.Start(func(r *io.PipeReader) (string, error) {
		b, err := io.ReadAll(r)
		return string(b), err
	})
	assert.Equal(t, "", w.Result(), "no result before the end")
	_, err := io.Copy(w, strings.NewReader("stream bytes"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	assert.Equal(t, "stream bytes", w.Result())
}

func TestWriterCloseWithErrorReachesConsumer(t *testing.T) {
	cause := errors.New("source failed")
	w := pipe.Start(func(r *io.PipeReader) (int, error) {
		_, err := io.ReadAll(r)
		return 1, err
	})
	_, err := w.Write([]byte("part"))
	require.NoError(t, err)
	assert.ErrorIs(t, w.CloseWithError(cause), cause)
	assert.Equal(t, 1, w.Result())
}

func TestWriterWriteReturnsConsumerError(t *testing.T) {
	failure := errors.New("consumer failed")
	w := pipe.Start(func(r *io.PipeReader) (struct{}, error) {
		buf := make([]byte, 4)
		_, _ = r.Read(buf)
		return struct{}{}, failure
	})
	var err error
	for i := 0; i < 10 && err == nil; i++ {
		_, err = w.Write([]byte("more bytes than the consumer reads"))
	}
	assert.ErrorIs(t, err, failure)
	assert.ErrorIs(t, w.Close(), failure)
}

func TestWriterConsumerSucceedsEarly(t *testing.T) {
	w := pipe.Start(func(r *io.PipeReader) (int, error) { return 7, nil })
	var err error
	for i := 0; i < 10 && err == nil; i++ {
		_, err = w.Write([]byte("x"))
	}
	assert.ErrorIs(t, err, io.ErrClosedPipe)
	require.NoError(t, w.Close())
	assert.Equal(t, 7, w.Result())
}

func TestHandoff(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "h")
	require.NoError(t, err)
	defer f.Close()
	got, release, ok := pipe.Handoff(f)
	require.True(t, ok)
	assert.Same(t, f, got)
	release()

	_, _, ok = pipe.Handoff(&strings.Builder{})
	assert.False(t, ok, "a writer that is not a file or socket is copied")

	if runtime.GOOS == "windows" {
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	peer := <-accepted
	require.NotNil(t, peer)
	defer peer.Close()
	dup, release, ok := pipe.Handoff(c)
	require.True(t, ok)
	_, err = dup.Write([]byte("via the duplicate"))
	require.NoError(t, err)
	release() // closes the duplicate; the connection stays usable
	_, err = c.Write([]byte(", then the connection"))
	require.NoError(t, err)
	require.NoError(t, c.(*net.TCPConn).CloseWrite())
	b, err := io.ReadAll(peer)
	require.NoError(t, err)
	assert.Equal(t, "via the duplicate, then the connection", string(b))
}
