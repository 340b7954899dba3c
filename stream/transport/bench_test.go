package transport_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gozfs/gozfs/stream/transport"
	"github.com/stretchr/testify/require"
)

// benchSize is the payload of one delivery in the benchmarks.
const benchSize = 64 << 20

// patternReader yields n bytes by copying from a fixed random block. It is
// not an io.WriterTo, so every consumer copies it through a buffer, as one
// reading a `zfs send` pipe would.
type patternReader struct {
	block []byte
	n     int64
	off   int
}

func newPattern(n int64) *patternReader {
	block := make([]byte, 1<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range block {
		block[i] = byte(r.Uint32())
	}
	return &patternReader{block: block, n: n}
}

func (p *patternReader) reset(n int64) { p.n, p.off = n, 0 }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.n {
		b = b[:p.n]
	}
	total := 0
	for len(b) > 0 {
		c := copy(b, p.block[p.off:])
		p.off = (p.off + c) % len(p.block)
		b = b[c:]
		total += c
	}
	p.n -= int64(total)
	return total, nil
}

// discard reads r to the end with a 256 KiB buffer, as `nc` or a
// `zfs receive` pipe writer would.
func discard(r io.Reader, buf []byte) (int64, error) {
	var n int64
	for {
		m, err := r.Read(buf)
		n += int64(m)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// tcpBaseline is a plain TCP copy over loopback: the in-process equivalent
// of `nc -l > sink` fed by `source | nc`.
type tcpBaseline struct {
	ln  net.Listener
	buf []byte
}

func newTCPBaseline(b *testing.B) *tcpBaseline {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	b.Cleanup(func() { ln.Close() })
	return &tcpBaseline{ln: ln, buf: make([]byte, 256<<10)}
}

func (tb *tcpBaseline) run(b *testing.B, src *patternReader) {
	var wg sync.WaitGroup
	var got int64
	var rerr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		c, err := tb.ln.Accept()
		if err != nil {
			rerr = err
			return
		}
		defer c.Close()
		got, rerr = discard(c, make([]byte, 256<<10))
	}()
	c, err := net.Dial("tcp", tb.ln.Addr().String())
	require.NoError(b, err)
	_, err = io.CopyBuffer(c, struct{ io.Reader }{src}, tb.buf)
	require.NoError(b, err)
	c.(*net.TCPConn).CloseWrite()
	wg.Wait()
	c.Close()
	require.NoError(b, rerr, "baseline")
	require.EqualValues(b, benchSize, got, "baseline bytes")
}

// ncBaseline pipes the bytes through two real netcat processes over
// loopback. It needs the OpenBSD netcat (-N closes on input EOF).
type ncBaseline struct{ path string }

func findNC(b *testing.B) *ncBaseline {
	path, err := exec.LookPath("nc")
	if err != nil {
		b.Skip("nc not installed")
	}
	out, _ := exec.Command(path, "-h").CombinedOutput()
	if !strings.Contains(string(out), "OpenBSD") {
		b.Skip("nc is not the OpenBSD netcat")
	}
	return &ncBaseline{path: path}
}

func (nb *ncBaseline) run(b *testing.B, src *patternReader) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	srv := exec.Command(nb.path, "-l", "127.0.0.1", fmt.Sprint(port))
	out, err := srv.StdoutPipe()
	require.NoError(b, err)
	require.NoError(b, srv.Start())
	var got int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		got, _ = discard(out, make([]byte, 256<<10))
	}()
	waitListening(b, port)
	cli := exec.Command(nb.path, "-N", "127.0.0.1", fmt.Sprint(port))
	in, err := cli.StdinPipe()
	require.NoError(b, err)
	require.NoError(b, cli.Start())
	io.CopyBuffer(in, struct{ io.Reader }{src}, make([]byte, 256<<10))
	in.Close()
	cli.Wait()
	wg.Wait()
	srv.Wait()
	require.EqualValues(b, benchSize, got, "nc delivered bytes")
}

// waitListening polls /proc/net/tcp until a socket listens on port, without
// connecting to it (netcat -l accepts a single connection).
func waitListening(b *testing.B, port int) {
	want := fmt.Sprintf(":%04X 00000000:0000 0A", port)
	for range 500 {
		data, err := os.ReadFile("/proc/net/tcp")
		if err != nil {
			b.Skip("no /proc/net/tcp to see netcat listen")
		}
		if strings.Contains(string(data), want) {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	require.Fail(b, "netcat did not start listening")
}

// benchServer starts a receiver whose handler discards with a 256 KiB
// buffer.
func benchServer(b *testing.B, cfg *tls.Config) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	srv := &transport.Server{TLSConfig: cfg, Handler: transport.HandlerFunc(
		func(ctx context.Context, t *transport.Transfer, r io.Reader) error {
			_, err := discard(r, make([]byte, 256<<10))
			return err
		})}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	b.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

// BenchmarkLoopback delivers benchSize bytes over loopback with this
// package and with a baseline in the same run, and reports both mean rates
// and ratio = ours/baseline throughput (higher is better), the median over
// iterations that each run both back to back.
//
//   - tls: TLS 1.3 (AES-GCM) with mutual authentication vs a plain TCP copy
//   - plain: this package without TLS vs a plain TCP copy
//   - tls-vs-nc: TLS vs two OpenBSD netcat processes (skipped without nc)
func BenchmarkLoopback(b *testing.B) {
	p := newTestPKI(b)
	cases := []struct {
		name   string
		tls    bool
		nc     bool
		frame  int
		window int
	}{
		{name: "tls", tls: true},
		{name: "plain"},
		{name: "tls-vs-nc", tls: true, nc: true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var base func(*testing.B, *patternReader)
			if c.nc {
				base = findNC(b).run
			} else {
				base = newTCPBaseline(b).run
			}
			s := &transport.Sender{FrameSize: c.frame, Window: c.window}
			if c.tls {
				s.Addr = benchServer(b, p.serverTLS(true))
				s.TLSConfig = p.clientTLS(true)
			} else {
				s.Addr = benchServer(b, nil)
			}
			src := newPattern(benchSize)
			ctx := context.Background()
			var ours, theirs, oursCPU, theirsCPU time.Duration
			ratios := make([]float64, 0, b.N)
			b.SetBytes(2 * benchSize)
			b.ResetTimer()
			for range b.N {
				src.reset(benchSize)
				start, cpu0 := time.Now(), cpuTime()
				res, err := s.SendReader(ctx, src, transport.Header{Dataset: "bench"})
				o, cpu1 := time.Since(start), cpuTime()
				require.NoError(b, err, "send")
				require.EqualValues(b, benchSize, res.Bytes, "send: %+v", res)
				src.reset(benchSize)
				start = time.Now()
				base(b, src)
				t, cpu2 := time.Since(start), cpuTime()
				ours, theirs = ours+o, theirs+t
				oursCPU, theirsCPU = oursCPU+cpu1-cpu0, theirsCPU+cpu2-cpu1
				ratios = append(ratios, t.Seconds()/o.Seconds())
			}
			mb := float64(b.N) * benchSize / 1e6
			b.ReportMetric(mb/ours.Seconds(), "ours-MB/s")
			b.ReportMetric(mb/theirs.Seconds(), "base-MB/s")
			// Each iteration runs both back to back; the median of those
			// paired ratios shrugs off load spikes from other processes.
			slices.Sort(ratios)
			b.ReportMetric(ratios[len(ratios)/2], "ratio")
			// CPU time (user+system, both ends, child processes included)
			// per byte does not depend on what else the machine runs.
			bytes := float64(b.N) * benchSize
			b.ReportMetric(float64(oursCPU.Nanoseconds())/bytes, "ours-cpu-ns/B")
			b.ReportMetric(float64(theirsCPU.Nanoseconds())/bytes, "base-cpu-ns/B")
		})
	}
}

// cpuTime is the CPU time used by this process and its waited-for children.
func cpuTime() time.Duration {
	var self, kids syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(kids.Utime) + tv(kids.Stime)
}
