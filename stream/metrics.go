package stream

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

// StageKind classifies a pipeline stage.
type StageKind string

// The stage kinds.
const (
	KindSource    StageKind = "source"
	KindTransform StageKind = "transform"
	KindBuffer    StageKind = "buffer"
	KindSink      StageKind = "sink"
)

// Pipeline measures where the time goes in a chain of stages: for each stage
// the time spent doing its own work (busy) and the time spent waiting for
// the neighbour it hands data to or takes data from (blocked), so the
// slowest stage can be named.
//
// Wrap each part as it is built: Source for the reader that produces data,
// Sink for the writer that consumes it, Writer and Reader for transforms,
// and BufferWriter or BufferReader for buffers. The wrappers time every
// Read, Write and Close call. A transform that calls into the next stage
// from the same call (the usual case) is linked to it automatically when the
// next stage is itself a wrapper from this Pipeline, and the time spent in
// the next stage is subtracted from its own. For stages that hand data to
// other goroutines (buffers, or codecs with internal concurrency) the busy
// time is the time callers waited on the stage.
//
// A Pipeline is safe for concurrent use. It measures wall-clock time from
// NewPipeline to Report.
type Pipeline struct {
	start  time.Time
	mu     sync.Mutex
	stages []*stage
}

type stage struct {
	name  string
	kind  StageKind
	read  bool   // read-direction stage (times Read calls)
	inner *stage // the stage this one calls synchronously, if any
	next  *stage // the neighbour it exchanges data with (for ordering)
	buf   *Buffer

	calls atomic.Int64
	bytes atomic.Int64
	nanos atomic.Int64 // inclusive time in calls
}

func (s *stage) observe(t0 time.Time, n int) {
	s.nanos.Add(int64(time.Since(t0)))
	s.calls.Add(1)
	s.bytes.Add(int64(n))
}

// NewPipeline returns an empty Pipeline whose clock starts now.
func NewPipeline() *Pipeline { return &Pipeline{start: time.Now()} }

func (p *Pipeline) add(s *stage) *stage {
	p.mu.Lock()
	p.stages = append(p.stages, s)
	p.mu.Unlock()
	return s
}

// stageOf returns the stage of a wrapper made by p, or nil.
func (p *Pipeline) stageOf(v any) *stage {
	var s *stage
	switch t := v.(type) {
	case *timedWriter:
		if t.p == p {
			s = t.s
		}
	case *timedReader:
		if t.p == p {
			s = t.s
		}
	}
	return s
}

// Source wraps the reader that produces the data, timing its Read calls.
func (p *Pipeline) Source(name string, r io.Reader) io.Reader {
	return &timedReader{p: p, s: p.add(&stage{name: name, kind: KindSource, read: true}), r: r}
}

// Sink wraps the writer that consumes the data, timing its Write calls.
func (p *Pipeline) Sink(name string, w io.Writer) io.Writer {
	return &timedWriter{p: p, s: p.add(&stage{name: name, kind: KindSink}), w: w}
}

// Writer wraps a write transform so that its Write and Close calls are
// timed; the stage is linked to the stage it writes into when that is a
// wrapper from p.
func (p *Pipeline) Writer(name string, t WriteTransform) WriteTransform {
	return func(w io.Writer) (io.WriteCloser, error) {
		in := p.stageOf(w)
		s := p.add(&stage{name: name, kind: KindTransform, inner: in, next: in})
		wc, err := t(w)
		if err != nil {
			return nil, err
		}
		return &timedWriter{p: p, s: s, w: wc, c: wc}, nil
	}
}

// Reader wraps a read transform so that its Read and Close calls are timed;
// the stage is linked to the stage it reads from when that is a wrapper from
// p.
func (p *Pipeline) Reader(name string, t ReadTransform) ReadTransform {
	return func(r io.Reader) (io.ReadCloser, error) {
		in := p.stageOf(r)
		s := p.add(&stage{name: name, kind: KindTransform, read: true, inner: in, next: in})
		rc, err := t(r)
		if err != nil {
			return nil, err
		}
		return &timedReader{p: p, s: s, r: rc, c: rc}, nil
	}
}

// BufferWriter is stream.BufferWriter as a timed stage; the writer's stalls
// on a full buffer are reported as the stage's blocked time.
func (p *Pipeline) BufferWriter(name string, opts BufferOptions) WriteTransform {
	return func(w io.Writer) (io.WriteCloser, error) {
		s := &stage{name: name, kind: KindBuffer, next: p.stageOf(w)}
		wc, err := BufferWriter(opts, func(b *Buffer) { s.buf = b })(w)
		if err != nil {
			return nil, err
		}
		p.add(s)
		return &timedWriter{p: p, s: s, w: wc, c: wc}, nil
	}
}

// BufferReader is stream.BufferReader as a timed stage; the reader's stalls
// on an empty buffer are reported as the stage's blocked time.
func (p *Pipeline) BufferReader(name string, opts BufferOptions) ReadTransform {
	return func(r io.Reader) (io.ReadCloser, error) {
		s := &stage{name: name, kind: KindBuffer, read: true, next: p.stageOf(r)}
		rc, err := BufferReader(opts, func(b *Buffer) { s.buf = b })(r)
		if err != nil {
			return nil, err
		}
		p.add(s)
		return &timedReader{p: p, s: s, r: rc, c: rc}, nil
	}
}

// timeClose closes c, if any, counting the time it takes as the stage's work
// (closing flushes what the stage still holds).
func (s *stage) timeClose(c io.Closer) error {
	if c == nil {
		return nil
	}
	t0 := time.Now()
	err := c.Close()
	s.nanos.Add(int64(time.Since(t0)))
	return err
}

type timedWriter struct {
	p *Pipeline
	s *stage
	w io.Writer
	c io.Closer // nil for sinks
}

func (t *timedWriter) Write(b []byte) (int, error) {
	t0 := time.Now()
	n, err := t.w.Write(b)
	t.s.observe(t0, n)
	return n, err
}

func (t *timedWriter) Close() error { return t.s.timeClose(t.c) }

type timedReader struct {
	p *Pipeline
	s *stage
	r io.Reader
	c io.Closer // nil for sources
}

func (t *timedReader) Read(b []byte) (int, error) {
	t0 := time.Now()
	n, err := t.r.Read(b)
	t.s.observe(t0, n)
	return n, err
}

func (t *timedReader) Close() error { return t.s.timeClose(t.c) }

// StageReport is the measurement of one stage.
type StageReport struct {
	// Name is the name given when the stage was wrapped.
	Name string `json:"name"`
	// Kind is source, transform, buffer or sink.
	Kind StageKind `json:"kind"`
	// Bytes is the number of bytes written into the stage (write side) or
	// returned by it (read side).
	Bytes int64 `json:"bytes"`
	// Calls is the number of Read or Write calls.
	Calls int64 `json:"calls"`
	// Total is the time callers spent inside the stage's calls.
	Total time.Duration `json:"total_ns"`
	// Busy is the stage's own work: Total minus Blocked.
	Busy time.Duration `json:"busy_ns"`
	// Blocked is the time the stage waited on its neighbour: downstream for
	// write stages, upstream for read stages (for buffers, the stall time).
	Blocked time.Duration `json:"blocked_ns"`
	// Utilization is Busy as a fraction of the pipeline's wall time.
	Utilization float64 `json:"utilization"`
}

// Report is a Pipeline's measurements, stages in data-flow order (read
// stages from the source on, then write stages towards the sink).
type Report struct {
	// Wall is the time from NewPipeline to Report.
	Wall time.Duration `json:"wall_ns"`
	// Stages are the per-stage measurements.
	Stages []StageReport `json:"stages"`
	// Bottleneck names the stage with the most busy time, or is empty when
	// nothing was measured.
	Bottleneck string `json:"bottleneck"`
}

// Report returns the measurements so far. It may be called while the
// pipeline runs.
func (p *Pipeline) Report() Report {
	p.mu.Lock()
	stages := append([]*stage(nil), p.stages...)
	p.mu.Unlock()
	wall := time.Since(p.start)

	isNext := map[*stage]bool{}
	for _, s := range stages {
		if s.next != nil {
			isNext[s.next] = true
		}
	}
	var readOrder, writeOrder []*stage
	seen := map[*stage]bool{}
	for _, s := range stages {
		if isNext[s] || seen[s] {
			continue
		}
		// s is the head of a chain: walk inwards.
		var chain []*stage
		for c := s; c != nil && !seen[c]; c = c.next {
			seen[c] = true
			chain = append(chain, c)
		}
		if s.read {
			for i := len(chain) - 1; i >= 0; i-- { // source first
				readOrder = append(readOrder, chain[i])
			}
		} else {
			writeOrder = append(writeOrder, chain...)
		}
	}
	r := Report{Wall: wall}
	var best time.Duration = -1
	for _, s := range append(readOrder, writeOrder...) {
		sr := StageReport{
			Name:  s.name,
			Kind:  s.kind,
			Bytes: s.bytes.Load(),
			Calls: s.calls.Load(),
			Total: time.Duration(s.nanos.Load()),
		}
		switch {
		case s.buf != nil:
			st := s.buf.Stats()
			sr.Blocked = st.WriterStallTime
			if s.read {
				sr.Blocked = st.ReaderStallTime
			}
		case s.inner != nil:
			sr.Blocked = time.Duration(s.inner.nanos.Load())
		}
		sr.Blocked = min(sr.Blocked, sr.Total)
		sr.Busy = sr.Total - sr.Blocked
		if wall > 0 {
			sr.Utilization = float64(sr.Busy) / float64(wall)
		}
		if sr.Busy > best {
			best = sr.Busy
			r.Bottleneck = sr.Name
		}
		r.Stages = append(r.Stages, sr)
	}
	if best <= 0 {
		r.Bottleneck = ""
	}
	return r
}

// String formats the report as a table followed by the bottleneck line.
func (r Report) String() string {
	var sb strings.Builder
	tw := tabwriter.NewWriter(&sb, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stage\tkind\tbytes\tcalls\tbusy\tblocked\tbusy%\t")
	for _, s := range r.Stages {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%.1f%%\t\n", s.Name, s.Kind, FormatBytes(s.Bytes), s.Calls,
			roundDuration(s.Busy), roundDuration(s.Blocked), 100*s.Utilization)
	}
	tw.Flush()
	if r.Bottleneck != "" {
		fmt.Fprintf(&sb, "bottleneck: %s (wall %s)\n", r.Bottleneck, roundDuration(r.Wall))
	} else {
		fmt.Fprintf(&sb, "bottleneck: none measured (wall %s)\n", roundDuration(r.Wall))
	}
	return sb.String()
}

func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Microsecond)
	}
	return d
}
