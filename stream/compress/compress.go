package compress

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"

	"github.com/gozfs/gozfs/stream"
)

// Algorithm names a compression format. The values are the Spec names.
type Algorithm string

// The supported algorithms.
const (
	// Zstd is Zstandard (RFC 8878): the best ratio per CPU second, and
	// multithreaded with Options.Concurrency.
	Zstd Algorithm = "zstd"
	// LZ4 is the LZ4 frame format: the fastest, lowest ratio.
	LZ4 Algorithm = "lz4"
	// Gzip is gzip (RFC 1952), for compatibility with other tools.
	Gzip Algorithm = "gzip"
)

// ErrLevel is returned for a level outside the algorithm's range.
var ErrLevel = errors.New("compress: level out of range")

// ErrUnknownAlgorithm is returned for an algorithm name this package does
// not know.
var ErrUnknownAlgorithm = errors.New("compress: unknown algorithm")

// Options tune a compression Transform. The zero value gives each
// algorithm's default level and concurrency.
type Options struct {
	// Level is the compression level; zero means the algorithm's default.
	// Zstd: 1 (fastest) to 22, default 3 (mapped onto the encoder's four
	// speed classes: 1, 2–5, 6–9, 10+). LZ4: 1 to 9 (zero is the fast mode).
	// Gzip: 1 to 9, or -2 for Huffman-only, default 6.
	Level int
	// Concurrency is the number of goroutines used to compress (zstd and
	// lz4) or, for zstd, to decode blocks ahead of the reader. Zero means
	// the library default (for zstd, GOMAXPROCS when compressing and
	// min(4, GOMAXPROCS) when decompressing; for lz4, 1). One disables all
	// background work.
	Concurrency int
	// MaxWindow caps the zstd window a decoder accepts, bounding its
	// memory; zero means 128 MiB. The encoder's window is chosen by level.
	MaxWindow uint64
}

// Transform compresses on the write side and decompresses on the read side.
// It implements stream.Transform and is safe for concurrent use.
type Transform struct {
	alg  Algorithm
	opts Options
}

var _ stream.Transform = (*Transform)(nil)

// New returns a Transform for alg after checking opts.Level.
func New(alg Algorithm, opts Options) (*Transform, error) {
	lo, hi := 0, 0
	switch alg {
	case Zstd:
		lo, hi = 1, 22
	case LZ4:
		lo, hi = 1, 9
	case Gzip:
		lo, hi = gzip.HuffmanOnly, gzip.BestCompression
	default:
		return nil, fmt.Errorf("%w %q", ErrUnknownAlgorithm, alg)
	}
	if opts.Level != 0 && (opts.Level < lo || opts.Level > hi) {
		return nil, fmt.Errorf("%w: %s level %d (want %d..%d)", ErrLevel, alg, opts.Level, lo, hi)
	}
	if opts.Concurrency < 0 {
		return nil, fmt.Errorf("compress: negative concurrency %d", opts.Concurrency)
	}
	return &Transform{alg: alg, opts: opts}, nil
}

// Algorithm returns the transform's algorithm.
func (t *Transform) Algorithm() Algorithm { return t.alg }

// Spec returns the algorithm name with the level as the only parameter
// (when set). Concurrency is local to each side and not announced.
func (t *Transform) Spec() stream.Spec {
	s := stream.Spec{Name: string(t.alg)}
	if t.opts.Level != 0 {
		s.Params = map[string]string{"level": strconv.Itoa(t.opts.Level)}
	}
	return s
}

// NewWriter returns a compressing writer. Close flushes the final frame and
// stops any helper goroutines; it does not close w.
func (t *Transform) NewWriter(w io.Writer) (io.WriteCloser, error) {
	switch t.alg {
	case Zstd:
		opts := []zstd.EOption{}
		if t.opts.Level != 0 {
			opts = append(opts, zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(t.opts.Level)))
		}
		if t.opts.Concurrency > 0 {
			opts = append(opts, zstd.WithEncoderConcurrency(t.opts.Concurrency))
		}
		return zstd.NewWriter(w, opts...)
	case LZ4:
		zw := lz4.NewWriter(w)
		opts := []lz4.Option{}
		if t.opts.Level != 0 {
			opts = append(opts, lz4.CompressionLevelOption(lz4.CompressionLevel(1<<(8+t.opts.Level))))
		}
		if t.opts.Concurrency > 0 {
			opts = append(opts, lz4.ConcurrencyOption(t.opts.Concurrency))
		}
		if err := zw.Apply(opts...); err != nil {
			return nil, fmt.Errorf("compress: lz4: %w", err)
		}
		return zw, nil
	case Gzip:
		level := t.opts.Level
		if level == 0 {
			level = gzip.DefaultCompression
		}
		return gzip.NewWriterLevel(w, level)
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownAlgorithm, t.alg)
}

// NewReader returns a decompressing reader. Close stops the decoder's
// helper goroutines and must be called; it does not close r. The gzip
// reader reads the gzip header lazily, on the first Read.
func (t *Transform) NewReader(r io.Reader) (io.ReadCloser, error) {
	switch t.alg {
	case Zstd:
		maxWin := t.opts.MaxWindow
		if maxWin == 0 {
			maxWin = 128 << 20
		}
		opts := []zstd.DOption{zstd.WithDecoderMaxWindow(maxWin)}
		if t.opts.Concurrency > 0 {
			opts = append(opts, zstd.WithDecoderConcurrency(t.opts.Concurrency))
		}
		d, err := zstd.NewReader(r, opts...)
		if err != nil {
			return nil, err
		}
		return zstdReader{d}, nil
	case LZ4:
		return io.NopCloser(lz4.NewReader(r)), nil
	case Gzip:
		return &lazyGzip{src: r}, nil
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownAlgorithm, t.alg)
}

// zstdReader gives a zstd.Decoder an io.Closer while keeping its WriteTo.
type zstdReader struct{ *zstd.Decoder }

func (z zstdReader) Close() error {
	z.Decoder.Close()
	return nil
}

// lazyGzip defers reading the gzip header to the first Read so that
// building a reader never blocks on the source.
type lazyGzip struct {
	src io.Reader
	zr  *gzip.Reader
	err error
}

func (g *lazyGzip) init() error {
	if g.zr == nil && g.err == nil {
		g.zr, g.err = gzip.NewReader(g.src)
	}
	return g.err
}

func (g *lazyGzip) Read(p []byte) (int, error) {
	if err := g.init(); err != nil {
		return 0, err
	}
	return g.zr.Read(p)
}

func (g *lazyGzip) WriteTo(w io.Writer) (int64, error) {
	if err := g.init(); err != nil {
		return 0, err
	}
	return g.zr.WriteTo(w)
}

func (g *lazyGzip) Close() error {
	if g.zr == nil {
		return nil
	}
	return g.zr.Close()
}

// FromSpec builds the Transform a Spec describes, with opts supplying the
// local settings (concurrency, window limit); a "level" parameter overrides
// opts.Level.
func FromSpec(spec stream.Spec, opts Options) (*Transform, error) {
	if l, ok := spec.Params["level"]; ok {
		n, err := strconv.Atoi(l)
		if err != nil {
			return nil, fmt.Errorf("%w: %q", ErrLevel, l)
		}
		opts.Level = n
	}
	return New(Algorithm(spec.Name), opts)
}

// Register adds factories for "zstd", "lz4" and "gzip" to g, using opts for
// local settings.
func Register(g *stream.Registry, opts Options) {
	f := func(s stream.Spec) (stream.Transform, error) { return FromSpec(s, opts) }
	for _, a := range []Algorithm{Zstd, LZ4, Gzip} {
		g.Register(string(a), f)
	}
}
