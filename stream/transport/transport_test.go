package transport_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/cpu"

	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/transport"
	"github.com/gozfs/gozfs/stream/transport/transporttest"
)

// waitReceived returns the next transfer the handler finished.
func waitReceived(t *testing.T, h *recordingHandler) received {
	t.Helper()
	select {
	case r := <-h.done:
		return r
	case <-time.After(20 * time.Second):
		t.Fatal("handler did not finish")
		return received{}
	}
}

func TestDeliver(t *testing.T) {
	p := newTestPKI(t)
	tests := []struct {
		name        string
		size        int
		tls, mutual bool
		frame       int
		window      int
	}{
		{name: "empty-plain", size: 0},
		{name: "one-byte-tls", size: 1, tls: true},
		{name: "small-frames-tiny-window-mtls", size: 3<<20 + 7, tls: true, mutual: true, frame: 64 << 10, window: 256 << 10},
		{name: "odd-frame-plain", size: 5<<20 + 1, frame: 100_003},
		{name: "large-mtls", size: 24 << 20, tls: true, mutual: true},
		{name: "max-frame-tls", size: 9 << 20, tls: true, frame: transport.MaxFrameSize, window: 4 << 20},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := randomBytes(tc.size, uint64(i))
			h := newRecordingHandler()
			h.before = func(tr *transport.Transfer) error {
				tr.Reply = map[string]string{"echo": tr.Meta["k"]}
				return nil
			}
			h.after = func(tr *transport.Transfer, err error) error {
				tr.Message = fmt.Sprintf("stored %s", tr.Dataset)
				return err
			}
			srv := &transport.Server{Handler: h}
			s := &transport.Sender{FrameSize: tc.frame, Window: tc.window}
			if tc.tls {
				srv.TLSConfig = p.serverTLS(tc.mutual)
				s.TLSConfig = p.clientTLS(tc.mutual)
			}
			s.Addr = startServer(t, srv)
			hdr := transport.Header{
				Dataset:    "tank/data",
				Size:       int64(tc.size),
				Transforms: []stream.Spec{{Name: "zstd", Params: map[string]string{"level": "3"}}, {Name: "encrypt"}},
				Meta:       map[string]string{"k": "v", "snapshot": "tank/data@1"},
			}
			res, err := s.SendReader(context.Background(), bytes.NewReader(data), hdr)
			if err != nil {
				t.Fatalf("SendReader: %v", err)
			}
			got := waitReceived(t, h)
			if want := sha256.Sum256(data); got.sum != want || got.n != int64(tc.size) {
				t.Errorf("handler got %d bytes sha256 %x, want %d bytes %x", got.n, got.sum, tc.size, want)
			}
			if got.readErr != nil {
				t.Errorf("handler read error: %v", got.readErr)
			}
			if res.Bytes != int64(tc.size) || res.ID == "" || res.Reconnects != 0 {
				t.Errorf("result = %+v", res)
			}
			if res.Message != "stored tank/data" || res.Reply["echo"] != "v" {
				t.Errorf("result message %q reply %v", res.Message, res.Reply)
			}
			info := got.info
			wantSize := int64(tc.size)
			if tc.size == 0 {
				wantSize = -1
			}
			if info.ID != res.ID || info.Dataset != hdr.Dataset || info.Size != wantSize ||
				len(info.Transforms) != 2 || info.Transforms[0].String() != "zstd(level=3)" ||
				info.Transforms[1].Name != "encrypt" || info.Meta["snapshot"] != "tank/data@1" {
				t.Errorf("handler saw header %+v", info.Header)
			}
			if tc.tls && aesHardware() && info.TLS.CipherSuite != tls.TLS_AES_128_GCM_SHA256 && info.TLS.CipherSuite != tls.TLS_AES_256_GCM_SHA384 {
				t.Errorf("negotiated %s, want an AES-GCM suite on AES hardware", tls.CipherSuiteName(info.TLS.CipherSuite))
			}
			switch {
			case !tc.tls && info.TLS != nil:
				t.Errorf("plain transfer has TLS state")
			case tc.mutual && (info.TLS == nil || len(info.TLS.PeerCertificates) == 0 ||
				info.TLS.PeerCertificates[0].Subject.CommonName != "sender"):
				t.Errorf("mutual TLS transfer lacks the client certificate")
			}
		})
	}
}

func TestTLSFailures(t *testing.T) {
	p := newTestPKI(t)
	other := newTestPKI(t)
	tests := []struct {
		name   string
		server *transport.Server
		sender func(addr string) *transport.Sender
	}{
		{
			name:   "client without certificate",
			server: &transport.Server{TLSConfig: p.serverTLS(true)},
			sender: func(a string) *transport.Sender { return &transport.Sender{Addr: a, TLSConfig: p.clientTLS(false)} },
		},
		{
			name:   "client certificate from another CA",
			server: &transport.Server{TLSConfig: p.serverTLS(true)},
			sender: func(a string) *transport.Sender {
				cfg := p.clientTLS(false)
				cfg.Certificates = other.clientTLS(true).Certificates
				return &transport.Sender{Addr: a, TLSConfig: cfg}
			},
		},
		{
			name:   "server not trusted",
			server: &transport.Server{TLSConfig: p.serverTLS(false)},
			sender: func(a string) *transport.Sender { return &transport.Sender{Addr: a, TLSConfig: other.clientTLS(true)} },
		},
		{
			name:   "wrong server name",
			server: &transport.Server{TLSConfig: p.serverTLS(false)},
			sender: func(a string) *transport.Sender {
				cfg := p.clientTLS(true)
				cfg.ServerName = "elsewhere.example"
				return &transport.Sender{Addr: a, TLSConfig: cfg}
			},
		},
		{
			name:   "TLS client, plain server",
			server: &transport.Server{},
			sender: func(a string) *transport.Sender { return &transport.Sender{Addr: a, TLSConfig: p.clientTLS(true)} },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var called atomic.Bool
			tc.server.Handler = transport.HandlerFunc(func(context.Context, *transport.Transfer, io.Reader) error {
				called.Store(true)
				return nil
			})
			s := tc.sender(startServer(t, tc.server))
			s.MaxReconnects = -1
			_, err := s.SendReader(context.Background(), strings.NewReader("payload"), transport.Header{})
			if !errors.Is(err, transport.ErrTLS) {
				t.Fatalf("err = %v, want ErrTLS", err)
			}
			var oe *transport.OpError
			if !errors.As(err, &oe) {
				t.Errorf("err %T is not an *OpError", err)
			}
			if called.Load() {
				t.Errorf("handler ran")
			}
		})
	}
}

func TestRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &transport.Sender{Addr: addr}
	_, err = s.SendReader(context.Background(), strings.NewReader("x"), transport.Header{})
	var oe *transport.OpError
	if !errors.Is(err, transport.ErrRefused) || !errors.As(err, &oe) || oe.Op != "dial" {
		t.Fatalf("err = %v, want ErrRefused from dial", err)
	}
}

// silentListener accepts connections and never answers.
func silentListener(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String()
}

func TestTimeouts(t *testing.T) {
	p := newTestPKI(t)
	addr := silentListener(t)
	tests := []struct {
		name string
		s    *transport.Sender
	}{
		{"TLS handshake", &transport.Sender{Addr: addr, TLSConfig: p.clientTLS(true), DialTimeout: 200 * time.Millisecond}},
		{"accept never comes", &transport.Sender{Addr: addr, IdleTimeout: 300 * time.Millisecond}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := tc.s.SendReader(context.Background(), strings.NewReader("x"), transport.Header{})
			if !errors.Is(err, transport.ErrTimeout) {
				t.Fatalf("err = %v, want ErrTimeout", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	t.Run("context deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		s := &transport.Sender{Addr: addr}
		_, err := s.SendReader(ctx, strings.NewReader("x"), transport.Header{})
		if !errors.Is(err, transport.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want ErrTimeout and DeadlineExceeded", err)
		}
	})
}

// countingSource records whether and where it was opened.
type countingSource struct {
	data   []byte
	opened atomic.Int32
	offset atomic.Int64
}

func (c *countingSource) Open(_ context.Context, off int64) (io.ReadCloser, error) {
	c.opened.Add(1)
	c.offset.Store(off)
	return io.NopCloser(bytes.NewReader(c.data[off:])), nil
}

func TestRejections(t *testing.T) {
	p := newTestPKI(t)
	data := randomBytes(16<<20, 7)
	tests := []struct {
		name      string
		handler   func(h *recordingHandler)
		wantMsg   string
		wantOpens int32
	}{
		{
			name: "at hello",
			handler: func(h *recordingHandler) {
				h.before = func(tr *transport.Transfer) error {
					return fmt.Errorf("unknown dataset %q", tr.Dataset)
				}
			},
			wantMsg: `unknown dataset "pool/missing"`,
		},
		{
			name:      "mid-stream",
			handler:   func(h *recordingHandler) { h.limit = 1 << 20 },
			wantMsg:   errLimit.Error(),
			wantOpens: 1,
		},
		{
			name: "after reading everything",
			handler: func(h *recordingHandler) {
				h.after = func(_ *transport.Transfer, err error) error {
					return errors.New("cannot receive: destination modified")
				}
			},
			wantMsg:   "destination modified",
			wantOpens: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newRecordingHandler()
			tc.handler(h)
			addr := startServer(t, &transport.Server{Handler: h, TLSConfig: p.serverTLS(true)})
			s := &transport.Sender{Addr: addr, TLSConfig: p.clientTLS(true)}
			src := &countingSource{data: data}
			_, err := s.Send(context.Background(), src, transport.Header{ID: "t-1", Dataset: "pool/missing"})
			var re *transport.RejectedError
			if !errors.As(err, &re) || !errors.Is(err, transport.ErrRejected) {
				t.Fatalf("err = %v, want *RejectedError", err)
			}
			if re.ID != "t-1" || !strings.Contains(re.Message, tc.wantMsg) {
				t.Errorf("rejection %+v, want message containing %q", re, tc.wantMsg)
			}
			if got := src.opened.Load(); got != tc.wantOpens {
				t.Errorf("source opened %d times, want %d", got, tc.wantOpens)
			}
			waitReceived(t, h)
		})
	}
}

func TestHandlerReturnsEarlyStillVerified(t *testing.T) {
	data := randomBytes(6<<20, 3)
	var calls atomic.Int32
	addr := startServer(t, &transport.Server{Handler: transport.HandlerFunc(
		func(_ context.Context, tr *transport.Transfer, r io.Reader) error {
			calls.Add(1)
			buf := make([]byte, 1000)
			_, err := io.ReadFull(r, buf) // read a little, accept the rest unread
			return err
		})})
	s := &transport.Sender{Addr: addr}
	res, err := s.SendReader(context.Background(), bytes.NewReader(data), transport.Header{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Bytes != int64(len(data)) || calls.Load() != 1 {
		t.Errorf("result %+v after %d handler calls", res, calls.Load())
	}
}

func TestResumeAfterDrops(t *testing.T) {
	p := newTestPKI(t)
	tests := []struct {
		name    string
		tls     bool
		size    int
		plans   []proxyPlan
		idle    time.Duration
		minRecs int
	}{
		{name: "tls cut once mid-frame", tls: true, size: 8 << 20, plans: []proxyPlan{{cutAfter: 1<<20 + 3, corruptAt: -1}}, minRecs: 1},
		{name: "plain cut three times", size: 12 << 20, plans: []proxyPlan{
			{cutAfter: 700_001, corruptAt: -1}, {cutAfter: 2 << 20, corruptAt: -1}, {cutAfter: 3<<20 + 11, corruptAt: -1},
		}, minRecs: 3},
		{name: "tls cut during hello", tls: true, size: 2 << 20, plans: []proxyPlan{{cutAfter: 40, corruptAt: -1}}, minRecs: 1},
		{name: "tls cut before end frame", tls: true, size: 1 << 20, plans: []proxyPlan{{cutAfter: 1<<20 + 100, corruptAt: -1}}, minRecs: 0},
		{name: "stalled connection hits idle timeout", tls: true, size: 4 << 20, idle: 400 * time.Millisecond,
			plans: []proxyPlan{{stallAfter: 1 << 20, corruptAt: -1}}, minRecs: 1},
		{name: "tls record corrupted", tls: true, size: 4 << 20, plans: []proxyPlan{{corruptAt: 100_000}}, minRecs: 1},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := randomBytes(tc.size, uint64(100+i))
			h := newRecordingHandler()
			srv := &transport.Server{Handler: h, IdleTimeout: tc.idle, ResumeTimeout: 10 * time.Second}
			s := &transport.Sender{IdleTimeout: tc.idle, ReconnectBackoff: 10 * time.Millisecond, FrameSize: 128 << 10, Window: 1 << 20}
			if tc.tls {
				srv.TLSConfig = p.serverTLS(true)
				s.TLSConfig = p.clientTLS(true)
			}
			px := newProxy(t, startServer(t, srv), tc.plans...)
			s.Addr = px.addr()
			if s.TLSConfig != nil {
				s.TLSConfig.ServerName = "127.0.0.1"
			}
			res, err := s.SendReader(context.Background(), bytes.NewReader(data), transport.Header{Dataset: "d"})
			if err != nil {
				t.Fatalf("SendReader: %v", err)
			}
			got := waitReceived(t, h)
			if want := sha256.Sum256(data); got.sum != want || got.n != int64(len(data)) {
				t.Fatalf("handler got %d bytes sha256 %x, want %d bytes %x", got.n, got.sum, len(data), want)
			}
			if res.Reconnects < tc.minRecs || res.Bytes != int64(len(data)) {
				t.Errorf("result %+v, want at least %d reconnects", res, tc.minRecs)
			}
			if n := len(h.got); n != 1 {
				t.Errorf("handler ran %d times", n)
			}
		})
	}
}

func TestChecksumMismatch(t *testing.T) {
	data := randomBytes(2<<20, 9)
	h := newRecordingHandler()
	px := newProxy(t, startServer(t, &transport.Server{Handler: h}), proxyPlan{corruptAt: 100_000})
	s := &transport.Sender{Addr: px.addr(), MaxReconnects: -1}
	_, err := s.SendReader(context.Background(), bytes.NewReader(data), transport.Header{})
	var ce *transport.ChecksumError
	if !errors.As(err, &ce) || !errors.Is(err, transport.ErrChecksum) {
		t.Fatalf("err = %v, want *ChecksumError", err)
	}
	if ce.Bytes != int64(len(data)) || ce.WantBytes != int64(len(data)) || ce.Sum == ce.WantSum {
		t.Errorf("checksum error %+v", ce)
	}
	got := waitReceived(t, h)
	if !errors.Is(got.readErr, transport.ErrChecksum) {
		t.Errorf("handler read error = %v, want ErrChecksum", got.readErr)
	}
}

// failingReader yields n bytes of data, then err.
type failingReader struct {
	r   io.Reader
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

func TestSenderGivesUp(t *testing.T) {
	data := randomBytes(4<<20, 11)
	srcErr := errors.New("zfs send: exit status 1")
	t.Run("source error", func(t *testing.T) {
		h := newRecordingHandler()
		s := &transport.Sender{Addr: startServer(t, &transport.Server{Handler: h})}
		src := &failingReader{r: bytes.NewReader(data), err: srcErr}
		_, err := s.SendReader(context.Background(), src, transport.Header{})
		if !errors.Is(err, srcErr) {
			t.Fatalf("err = %v, want the source's error", err)
		}
		got := waitReceived(t, h)
		if !errors.Is(got.readErr, transport.ErrAborted) || !strings.Contains(got.readErr.Error(), "exit status 1") {
			t.Errorf("handler read error = %v, want ErrAborted with the reason", got.readErr)
		}
	})
	t.Run("context cancelled", func(t *testing.T) {
		h := newRecordingHandler()
		s := &transport.Sender{Addr: startServer(t, &transport.Server{Handler: h})}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		src := transport.SourceFunc(func(ctx context.Context, _ int64) (io.ReadCloser, error) {
			return io.NopCloser(io.MultiReader(bytes.NewReader(data), ctxReader{ctx})), nil
		})
		go func() {
			time.Sleep(100 * time.Millisecond)
			cancel()
		}()
		_, err := s.Send(ctx, src, transport.Header{})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		got := waitReceived(t, h)
		if !errors.Is(got.readErr, transport.ErrAborted) {
			t.Errorf("handler read error = %v, want ErrAborted", got.readErr)
		}
	})
	t.Run("writer closed with error", func(t *testing.T) {
		h := newRecordingHandler()
		s := &transport.Sender{Addr: startServer(t, &transport.Server{Handler: h})}
		w := s.NewWriter(context.Background(), transport.Header{})
		if _, err := w.Write(data[:1<<20]); err != nil {
			t.Fatal(err)
		}
		err := w.CloseWithError(srcErr)
		if !errors.Is(err, srcErr) || w.Result() != nil {
			t.Fatalf("CloseWithError = %v, result %v", err, w.Result())
		}
		got := waitReceived(t, h)
		if !errors.Is(got.readErr, transport.ErrAborted) {
			t.Errorf("handler read error = %v, want ErrAborted", got.readErr)
		}
	})
}

// ctxReader blocks until its context ends.
type ctxReader struct{ ctx context.Context }

func (c ctxReader) Read([]byte) (int, error) {
	<-c.ctx.Done()
	return 0, c.ctx.Err()
}

func TestWriter(t *testing.T) {
	data := randomBytes(5<<20+13, 12)
	h := newRecordingHandler()
	s := &transport.Sender{Addr: startServer(t, &transport.Server{Handler: h})}
	w := s.NewWriter(context.Background(), transport.Header{Dataset: "w"})
	for off := 0; off < len(data); off += 100_000 {
		if _, err := w.Write(data[off:min(off+100_000, len(data))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	res := w.Result()
	got := waitReceived(t, h)
	if res == nil || res.Bytes != int64(len(data)) || got.sum != sha256.Sum256(data) {
		t.Fatalf("result %+v, handler got %d bytes", res, got.n)
	}
	if got.info.Dataset != "w" {
		t.Errorf("dataset %q", got.info.Dataset)
	}
}

func TestWriterRejected(t *testing.T) {
	h := newRecordingHandler()
	h.limit = 1 << 20
	s := &transport.Sender{Addr: startServer(t, &transport.Server{Handler: h})}
	w := s.NewWriter(context.Background(), transport.Header{})
	chunk := randomBytes(64<<10, 5)
	var err error
	for range 1000 { // far more than the handler takes
		if _, err = w.Write(chunk); err != nil {
			break
		}
	}
	if !errors.Is(err, transport.ErrRejected) {
		t.Errorf("Write error = %v, want the rejection", err)
	}
	if err := w.Close(); !errors.Is(err, transport.ErrRejected) {
		t.Errorf("Close = %v, want the rejection", err)
	}
	waitReceived(t, h)
}

func TestWriterConnectFailure(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	s := &transport.Sender{Addr: addr}
	w := s.NewWriter(context.Background(), transport.Header{})
	var err error
	for range 100 {
		if _, err = w.Write([]byte("data")); err != nil {
			break
		}
	}
	if !errors.Is(err, transport.ErrRefused) {
		t.Errorf("Write error = %v, want ErrRefused", err)
	}
	if err := w.Close(); !errors.Is(err, transport.ErrRefused) {
		t.Errorf("Close = %v, want ErrRefused", err)
	}
}

// killer is a dialer whose connections die after a byte budget, to play a
// sender process that crashes mid-transfer.
type killer struct {
	budget atomic.Int64
}

type killConn struct {
	net.Conn
	k *killer
}

func (c *killConn) Write(p []byte) (int, error) {
	if c.k.budget.Add(-int64(len(p))) < 0 {
		c.Conn.Close()
		return 0, errors.New("killed")
	}
	return c.Conn.Write(p)
}

func (k *killer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &killConn{Conn: c, k: k}, nil
}

func TestResumeWithNewSender(t *testing.T) {
	p := newTestPKI(t)
	data := randomBytes(8<<20, 13)
	h := newRecordingHandler()
	addr := startServer(t, &transport.Server{Handler: h, TLSConfig: p.serverTLS(true), ResumeTimeout: 10 * time.Second})

	k := &killer{}
	k.budget.Store(3 << 20)
	first := &transport.Sender{Addr: addr, TLSConfig: p.clientTLS(true), DialContext: k.dial, MaxReconnects: -1}
	hdr := transport.Header{ID: "resume-me", Dataset: "tank/r"}
	_, err := first.SendReader(context.Background(), bytes.NewReader(data), hdr)
	if !errors.Is(err, transport.ErrConnLost) {
		t.Fatalf("first sender: %v, want ErrConnLost", err)
	}

	second := &transport.Sender{Addr: addr, TLSConfig: p.clientTLS(true)}
	src := &countingSource{data: data}
	res, err := second.Resume(context.Background(), src, hdr)
	if err != nil {
		t.Fatalf("Resume: %v", err)
	}
	got := waitReceived(t, h)
	if got.sum != sha256.Sum256(data) || got.n != int64(len(data)) {
		t.Fatalf("handler got %d bytes, not the original stream", got.n)
	}
	off := src.offset.Load()
	if src.opened.Load() != 1 || off <= 0 || off >= int64(len(data)) {
		t.Errorf("source opened %d times at %d", src.opened.Load(), off)
	}
	if res.Bytes != int64(len(data)) {
		t.Errorf("result %+v", res)
	}

	t.Run("unknown transfer", func(t *testing.T) {
		_, err := second.Resume(context.Background(), src, transport.Header{ID: "no-such-transfer"})
		if !errors.Is(err, transport.ErrUnknownTransfer) {
			t.Fatalf("err = %v, want ErrUnknownTransfer", err)
		}
	})
	t.Run("other client certificate", func(t *testing.T) {
		k.budget.Store(1 << 20)
		hdr := transport.Header{ID: "mine"}
		if _, err := first.SendReader(context.Background(), bytes.NewReader(data), hdr); !errors.Is(err, transport.ErrConnLost) {
			t.Fatalf("first sender: %v", err)
		}
		cfg := p.clientTLS(false)
		cert, err := p.ca.Issue("intruder")
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificates = append(cfg.Certificates, cert)
		thief := &transport.Sender{Addr: addr, TLSConfig: cfg}
		if _, err := thief.Resume(context.Background(), src, hdr); !errors.Is(err, transport.ErrUnknownTransfer) {
			t.Fatalf("resume by another certificate: %v, want ErrUnknownTransfer", err)
		}
		if _, err := second.Resume(context.Background(), src, hdr); err != nil {
			t.Fatalf("resume by the owner: %v", err)
		}
		waitReceived(t, h)
	})
}

func TestReceiverResumeTimeout(t *testing.T) {
	data := randomBytes(4<<20, 14)
	h := newRecordingHandler()
	addr := startServer(t, &transport.Server{Handler: h, ResumeTimeout: 300 * time.Millisecond})
	px := newProxy(t, addr, proxyPlan{cutAfter: 1 << 20, corruptAt: -1})
	s := &transport.Sender{Addr: px.addr(), MaxReconnects: -1}
	_, err := s.SendReader(context.Background(), bytes.NewReader(data), transport.Header{})
	if !errors.Is(err, transport.ErrConnLost) {
		t.Fatalf("err = %v, want ErrConnLost", err)
	}
	got := waitReceived(t, h)
	if !errors.Is(got.readErr, transport.ErrTimeout) {
		t.Errorf("handler read error = %v, want ErrTimeout", got.readErr)
	}
}

func TestServerLimits(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	h := transport.HandlerFunc(func(ctx context.Context, tr *transport.Transfer, r io.Reader) error {
		started <- struct{}{}
		<-release
		_, err := io.Copy(io.Discard, r)
		return err
	})
	addr := startServer(t, &transport.Server{Handler: h, MaxTransfers: 1})
	s := &transport.Sender{Addr: addr}
	errc := make(chan error, 1)
	go func() {
		_, err := s.SendReader(context.Background(), strings.NewReader("first"), transport.Header{ID: "dup"})
		errc <- err
	}()
	<-started
	for _, tc := range []struct {
		name, id, want string
	}{
		{"busy", "other", "busy"},
		{"duplicate ID", "dup", "already in use"},
	} {
		_, err := s.SendReader(context.Background(), strings.NewReader("second"), transport.Header{ID: tc.id})
		var re *transport.RejectedError
		if !errors.As(err, &re) || !strings.Contains(re.Message, tc.want) {
			t.Errorf("%s: err = %v, want rejection containing %q", tc.name, err, tc.want)
		}
	}
	close(release)
	if err := <-errc; err != nil {
		t.Errorf("first transfer: %v", err)
	}
}

func TestServeShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	reading := make(chan struct{})
	handlerErr := make(chan error, 1)
	srv := &transport.Server{Handler: transport.HandlerFunc(func(ctx context.Context, tr *transport.Transfer, r io.Reader) error {
		buf := make([]byte, 1)
		if _, err := r.Read(buf); err != nil {
			return err
		}
		close(reading)
		_, err := io.Copy(io.Discard, r)
		handlerErr <- err
		return err
	})}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	// The source writes a little and then blocks, like an idle pipe; the
	// sender closes it when it gives up.
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte("hello"))
		pw.Write([]byte("never read"))
	}()
	s := &transport.Sender{Addr: ln.Addr().String(), MaxReconnects: -1}
	sent := make(chan error, 1)
	go func() {
		_, err := s.Send(context.Background(), transport.ReaderSource(pr), transport.Header{})
		sent <- err
	}()
	<-reading
	cancel()
	if err := <-served; err != nil {
		t.Errorf("Serve = %v, want nil after cancel", err)
	}
	if err := <-handlerErr; !errors.Is(err, context.Canceled) {
		t.Errorf("handler read error = %v, want context.Canceled", err)
	}
	// The server delivers the handler's outcome before closing.
	var re *transport.RejectedError
	if err := <-sent; !errors.As(err, &re) || !strings.Contains(re.Message, "context canceled") {
		t.Errorf("sender error = %v, want a rejection saying the context was cancelled", err)
	}
}

func TestServeErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := (&transport.Server{}).Serve(context.Background(), ln); err == nil {
		t.Error("Serve without a handler succeeded")
	}
	srv := &transport.Server{Handler: newRecordingHandler()}
	if err := srv.ListenAndServe(context.Background(), "127.0.0.1:-1"); err == nil {
		t.Error("ListenAndServe on a bad address succeeded")
	}
	if _, err := (&transport.Sender{}).SendReader(context.Background(), strings.NewReader(""), transport.Header{}); err == nil {
		t.Error("Send without an address succeeded")
	}
	s := &transport.Sender{Addr: "127.0.0.1:1"}
	if _, err := s.SendReader(context.Background(), strings.NewReader(""), transport.Header{ID: strings.Repeat("x", 200)}); err == nil {
		t.Error("Send with an overlong ID succeeded")
	}
	big := map[string]string{"blob": strings.Repeat("m", transport.MaxControlSize)}
	if _, err := s.SendReader(context.Background(), strings.NewReader(""), transport.Header{Meta: big}); err == nil {
		t.Error("Send with oversized metadata succeeded")
	}
	if _, err := s.Resume(context.Background(), transport.ReaderSource(strings.NewReader("")), transport.Header{}); err == nil {
		t.Error("Resume without an ID succeeded")
	}
}

func TestSources(t *testing.T) {
	data := []byte("0123456789")
	ctx := context.Background()
	read := func(t *testing.T, s transport.Source, off int64) string {
		t.Helper()
		rc, err := s.Open(ctx, off)
		if err != nil {
			t.Fatalf("Open(%d): %v", off, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := read(t, transport.SeekerSource(bytes.NewReader(data)), 4); got != "456789" {
		t.Errorf("SeekerSource at 4 = %q", got)
	}
	name := t.TempDir() + "/f"
	if err := writeFile(name, data); err != nil {
		t.Fatal(err)
	}
	if got := read(t, transport.FileSource(name), 7); got != "789" {
		t.Errorf("FileSource at 7 = %q", got)
	}
	if _, err := transport.FileSource(name+".missing").Open(ctx, 0); err == nil {
		t.Error("FileSource opened a missing file")
	}
	rs := transport.ReaderSource(bytes.NewReader(data))
	if _, err := rs.Open(ctx, 3); !errors.Is(err, transport.ErrNotResumable) {
		t.Errorf("ReaderSource at 3: %v, want ErrNotResumable", err)
	}
	if got := read(t, rs, 0); got != string(data) {
		t.Errorf("ReaderSource = %q", got)
	}
}

// replySource records the reply it is given, like a ZFS source picking up a
// resume token.
type replySource struct {
	countingSource
	token string
}

func (r *replySource) Accepted(_ context.Context, reply map[string]string) error {
	r.token = reply["zfs.receive_resume_token"]
	return nil
}

func TestReplySource(t *testing.T) {
	h := newRecordingHandler()
	h.before = func(tr *transport.Transfer) error {
		tr.Reply = map[string]string{"zfs.receive_resume_token": "1-abc-def"}
		return nil
	}
	s := &transport.Sender{Addr: startServer(t, &transport.Server{Handler: h})}
	src := &replySource{countingSource: countingSource{data: []byte("stream")}}
	if _, err := s.Send(context.Background(), src, transport.Header{}); err != nil {
		t.Fatal(err)
	}
	if src.token != "1-abc-def" {
		t.Errorf("source saw token %q", src.token)
	}
	waitReceived(t, h)
}

func TestPKIHelpers(t *testing.T) {
	ca, err := transporttest.NewCA("ca")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue("leaf", "127.0.0.1", "host.example")
	if err != nil {
		t.Fatal(err)
	}
	if len(cert.Leaf.IPAddresses) != 1 || cert.Leaf.DNSNames[0] != "host.example" {
		t.Errorf("leaf SANs %v %v", cert.Leaf.IPAddresses, cert.Leaf.DNSNames)
	}
	certPEM, keyPEM, err := transporttest.EncodePEM(cert)
	if err != nil || !bytes.Contains(certPEM, []byte("CERTIFICATE")) || !bytes.Contains(keyPEM, []byte("PRIVATE KEY")) {
		t.Errorf("EncodePEM: %v", err)
	}
	if !bytes.Contains(ca.CertPEM(), []byte("BEGIN CERTIFICATE")) {
		t.Error("CertPEM")
	}
}

// stallingReader yields first, pauses, then yields rest.
type stallingReader struct {
	first, rest []byte
	pause       time.Duration
	paused      bool
}

func (s *stallingReader) Read(p []byte) (int, error) {
	if len(s.first) > 0 {
		n := copy(p, s.first)
		s.first = s.first[n:]
		return n, nil
	}
	if !s.paused {
		s.paused = true
		time.Sleep(s.pause)
	}
	if len(s.rest) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.rest)
	s.rest = s.rest[n:]
	return n, nil
}

// TestIdleTimeoutsDiffer checks that keepalives follow the shorter idle
// timeout of the two ends, across a source that stalls for longer than it.
func TestIdleTimeoutsDiffer(t *testing.T) {
	data := randomBytes(2<<20, 21)
	for _, tc := range []struct {
		name           string
		sender, server time.Duration
	}{
		{"short sender timeout", 300 * time.Millisecond, 0},
		{"short receiver timeout", 0, 300 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newRecordingHandler()
			addr := startServer(t, &transport.Server{Handler: h, IdleTimeout: tc.server})
			s := &transport.Sender{Addr: addr, IdleTimeout: tc.sender, MaxReconnects: -1}
			src := &stallingReader{first: data[:1<<20], rest: data[1<<20:], pause: 1200 * time.Millisecond}
			res, err := s.SendReader(context.Background(), src, transport.Header{})
			if err != nil {
				t.Fatalf("SendReader: %v", err)
			}
			if got := waitReceived(t, h); got.sum != sha256.Sum256(data) || res.Reconnects != 0 {
				t.Errorf("got %d bytes after %d reconnects", got.n, res.Reconnects)
			}
		})
	}
}

// aesHardware reports whether crypto/tls prefers AES-GCM here.
func aesHardware() bool {
	switch runtime.GOARCH {
	case "amd64":
		return cpu.X86.HasAES && cpu.X86.HasPCLMULQDQ
	case "arm64":
		return cpu.ARM64.HasAES && cpu.ARM64.HasPMULL
	}
	return false
}

// TestRandomDrops cuts connections at random points, with random frame
// sizes and windows, and checks every stream arrives intact exactly once.
func TestRandomDrops(t *testing.T) {
	p := newTestPKI(t)
	r := mrand.New(mrand.NewPCG(7, 11))
	for i := range 8 {
		size := 1<<20 + r.IntN(3<<20)
		frame := 16<<10 + r.IntN(256<<10)
		window := frame * (2 + r.IntN(8))
		var plans []proxyPlan
		for range 1 + r.IntN(3) {
			plans = append(plans, proxyPlan{cutAfter: int64(1 + r.IntN(size)), corruptAt: -1})
		}
		useTLS := i%2 == 0
		t.Run(fmt.Sprintf("seed%d", i), func(t *testing.T) {
			data := randomBytes(size, uint64(1000+i))
			h := newRecordingHandler()
			srv := &transport.Server{Handler: h}
			s := &transport.Sender{FrameSize: frame, Window: window, ReconnectBackoff: time.Millisecond, MaxReconnects: 10}
			if useTLS {
				srv.TLSConfig = p.serverTLS(true)
				s.TLSConfig = p.clientTLS(true)
				s.TLSConfig.ServerName = "127.0.0.1"
			}
			s.Addr = newProxy(t, startServer(t, srv), plans...).addr()
			res, err := s.SendReader(context.Background(), bytes.NewReader(data), transport.Header{})
			if err != nil {
				t.Fatalf("size %d frame %d window %d plans %+v: %v", size, frame, window, plans, err)
			}
			got := waitReceived(t, h)
			if got.sum != sha256.Sum256(data) || got.n != int64(size) || res.Bytes != int64(size) {
				t.Fatalf("size %d frame %d window %d plans %+v: got %d bytes", size, frame, window, plans, got.n)
			}
		})
	}
}
