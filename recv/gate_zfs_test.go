//go:build zfs

package recv_test

import (
	"context"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gate makes a transfer that cannot finish until the test lets it: the
// client it returns runs zfs send with the last tail bytes of its output
// held back until release is closed. holding is closed once zfs send has
// exited and everything but the tail has been delivered, so the receive is
// under way and has most of its stream. If the context ends first, the tail
// is never delivered.
type gate struct {
	tail    int
	once    sync.Once
	holding chan struct{}
	release chan struct{}
}

func newGate(tail int) *gate {
	return &gate{tail: tail, holding: make(chan struct{}), release: make(chan struct{})}
}

// client returns a client whose zfs send goes through the gate; other
// commands run as usual.
func (g *gate) client() *zfs.Client {
	run := &command.Exec{}
	return zfs.New(zfs.ClientOptions{Runner: command.RunnerFunc(func(ctx context.Context, c *command.Cmd) error {
		if len(c.Args) == 0 || c.Args[0] != "send" || c.Stdout == nil {
			return run.Run(ctx, c)
		}
		hw := &holdTail{w: c.Stdout, n: g.tail}
		cc := *c
		cc.Stdout = hw
		if err := run.Run(ctx, &cc); err != nil {
			return err
		}
		g.once.Do(func() { close(g.holding) })
		select {
		case <-g.release:
			_, err := c.Stdout.Write(hw.buf)
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	})})
}

// holdTail writes all but the last n bytes written to it to w.
type holdTail struct {
	w   io.Writer
	n   int
	buf []byte
}

func (h *holdTail) Write(p []byte) (int, error) {
	h.buf = append(h.buf, p...)
	if over := len(h.buf) - h.n; over > 0 {
		if _, err := h.w.Write(h.buf[:over]); err != nil {
			return 0, err
		}
		h.buf = append(h.buf[:0], h.buf[over:]...)
	}
	return len(p), nil
}

// killAt returns a read transform that, when the stream it passes reaches
// offset `at`, kills the zfs receive this test binary runs before passing
// on any byte beyond it (once; later streams pass untouched), and a
// function that reports whether it did. As zfs receive cannot have had the
// bytes beyond the offset, it is killed part-way, every time.
func killAt(t testing.TB, at int64) (stream.ReadTransform, func() bool) {
	var mu sync.Mutex
	killed := false
	tr := stream.ReaderFunc(func(r io.Reader) io.Reader {
		return &killReader{r: r, left: at, kill: func() {
			mu.Lock()
			defer mu.Unlock()
			if killed {
				return
			}
			// zfs receive is running: it has read part of the stream
			// (the pipe to it holds 1 MiB; at is larger).
			deadline := time.Now().Add(time.Minute)
			for !killReceive(t) {
				if time.Now().After(deadline) {
					assert.Fail(t, "found no zfs receive to kill")
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
			killed = true
		}}
	})
	return tr, func() bool { mu.Lock(); defer mu.Unlock(); return killed }
}

type killReader struct {
	r    io.Reader
	left int64
	kill func()
	done bool
}

func (k *killReader) Read(p []byte) (int, error) {
	if !k.done && k.left == 0 {
		k.kill()
		k.done = true
	}
	if !k.done && int64(len(p)) > k.left {
		p = p[:k.left]
	}
	n, err := k.r.Read(p)
	if !k.done {
		k.left -= int64(n)
	}
	return n, err
}

// openFDs counts this process's open file descriptors.
func openFDs(t testing.TB) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return len(ents)
}
