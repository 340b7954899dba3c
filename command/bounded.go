package command

import (
	"fmt"
	"sync"
)

// boundedBuffer keeps the first and last limit/2 bytes written to it, so that
// both the opening error and the final summary of a chatty command survive.
type boundedBuffer struct {
	mu      sync.Mutex
	half    int
	head    []byte
	tail    []byte // ring buffer of the last half bytes once head is full
	tailPos int
	total   int64
}

func newBoundedBuffer(limit int) *boundedBuffer {
	h := limit / 2
	if h < 1 {
		h = 1
	}
	return &boundedBuffer{half: h}
}

// Write never fails.
func (b *boundedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(p)
	b.total += int64(n)
	if room := b.half - len(b.head); room > 0 {
		k := min(room, len(p))
		b.head = append(b.head, p[:k]...)
		p = p[k:]
	}
	if len(p) == 0 {
		return n, nil
	}
	if len(p) >= b.half {
		b.tail = append(b.tail[:0], p[len(p)-b.half:]...)
		b.tailPos = 0
		return n, nil
	}
	for len(p) > 0 {
		if len(b.tail) < b.half {
			k := min(b.half-len(b.tail), len(p))
			b.tail = append(b.tail, p[:k]...)
			p = p[k:]
			continue
		}
		k := copy(b.tail[b.tailPos:], p)
		b.tailPos = (b.tailPos + k) % b.half
		p = p[k:]
	}
	return n, nil
}

// String returns what was kept, with a marker where bytes were dropped.
func (b *boundedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	kept := int64(len(b.head) + len(b.tail))
	tail := append(append([]byte(nil), b.tail[b.tailPos:]...), b.tail[:b.tailPos]...)
	if dropped := b.total - kept; dropped > 0 {
		return fmt.Sprintf("%s\n... [%d bytes of stderr omitted] ...\n%s", b.head, dropped, tail)
	}
	return string(b.head) + string(tail)
}
