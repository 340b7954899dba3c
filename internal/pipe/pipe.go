package pipe

import "os"

// Size is the capacity New asks for: zfs send writes, and zfs receive
// reads, whole records of up to 1 MiB or more, and a pipe of that size lets
// one side run ahead of the other.
const Size = 1 << 20

// New returns a connected pair of files, like os.Pipe, whose capacity is
// Size where the system allows it (on Linux, up to fs.pipe-max-size; other
// systems keep their default). Grow it before the child starts, while it is
// empty.
func New() (r, w *os.File, err error) {
	r, w, err = os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	enlarge(w)
	return r, w, nil
}
