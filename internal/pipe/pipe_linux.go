package pipe

import (
	"os"

	"golang.org/x/sys/unix"
)

// enlarge grows the pipe behind f to Size, best effort: fs.pipe-max-size
// may be lower. It goes through SyscallConn so as to leave the file's
// blocking mode alone.
func enlarge(f *os.File) {
	if rc, err := f.SyscallConn(); err == nil {
		_ = rc.Control(func(fd uintptr) { _, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, Size) })
	}
}
