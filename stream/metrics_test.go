package stream_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gozfs/gozfs/stream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	require.Fail(t, fmt.Sprintf("no stage %q in %v", name, r))
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
			require.NoError(t, err)
			src := p.Source("zfs send", bytes.NewReader(make([]byte, 20*1024)))
			_, err = io.CopyBuffer(struct{ io.Writer }{w}, src, make([]byte, 1024))
			require.NoError(t, err)
			w.Close()
			r := p.Report()
			assert.Equal(t, tt.slowStage, r.Bottleneck, "bottleneck %q, want %q\n%v", r.Bottleneck, tt.slowStage, r)
			var names []string
			for _, s := range r.Stages {
				names = append(names, s.Name)
			}
			assert.Equal(t, "zfs send,compress,encrypt,network", strings.Join(names, ","), "stage order")
			c := stageByName(t, r, "compress")
			assert.Equal(t, int64(20*1024), c.Bytes, "compress bytes")
			assert.Equal(t, int64(20), c.Calls, "compress bytes")
			// compress does nothing itself: nearly all its time is blocked
			// on the slow stage downstream.
			assert.GreaterOrEqual(t, c.Blocked, 30*time.Millisecond, "compress busy")
			assert.LessOrEqual(t, c.Busy, c.Blocked, "compress busy")
			assert.Contains(t, r.String(), "bottleneck: "+tt.slowStage, "String() lacks bottleneck line")
			_, err = json.Marshal(r)
			assert.NoError(t, err)
		})
	}
}

func TestPipelineReadSideAndBuffer(t *testing.T) {
	p := stream.NewPipeline()
	src := p.Source("disk", slowReader{bytes.NewReader(make([]byte, 64*1024)), time.Millisecond})
	r, err := stream.ChainReader(src,
		p.Reader("decompress", stream.ReaderFunc(func(r io.Reader) io.Reader { return r })),
		p.BufferReader("mbuffer", stream.BufferOptions{Size: 8192, BlockSize: 1024}))
	require.NoError(t, err)
	var out bytes.Buffer
	w, _ := stream.ChainWriter(p.Sink("file", &out), p.BufferWriter("wbuf", stream.BufferOptions{Size: 4096}))
	_, err = io.Copy(w, r)
	require.NoError(t, err)
	r.Close()
	require.NoError(t, w.Close())
	rep := p.Report()
	assert.Equal(t, "disk", rep.Bottleneck, "bottleneck %q, want disk\n%v", rep.Bottleneck, rep)
	var names []string
	for _, s := range rep.Stages {
		names = append(names, s.Name)
	}
	assert.Equal(t, "disk,decompress,mbuffer,wbuf,file", strings.Join(names, ","), "stage order")
	// The consumer waited on the buffer because the disk was slow.
	mb := stageByName(t, rep, "mbuffer")
	assert.GreaterOrEqual(t, mb.Blocked, 10*time.Millisecond, "mbuffer %+v", mb)
	assert.Equal(t, stream.KindBuffer, mb.Kind, "mbuffer %+v", mb)
	assert.GreaterOrEqual(t, stageByName(t, rep, "decompress").Blocked, 10*time.Millisecond, "decompress blocked")
	assert.Equal(t, 64*1024, out.Len(), "out")
}
