package zfs

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

// naiveMasks is the obvious byte loop sepMasks must agree with.
func naiveMasks(b []byte) []uint64 {
	m := make([]uint64, len(b)/64)
	for i := range len(m) * 64 {
		if b[i] == '\t' || b[i] == '\n' {
			m[i/64] |= 1 << (i % 64)
		}
	}
	return m
}

func TestSepMasks(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 63, 64, 65, 127, 128, 1000, 4096 + 17} {
		b := make([]byte, n)
		for i := range b {
			// Mostly separators and their neighbours, and bytes with the
			// high bit set, where tricks go wrong.
			b[i] = []byte{'\t', '\n', '\b', '\v', 0, 0x89, 0x8a, 'a', 0xff, 0x7f}[r.IntN(10)]
		}
		want := naiveMasks(b)
		got := make([]uint64, len(want))
		sepMasks(b, got)
		require.Equal(t, want, got, "sepMasks, %d bytes", n)
		gen := make([]uint64, len(want))
		sepMasksGeneric(b, gen)
		require.Equal(t, want, gen, "sepMasksGeneric, %d bytes", n)
		if n < 64 {
			var tail uint64
			if len(b) > 0 {
				tail = sepMaskTail(string(b))
			}
			require.Equal(t, naiveMasks(append(b, make([]byte, 64-n)...))[0], tail, "tail of %d bytes", n)
		}
	}
}

// readFields reads all lines of in through a fieldReader.
func readFields(t testing.TB, r io.Reader) [][]string {
	fr := newFieldReader(r)
	var out [][]string
	for {
		f, line, err := fr.next(nil)
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		require.Equal(t, strings.Join(f, "\t"), line)
		out = append(out, f)
	}
}

// splitFields is what readFields must return: lines (the last one may lack
// its newline), each split at tabs.
func splitFields(in string) [][]string {
	var out [][]string
	lines := strings.Split(in, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for _, l := range lines {
		out = append(out, strings.Split(l, "\t"))
	}
	return out
}

func TestFieldReader(t *testing.T) {
	long := strings.Repeat("x", 200<<10) // longer than a read block
	for _, in := range []string{
		"", "\n", "a", "a\tb\n", "a\tb", "\t\n\t\n", "a\tb\nc\td\te\n\n",
		strings.Repeat("pool/fs@snap\t123\t-\n", 5000),
		"a\t" + long + "\tb\n" + long + "\n" + long,
	} {
		want := splitFields(in)
		require.Equal(t, want, readFields(t, strings.NewReader(in)), "%.40q", in)
		require.Equal(t, want, readFields(t, iotest.OneByteReader(strings.NewReader(in))), "%.40q one byte at a time", in)
		require.Equal(t, want, readFields(t, iotest.HalfReader(strings.NewReader(in))), "%.40q half reads", in)
	}
	_, _, err := newFieldReader(iotest.ErrReader(io.ErrUnexpectedEOF)).next(nil)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

func FuzzFieldReader(f *testing.F) {
	f.Add([]byte("a\tb\nc\td\te\n\n"), uint8(3))
	f.Add(bytes.Repeat([]byte("tank/a@b\t1\t2\n"), 40), uint8(0))
	f.Fuzz(func(t *testing.T, in []byte, chunk uint8) {
		var r io.Reader = bytes.NewReader(in)
		if chunk > 0 {
			r = &chunkReader{b: in, n: int(chunk)}
		}
		require.Equal(t, splitFields(string(in)), readFields(t, r))
		want := naiveMasks(in)
		got := make([]uint64, len(want))
		sepMasks(in, got)
		require.Equal(t, want, got)
	})
}

// chunkReader returns at most n bytes per Read.
type chunkReader struct {
	b []byte
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), c.n)], c.b)
	c.b = c.b[k:]
	return k, nil
}
