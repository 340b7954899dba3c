//go:build !unix

package pipe

import "os"

// Handoff returns stream itself when it is an *os.File; sockets are copied.
func Handoff(stream any) (f *os.File, release func(), ok bool) {
	if f, ok := stream.(*os.File); ok {
		return f, func() {}, true
	}
	return nil, nil, false
}
