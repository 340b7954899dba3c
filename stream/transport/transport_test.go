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
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waitReceived returns the next transfer the handler finished.
func waitReceived(t *testing.T, h *recordingHandler) received {
	t.Helper()
	select {
	case r := <-h.done:
		return r
	case <-time.After(20 * time.Second):
		require.Fail(t, "handler did not finish")
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
			require.NoError(t, err, "SendReader")
			got := waitReceived(t, h)
			assert.Equal(t, int64(tc.size), got.n, "handler byte count")
			assert.Equal(t, sha256.Sum256(data), got.sum, "handler sha256")
			assert.NoError(t, got.readErr, "handler read error")
			assert.Equal(t, int64(tc.size), res.Bytes, "result = %+v", res)
			assert.NotEmpty(t, res.ID, "result = %+v", res)
			assert.Zero(t, res.Reconnects, "result = %+v", res)
			assert.Equal(t, "stored tank/data", res.Message, "result message")
			assert.Equal(t, "v", res.Reply["echo"], "result reply %v", res.Reply)
			info := got.info
			wantSize := int64(tc.size)
			if tc.size == 0 {
				wantSize = -1
			}
			assert.Equal(t, res.ID, info.ID, "handler saw header %+v", info.Header)
			assert.Equal(t, hdr.Dataset, info.Dataset, "handler saw header %+v", info.Header)
			assert.Equal(t, wantSize, info.Size, "handler saw header %+v", info.Header)
			assert.Equal(t, "tank/data@1", info.Meta["snapshot"], "handler saw header %+v", info.Header)
			if assert.Len(t, info.Transforms, 2, "handler saw header %+v", info.Header) {
				assert.Equal(t, "zstd(level=3)", info.Transforms[0].String(), "handler saw header %+v", info.Header)
				assert.Equal(t, "encrypt", info.Transforms[1].Name, "handler saw header %+v", info.Header)
			}
			if tc.tls && aesHardware() {
				assert.Contains(t, []uint16{tls.TLS_AES_128_GCM_SHA256, tls.TLS_AES_256_GCM_SHA384}, info.TLS.CipherSuite,
					"negotiated %s, want an AES-GCM suite on AES hardware", tls.CipherSuiteName(info.TLS.CipherSuite))
			}
			if !tc.tls {
				assert.Nil(t, info.TLS, "plain transfer has TLS state")
			}
			if tc.mutual && assert.NotNil(t, info.TLS, "mutual TLS transfer lacks the client certificate") &&
				assert.NotEmpty(t, info.TLS.PeerCertificates, "mutual TLS transfer lacks the client certificate") {
				assert.Equal(t, "sender", info.TLS.PeerCertificates[0].Subject.CommonName, "mutual TLS transfer lacks the client certificate")
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
			require.ErrorIs(t, err, transport.ErrTLS)
			var oe *transport.OpError
			assert.ErrorAs(t, err, &oe)
			assert.False(t, called.Load(), "handler ran")
		})
	}
}

func TestRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	s := &transport.Sender{Addr: addr}
	_, err = s.SendReader(context.Background(), strings.NewReader("x"), transport.Header{})
	var oe *transport.OpError
	require.ErrorIs(t, err, transport.ErrRefused)
	require.ErrorAs(t, err, &oe)
	require.Equal(t, "dial", oe.Op, "err = %v, want ErrRefused from dial", err)
}

// silentListener accepts connections and never answers.
func silentListener(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
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
			require.ErrorIs(t, err, transport.ErrTimeout)
			assert.LessOrEqual(t, time.Since(start), 5*time.Second, "took too long")
		})
	}
	t.Run("context deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		s := &transport.Sender{Addr: addr}
		_, err := s.SendReader(ctx, strings.NewReader("x"), transport.Header{})
		require.ErrorIs(t, err, transport.ErrTimeout)
		require.ErrorIs(t, err, context.DeadlineExceeded)
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
			require.ErrorAs(t, err, &re)
			require.ErrorIs(t, err, transport.ErrRejected)
			assert.Equal(t, "t-1", re.ID, "rejection %+v", re)
			assert.Contains(t, re.Message, tc.wantMsg, "rejection %+v", re)
			assert.Equal(t, tc.wantOpens, src.opened.Load(), "source opened")
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
	require.NoError(t, err)
	assert.Equal(t, int64(len(data)), res.Bytes, "result %+v", res)
	assert.EqualValues(t, 1, calls.Load(), "handler calls")
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
			require.NoError(t, err, "SendReader")
			got := waitReceived(t, h)
			require.Equal(t, int64(len(data)), got.n, "handler byte count")
			require.Equal(t, sha256.Sum256(data), got.sum, "handler sha256")
			assert.GreaterOrEqual(t, res.Reconnects, tc.minRecs, "result %+v", res)
			assert.Equal(t, int64(len(data)), res.Bytes, "result %+v", res)
			assert.Len(t, h.got, 1, "handler runs")
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
	require.ErrorAs(t, err, &ce)
	require.ErrorIs(t, err, transport.ErrChecksum)
	assert.Equal(t, int64(len(data)), ce.Bytes, "checksum error %+v", ce)
	assert.Equal(t, int64(len(data)), ce.WantBytes, "checksum error %+v", ce)
	assert.NotEqual(t, ce.WantSum, ce.Sum, "checksum error %+v", ce)
	got := waitReceived(t, h)
	assert.ErrorIs(t, got.readErr, transport.ErrChecksum, "handler read error")
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
		require.ErrorIs(t, err, srcErr, "want the source's error")
		got := waitReceived(t, h)
		if assert.ErrorIs(t, got.readErr, transport.ErrAborted, "handler read error") {
			assert.ErrorContains(t, got.readErr, "exit status 1", "handler read error, want the reason")
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
		require.ErrorIs(t, err, context.Canceled)
		got := waitReceived(t, h)
		assert.ErrorIs(t, got.readErr, transport.ErrAborted, "handler read error")
	})
	t.Run("writer closed with error", func(t *testing.T) {
		h := newRecordingHandler()
		s := &transport.Sender{Addr: startServer(t, &transport.Server{Handler: h})}
		w := s.NewWriter(context.Background(), transport.Header{})
		_, err := w.Write(data[:1<<20])
		require.NoError(t, err)
		err = w.CloseWithError(srcErr)
		require.ErrorIs(t, err, srcErr, "CloseWithError")
		require.Nil(t, w.Result(), "result after CloseWithError")
		got := waitReceived(t, h)
		assert.ErrorIs(t, got.readErr, transport.ErrAborted, "handler read error")
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
		_, err := w.Write(data[off:min(off+100_000, len(data))])
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	res := w.Result()
	got := waitReceived(t, h)
	require.NotNil(t, res, "result")
	require.Equal(t, int64(len(data)), res.Bytes, "result %+v", res)
	require.Equal(t, sha256.Sum256(data), got.sum, "handler got %d bytes", got.n)
	assert.Equal(t, "w", got.info.Dataset, "dataset")
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
	assert.ErrorIs(t, err, transport.ErrRejected, "Write error, want the rejection")
	assert.ErrorIs(t, w.Close(), transport.ErrRejected, "Close, want the rejection")
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
	assert.ErrorIs(t, err, transport.ErrRefused, "Write error")
	assert.ErrorIs(t, w.Close(), transport.ErrRefused, "Close")
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
	require.ErrorIs(t, err, transport.ErrConnLost, "first sender")

	second := &transport.Sender{Addr: addr, TLSConfig: p.clientTLS(true)}
	src := &countingSource{data: data}
	res, err := second.Resume(context.Background(), src, hdr)
	require.NoError(t, err, "Resume")
	got := waitReceived(t, h)
	require.Equal(t, int64(len(data)), got.n, "handler got %d bytes, not the original stream", got.n)
	require.Equal(t, sha256.Sum256(data), got.sum, "handler got %d bytes, not the original stream", got.n)
	off := src.offset.Load()
	assert.EqualValues(t, 1, src.opened.Load(), "source opened %d times at %d", src.opened.Load(), off)
	assert.Positive(t, off, "source opened %d times at %d", src.opened.Load(), off)
	assert.Less(t, off, int64(len(data)), "source opened %d times at %d", src.opened.Load(), off)
	assert.Equal(t, int64(len(data)), res.Bytes, "result %+v", res)

	t.Run("unknown transfer", func(t *testing.T) {
		_, err := second.Resume(context.Background(), src, transport.Header{ID: "no-such-transfer"})
		require.ErrorIs(t, err, transport.ErrUnknownTransfer)
	})
	t.Run("other client certificate", func(t *testing.T) {
		k.budget.Store(1 << 20)
		hdr := transport.Header{ID: "mine"}
		_, err := first.SendReader(context.Background(), bytes.NewReader(data), hdr)
		require.ErrorIs(t, err, transport.ErrConnLost, "first sender")
		cfg := p.clientTLS(false)
		cert, err := p.ca.Issue("intruder")
		require.NoError(t, err)
		cfg.Certificates = append(cfg.Certificates, cert)
		thief := &transport.Sender{Addr: addr, TLSConfig: cfg}
		_, err = thief.Resume(context.Background(), src, hdr)
		require.ErrorIs(t, err, transport.ErrUnknownTransfer, "resume by another certificate")
		_, err = second.Resume(context.Background(), src, hdr)
		require.NoError(t, err, "resume by the owner")
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
	require.ErrorIs(t, err, transport.ErrConnLost)
	got := waitReceived(t, h)
	assert.ErrorIs(t, got.readErr, transport.ErrTimeout, "handler read error")
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
		if assert.ErrorAs(t, err, &re, tc.name) {
			assert.Contains(t, re.Message, tc.want, tc.name)
		}
	}
	close(release)
	assert.NoError(t, <-errc, "first transfer")
}

func TestServeShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
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
	assert.NoError(t, <-served, "Serve after cancel")
	assert.ErrorIs(t, <-handlerErr, context.Canceled, "handler read error")
	// The server delivers the handler's outcome before closing.
	var re *transport.RejectedError
	if assert.ErrorAs(t, <-sent, &re, "sender error, want a rejection") {
		assert.Contains(t, re.Message, "context canceled", "sender error, want a rejection saying the context was cancelled")
	}
}

func TestServeErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	assert.Error(t, (&transport.Server{}).Serve(context.Background(), ln), "Serve without a handler succeeded")
	srv := &transport.Server{Handler: newRecordingHandler()}
	assert.Error(t, srv.ListenAndServe(context.Background(), "127.0.0.1:-1"), "ListenAndServe on a bad address succeeded")
	_, err = (&transport.Sender{}).SendReader(context.Background(), strings.NewReader(""), transport.Header{})
	assert.Error(t, err, "Send without an address succeeded")
	s := &transport.Sender{Addr: "127.0.0.1:1"}
	_, err = s.SendReader(context.Background(), strings.NewReader(""), transport.Header{ID: strings.Repeat("x", 200)})
	assert.Error(t, err, "Send with an overlong ID succeeded")
	big := map[string]string{"blob": strings.Repeat("m", transport.MaxControlSize)}
	_, err = s.SendReader(context.Background(), strings.NewReader(""), transport.Header{Meta: big})
	assert.Error(t, err, "Send with oversized metadata succeeded")
	_, err = s.Resume(context.Background(), transport.ReaderSource(strings.NewReader("")), transport.Header{})
	assert.Error(t, err, "Resume without an ID succeeded")
}

func TestSources(t *testing.T) {
	data := []byte("0123456789")
	ctx := context.Background()
	read := func(t *testing.T, s transport.Source, off int64) string {
		t.Helper()
		rc, err := s.Open(ctx, off)
		require.NoError(t, err, "Open(%d)", off)
		defer rc.Close()
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		return string(b)
	}
	assert.Equal(t, "456789", read(t, transport.SeekerSource(bytes.NewReader(data)), 4), "SeekerSource at 4")
	name := t.TempDir() + "/f"
	require.NoError(t, writeFile(name, data))
	assert.Equal(t, "789", read(t, transport.FileSource(name), 7), "FileSource at 7")
	_, err := transport.FileSource(name+".missing").Open(ctx, 0)
	assert.Error(t, err, "FileSource opened a missing file")
	rs := transport.ReaderSource(bytes.NewReader(data))
	_, err = rs.Open(ctx, 3)
	assert.ErrorIs(t, err, transport.ErrNotResumable, "ReaderSource at 3")
	assert.Equal(t, string(data), read(t, rs, 0), "ReaderSource")
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
	_, err := s.Send(context.Background(), src, transport.Header{})
	require.NoError(t, err)
	assert.Equal(t, "1-abc-def", src.token, "source saw token")
	waitReceived(t, h)
}

func TestPKIHelpers(t *testing.T) {
	ca, err := transporttest.NewCA("ca")
	require.NoError(t, err)
	cert, err := ca.Issue("leaf", "127.0.0.1", "host.example")
	require.NoError(t, err)
	assert.Len(t, cert.Leaf.IPAddresses, 1, "leaf SANs %v %v", cert.Leaf.IPAddresses, cert.Leaf.DNSNames)
	if assert.NotEmpty(t, cert.Leaf.DNSNames, "leaf SANs") {
		assert.Equal(t, "host.example", cert.Leaf.DNSNames[0], "leaf SANs %v %v", cert.Leaf.IPAddresses, cert.Leaf.DNSNames)
	}
	certPEM, keyPEM, err := transporttest.EncodePEM(cert)
	if assert.NoError(t, err, "EncodePEM") {
		assert.Contains(t, string(certPEM), "CERTIFICATE", "EncodePEM")
		assert.Contains(t, string(keyPEM), "PRIVATE KEY", "EncodePEM")
	}
	assert.Contains(t, string(ca.CertPEM()), "BEGIN CERTIFICATE", "CertPEM")
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
		// The timeouts leave room for a loaded machine (a keepalive every
		// half second must arrive within 1.5 s); the stall is well beyond
		// them, so a run that passes proves the keepalives, not luck.
		{"short sender timeout", 1500 * time.Millisecond, 0},
		{"short receiver timeout", 0, 1500 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newRecordingHandler()
			addr := startServer(t, &transport.Server{Handler: h, IdleTimeout: tc.server})
			s := &transport.Sender{Addr: addr, IdleTimeout: tc.sender, MaxReconnects: -1}
			src := &stallingReader{first: data[:1<<20], rest: data[1<<20:], pause: 4500 * time.Millisecond}
			res, err := s.SendReader(context.Background(), src, transport.Header{})
			require.NoError(t, err, "SendReader")
			got := waitReceived(t, h)
			assert.Equal(t, sha256.Sum256(data), got.sum, "got %d bytes after %d reconnects", got.n, res.Reconnects)
			assert.Zero(t, res.Reconnects, "got %d bytes after %d reconnects", got.n, res.Reconnects)
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
			require.NoError(t, err, "size %d frame %d window %d plans %+v", size, frame, window, plans)
			got := waitReceived(t, h)
			require.Equal(t, int64(size), got.n, "size %d frame %d window %d plans %+v: got %d bytes", size, frame, window, plans, got.n)
			require.Equal(t, sha256.Sum256(data), got.sum, "size %d frame %d window %d plans %+v: got %d bytes", size, frame, window, plans, got.n)
			require.Equal(t, int64(size), res.Bytes, "size %d frame %d window %d plans %+v: got %d bytes", size, frame, window, plans, got.n)
		})
	}
}
