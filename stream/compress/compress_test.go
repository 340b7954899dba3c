package compress_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/compress"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// sample returns compressible data: random words.
func sample(n int) []byte {
	words := []string{"zfs ", "send ", "receive ", "snapshot ", "pool ", "dataset ", "stream ", "\n"}
	r := rand.New(rand.NewPCG(3, 4))
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(words[r.IntN(len(words))])
	}
	return b.Bytes()[:n]
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		alg  compress.Algorithm
		opts compress.Options
	}{
		{compress.Zstd, compress.Options{}},
		{compress.Zstd, compress.Options{Level: 1, Concurrency: 1}},
		{compress.Zstd, compress.Options{Level: 12, Concurrency: 2}},
		{compress.LZ4, compress.Options{}},
		{compress.LZ4, compress.Options{Level: 9, Concurrency: 2}},
		{compress.Gzip, compress.Options{}},
		{compress.Gzip, compress.Options{Level: 1}},
	}
	for _, tt := range tests {
		for _, n := range []int{0, 1, 100_000, 1 << 20} {
			t.Run(fmt.Sprintf("%s/%+v/%d", tt.alg, tt.opts, n), func(t *testing.T) {
				tr, err := compress.New(tt.alg, tt.opts)
				require.NoError(t, err)
				want := sample(n)
				var buf bytes.Buffer
				w, err := tr.NewWriter(&buf)
				require.NoError(t, err)
				_, err = w.Write(want)
				require.NoError(t, err)
				require.NoError(t, w.Close())
				if n >= 100_000 {
					assert.LessOrEqual(t, buf.Len(), n/2, "compressed %d bytes; expected at least 2:1 on text", n)
				}
				r, err := tr.NewReader(&buf)
				require.NoError(t, err)
				got, err := io.ReadAll(r)
				require.NoError(t, err)
				require.NoError(t, r.Close())
				require.Equal(t, string(want), string(got), "round trip") // as strings: an empty input reads back as []byte{}, not nil
			})
		}
	}
}

func TestEarlyCloseNoLeak(t *testing.T) {
	tr, _ := compress.New(compress.Zstd, compress.Options{Concurrency: 4})
	var buf bytes.Buffer
	w, _ := tr.NewWriter(&buf)
	w.Write(sample(4 << 20))
	w.Close()
	r, err := tr.NewReader(&buf)
	require.NoError(t, err)
	p := make([]byte, 1000)
	_, err = io.ReadFull(r, p)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	// goleak in TestMain checks the decoder goroutines are gone.
}

func TestCorruptInputFails(t *testing.T) {
	for _, alg := range []compress.Algorithm{compress.Zstd, compress.LZ4, compress.Gzip} {
		tr, _ := compress.New(alg, compress.Options{})
		r, err := tr.NewReader(bytes.NewReader([]byte("definitely not compressed data")))
		if err == nil {
			_, err = io.ReadAll(r)
			r.Close()
		}
		assert.Error(t, err, "%s: corrupt input decoded without error", alg)
	}
}

func TestValidationAndSpec(t *testing.T) {
	_, err := compress.New(compress.Zstd, compress.Options{Level: 23})
	assert.ErrorIs(t, err, compress.ErrLevel, "zstd level 23")
	_, err = compress.New("brotli", compress.Options{})
	assert.ErrorIs(t, err, compress.ErrUnknownAlgorithm, "brotli")
	tr, _ := compress.New(compress.Zstd, compress.Options{Level: 7, Concurrency: 2})
	assert.Equal(t, "zstd(level=7)", tr.Spec().String(), "Spec")
	var g stream.Registry
	compress.Register(&g, compress.Options{Concurrency: 1})
	ts, err := g.Build(stream.Spec{Name: "lz4", Params: map[string]string{"level": "4"}}, stream.Spec{Name: "gzip"})
	require.NoError(t, err, "Build")
	require.Len(t, ts, 2, "Build")
	require.Equal(t, "lz4(level=4)", ts[0].Spec().String(), "Build")
	_, err = g.Build(stream.Spec{Name: "zstd", Params: map[string]string{"level": "x"}})
	assert.ErrorIs(t, err, compress.ErrLevel, "bad level param")
}
