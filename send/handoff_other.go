//go:build !unix

package send

import (
	"io"
	"os"
)

// handoff returns w itself when it is an *os.File; sockets are copied.
func handoff(w io.Writer) (f *os.File, release func(), ok bool) {
	if f, ok := w.(*os.File); ok {
		return f, func() {}, true
	}
	return nil, nil, false
}
