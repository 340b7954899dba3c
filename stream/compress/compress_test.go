package compress_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"go.uber.org/goleak"

	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/compress"
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
				if err != nil {
					t.Fatal(err)
				}
				want := sample(n)
				var buf bytes.Buffer
				w, err := tr.NewWriter(&buf)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := w.Write(want); err != nil {
					t.Fatal(err)
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				if n >= 100_000 && buf.Len() > n/2 {
					t.Errorf("compressed %d bytes to %d; expected at least 2:1 on text", n, buf.Len())
				}
				r, err := tr.NewReader(&buf)
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(r)
				if err != nil {
					t.Fatal(err)
				}
				if err := r.Close(); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("round trip: got %d bytes, want %d", len(got), len(want))
				}
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
	if err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 1000)
	if _, err := io.ReadFull(r, p); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
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
		if err == nil {
			t.Errorf("%s: corrupt input decoded without error", alg)
		}
	}
}

func TestValidationAndSpec(t *testing.T) {
	if _, err := compress.New(compress.Zstd, compress.Options{Level: 23}); !errors.Is(err, compress.ErrLevel) {
		t.Errorf("zstd level 23: %v", err)
	}
	if _, err := compress.New("brotli", compress.Options{}); !errors.Is(err, compress.ErrUnknownAlgorithm) {
		t.Errorf("brotli: %v", err)
	}
	tr, _ := compress.New(compress.Zstd, compress.Options{Level: 7, Concurrency: 2})
	if got := tr.Spec().String(); got != "zstd(level=7)" {
		t.Errorf("Spec = %s", got)
	}
	var g stream.Registry
	compress.Register(&g, compress.Options{Concurrency: 1})
	ts, err := g.Build(stream.Spec{Name: "lz4", Params: map[string]string{"level": "4"}}, stream.Spec{Name: "gzip"})
	if err != nil || len(ts) != 2 || ts[0].Spec().String() != "lz4(level=4)" {
		t.Fatalf("Build = %v, %v", ts, err)
	}
	if _, err := g.Build(stream.Spec{Name: "zstd", Params: map[string]string{"level": "x"}}); !errors.Is(err, compress.ErrLevel) {
		t.Errorf("bad level param: %v", err)
	}
}
