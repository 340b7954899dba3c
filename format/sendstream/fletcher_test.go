package sendstream_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gozfs/gozfs/format/sendstream"
	"github.com/gozfs/gozfs/format/sendstream/internal/streamgen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// naiveFletcher4 is the textbook loop, one word at a time.
func naiveFletcher4(sum sendstream.Checksum, p []byte, order binary.ByteOrder) sendstream.Checksum {
	if order == binary.LittleEndian {
		return naiveFletcher4LE(sum, p)
	}
	for i := 0; i+4 <= len(p); i += 4 {
		sum[0] += uint64(order.Uint32(p[i:]))
		sum[1] += sum[0]
		sum[2] += sum[1]
		sum[3] += sum[2]
	}
	return sum
}

// naiveFletcher4LE is the textbook loop specialized to little-endian words,
// the baseline in BenchmarkFletcher4.
func naiveFletcher4LE(sum sendstream.Checksum, p []byte) sendstream.Checksum {
	a, b, c, d := sum[0], sum[1], sum[2], sum[3]
	for i := 0; i+4 <= len(p); i += 4 {
		a += uint64(binary.LittleEndian.Uint32(p[i:]))
		b += a
		c += b
		d += c
	}
	return sendstream.Checksum{a, b, c, d}
}

func TestFletcher4KnownValues(t *testing.T) {
	// Words 1, 2, 3: a = 6, b = 1+3+6, c = 1+4+10, d = 1+5+15.
	le := []byte{1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0xff} // trailing byte ignored
	f := sendstream.NewFletcher4(nil)
	f.Update(le)
	assert.Equal(t, (sendstream.Checksum{6, 10, 15, 21}), f.Sum(), "little endian sum")
	be := []byte{0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3}
	f = sendstream.NewFletcher4(binary.BigEndian)
	f.Update(be)
	assert.Equal(t, (sendstream.Checksum{6, 10, 15, 21}), f.Sum(), "big endian sum")
	f.Reset()
	assert.True(t, f.Sum().IsZero(), "Reset did not zero the sums")
	assert.Equal(t, "a/0/1/ffffffffffffffff", (sendstream.Checksum{0xa, 0, 1, 0xffffffffffffffff}).String(), "String()")
}

func TestFletcher4MatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 70000)
	for i := range buf {
		buf[i] = byte(rng.Uint32())
	}
	for _, order := range orders {
		for _, n := range []int{0, 3, 4, 31, 32, 33, 64, 100, 4096, 65537, len(buf)} {
			// Split into two calls at a word boundary: the running
			// state must carry over.
			split := (n / 3) &^ 3
			f := sendstream.NewFletcher4(order)
			f.Update(buf[:split])
			f.Update(buf[split:n])
			want := naiveFletcher4(sendstream.Checksum{}, buf[:n], order)
			assert.Equal(t, want, f.Sum(), "%v, %d bytes", order, n)
		}
	}
}

// benchData is a generated 32 MiB stream of 128 KiB WRITE records.
func benchData(b *testing.B, order binary.ByteOrder) []byte {
	b.Helper()
	return streamgen.Stream(streamgen.Config{Order: order, Objects: 16, Blocks: 16, BlockSize: 128 << 10, Seed: 42})
}

// BenchmarkFletcher4 measures the unrolled fletcher-4 over 8 MiB in both
// word orders. The baseline for the ratio metric is naiveFletcher4LE, the
// plain one-word-per-iteration loop over little-endian words, measured in
// the same run; ratio is baseline time / our time, so higher is better.
func BenchmarkFletcher4(b *testing.B) {
	buf := make([]byte, 8<<20)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	naive := func(b *testing.B) {
		b.SetBytes(int64(len(buf)))
		s := naiveFletcher4LE(sendstream.Checksum{}, buf)
		b.ResetTimer()
		for range b.N {
			s = naiveFletcher4LE(s, buf)
		}
	}
	var s sendstream.Checksum
	base := nsPerOp(func() { s = naiveFletcher4LE(s, buf) })
	b.Run("naive", naive)
	for _, order := range orders {
		b.Run("unrolled-"+order.String(), func(b *testing.B) {
			b.SetBytes(int64(len(buf)))
			f := sendstream.NewFletcher4(order)
			f.Update(buf) // warm up
			b.ResetTimer()
			for range b.N {
				f.Update(buf)
			}
			b.ReportMetric(base/(float64(b.Elapsed().Nanoseconds())/float64(b.N)), "ratio")
		})
	}
}

// nsPerOp times f for about half a second and returns its mean duration
// in nanoseconds. It measures benchmark baselines inside the benchmark
// (testing.Benchmark cannot be called from a running benchmark).
func nsPerOp(f func()) float64 {
	f() // warm up
	n := 0
	start := time.Now()
	for n < 3 || time.Since(start) < 500*time.Millisecond {
		f()
		n++
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}

// onlyReader hides everything but Read, so io.Copy cannot shortcut.
type onlyReader struct{ io.Reader }

// BenchmarkReader measures parsing plus full checksum verification of a
// 32 MiB generated stream with 128 KiB WRITE records. The baseline for the
// ratio metric is copying the same bytes from memory through a 1 MiB
// buffer to io.Discard with no parsing (the cost floor of touching the
// data once), measured in the same run; ratio is baseline time / our time,
// so it is at most about 1 and higher is better.
func BenchmarkReader(b *testing.B) {
	le := benchData(b, binary.LittleEndian)
	be := benchData(b, binary.BigEndian)
	copyBuf := make([]byte, 1<<20)
	baseline := func(b *testing.B) {
		b.SetBytes(int64(len(le)))
		_, _ = io.CopyBuffer(io.Discard, onlyReader{bytes.NewReader(le)}, copyBuf)
		b.ResetTimer()
		for range b.N {
			_, err := io.CopyBuffer(io.Discard, onlyReader{bytes.NewReader(le)}, copyBuf)
			require.NoError(b, err)
		}
	}
	base := nsPerOp(func() {
		_, err := io.CopyBuffer(io.Discard, onlyReader{bytes.NewReader(le)}, copyBuf)
		require.NoError(b, err)
	})
	ratio := func(b *testing.B) {
		b.ReportMetric(base/(float64(b.Elapsed().Nanoseconds())/float64(b.N)), "ratio")
	}
	b.Run("baseline-copy", baseline)
	for name, data := range map[string][]byte{"Reader-le": le, "Reader-be": be} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			scan := func() {
				_, err := sendstream.Scan(bytes.NewReader(data), sendstream.Options{})
				require.NoError(b, err)
			}
			scan() // warm up, so that -benchtime 1x measures a steady state
			b.ResetTimer()
			for range b.N {
				scan()
			}
			ratio(b)
		})
	}
	b.Run("VerifyingReader", func(b *testing.B) {
		b.SetBytes(int64(len(le)))
		pass := func() {
			v := sendstream.NewVerifyingReader(bytes.NewReader(le), sendstream.Options{})
			_, err := io.CopyBuffer(io.Discard, onlyReader{v}, copyBuf)
			require.NoError(b, err)
		}
		pass()
		b.ResetTimer()
		for range b.N {
			pass()
		}
		ratio(b)
	})
	b.Run("VerifyingWriter", func(b *testing.B) {
		b.SetBytes(int64(len(le)))
		pass := func() {
			v := sendstream.NewVerifyingWriter(io.Discard, sendstream.Options{})
			_, err := io.CopyBuffer(v, onlyReader{bytes.NewReader(le)}, copyBuf)
			require.NoError(b, err)
			require.NoError(b, v.Close())
		}
		pass()
		b.ResetTimer()
		for range b.N {
			pass()
		}
		ratio(b)
	})
}
