//go:build unix

package pipe

import (
	"net"
	"os"
	"syscall"
)

// Handoff returns the file to hand to a child as its standard input or output
// when stream (an io.Reader or io.Writer) can be used by the child directly,
// with no copy through this process: an *os.File as it is, or a duplicate of a
// TCP or Unix socket's descriptor. release undoes what Handoff did; call it
// after the child has exited.
//
// A socket handed to a child must be in blocking mode: zfs send splices into
// it and zfs receive reads it, and both treat EAGAIN as an error. The
// blocking flag belongs to the socket, not to the descriptor, so it changes
// for the caller's connection too (os/exec sets it when it passes the
// descriptor on); release puts the connection back into non-blocking mode, as
// the Go runtime expects. The caller must not use the connection meanwhile.
func Handoff(stream any) (f *os.File, release func(), ok bool) {
	switch c := stream.(type) {
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
