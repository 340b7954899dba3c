package stream_test

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gozfs/gozfs/stream"
)

// slowWriter sleeps d per Write: a stage with real "own work".
type slowWriter struct {
	w io.Writer
	d time.Duration
}

func (s slowWriter) Write(p []byte) (int, error) { time.Sleep(s.d); return s.w.Write(p) }
func (s slowWriter) Close() error                { return nil }

func slow(d time.Duration) stream.WriteTransform {
	return func(w io.Writer) (io.WriteCloser, error) { return slowWriter{w, d}, nil }
}

type slowReader struct {
	r io.Reader
	d time.Duration
}

func (s slowReader) Read(p []byte) (int, error) { time.Sleep(s.d); return s.r.Read(p) }

func stageByName(t *testing.T, r stream.Report, name string) stream.StageReport {
	t.Helper()
	for _, s := range r.Stages {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no stage %q in %v", name, r)
	return stream.StageReport{}
}

func TestPipelineFindsBottleneck(t *testing.T) {
	tests := []struct {
		name       string
		slowStage  string
		transforms func(p *stream.Pipeline) []stream.WriteTransform
		sinkDelay  time.Duration
	}{
		{"slow transform", "encrypt", func(p *stream.Pipeline) []stream.WriteTransform {
			return []stream.WriteTransform{p.Writer("compress", slow(0)), p.Writer("encrypt", slow(2*time.Millisecond))}
		}, 0},
		{"slow sink", "network", func(p *stream.Pipeline) []stream.WriteTransform {
			return []stream.WriteTransform{p.Writer("compress", slow(0)), p.Writer("encrypt", slow(0))}
		}, 2 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := stream.NewPipeline()
			sink := p.Sink("network", slowWriter{io.Discard, tt.sinkDelay})
			w, err := stream.ChainWriter(sink, tt.transforms(p)...)
			if err != nil {
				t.Fatal(err)
			}
			src := p.Source("zfs send", bytes.NewReader(make([]byte, 20*1024)))
			if _, err := io.CopyBuffer(struct{ io.Writer }{w}, src, make([]byte, 1024)); err != nil {
				t.Fatal(err)
			}
			w.Close()
			r := p.Report()
			if r.Bottleneck != tt.slowStage {
				t.Errorf("bottleneck %q, want %q\n%v", r.Bottleneck, tt.slowStage, r)
			}
			var names []string
			for _, s := range r.Stages {
				names = append(names, s.Name)
			}
			if got := strings.Join(names, ","); got != "zfs send,compress,encrypt,network" {
				t.Errorf("stage order %s", got)
			}
			c := stageByName(t, r, "compress")
			if c.Bytes != 20*1024 || c.Calls != 20 {
				t.Errorf("compress bytes %d calls %d", c.Bytes, c.Calls)
			}
			// compress does nothing itself: nearly all its time is blocked
			// on the slow stage downstream.
			if c.Blocked < 30*time.Millisecond || c.Busy > c.Blocked {
				t.Errorf("compress busy %v blocked %v", c.Busy, c.Blocked)
			}
			if !strings.Contains(r.String(), "bottleneck: "+tt.slowStage) {
				t.Errorf("String() lacks bottleneck line:\n%s", r)
			}
			if _, err := json.Marshal(r); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestPipelineReadSideAndBuffer(t *testing.T) {
	p := stream.NewPipeline()
	src := p.Source("disk", slowReader{bytes.NewReader(make([]byte, 64*1024)), time.Millisecond})
	r, err := stream.ChainReader(src,
		p.Reader("decompress", stream.ReaderFunc(func(r io.Reader) io.Reader { return r })),
		p.BufferReader("mbuffer", stream.BufferOptions{Size: 8192, BlockSize: 1024}))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w, _ := stream.ChainWriter(p.Sink("file", &out), p.BufferWriter("wbuf", stream.BufferOptions{Size: 4096}))
	if _, err := io.Copy(w, r); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rep := p.Report()
	if rep.Bottleneck != "disk" {
		t.Errorf("bottleneck %q, want disk\n%v", rep.Bottleneck, rep)
	}
	var names []string
	for _, s := range rep.Stages {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, ","); got != "disk,decompress,mbuffer,wbuf,file" {
		t.Errorf("stage order %s", got)
	}
	// The consumer waited on the buffer because the disk was slow.
	if mb := stageByName(t, rep, "mbuffer"); mb.Blocked < 10*time.Millisecond || mb.Kind != stream.KindBuffer {
		t.Errorf("mbuffer %+v", mb)
	}
	if d := stageByName(t, rep, "decompress"); d.Blocked < 10*time.Millisecond {
		t.Errorf("decompress blocked %v, want most of the disk time", d.Blocked)
	}
	if out.Len() != 64*1024 {
		t.Errorf("out %d bytes", out.Len())
	}
}
