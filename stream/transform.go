package stream

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// WriteTransform wraps a destination writer: bytes written to the returned
// writer are transformed and written to w. Closing the returned writer must
// flush everything it buffered into w, but must not close w itself (the
// gzip.Writer convention).
type WriteTransform func(w io.Writer) (io.WriteCloser, error)

// ReadTransform wraps a source reader: reading from the returned reader yields
// the transformed bytes of r. Closing the returned reader releases its
// resources (goroutines, buffers) but must not close r itself.
type ReadTransform func(r io.Reader) (io.ReadCloser, error)

// Spec names a transform and its parameters. It is what a sender tells a
// receiver so the receiver can build the matching reverse transform. Params
// hold only non-secret values (levels, chunk sizes, key identifiers), never
// keys or passphrases, so a Spec may travel in clear text.
type Spec struct {
	// Name identifies the transform, e.g. "zstd", "lz4", "gzip", "encrypt",
	// "checksum". Names are lower case.
	Name string `json:"name"`
	// Params are the transform's non-secret parameters, e.g. {"level": "3"}.
	Params map[string]string `json:"params,omitempty"`
}

// String formats s as name(k=v,...) with parameters in key order, e.g.
// "zstd(level=3)", or just the name when there are no parameters.
func (s Spec) String() string {
	if len(s.Params) == 0 {
		return s.Name
	}
	keys := slices.Sorted(maps.Keys(s.Params))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + s.Params[k]
	}
	return s.Name + "(" + strings.Join(parts, ",") + ")"
}

// Transform is a named, reversible transform: NewWriter encodes and NewReader
// decodes what NewWriter produced. Compression, encryption and checksum
// trailers in the stream/... subpackages all implement it.
//
// Implementations must be safe for concurrent use: one Transform may build
// many writers and readers at once.
type Transform interface {
	// Spec describes the transform for the peer; it never contains secrets.
	Spec() Spec
	// NewWriter returns a writer that encodes into w. The caller must Close
	// it to flush; closing does not close w.
	NewWriter(w io.Writer) (io.WriteCloser, error)
	// NewReader returns a reader that decodes r. The caller must Close it;
	// closing does not close r.
	NewReader(r io.Reader) (io.ReadCloser, error)
}

// New returns a Transform with the given spec built from a write and a read
// function. Either function may be nil for a one-directional transform; the
// missing direction then fails with ErrUnsupportedDirection.
func New(spec Spec, w WriteTransform, r ReadTransform) Transform {
	return funcTransform{spec: spec, w: w, r: r}
}

// ErrUnsupportedDirection is returned by a Transform built with New when the
// direction asked for has no function.
var ErrUnsupportedDirection = errors.New("stream: transform does not support this direction")

type funcTransform struct {
	spec Spec
	w    WriteTransform
	r    ReadTransform
}

func (t funcTransform) Spec() Spec { return t.spec }

func (t funcTransform) NewWriter(w io.Writer) (io.WriteCloser, error) {
	if t.w == nil {
		return nil, fmt.Errorf("%s writer: %w", t.spec.Name, ErrUnsupportedDirection)
	}
	return t.w(w)
}

func (t funcTransform) NewReader(r io.Reader) (io.ReadCloser, error) {
	if t.r == nil {
		return nil, fmt.Errorf("%s reader: %w", t.spec.Name, ErrUnsupportedDirection)
	}
	return t.r(r)
}

// Writers returns the write side of each transform, in order, for ChainWriter.
func Writers(ts ...Transform) []WriteTransform {
	out := make([]WriteTransform, len(ts))
	for i, t := range ts {
		out[i] = t.NewWriter
	}
	return out
}

// Readers returns the read side of each transform in reverse order, so that
// ChainReader(src, Readers(ts...)...) undoes ChainWriter(dst, Writers(ts...)...).
func Readers(ts ...Transform) []ReadTransform {
	out := make([]ReadTransform, len(ts))
	for i, t := range ts {
		out[len(ts)-1-i] = t.NewReader
	}
	return out
}

// Specs returns the spec of each transform, in the order given.
func Specs(ts ...Transform) []Spec {
	out := make([]Spec, len(ts))
	for i, t := range ts {
		out[i] = t.Spec()
	}
	return out
}

// Encoder chains the write sides of ts in front of dst: data written to the
// result passes through ts[0] first, then ts[1], and so on, and then reaches
// dst. It is ChainWriter(dst, Writers(ts...)...).
func Encoder(dst io.Writer, ts ...Transform) (io.WriteCloser, error) {
	return ChainWriter(dst, Writers(ts...)...)
}

// Decoder undoes Encoder: it applies the read sides of ts in reverse order, so
// Decoder(src, ts...) yields what was written to Encoder(dst, ts...). It is
// ChainReader(src, Readers(ts...)...).
func Decoder(src io.Reader, ts ...Transform) (io.ReadCloser, error) {
	return ChainReader(src, Readers(ts...)...)
}

// ChainWriter builds a pipeline of write transforms in front of dst. Data
// written to the result flows through ts[0], then ts[1], ..., then into dst;
// for example ChainWriter(dst, compress, encrypt) compresses and then
// encrypts.
//
// Closing the result closes each stage in data-flow order (ts[0] first), so
// every stage's final flush reaches the next stage before that one closes.
// All stages are closed even if one fails; the errors are joined. dst is not
// closed. With no transforms the result writes straight to dst.
//
// If building a stage fails, the stages already built are closed and the
// error is returned.
func ChainWriter(dst io.Writer, ts ...WriteTransform) (io.WriteCloser, error) {
	stages := make([]io.WriteCloser, len(ts))
	w := dst
	// Build from the sink backwards: the last transform wraps dst.
	for i := len(ts) - 1; i >= 0; i-- {
		wc, err := ts[i](w)
		if err != nil {
			var errs []error
			for _, s := range stages[i+1:] {
				errs = append(errs, s.Close())
			}
			return nil, errors.Join(append([]error{fmt.Errorf("stream: write transform %d: %w", i, err)}, errs...)...)
		}
		stages[i] = wc
		w = wc
	}
	return &chainWriter{w: w, stages: stages}, nil
}

type chainWriter struct {
	w      io.Writer
	stages []io.WriteCloser
	closed bool
}

func (c *chainWriter) Write(p []byte) (int, error) {
	if c.closed {
		return 0, ErrClosed
	}
	return c.w.Write(p)
}

// ReadFrom lets io.Copy use the first stage's ReadFrom when it has one.
func (c *chainWriter) ReadFrom(r io.Reader) (int64, error) {
	if c.closed {
		return 0, ErrClosed
	}
	return io.Copy(c.w, r)
}

func (c *chainWriter) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	var errs []error
	for _, s := range c.stages {
		if err := s.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ErrClosed is returned when writing to or reading from a closed chain,
// buffer or other stream object of this package.
var ErrClosed = errors.New("stream: closed")

// ChainReader builds a pipeline of read transforms over src. Data flows from
// src through ts[0], then ts[1], ..., to the caller; for example
// ChainReader(src, decrypt, decompress) decrypts and then decompresses.
//
// Closing the result closes every stage, outermost (last) first, and joins
// the errors; src is not closed. If building a stage fails, the stages already
// built are closed and the error is returned.
func ChainReader(src io.Reader, ts ...ReadTransform) (io.ReadCloser, error) {
	stages := make([]io.ReadCloser, 0, len(ts))
	r := src
	for i, t := range ts {
		rc, err := t(r)
		if err != nil {
			errs := []error{fmt.Errorf("stream: read transform %d: %w", i, err)}
			for j := len(stages) - 1; j >= 0; j-- {
				errs = append(errs, stages[j].Close())
			}
			return nil, errors.Join(errs...)
		}
		stages = append(stages, rc)
		r = rc
	}
	return &chainReader{r: r, stages: stages}, nil
}

type chainReader struct {
	r      io.Reader
	stages []io.ReadCloser
	closed bool
}

func (c *chainReader) Read(p []byte) (int, error) {
	if c.closed {
		return 0, ErrClosed
	}
	return c.r.Read(p)
}

// WriteTo lets io.Copy use the last stage's WriteTo when it has one.
func (c *chainReader) WriteTo(w io.Writer) (int64, error) {
	if c.closed {
		return 0, ErrClosed
	}
	return io.Copy(w, c.r)
}

func (c *chainReader) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	var errs []error
	for i := len(c.stages) - 1; i >= 0; i-- {
		if err := c.stages[i].Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// WriterFunc adapts a constructor that cannot fail, such as
// func(io.Writer) *gzip.Writer or lz4.NewWriter, to a WriteTransform.
func WriterFunc[W io.WriteCloser](f func(io.Writer) W) WriteTransform {
	return func(w io.Writer) (io.WriteCloser, error) { return f(w), nil }
}

// WriterFuncErr adapts a constructor that can fail, such as
// func(w io.Writer) (*gzip.Writer, error), to a WriteTransform.
func WriterFuncErr[W io.WriteCloser](f func(io.Writer) (W, error)) WriteTransform {
	return func(w io.Writer) (io.WriteCloser, error) {
		wc, err := f(w)
		if err != nil {
			return nil, err
		}
		return wc, nil
	}
}

// ReaderFunc adapts a reader constructor that cannot fail, such as
// bufio.NewReader or lz4.NewReader, to a ReadTransform. If the constructed
// reader has a Close method returning error it is used; otherwise Close is a
// no-op.
func ReaderFunc[R io.Reader](f func(io.Reader) R) ReadTransform {
	return func(r io.Reader) (io.ReadCloser, error) { return asReadCloser(f(r)), nil }
}

// ReaderFuncErr adapts a reader constructor that can fail, such as
// func(r io.Reader) (*gzip.Reader, error), to a ReadTransform. Close is
// handled as in ReaderFunc.
func ReaderFuncErr[R io.Reader](f func(io.Reader) (R, error)) ReadTransform {
	return func(r io.Reader) (io.ReadCloser, error) {
		rd, err := f(r)
		if err != nil {
			return nil, err
		}
		return asReadCloser(rd), nil
	}
}

func asReadCloser(r io.Reader) io.ReadCloser {
	if rc, ok := r.(io.ReadCloser); ok {
		return rc
	}
	return io.NopCloser(r)
}

// NopWriteCloser returns w with a Close method that does nothing, the write
// side counterpart of io.NopCloser.
func NopWriteCloser(w io.Writer) io.WriteCloser {
	return nopWriteCloser{w}
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// Identity is the transform that passes bytes through unchanged; its Spec name
// is "identity". It is useful as a placeholder and as a benchmark baseline.
func Identity() Transform {
	return New(Spec{Name: "identity"},
		func(w io.Writer) (io.WriteCloser, error) { return NopWriteCloser(w), nil },
		func(r io.Reader) (io.ReadCloser, error) { return io.NopCloser(r), nil })
}

// Factory builds a Transform from a Spec received from a peer. Receivers use
// it to construct the transforms a sender announced; for transforms that need
// secrets (encryption) the factory closes over the receiver's own key.
type Factory func(spec Spec) (Transform, error)

// Registry maps transform names to factories. The zero value is empty and
// ready to use; a Registry is not safe for concurrent mutation, so fill it
// before sharing it. There is deliberately no global registry.
type Registry struct {
	factories map[string]Factory
}

// ErrUnknownTransform is returned by Registry.Build for a name that has no
// factory.
var ErrUnknownTransform = errors.New("stream: unknown transform")

// Register adds or replaces the factory for name.
func (g *Registry) Register(name string, f Factory) {
	if g.factories == nil {
		g.factories = make(map[string]Factory)
	}
	g.factories[name] = f
}

// Names returns the registered names in sorted order.
func (g *Registry) Names() []string {
	return slices.Sorted(maps.Keys(g.factories))
}

// Build builds one transform per spec, in order. A spec whose name is not
// registered yields an error matching ErrUnknownTransform.
func (g *Registry) Build(specs ...Spec) ([]Transform, error) {
	out := make([]Transform, 0, len(specs))
	for _, s := range specs {
		f, ok := g.factories[s.Name]
		if !ok {
			return nil, fmt.Errorf("%w %q", ErrUnknownTransform, s.Name)
		}
		t, err := f(s)
		if err != nil {
			return nil, fmt.Errorf("stream: build transform %s: %w", s, err)
		}
		out = append(out, t)
	}
	return out, nil
}
