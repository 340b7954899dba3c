package sendstream_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	"github.com/gozfs/gozfs/format/sendstream"
	"github.com/gozfs/gozfs/format/sendstream/internal/streamgen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chunkReader returns reads of pseudo-random sizes between 1 and max.
type chunkReader struct {
	r   io.Reader
	rng *rand.Rand
	max int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	n := 1 + c.rng.IntN(c.max)
	if n < len(p) {
		p = p[:n]
	}
	return c.r.Read(p)
}

func sources(data []byte) map[string]io.Reader {
	return map[string]io.Reader{
		"plain":    bytes.NewReader(data),
		"onebyte":  iotest.OneByteReader(bytes.NewReader(data)),
		"half":     iotest.HalfReader(bytes.NewReader(data)),
		"dataerr":  iotest.DataErrReader(bytes.NewReader(data)),
		"chunks7":  &chunkReader{bytes.NewReader(data), rand.New(rand.NewPCG(1, 2)), 7},
		"chunks1k": &chunkReader{bytes.NewReader(data), rand.New(rand.NewPCG(3, 4)), 1000},
	}
}

// readVerified copies everything a VerifyingReader yields, using reads of
// size bufSize.
func readVerified(src io.Reader, bufSize int) ([]byte, *sendstream.VerifyingReader, error) {
	v := sendstream.NewVerifyingReader(src, sendstream.Options{})
	var out bytes.Buffer
	buf := make([]byte, bufSize)
	for {
		n, err := v.Read(buf)
		out.Write(buf[:n])
		if err == io.EOF {
			return out.Bytes(), v, nil
		}
		if err != nil {
			return out.Bytes(), v, err
		}
	}
}

// writeVerified writes data to a VerifyingWriter in chunks of size chunk and
// closes it, returning what reached the destination and the first error.
func writeVerified(data []byte, chunk int) ([]byte, *sendstream.VerifyingWriter, error) {
	var dst bytes.Buffer
	v := sendstream.NewVerifyingWriter(&dst, sendstream.Options{})
	for len(data) > 0 {
		n := min(chunk, len(data))
		w, err := v.Write(data[:n])
		if err != nil {
			if w > n {
				return dst.Bytes(), v, errors.New("Write returned n > len(p)")
			}
			return dst.Bytes(), v, err
		}
		if w != n {
			return dst.Bytes(), v, errors.New("short write without error")
		}
		data = data[n:]
	}
	return dst.Bytes(), v, v.Close()
}

func TestVerifyingReaderPassThrough(t *testing.T) {
	streams := map[string][]byte{
		"substream-le": small(binary.LittleEndian),
		"substream-be": small(binary.BigEndian),
		"compound-le":  compound(t, binary.LittleEndian),
		"compound-be":  compound(t, binary.BigEndian),
	}
	for name, data := range streams {
		for src := range sources(data) {
			for _, size := range []int{1, 100, 311, 312, 313, 4096, 1 << 20} {
				out, v, err := readVerified(sources(data)[src], size)
				require.NoError(t, err, "%s/%s/%d", name, src, size)
				require.Equal(t, data, out, "%s/%s/%d: output differs: bytes)", name, src, size)
				s := v.Summary()
				require.True(t, s.Complete, "%s/%s/%d: summary %+v", name, src, size, s)
				require.Equal(t, int64(len(data)), s.StreamBytes, "%s/%s/%d: summary %+v", name, src, size, s)
			}
		}
	}
}

func TestVerifyingWriterPassThrough(t *testing.T) {
	for _, data := range [][]byte{small(binary.LittleEndian), compound(t, binary.BigEndian)} {
		for _, chunk := range []int{1, 7, 311, 312, 313, 4096, len(data)} {
			out, v, err := writeVerified(data, chunk)
			require.NoError(t, err, "chunk %d", chunk)
			require.Equal(t, data, out, "chunk %d: output differs: bytes)", chunk)
			s := v.Summary()
			require.True(t, s.Complete, "chunk %d: summary %+v", chunk, s)
			_, err = v.Write([]byte{0})
			require.Error(t, err, "Write after Close succeeded")
		}
	}
}

// checkedHeaderAt returns the offset of the record header that contains
// byte i, or -1 if i is in a payload or in a BEGIN header. (A BEGIN record
// carries no checksum of its own: damage to it is found by the checksum in
// the next header, so the BEGIN itself is passed on.)
func checkedHeaderAt(data []byte, offs []int64, i int64) int64 {
	for _, off := range offs {
		if i >= off && i < off+sendstream.HeaderSize {
			if binary.LittleEndian.Uint32(data[off:]) == 0 {
				return -1 // BEGIN, in either byte order
			}
			return off
		}
	}
	return -1
}

// checkGuarantee asserts the verifying transforms' promise for one bad
// input: an error; output that is a prefix of the input and stops before
// the damaged header (if the damage is in a checksummed header); and output
// that, read by itself as zfs receive would read it, completes at most
// maxComplete substreams and never the whole stream.
func checkGuarantee(t *testing.T, what string, bad, out []byte, err error, damage, badHeader int64, maxComplete int) {
	t.Helper()
	require.Error(t, err, "%s: damage at byte %d not detected", what, damage)
	require.True(t, bytes.HasPrefix(bad, out), "%s: output is not a prefix of the input", what)
	if badHeader >= 0 {
		require.LessOrEqual(t, int64(len(out)), badHeader, "%s: damage at %d in header %d, but %d bytes were passed on", what, damage, badHeader, len(out))
	}
	sum, _ := sendstream.Scan(bytes.NewReader(out), sendstream.Options{})
	complete := 0
	for _, ss := range sum.Substreams {
		if ss.Complete {
			complete++
		}
	}
	require.False(t, sum.Complete, "%s: damage at %d, but the %d bytes passed on complete", what, damage, len(out))
	require.LessOrEqual(t, complete, maxComplete, "%s: damage at %d, but the %d bytes passed on complete", what, damage, len(out))
}

func TestVerifierGuaranteeBitFlips(t *testing.T) {
	for _, order := range orders {
		data := streamgen.Stream(streamgen.Config{Order: order, Objects: 2, Blocks: 2, BlockSize: 128})
		offs := recordOffsets(t, data)
		bad := make([]byte, len(data))
		step := int64(stride())
		if order == binary.BigEndian {
			step *= 5 // the little-endian pass is exhaustive
		}
		for i := int64(0); i < int64(len(data))*8; i += step {
			copy(bad, data)
			bad[i/8] ^= 1 << (i % 8)
			hdr := checkedHeaderAt(data, offs, i/8)
			src := &chunkReader{bytes.NewReader(bad), rand.New(rand.NewPCG(uint64(i), 9)), 500}
			out, _, err := readVerified(src, 333)
			checkGuarantee(t, "reader", bad, out, err, i/8, hdr, 0)
			out, _, err = writeVerified(bad, 1+int(i%400))
			checkGuarantee(t, "writer", bad, out, err, i/8, hdr, 0)
		}
	}
}

// TestVerifierGuaranteeCompound damages each substream of a compound stream
// in turn: the END of the damaged substream must not pass.
func TestVerifierGuaranteeCompound(t *testing.T) {
	data := compound(t, binary.LittleEndian)
	sum, err := sendstream.Scan(bytes.NewReader(data), sendstream.Options{})
	require.NoError(t, err)
	offs := recordOffsets(t, data)
	rng := rand.New(rand.NewPCG(7, 7))
	for _, ss := range sum.Substreams {
		for k := 0; k < 300; k += stride() {
			i := ss.Offset + rng.Int64N(ss.Bytes)
			bad := bytes.Clone(data)
			bad[i] ^= 1 << rng.IntN(8)
			out, _, err := readVerified(bytes.NewReader(bad), 4096)
			checkGuarantee(t, "reader", bad, out, err, i, checkedHeaderAt(data, offs, i), ss.Index)
			out, _, err = writeVerified(bad, 1000)
			checkGuarantee(t, "writer", bad, out, err, i, checkedHeaderAt(data, offs, i), ss.Index)
		}
	}
}

func TestVerifierTruncation(t *testing.T) {
	for _, data := range [][]byte{small(binary.BigEndian), compound(t, binary.LittleEndian)} {
		offs := recordOffsets(t, data)
		sum, _ := sendstream.Scan(bytes.NewReader(data), sendstream.Options{})
		boundaries := map[int64]bool{}
		for _, off := range offs {
			boundaries[off] = true
		}
		for n := 0; n < len(data); n++ {
			if n%stride() != 0 && !boundaries[int64(n)] {
				continue
			}
			cut := data[:n]
			complete := 0
			for _, ss := range sum.Substreams {
				if ss.Offset+ss.Bytes <= int64(n) {
					complete++
				}
			}
			out, _, err := readVerified(iotest.HalfReader(bytes.NewReader(cut)), 1000)
			require.ErrorIs(t, err, sendstream.ErrTruncated, "reader, prefix %d", n)
			hdr := checkedHeaderAt(data, offs, int64(n))
			checkGuarantee(t, "reader", cut, out, err, int64(n), hdr, complete)
			out, _, err = writeVerified(cut, 700)
			require.ErrorIs(t, err, sendstream.ErrTruncated, "writer, prefix %d", n)
			checkGuarantee(t, "writer", cut, out, err, int64(n), hdr, complete)
		}
	}
}

func TestVerifierUnderlyingErrors(t *testing.T) {
	data := small(binary.LittleEndian)
	boom := errors.New("boom")
	src := io.MultiReader(bytes.NewReader(data[:1000]), iotest.ErrReader(boom))
	_, _, err := readVerified(src, 512)
	assert.ErrorIs(t, err, boom, "reader error")
	v := sendstream.NewVerifyingWriter(&failWriter{after: 500, err: boom}, sendstream.Options{})
	_, err = v.Write(data)
	assert.ErrorIs(t, err, boom, "writer error: boom")
	assert.ErrorIs(t, v.Close(), boom, "Close after failed write")
}

// stuckReader returns no data and no error, forever.
type stuckReader struct{}

func (stuckReader) Read([]byte) (int, error) { return 0, nil }

func TestNoProgress(t *testing.T) {
	_, _, err := readVerified(stuckReader{}, 512)
	assert.ErrorIs(t, err, io.ErrNoProgress, "VerifyingReader")
	_, err = sendstream.Scan(stuckReader{}, sendstream.Options{})
	assert.ErrorIs(t, err, io.ErrNoProgress, "Reader")
}

type failWriter struct {
	n, after int
	err      error
}

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n+len(p) > f.after {
		return 0, f.err
	}
	f.n += len(p)
	return len(p), nil
}

func FuzzReader(f *testing.F) {
	f.Add(small(binary.LittleEndian))
	f.Add(small(binary.BigEndian))
	f.Add(compound(f, binary.LittleEndian))
	f.Add(streamgen.Stream(streamgen.Config{Order: binary.BigEndian, Objects: 1, Blocks: 1, BlockSize: 64, Substreams: 2}))
	f.Fuzz(func(t *testing.T, data []byte) {
		sum, rerr := sendstream.Scan(bytes.NewReader(data), sendstream.Options{})
		if rerr != nil {
			var ce *sendstream.ChecksumError
			var te *sendstream.TruncatedError
			var re *sendstream.RecordError
			require.True(t, errors.As(rerr, &ce) || errors.As(rerr, &te) || errors.As(rerr, &re), "untyped error %v", rerr)
		} else {
			require.True(t, sum.Complete, "valid stream but summary %+v", sum)
			require.Equal(t, int64(len(data)), sum.StreamBytes, "valid stream but summary %+v", sum)
		}
		out, _, verr := readVerified(&chunkReader{bytes.NewReader(data), rand.New(rand.NewPCG(uint64(len(data)), 1)), 400}, 1000)
		require.Equal(t, rerr == nil, verr == nil, "Reader error %v, VerifyingReader error %v", rerr, verr)
		require.True(t, bytes.HasPrefix(data, out), "VerifyingReader output is not the input (%d of %d bytes)", len(out), len(data))
		if verr == nil {
			require.Len(t, out, len(data), "VerifyingReader output is not the input")
		}
		wout, _, werr := writeVerified(data, 1+len(data)%500)
		require.Equal(t, rerr == nil, werr == nil, "Reader error %v, VerifyingWriter error %v", rerr, werr)
		require.True(t, bytes.HasPrefix(data, wout), "Reader error %v, VerifyingWriter error %v", rerr, werr)
	})
}
