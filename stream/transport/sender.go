package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"time"

	"github.com/gozfs/gozfs/stream"
)

// Defaults for zero-valued Sender and Server fields.
const (
	DefaultFrameSize        = 256 << 10
	DefaultWindow           = 4 << 20
	DefaultDialTimeout      = 15 * time.Second
	DefaultIdleTimeout      = 30 * time.Second
	DefaultMaxReconnects    = 5
	DefaultReconnectBackoff = 200 * time.Millisecond
	DefaultResumeTimeout    = 2 * time.Minute
	DefaultHandshakeTimeout = 15 * time.Second
	DefaultShutdownTimeout  = 5 * time.Second

	maxReconnectBackoff = 5 * time.Second
	fillLatency         = 5 * time.Millisecond
)

// Header is the metadata a sender announces in its hello frame. The
// receiver's handler sees it in Transfer.Header.
type Header struct {
	// ID identifies the transfer; the receiver uses it to match a reconnect
	// to the transfer it holds. Empty means a random 128-bit hex ID. At most
	// MaxIDLen bytes.
	ID string
	// Dataset names what is being sent, e.g. the ZFS dataset the receiver
	// should receive into. Opaque to the transport.
	Dataset string
	// Size is the expected payload size in bytes; zero or negative means
	// unknown. Informational (for progress); the end frame's count is what
	// gets checked.
	Size int64
	// Transforms lists the transforms the sender applied to the bytes, in
	// the order applied, so the receiver can build the reverse chain (see
	// stream.Specs). The transport does not interpret them.
	Transforms []stream.Spec
	// Meta carries any other string metadata.
	Meta map[string]string
}

// Result describes a transfer the receiver accepted.
type Result struct {
	// ID is the transfer ID.
	ID string
	// Bytes is the number of payload bytes the receiver's handler got.
	Bytes int64
	// Checksum is the XXH3-64 of those bytes (from the resume offset on,
	// after Sender.Resume).
	Checksum uint64
	// Message is the handler's success message (Transfer.Message).
	Message string
	// Reply is the metadata the handler returned at accept time
	// (Transfer.Reply).
	Reply map[string]string
	// Reconnects counts the connections re-established during the transfer.
	Reconnects int
}

// Sender delivers byte streams to a Server. The zero value is not usable: set
// at least Addr. A Sender is safe for concurrent use; each Send runs its own
// connection.
type Sender struct {
	// Addr is the receiver's host:port.
	Addr string
	// TLSConfig configures TLS. Nil means plain TCP, which is only for
	// trusted networks and tests. Set Certificates for mutual TLS and
	// RootCAs to trust the receiver. If ServerName is empty the host part of
	// Addr is used; if MinVersion is zero TLS 1.3 is required.
	TLSConfig *tls.Config
	// DialContext dials the TCP connection; nil uses a net.Dialer.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// FrameSize is the payload size of data frames; zero means
	// DefaultFrameSize. It is capped at MaxFrameSize.
	FrameSize int
	// Window bounds the bytes sent but not yet acknowledged by the receiver,
	// and so the sender's memory: it is kept in Window/FrameSize frame
	// buffers for replay after a reconnect. Zero means DefaultWindow.
	Window int
	// DialTimeout bounds each connection attempt: TCP connect, TLS handshake
	// and sending the hello. Zero means DefaultDialTimeout.
	DialTimeout time.Duration
	// IdleTimeout is how long the sender waits without hearing from the
	// receiver before it drops the connection. The hello announces it, and
	// the receiver sends keepalives often enough for it; the sender sends
	// its own every third of it. Zero means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// MaxReconnects is how many consecutive reconnect attempts the sender
	// makes without progress before it gives up with ErrConnLost. Zero means
	// DefaultMaxReconnects; negative disables reconnecting.
	MaxReconnects int
	// ReconnectBackoff is the pause before the first reconnect attempt; it
	// doubles on each further attempt, up to 5 s. Zero means
	// DefaultReconnectBackoff.
	ReconnectBackoff time.Duration
}

type senderConfig struct {
	addr          string
	tls           *tls.Config
	dial          func(ctx context.Context, network, addr string) (net.Conn, error)
	frameSize     int
	slots         int
	dialTimeout   time.Duration
	idle          time.Duration
	maxReconnects int
	backoff       time.Duration
}

func (s *Sender) config() senderConfig {
	c := senderConfig{
		addr:          s.Addr,
		dial:          s.DialContext,
		frameSize:     s.FrameSize,
		dialTimeout:   s.DialTimeout,
		idle:          s.IdleTimeout,
		maxReconnects: s.MaxReconnects,
		backoff:       s.ReconnectBackoff,
	}
	if c.dial == nil {
		var d net.Dialer
		c.dial = d.DialContext
	}
	if c.frameSize <= 0 {
		c.frameSize = DefaultFrameSize
	}
	c.frameSize = min(c.frameSize, MaxFrameSize)
	window := s.Window
	if window <= 0 {
		window = DefaultWindow
	}
	c.slots = max(2, window/c.frameSize)
	if c.dialTimeout <= 0 {
		c.dialTimeout = DefaultDialTimeout
	}
	if c.idle <= 0 {
		c.idle = DefaultIdleTimeout
	}
	if c.maxReconnects == 0 {
		c.maxReconnects = DefaultMaxReconnects
	} else if c.maxReconnects < 0 {
		c.maxReconnects = 0
	}
	if c.backoff <= 0 {
		c.backoff = DefaultReconnectBackoff
	}
	if s.TLSConfig != nil {
		c.tls = s.TLSConfig.Clone()
		if c.tls.ServerName == "" {
			if host, _, err := net.SplitHostPort(s.Addr); err == nil {
				c.tls.ServerName = host
			}
		}
		if c.tls.MinVersion == 0 {
			c.tls.MinVersion = tls.VersionTLS13
		}
	}
	return c
}

// Send delivers the stream from src to the receiver as a new transfer and
// waits for the receiver's final acknowledgement. It returns the Result when
// the receiver's handler accepted all bytes and they matched the end frame's
// count and checksum.
//
// Send opens src once, at offset 0, and reads it in a separate goroutine
// into the window's frame buffers while earlier frames are sent; a frame
// goes out when its buffer is full, or 5 ms after the first byte that is
// not yet sent arrived, so a slow source is not held back. Dropped
// connections are re-established (see MaxReconnects) and the transfer
// continues from the receiver's offset, replaying unacknowledged bytes from
// the window. If ctx ends, Send tells the receiver the transfer is aborted
// (best effort, on a new connection if need be) and returns ctx's error.
// Before returning, Send closes the reader src returned and waits for a
// Read in progress to return, so that Close must unblock Read (it does for
// pipes, files and sockets).
//
// Errors match ErrRefused, ErrTLS, ErrTimeout, ErrConnLost, ErrProtocol,
// ErrRejected (*RejectedError) or ErrChecksum (*ChecksumError); errors
// from src are returned wrapped.
func (s *Sender) Send(ctx context.Context, src Source, h Header) (*Result, error) {
	return s.run(ctx, src, h, false)
}

// SendReader is Send with ReaderSource(r).
func (s *Sender) SendReader(ctx context.Context, r io.Reader, h Header) (*Result, error) {
	return s.run(ctx, ReaderSource(r), h, false)
}

// Resume continues the transfer h.ID, which an earlier Send (typically in a
// process that died) started and the receiver still holds (see
// Server.ResumeTimeout). The receiver answers with the offset it has
// handed to its handler, and src is opened at that offset. If the receiver
// already finished the transfer, Resume returns its outcome without opening
// src. If it does not hold the transfer, the error matches
// ErrUnknownTransfer.
//
// The end-to-end checksum then covers the bytes from the resume offset on:
// the bytes before it were never confirmed by an end frame, and no sender
// still has them.
//
// A new sender can only resume what the receiver still holds in memory.
// To continue a `zfs send` after both ends restarted, use ZFS resume tokens
// instead (see the package documentation).
func (s *Sender) Resume(ctx context.Context, src Source, h Header) (*Result, error) {
	if h.ID == "" {
		return nil, errors.New("transport: Resume needs Header.ID")
	}
	return s.run(ctx, src, h, true)
}
