//go:build unix

package recv

import (
	"io"
	"net"
	"os"
	"syscall"
)

// handoff returns the file to give zfs receive as its standard input when r
// can be read by it directly: an *os.File as it is, or a duplicate of a TCP
// or Unix socket's descriptor. release undoes what handoff did; it must be
// called after zfs receive has exited.
//
// A socket handed to a child must be in blocking mode: zfs receive reads it
// from the kernel and treats EAGAIN as an error. The blocking flag belongs to
// the socket, not to the descriptor, so it changes for the caller's
// connection too (the exec runner sets it when it passes the descriptor on);
// release puts the connection back into non-blocking mode, as the Go runtime
// expects.
func handoff(r io.Reader) (f *os.File, release func(), ok bool) {
	switch c := r.(type) {
	case *os.File:
		return c, func() {}, true
	case *net.TCPConn:
		return dupConn(c)
	case *net.UnixConn:
		return dupConn(c)
	}
	return nil, nil, false
}

type fileConn interface {
	File() (*os.File, error)
	SyscallConn() (syscall.RawConn, error)
}

func dupConn(c fileConn) (*os.File, func(), bool) {
	f, err := c.File()
	if err != nil {
		return nil, nil, false
	}
	return f, func() {
		f.Close()
		if rc, err := c.SyscallConn(); err == nil {
			_ = rc.Control(func(fd uintptr) { _ = syscall.SetNonblock(int(fd), true) })
		}
	}, true
}
