//go:build !unix

package recv

import (
	"io"
	"os"
)

// handoff returns r itself when it is an *os.File; sockets are copied.
func handoff(r io.Reader) (f *os.File, release func(), ok bool) {
	if f, ok := r.(*os.File); ok {
		return f, func() {}, true
	}
	return nil, nil, false
}
