package stream_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/gozfs/gozfs/stream"
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
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, "data"); err != nil {
		t.Fatal(err)
	}
	err = w.Close()
	if !errors.Is(err, errB) || !errors.Is(err, errC) {
		t.Errorf("Close error = %v, want both stage errors joined", err)
	}
	if got, want := strings.Join(log, ","), "a,b,c"; got != want {
		t.Errorf("close order = %s, want %s", got, want)
	}
	if got, want := dst.String(), "data<a><b><c>"; got != want {
		t.Errorf("dst = %q, want %q", got, want)
	}
	if _, err := w.Write([]byte("x")); !errors.Is(err, stream.ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
}

func TestChainBuildFailureClosesBuiltStages(t *testing.T) {
	var log []string
	boom := errors.New("boom")
	failing := func(io.Writer) (io.WriteCloser, error) { return nil, boom }
	_, err := stream.ChainWriter(io.Discard, failing, recording("b", &log, nil))
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if len(log) != 1 || log[0] != "b" {
		t.Errorf("closed stages = %v, want [b]", log)
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
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(want); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			r, err := stream.Decoder(&enc, tt.ts...)
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
				t.Errorf("round trip mismatch: got %d bytes, want %d", len(got), len(want))
			}
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
		if got := tt.spec.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestRegistry(t *testing.T) {
	var g stream.Registry
	g.Register("identity", func(stream.Spec) (stream.Transform, error) { return stream.Identity(), nil })
	ts, err := g.Build(stream.Spec{Name: "identity"})
	if err != nil || len(ts) != 1 || ts[0].Spec().Name != "identity" {
		t.Fatalf("Build = %v, %v", ts, err)
	}
	if _, err := g.Build(stream.Spec{Name: "rot13"}); !errors.Is(err, stream.ErrUnknownTransform) {
		t.Errorf("Build unknown = %v, want ErrUnknownTransform", err)
	}
	if got := g.Names(); len(got) != 1 || got[0] != "identity" {
		t.Errorf("Names = %v", got)
	}
	oneWay := stream.New(stream.Spec{Name: "w"}, nil, nil)
	if _, err := oneWay.NewWriter(io.Discard); !errors.Is(err, stream.ErrUnsupportedDirection) {
		t.Errorf("NewWriter on nil func = %v", err)
	}
}
