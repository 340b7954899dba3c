package send

import (
	"os"

	"golang.org/x/sys/unix"
)

// pipeSize is the capacity asked for on the pipe from zfs send: it writes
// whole records, and a 1 MiB pipe lets it run ahead of the reader.
const pipeSize = 1 << 20

// enlargePipe grows the pipe behind f, best effort (fs.pipe-max-size may be
// lower). It is called before zfs send starts, while the pipe is empty.
func enlargePipe(f *os.File) {
	if rc, err := f.SyscallConn(); err == nil {
		_ = rc.Control(func(fd uintptr) { _, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, pipeSize) })
	}
}
