package stream_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/gozfs/gozfs/stream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordingWriter records the order in which stages close.
type recordingWriter struct {
	name string
	w    io.Writer
	log  *[]string
	err  error
}

func (r *recordingWriter) Write(p []byte) (int, error) { return r.w.Write(p) }
func (r *recordingWriter) Close() error {
	// A stage flushes a marker on close so we can see flushes propagate.
	if _, err := r.w.Write([]byte("<" + r.name + ">")); err != nil {
		return err
	}
	*r.log = append(*r.log, r.name)
	return r.err
}

func recording(name string, log *[]string, err error) stream.WriteTransform {
	return func(w io.Writer) (io.WriteCloser, error) {
		return &recordingWriter{name: name, w: w, log: log, err: err}, nil
	}
}

func TestChainWriterCloseOrderAndFlush(t *testing.T) {
	var log []string
	var dst bytes.Buffer
	errB := errors.New("b failed")
	errC := errors.New("c failed")
	w, err := stream.ChainWriter(&dst, recording("a", &log, nil), recording("b", &log, errB), recording("c", &log, errC))
	require.NoError(t, err)
	_, err = io.WriteString(w, "data")
	require.NoError(t, err)
	err = w.Close()
	assert.ErrorIs(t, err, errB, "Close error")
	assert.ErrorIs(t, err, errC, "Close error")
	assert.Equal(t, "a,b,c", strings.Join(log, ","), "close order")
	assert.Equal(t, "data<a><b><c>", dst.String(), "dst")
	_, err = w.Write([]byte("x"))
	assert.ErrorIs(t, err, stream.ErrClosed, "Write after Close")
	assert.NoError(t, w.Close(), "second Close")
}

func TestChainBuildFailureClosesBuiltStages(t *testing.T) {
	var log []string
	boom := errors.New("boom")
	failing := func(io.Writer) (io.WriteCloser, error) { return nil, boom }
	_, err := stream.ChainWriter(io.Discard, failing, recording("b", &log, nil))
	require.ErrorIs(t, err, boom)
	if assert.Len(t, log, 1, "closed stages") {
		assert.Equal(t, "b", log[0], "closed stages")
	}
}

func TestEncoderDecoderRoundTrip(t *testing.T) {
	gz := stream.New(stream.Spec{Name: "gzip"},
		stream.WriterFunc(gzip.NewWriter),
		stream.ReaderFuncErr(gzip.NewReader))
	tests := []struct {
		name string
		ts   []stream.Transform
	}{
		{"none", nil},
		{"identity", []stream.Transform{stream.Identity()}},
		{"gzip", []stream.Transform{gz}},
		{"gzip-twice", []stream.Transform{gz, stream.Identity(), gz}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := bytes.Repeat([]byte("hello transform "), 1000)
			var enc bytes.Buffer
			w, err := stream.Encoder(&enc, tt.ts...)
			require.NoError(t, err)
			_, err = w.Write(want)
			require.NoError(t, err)
			require.NoError(t, w.Close())
			r, err := stream.Decoder(&enc, tt.ts...)
			require.NoError(t, err)
			got, err := io.ReadAll(r)
			require.NoError(t, err)
			require.NoError(t, r.Close())
			assert.Equal(t, want, got, "round trip mismatch")
		})
	}
}

func TestSpecString(t *testing.T) {
	tests := []struct {
		spec stream.Spec
		want string
	}{
		{stream.Spec{Name: "zstd"}, "zstd"},
		{stream.Spec{Name: "zstd", Params: map[string]string{"level": "3", "concurrency": "2"}}, "zstd(concurrency=2,level=3)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.spec.String(), "String()")
	}
}

func TestRegistry(t *testing.T) {
	var g stream.Registry
	g.Register("identity", func(stream.Spec) (stream.Transform, error) { return stream.Identity(), nil })
	ts, err := g.Build(stream.Spec{Name: "identity"})
	require.NoError(t, err, "Build")
	require.Len(t, ts, 1, "Build")
	require.Equal(t, "identity", ts[0].Spec().Name, "Build")
	_, err = g.Build(stream.Spec{Name: "rot13"})
	assert.ErrorIs(t, err, stream.ErrUnknownTransform, "Build unknown")
	got := g.Names()
	if assert.Len(t, got, 1, "Names") {
		assert.Equal(t, "identity", got[0], "Names")
	}
	oneWay := stream.New(stream.Spec{Name: "w"}, nil, nil)
	_, err = oneWay.NewWriter(io.Discard)
	assert.ErrorIs(t, err, stream.ErrUnsupportedDirection, "NewWriter on nil func")
}
