package poolimage

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shortWriter accepts n bytes, then fails.
type shortWriter struct{ n int }

func (w *shortWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		m := w.n
		w.n = 0
		return m, errors.New("full")
	}
	w.n -= len(p)
	return len(p), nil
}

// TestFileReadPathsAgree reads files with holes and of many blocks through
// each path a File offers — Read in odd sizes, ReadAt, and WriteTo (what
// io.Copy uses) from unaligned offsets after a Read or a Seek — and checks
// they return the same bytes.
func TestFileReadPathsAgree(t *testing.T) {
	p := openFixture(t, "fxsingle", Options{})
	for _, c := range []struct{ ds, name string }{
		{"fxsingle/sparse", "holes.bin"},
		{"fxsingle/big", "big.txt"},
		{"fxsingle/large", "random.bin"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fsys, err := p.FS(c.ds)
			require.NoError(t, err)
			whole, err := fsys.ReadFile(c.name)
			require.NoError(t, err)
			size := int64(len(whole))

			f, err := fsys.Open(c.name)
			require.NoError(t, err)
			defer f.Close()
			rs := f.(io.ReadSeeker)
			ra := f.(io.ReaderAt)

			// ReadAt across block boundaries.
			for _, off := range []int64{0, 1, 131071, size / 3, size - 1} {
				if off >= size {
					continue
				}
				buf := make([]byte, min(200000, size-off))
				n, err := ra.ReadAt(buf, off)
				if err != io.EOF {
					require.NoError(t, err)
				}
				assert.Equal(t, whole[off:off+int64(n)], buf[:n], "ReadAt %d", off)
			}

			// An odd Read, then the rest through WriteTo.
			head := make([]byte, 1001)
			n, err := io.ReadFull(rs, head)
			require.NoError(t, err)
			var rest bytes.Buffer
			m, err := io.Copy(&rest, rs)
			require.NoError(t, err)
			assert.Equal(t, size-int64(n), m)
			assert.True(t, bytes.Equal(whole, append(head, rest.Bytes()...)), "Read then WriteTo")
			m, err = io.Copy(io.Discard, rs)
			require.NoError(t, err)
			assert.Zero(t, m, "WriteTo at the end")

			// Seek to an unaligned offset, then WriteTo.
			_, err = rs.Seek(size/2+3, io.SeekStart)
			require.NoError(t, err)
			rest.Reset()
			_, err = io.Copy(&rest, rs)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(whole[size/2+3:], rest.Bytes()), "Seek then WriteTo")

			// A failing writer: WriteTo reports what it wrote, and the
			// offset stays after it.
			_, err = rs.Seek(0, io.SeekStart)
			require.NoError(t, err)
			wt := f.(io.WriterTo)
			m, err = wt.WriteTo(&shortWriter{n: 5000})
			require.Error(t, err)
			assert.EqualValues(t, 5000, m)
			pos, err := rs.Seek(0, io.SeekCurrent)
			require.NoError(t, err)
			assert.EqualValues(t, 5000, pos)
		})
	}
}
