package zfs

import (
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// pipeThrough writes in through a blockPipe in chunks of the given size and
// returns the blocks the reader got and the reader's final error.
func pipeThrough(t *testing.T, in string, chunk int, closeErr error) ([]string, error) {
	p := newBlockPipe()
	go func() {
		for b := []byte(in); len(b) > 0; {
			n := min(chunk, len(b))
			k, err := p.Write(b[:n])
			if err != nil || k != n {
				t.Errorf("write: %d of %d, %v", k, n, err)
			}
			b = b[n:]
		}
		p.CloseWithError(closeErr)
	}()
	var blocks []string
	for {
		b, err := p.nextBlock()
		if err != nil {
			return blocks, err
		}
		blocks = append(blocks, b.s)
	}
}

func TestBlockPipe(t *testing.T) {
	defer goleak.VerifyNone(t)
	long := strings.Repeat("y", 3*pipeBlock+5) // a line longer than a block
	for _, in := range []string{
		"", "a\n", "no newline at the end", "a\tb\n" + long + "\nc",
		strings.Repeat("tank/fs@snap\t1\t2\n", 20000),
	} {
		for _, chunk := range []int{1, 7, 4096, pipeBlock, pipeBlock + 1, 1 << 20} {
			if chunk == 1 && len(in) > 100000 {
				continue
			}
			blocks, err := pipeThrough(t, in, chunk, nil)
			require.ErrorIs(t, err, io.EOF)
			require.Equal(t, in, strings.Join(blocks, ""), "chunk %d", chunk)
			for i, b := range blocks {
				require.NotEmpty(t, b)
				if i < len(blocks)-1 {
					require.True(t, strings.HasSuffix(b, "\n"), "block %d of %d does not end a line", i, len(blocks))
				}
			}
		}
	}
	boom := errors.New("boom")
	blocks, err := pipeThrough(t, "a\nb", 1, boom)
	require.ErrorIs(t, err, boom)
	require.Equal(t, "a\nb", strings.Join(blocks, ""), "what was written before the error is delivered")
}

func TestBlockPipeRead(t *testing.T) {
	p := newBlockPipe()
	in := strings.Repeat("0123456789\n", 30000)
	go func() {
		_, _ = p.Write([]byte(in))
		p.CloseWithError(nil)
	}()
	b, err := io.ReadAll(p)
	require.NoError(t, err)
	require.Equal(t, in, string(b))
}

// A reader that stops releases a writer blocked on a full pipe, and later
// writes fail.
func TestBlockPipeStop(t *testing.T) {
	defer goleak.VerifyNone(t)
	p := newBlockPipe()
	var wg sync.WaitGroup
	wg.Add(1)
	var werr error
	go func() {
		defer wg.Done()
		line := []byte(strings.Repeat("z", 99) + "\n")
		for werr == nil {
			_, werr = p.Write(line)
		}
	}()
	b, err := p.nextBlock()
	require.NoError(t, err)
	require.NotEmpty(t, b.s)
	p.stopReading()
	wg.Wait()
	require.ErrorIs(t, werr, errStopped)
	p.CloseWithError(nil)
	p.drain()
	_, err = p.Write([]byte("x"))
	require.ErrorIs(t, err, io.ErrClosedPipe)
}

// Output that trickles in reaches an idle reader at once, line by line,
// without waiting for a block to fill or for the end.
func TestBlockPipeTrickle(t *testing.T) {
	p := newBlockPipe()
	for _, step := range []struct{ write, want string }{
		{"a\n", "a\n"},
		{"b", ""}, // no complete line yet
		{"c\nd\n", "bc\nd\n"},
		{"e", ""},
	} {
		_, err := p.Write([]byte(step.write))
		require.NoError(t, err)
		if step.want != "" {
			b, err := p.nextBlock()
			require.NoError(t, err)
			require.Equal(t, step.want, b.s)
		}
		require.Zero(t, p.queued(), "after writing %q", step.write)
	}
	p.CloseWithError(nil)
	b, err := p.nextBlock()
	require.NoError(t, err)
	require.Equal(t, "e", b.s)
	_, err = p.nextBlock()
	require.ErrorIs(t, err, io.EOF)
}
