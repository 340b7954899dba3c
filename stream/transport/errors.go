package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"syscall"
)

// Sentinel errors. Errors returned by this package match one of them with
// errors.Is; the concrete types below carry the details.
var (
	// ErrRefused means the receiver's address refused the TCP connection.
	ErrRefused = errors.New("transport: connection refused")
	// ErrTLS means the TLS handshake failed (certificate not trusted, client
	// certificate missing or rejected, version mismatch) or a TLS record
	// failed its integrity check.
	ErrTLS = errors.New("transport: TLS failure")
	// ErrChecksum means the byte count or checksum in the end frame did not
	// match the bytes the receiver handed to its handler.
	ErrChecksum = errors.New("transport: checksum mismatch")
	// ErrRejected means the receiver's handler refused the transfer.
	ErrRejected = errors.New("transport: transfer rejected")
	// ErrProtocol means a peer broke the wire protocol.
	ErrProtocol = errors.New("transport: protocol violation")
	// ErrTimeout means a dial, handshake, idle connection or reconnect wait
	// took longer than its configured limit.
	ErrTimeout = errors.New("transport: timeout")
	// ErrConnLost means the connection failed and could not be resumed
	// within the sender's reconnect budget.
	ErrConnLost = errors.New("transport: connection lost")
	// ErrAborted is seen by a receiver's handler when the sender gave up on
	// the transfer (its source failed or its context ended).
	ErrAborted = errors.New("transport: transfer aborted by sender")
	// ErrUnknownTransfer means the receiver does not hold the transfer a
	// sender asked to resume (it finished, expired or the receiver restarted).
	ErrUnknownTransfer = errors.New("transport: unknown transfer")
	// ErrNotResumable is returned by a Source that cannot reopen at a
	// non-zero offset.
	ErrNotResumable = errors.New("transport: source cannot reopen at an offset")
)

// OpError describes a failed network operation. Kind is one of the sentinel
// errors above and is what errors.Is matches; Err is the underlying cause
// (a *net.OpError, a TLS or x509 error, a context error), reachable with
// errors.As and errors.Unwrap.
type OpError struct {
	// Op is the operation: "dial", "handshake", "hello", "send", "receive".
	Op string
	// Addr is the remote address, if known.
	Addr string
	// Kind classifies the failure: ErrRefused, ErrTLS, ErrTimeout,
	// ErrConnLost, ErrAborted, ErrUnknownTransfer or ErrProtocol.
	Kind error
	// Err is the underlying cause; it may be nil.
	Err error
}

func (e *OpError) Error() string {
	s := "transport: " + e.Op
	if e.Addr != "" {
		s += " " + e.Addr
	}
	if e.Err != nil {
		return s + ": " + e.Err.Error()
	}
	return s + ": " + trimPrefix(e.Kind.Error())
}

// Unwrap returns the underlying cause.
func (e *OpError) Unwrap() error { return e.Err }

// Is reports whether target is e's Kind.
func (e *OpError) Is(target error) bool { return target != nil && target == e.Kind }

// Timeout reports whether the error is a timeout, for net.Error-style checks.
func (e *OpError) Timeout() bool { return e.Kind == ErrTimeout }

// RejectedError is returned by the sender when the receiver's handler
// refused the transfer, at hello time or after reading some data. It matches
// ErrRejected.
type RejectedError struct {
	// ID is the transfer ID.
	ID string
	// Message is the handler's error text, as sent by the receiver.
	Message string
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("transport: receiver rejected transfer %s: %s", e.ID, e.Message)
}

// Is reports whether target is ErrRejected.
func (e *RejectedError) Is(target error) bool { return target == ErrRejected }

// ChecksumError reports a mismatch between the end frame and what the
// receiver counted. The receiver's handler sees it from Read instead of
// io.EOF; the sender gets it back in the result. It matches ErrChecksum.
type ChecksumError struct {
	// Start is the offset where the checksummed bytes begin: 0, or the
	// offset at which Sender.Resume continued the transfer.
	Start int64
	// Bytes is the receiver's byte count (the end offset) and Sum its
	// XXH3-64 of the bytes from Start on.
	Bytes int64
	Sum   uint64
	// WantBytes and WantSum are what the sender announced in its end frame.
	WantBytes int64
	WantSum   uint64
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("transport: checksum mismatch: receiver has %d bytes with xxh3 %016x, sender sent %d bytes with xxh3 %016x (from offset %d)",
		e.Bytes, e.Sum, e.WantBytes, e.WantSum, e.Start)
}

// Is reports whether target is ErrChecksum.
func (e *ChecksumError) Is(target error) bool { return target == ErrChecksum }

// ProtocolError reports a violation of the wire protocol, found locally or
// reported by the peer. It matches ErrProtocol.
type ProtocolError struct {
	// Msg describes the violation.
	Msg string
	// Remote is true when the peer reported the violation.
	Remote bool
}

func (e *ProtocolError) Error() string {
	if e.Remote {
		return "transport: protocol violation reported by peer: " + e.Msg
	}
	return "transport: protocol violation: " + e.Msg
}

// Is reports whether target is ErrProtocol.
func (e *ProtocolError) Is(target error) bool { return target == ErrProtocol }

func protoErrf(format string, args ...any) error {
	return &ProtocolError{Msg: fmt.Sprintf(format, args...)}
}

// versionError is returned by parseHello for a hello of another version.
type versionError struct{ version uint8 }

func (e *versionError) Error() string {
	return fmt.Sprintf("transport: unsupported protocol version %d (this side speaks %d)", e.version, ProtocolVersion)
}

func (e *versionError) Is(target error) bool { return target == ErrProtocol }

func trimPrefix(s string) string {
	const p = "transport: "
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

// classify wraps a network error in an *OpError whose Kind says what went
// wrong. Errors that are already typed by this package pass through, and so
// do context errors when ctx itself has ended (the caller asked for it).
func classify(ctx context.Context, op, addr string, err error) error {
	if err == nil {
		return nil
	}
	var (
		oe *OpError
		pe *ProtocolError
		re *RejectedError
		ce *ChecksumError
	)
	if errors.As(err, &oe) || errors.As(err, &pe) || errors.As(err, &re) || errors.As(err, &ce) {
		return err
	}
	if ctx != nil && ctx.Err() != nil {
		cause := context.Cause(ctx)
		if errors.Is(cause, context.DeadlineExceeded) {
			return &OpError{Op: op, Addr: addr, Kind: ErrTimeout, Err: cause}
		}
		return cause
	}
	return &OpError{Op: op, Addr: addr, Kind: kindOf(err), Err: err}
}

// kindOf picks the sentinel that best describes a low-level error.
func kindOf(err error) error {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return ErrRefused
	}
	if isTLSError(err) {
		return ErrTLS
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return ErrTimeout
	}
	return ErrConnLost
}

func isTLSError(err error) bool {
	var (
		rh  tls.RecordHeaderError
		ae  tls.AlertError
		cv  *tls.CertificateVerificationError
		ua  x509.UnknownAuthorityError
		ci  x509.CertificateInvalidError
		he  x509.HostnameError
		nop *net.OpError
	)
	switch {
	case errors.As(err, &rh), errors.As(err, &ae), errors.As(err, &cv),
		errors.As(err, &ua), errors.As(err, &ci), errors.As(err, &he):
		return true
	case errors.As(err, &nop) && (nop.Op == "remote error" || nop.Op == "local error"):
		// crypto/tls reports alerts (sent or received) as *net.OpError with
		// these operation names; the alert type itself is unexported.
		return true
	}
	return false
}
