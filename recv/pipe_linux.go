package recv

import (
	"os"

	"golang.org/x/sys/unix"
)

// pipeSize is the capacity asked for on the pipe into zfs receive: zfs
// receive reads whole records, and a 1 MiB pipe lets the feeder run ahead of
// it.
const pipeSize = 1 << 20

// enlargePipe grows the pipe behind f, best effort (fs.pipe-max-size may be
// lower). It is called before zfs receive starts, while the pipe is empty.
func enlargePipe(f *os.File) {
	if rc, err := f.SyscallConn(); err == nil {
		_ = rc.Control(func(fd uintptr) { _, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, pipeSize) })
	}
}
