package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gozfs/gozfs/stream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func randString(r *rand.Rand, max int) string {
	b := make([]byte, r.IntN(max+1))
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return string(b)
}

func randMap(r *rand.Rand) map[string]string {
	n := r.IntN(4)
	if n == 0 {
		return nil
	}
	m := make(map[string]string, n)
	for range n {
		m[randString(r, 8)] = randString(r, 20)
	}
	return m
}

func randHello(r *rand.Rand) hello {
	h := hello{
		version:   ProtocolVersion,
		flags:     []uint8{0, helloResume, helloResume | helloSegment}[r.IntN(3)],
		frameSize: uint32(1 + r.IntN(MaxFrameSize)),
		idleMs:    r.Uint32(),
		id:        "id-" + randString(r, 60),
		dataset:   randString(r, 40),
		size:      r.Int64N(1<<40) - 1,
		meta:      randMap(r),
	}
	h.window = h.frameSize + uint32(r.IntN(1<<24))
	for range r.IntN(3) {
		h.transforms = append(h.transforms, stream.Spec{Name: randString(r, 10), Params: randMap(r)})
	}
	return h
}

// TestControlRoundTrip is a property test: every control frame decodes to
// what was encoded.
func TestControlRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		h := randHello(r)
		got, err := parseHello(h.marshal())
		require.NoError(t, err, "case %d: hello", i)
		require.Equal(t, h, got, "case %d: hello", i)
		a := accept{version: ProtocolVersion, flags: uint8(r.IntN(2)), offset: r.Uint64N(1 << 50), reply: randMap(r)}
		gotAccept, err := parseAccept(a.marshal())
		require.NoError(t, err, "case %d: accept", i)
		require.Equal(t, a, gotAccept, "case %d: accept", i)
		count := r.Uint64()
		e := end{count: count, start: r.Uint64N(count + 1), algo: checksumXXH3, sum: r.Uint64()}
		gotEnd, err := parseEnd(e.marshal())
		require.NoError(t, err, "case %d: end", i)
		require.Equal(t, e, gotEnd, "case %d: end", i)
		res := result{status: resultStatus(r.IntN(8)), count: r.Uint64(), sum: r.Uint64(), message: randString(r, 100)}
		gotResult, err := parseResult(res.marshal())
		require.NoError(t, err, "case %d: result", i)
		require.Equal(t, res, gotResult, "case %d: result", i)
		off := r.Uint64()
		gotAck, err := parseAck(marshalAck(off))
		require.NoError(t, err, "case %d: ack", i)
		require.Equal(t, off, gotAck, "case %d: ack", i)
		msg := randString(r, 200)
		gotAbort, err := parseAbort(marshalAbort(msg))
		require.NoError(t, err, "case %d: abort", i)
		require.Equal(t, msg, gotAbort, "case %d: abort", i)
		// Any strict prefix of a payload is rejected, never misread.
		p := h.marshal()
		_, err = parseHello(p[:r.IntN(len(p))])
		require.Error(t, err, "case %d: truncated hello decoded", i)
	}
}

func TestParseHeader(t *testing.T) {
	hdr := func(magic byte, typ frameType, flags, rsv byte, n uint32) []byte {
		b := make([]byte, headerLen)
		putHeader(b, typ, flags, int(n))
		b[0], b[3] = magic, rsv
		return b
	}
	tests := []struct {
		name string
		b    []byte
		ok   bool
	}{
		{"data", hdr(frameMagic, frameData, 0, 0, 100), true},
		{"max data", hdr(frameMagic, frameData, 0, 0, MaxFrameSize), true},
		{"empty ping", hdr(frameMagic, framePing, 0, 0, 0), true},
		{"max control", hdr(frameMagic, frameHello, 0, 0, MaxControlSize), true},
		{"bad magic", hdr('Z', frameData, 0, 0, 1), false},
		{"reserved set", hdr(frameMagic, frameData, 0, 1, 1), false},
		{"unknown type", hdr(frameMagic, 9, 0, 0, 1), false},
		{"type zero", hdr(frameMagic, 0, 0, 0, 1), false},
		{"empty data", hdr(frameMagic, frameData, 0, 0, 0), false},
		{"oversized data", hdr(frameMagic, frameData, 0, 0, MaxFrameSize+1), false},
		{"data flags", hdr(frameMagic, frameData, 1, 0, 1), false},
		{"oversized control", hdr(frameMagic, frameAck, 0, 0, MaxControlSize+1), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseHeader(tc.b)
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrProtocol)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	good := hello{version: ProtocolVersion, window: 1 << 20, frameSize: 1 << 16, id: "x", size: -1}
	mod := func(f func(*hello)) []byte {
		h := good
		f(&h)
		return h.marshal()
	}
	var ve *versionError
	tests := []struct {
		name  string
		parse func() error
		match func(error) bool
	}{
		{"good hello", func() error { _, err := parseHello(good.marshal()); return err }, func(e error) bool { return e == nil }},
		{"hello version 2", func() error { _, err := parseHello(mod(func(h *hello) { h.version = 2 })); return err },
			func(e error) bool { return errors.As(e, &ve) && ve.version == 2 && errors.Is(e, ErrProtocol) }},
		{"segment flag alone", func() error { _, err := parseHello(mod(func(h *hello) { h.flags = helloSegment })); return err }, isProto},
		{"unknown flag", func() error { _, err := parseHello(mod(func(h *hello) { h.flags = 4 })); return err }, isProto},
		{"empty ID", func() error { _, err := parseHello(mod(func(h *hello) { h.id = "" })); return err }, isProto},
		{"long ID", func() error {
			_, err := parseHello(mod(func(h *hello) { h.id = strings.Repeat("i", MaxIDLen+1) }))
			return err
		}, isProto},
		{"zero frame size", func() error { _, err := parseHello(mod(func(h *hello) { h.frameSize = 0 })); return err }, isProto},
		{"frame over max", func() error {
			_, err := parseHello(mod(func(h *hello) { h.frameSize, h.window = MaxFrameSize+1, MaxFrameSize+1 }))
			return err
		}, isProto},
		{"window under frame", func() error { _, err := parseHello(mod(func(h *hello) { h.window = 100 })); return err }, isProto},
		{"size below -1", func() error { _, err := parseHello(mod(func(h *hello) { h.size = -2 })); return err }, isProto},
		{"hello trailing byte", func() error { _, err := parseHello(append(good.marshal(), 0)); return err }, isProto},
		{"duplicate map key", func() error {
			p := (&accept{version: 1}).marshal()
			p = p[:len(p)-1] // drop the empty map
			p = append(p, 2, 1, 'k', 1, 'a', 1, 'k', 1, 'b')
			_, err := parseAccept(p)
			return err
		}, isProto},
		{"huge map count", func() error {
			p := (&accept{version: 1}).marshal()
			p = append(p[:len(p)-1], 0xff, 0xff, 0xff, 0xff, 0x0f)
			_, err := parseAccept(p)
			return err
		}, isProto},
		{"accept version 2", func() error { _, err := parseAccept((&accept{version: 2}).marshal()); return err }, isProto},
		{"end algorithm 2", func() error { _, err := parseEnd((&end{algo: 2}).marshal()); return err }, isProto},
		{"end start after count", func() error {
			_, err := parseEnd((&end{count: 1, start: 2, algo: checksumXXH3}).marshal())
			return err
		}, isProto},
		{"short ack", func() error { _, err := parseAck([]byte{1, 2, 3}); return err }, isProto},
		{"result string overrun", func() error {
			_, err := parseResult(append(make([]byte, 17), 50, 'x'))
			return err
		}, isProto},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.parse()
			assert.True(t, tc.match(err), "unexpected result %v", err)
		})
	}
}

func isProto(err error) bool { return errors.Is(err, ErrProtocol) }

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello", 3, "hel"},
		{"héllo", 2, "h"}, // does not split the two-byte é
		{"héllo", 3, "hé"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, truncate(tc.in, tc.n), "truncate(%q, %d)", tc.in, tc.n)
	}
}

// decodeStream reads frames from b until it ends or a frame is rejected,
// decoding every control payload and checking that a decoded value encodes
// back to the same bytes. It is the frame decoder's fuzz harness.
func decodeStream(t *testing.T, b []byte) {
	r := bytes.NewReader(b)
	var hb [headerLen]byte
	var buf []byte
	for {
		h, err := readHeader(r, &hb)
		if err != nil {
			return
		}
		if h.typ == frameData {
			if _, err := io.CopyN(io.Discard, r, int64(h.length)); err != nil {
				return
			}
			continue
		}
		p, err := readControl(r, h, buf)
		if err != nil {
			return
		}
		var again []byte
		switch h.typ {
		case frameHello:
			if v, err := parseHello(p); err == nil {
				again = v.marshal()
			}
		case frameAccept:
			if v, err := parseAccept(p); err == nil {
				again = v.marshal()
			}
		case frameEnd:
			if v, err := parseEnd(p); err == nil {
				again = v.marshal()
			}
		case frameAck:
			if v, err := parseAck(p); err == nil {
				again = marshalAck(v)
			}
		case frameResult:
			if v, err := parseResult(p); err == nil {
				again = v.marshal()
			}
		case frameAbort:
			if v, err := parseAbort(p); err == nil {
				again = marshalAbort(v)
			}
		case framePing:
			again = p
		}
		// Maps are re-encoded in key order, so only compare when the input
		// had its keys sorted; decoding again must give equal values.
		if again != nil && h.typ != frameHello && h.typ != frameAccept {
			require.True(t, bytes.Equal(again, p), "%v frame %x re-encodes as %x", h.typ, p, again)
		}
	}
}

func FuzzFrameDecoder(f *testing.F) {
	h := hello{version: 1, flags: helloResume, window: 1 << 20, frameSize: 1 << 16, id: "abc", dataset: "tank/x", size: 42,
		transforms: []stream.Spec{{Name: "zstd", Params: map[string]string{"level": "3"}}}, meta: map[string]string{"a": "b"}}
	var seed []byte
	seed = appendFrame(seed, frameHello, 0, h.marshal())
	seed = appendFrame(seed, frameAccept, 0, (&accept{version: 1, offset: 7, reply: map[string]string{"t": "1-2"}}).marshal())
	seed = appendFrame(seed, frameData, 0, []byte("payload"))
	seed = appendFrame(seed, frameAck, 0, marshalAck(7))
	seed = appendFrame(seed, framePing, 0, nil)
	seed = appendFrame(seed, frameEnd, 0, (&end{count: 7, algo: checksumXXH3, sum: 99}).marshal())
	seed = appendFrame(seed, frameResult, 0, (&result{status: statusRejected, message: "no"}).marshal())
	seed = appendFrame(seed, frameAbort, 0, marshalAbort("bye"))
	f.Add(seed)
	f.Add([]byte{frameMagic, byte(frameData), 0, 0, 0, 0, 0, 1, 'x'})
	f.Add([]byte{frameMagic, byte(frameHello), 0, 0, 0, 0, 0, 2, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeStream(t, b)
		// The same bytes as a single control payload of every type.
		parseHello(b)
		parseAccept(b)
		parseEnd(b)
		parseAck(b)
		parseResult(b)
		parseAbort(b)
	})
}

// rawServer serves a transport.Server on loopback and returns its address.
func rawServer(t *testing.T, h Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &Server{Handler: h, ResumeTimeout: time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

// readResult reads frames until a result frame and returns it.
func readResult(t *testing.T, c net.Conn) result {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var hb [headerLen]byte
	for {
		h, err := readHeader(c, &hb)
		require.NoError(t, err, "reading a result")
		p, err := readControl(c, h, nil)
		require.NoError(t, err)
		if h.typ == frameResult {
			r, err := parseResult(p)
			require.NoError(t, err)
			return r
		}
	}
}

// TestReceiverProtocolViolations speaks raw frames to a Server.
func TestReceiverProtocolViolations(t *testing.T) {
	good := hello{version: 1, window: 1 << 20, frameSize: 1 << 16, id: "raw", size: -1}
	tests := []struct {
		name       string
		frames     func() []byte
		wantStatus resultStatus
		readErr    error // what the handler's Read must fail with, if it runs
	}{
		{"junk", func() []byte { return []byte("GET / HTTP/1.1\r\n\r\n") }, statusProtocol, nil},
		{"data before hello", func() []byte { return appendFrame(nil, frameData, 0, []byte("x")) }, statusProtocol, nil},
		{"version 7", func() []byte {
			h := good
			h.version = 7
			return appendFrame(nil, frameHello, 0, h.marshal())
		}, statusVersion, nil},
		{"resume of unknown ID", func() []byte {
			h := good
			h.flags = helloResume
			return appendFrame(nil, frameHello, 0, h.marshal())
		}, statusUnknownTransfer, nil},
		{"ack from the sender", func() []byte {
			b := appendFrame(nil, frameHello, 0, good.marshal())
			return appendFrame(b, frameAck, 0, marshalAck(1))
		}, statusProtocol, ErrProtocol},
		{"wrong byte count", func() []byte {
			b := appendFrame(nil, frameHello, 0, good.marshal())
			b = appendFrame(b, frameData, 0, []byte("abc"))
			return appendFrame(b, frameEnd, 0, (&end{count: 4, algo: checksumXXH3}).marshal())
		}, statusChecksum, ErrChecksum},
		{"corrupt frame header mid-stream", func() []byte {
			b := appendFrame(nil, frameHello, 0, good.marshal())
			return append(b, 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x')
		}, statusProtocol, ErrProtocol},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			readErr := make(chan error, 1)
			addr := rawServer(t, HandlerFunc(func(ctx context.Context, tr *Transfer, r io.Reader) error {
				_, err := io.Copy(io.Discard, r)
				readErr <- err
				return err
			}))
			c, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer c.Close()
			_, err = c.Write(tc.frames())
			require.NoError(t, err)
			r := readResult(t, c)
			assert.Equal(t, tc.wantStatus, r.status, "status (%s)", r.message)
			if tc.readErr != nil {
				assert.ErrorIs(t, <-readErr, tc.readErr, "handler read error")
			}
		})
	}
}

// fakeReceiver answers the first hello with the given frames.
func fakeReceiver(t *testing.T, reply func(h hello) []byte) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		var hb [headerLen]byte
		h, err := readHeader(c, &hb)
		if err != nil {
			return
		}
		p, err := readControl(c, h, nil)
		if err != nil {
			return
		}
		hl, err := parseHello(p)
		if err != nil {
			return
		}
		c.Write(reply(hl))
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		io.Copy(io.Discard, c)
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}

// TestSenderProtocolViolations has a fake receiver misbehave.
func TestSenderProtocolViolations(t *testing.T) {
	acc := func() []byte { return appendFrame(nil, frameAccept, 0, (&accept{version: 1}).marshal()) }
	tests := []struct {
		name    string
		reply   func(h hello) []byte
		want    error
		pending bool // the source never ends, so no end frame goes out
	}{
		{"garbage", func(hello) []byte { return []byte("nonsense bytes!!") }, ErrProtocol, false},
		{"accept of another version", func(hello) []byte {
			return appendFrame(nil, frameAccept, 0, (&accept{version: 3}).marshal())
		}, ErrProtocol, false},
		{"accept at an offset for a new transfer", func(hello) []byte {
			return appendFrame(nil, frameAccept, 0, (&accept{version: 1, offset: 5}).marshal())
		}, ErrProtocol, false},
		{"ack beyond what was sent", func(hello) []byte {
			return appendFrame(acc(), frameAck, 0, marshalAck(1<<40))
		}, ErrProtocol, false},
		{"data frame to the sender", func(hello) []byte {
			return appendFrame(acc(), frameData, 0, []byte("x"))
		}, ErrProtocol, false},
		{"unknown status", func(hello) []byte {
			return appendFrame(nil, frameResult, 0, (&result{status: 99, message: "?"}).marshal())
		}, ErrProtocol, false},
		{"busy", func(hello) []byte {
			return appendFrame(nil, frameResult, 0, (&result{status: statusBusy, message: "full"}).marshal())
		}, ErrRejected, false},
		{"receiver timeout", func(hello) []byte {
			return appendFrame(nil, frameResult, 0, (&result{status: statusTimeout, message: "late"}).marshal())
		}, ErrTimeout, false},
		{"ok before the end frame", func(hello) []byte {
			return appendFrame(acc(), frameResult, 0, (&result{status: statusOK, count: 1}).marshal())
		}, ErrProtocol, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &Sender{Addr: fakeReceiver(t, tc.reply), MaxReconnects: -1, IdleTimeout: 2 * time.Second}
			var src io.Reader = strings.NewReader(strings.Repeat("d", 1000))
			if tc.pending {
				pr, pw := io.Pipe()
				go pw.Write([]byte("some data, then nothing")) // unblocked when the sender closes pr
				src = pr
			}
			_, err := s.SendReader(context.Background(), src, Header{})
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestStatusAndFrameNames(t *testing.T) {
	for s := range resultStatus(9) {
		assert.NotEmpty(t, s.String(), "status %d has no name", int(s))
	}
	assert.Equal(t, "status 200", resultStatus(200).String(), "unknown status name")
	for ft := range frameType(10) {
		assert.NotEmpty(t, ft.String(), "frame type %d has no name", int(ft))
	}
	assert.Equal(t, "frame type 0", fmt.Sprint(frameType(0)), "unknown frame type name")
}
