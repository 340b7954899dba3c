package command

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

func setPdeathsig(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }

// pipeSize is the size we ask for on stdout pipes: zfs send writes in large
// records, and a 1 MiB pipe lets it run ahead of the reader.
const pipeSize = 1 << 20

func enlargePipe(f *os.File) {
	// Best effort: the system limit (fs.pipe-max-size) may be lower.
	_, _ = unix.FcntlInt(f.Fd(), unix.F_SETPIPE_SZ, pipeSize)
}
