package transport_test

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gozfs/gozfs/stream/transport"
	"github.com/gozfs/gozfs/stream/transport/transporttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testPKI is a CA with a server certificate for the loopback and netns
// addresses and a client certificate.
type testPKI struct {
	ca     *transporttest.CA
	server tls.Certificate
	client tls.Certificate
}

func newTestPKI(tb testing.TB) *testPKI {
	tb.Helper()
	ca, err := transporttest.NewCA("test CA")
	require.NoError(tb, err)
	srv, err := ca.Issue("receiver", "127.0.0.1", "localhost", netnsServerIP)
	require.NoError(tb, err)
	cli, err := ca.Issue("sender")
	require.NoError(tb, err)
	return &testPKI{ca: ca, server: srv, client: cli}
}

func (p *testPKI) serverTLS(mutual bool) *tls.Config { return p.ca.ServerConfig(p.server, mutual) }

func (p *testPKI) clientTLS(withCert bool) *tls.Config {
	if withCert {
		return p.ca.ClientConfig(&p.client)
	}
	return p.ca.ClientConfig(nil)
}

// randomBytes returns n deterministic pseudo-random bytes.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// received is what a recordingHandler saw of one transfer.
type received struct {
	info    transport.Transfer
	sum     [32]byte
	n       int64
	readErr error
}

// recordingHandler hashes what it reads and records it. Hooks customise
// its behaviour.
type recordingHandler struct {
	// before runs before the first Read; a non-nil error rejects.
	before func(t *transport.Transfer) error
	// after runs after reading to EOF (or an error) with the read error.
	after func(t *transport.Transfer, err error) error
	// limit, if positive, stops reading after that many bytes and returns
	// errLimit.
	limit int64

	mu   sync.Mutex
	got  []received
	done chan received
}

var errLimit = errors.New("handler: stream too large")

func newRecordingHandler() *recordingHandler {
	return &recordingHandler{done: make(chan received, 16)}
}

func (h *recordingHandler) ServeTransfer(ctx context.Context, t *transport.Transfer, r io.Reader) error {
	rec := received{info: *t}
	var err error
	if h.before != nil {
		err = h.before(t)
	}
	if err == nil {
		hs := sha256.New()
		src := r
		if h.limit > 0 {
			src = io.LimitReader(r, h.limit)
		}
		rec.n, err = io.Copy(hs, src)
		copy(rec.sum[:], hs.Sum(nil))
		rec.readErr = err
		if err == nil && h.limit > 0 && rec.n == h.limit {
			err = errLimit
		}
		if h.after != nil {
			err = h.after(t, err)
		}
	}
	rec.info.Message = t.Message
	h.mu.Lock()
	h.got = append(h.got, rec)
	h.mu.Unlock()
	h.done <- rec
	return err
}

// startServer serves srv on a loopback listener until the test ends and
// returns the address. Serve's return value is checked on cleanup.
func startServer(tb testing.TB, srv *transport.Server) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	return serveOn(tb, srv, ln)
}

func serveOn(tb testing.TB, srv *transport.Server, ln net.Listener) string {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	tb.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(tb, err, "Serve")
		case <-time.After(10 * time.Second):
			assert.Fail(tb, "Serve did not return after cancel")
		}
	})
	return ln.Addr().String()
}

// proxy forwards loopback TCP connections to a target, optionally cutting
// or corrupting the sender-to-receiver direction. Plans are consumed one
// per accepted connection; connections beyond the plans pass untouched.
type proxy struct {
	ln     net.Listener
	target string
	plans  []proxyPlan
	conns  atomic.Int32
	wg     sync.WaitGroup
	mu     sync.Mutex
	open   map[net.Conn]struct{}
	closed bool
}

type proxyPlan struct {
	cutAfter   int64 // close both sides after this many upstream bytes (0: never)
	corruptAt  int64 // flip the byte at this upstream offset (-1: never)
	stallAfter int64 // stop forwarding after this many upstream bytes, keep the connection open (0: never)
}

func newProxy(tb testing.TB, target string, plans ...proxyPlan) *proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	p := &proxy{ln: ln, target: target, plans: plans, open: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.loop()
	tb.Cleanup(p.close)
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.Close()
		return false
	}
	p.open[c] = struct{}{}
	return true
}

func (p *proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	p.closed = true
	for c := range p.open {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *proxy) loop() {
	defer p.wg.Done()
	for {
		down, err := p.ln.Accept()
		if err != nil {
			return
		}
		n := int(p.conns.Add(1)) - 1
		plan := proxyPlan{corruptAt: -1}
		if n < len(p.plans) {
			plan = p.plans[n]
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			down.Close()
			continue
		}
		if !p.track(down) || !p.track(up) {
			down.Close()
			up.Close()
			return
		}
		p.wg.Add(2)
		go func() {
			defer p.wg.Done()
			p.forward(up, down, plan)
			up.Close()
			down.Close()
		}()
		go func() {
			defer p.wg.Done()
			io.Copy(down, up)
			up.Close()
			down.Close()
		}()
	}
}

// forward copies src to dst applying plan to the byte stream.
func (p *proxy) forward(dst, src net.Conn, plan proxyPlan) {
	buf := make([]byte, 32<<10)
	var off int64
	for {
		n, err := src.Read(buf)
		chunk := buf[:n]
		if plan.corruptAt >= off && plan.corruptAt < off+int64(n) {
			chunk[plan.corruptAt-off] ^= 0x55
		}
		if plan.cutAfter > 0 && off+int64(n) >= plan.cutAfter {
			dst.Write(chunk[:plan.cutAfter-off])
			return
		}
		if plan.stallAfter > 0 && off+int64(n) >= plan.stallAfter {
			dst.Write(chunk[:plan.stallAfter-off])
			io.Copy(io.Discard, src) // swallow until closed
			return
		}
		off += int64(n)
		if n > 0 {
			if _, werr := dst.Write(chunk); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func writeFile(name string, data []byte) error { return os.WriteFile(name, data, 0o600) }
