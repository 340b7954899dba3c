package streamfs

import (
	"bytes"
	"encoding/binary"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/format/ondisk"
	"github.com/gozfs/gozfs/format/sendstream"
)

// genStream produces, lazily, a valid stream of one plain file object
// written in n records of 1 MiB: a stream far larger than what a test may
// hold in memory, generated as it is read.
type genStream struct {
	n, i int
	sum  [4]uint64
	buf  bytes.Buffer
	data []byte
	done bool
}

func (g *genStream) fletcher(p []byte) {
	a, b, c, d := g.sum[0], g.sum[1], g.sum[2], g.sum[3]
	for i := 0; i+4 <= len(p); i += 4 {
		a += uint64(binary.LittleEndian.Uint32(p[i:]))
		b += a
		c += b
		d += c
	}
	g.sum = [4]uint64{a, b, c, d}
}

func (g *genStream) record(typ uint32, fill func(h []byte), payload []byte) {
	h := make([]byte, sendstream.HeaderSize)
	binary.LittleEndian.PutUint32(h, typ)
	fill(h)
	g.fletcher(h[:sendstream.HeaderSize-32])
	if typ != uint32(sendstream.TypeBegin) {
		for i, w := range g.sum {
			binary.LittleEndian.PutUint64(h[sendstream.HeaderSize-32+8*i:], w)
		}
	}
	g.fletcher(h[sendstream.HeaderSize-32:])
	g.buf.Write(h)
	g.fletcher(payload)
	g.buf.Write(payload)
}

func (g *genStream) Read(p []byte) (int, error) {
	for g.buf.Len() == 0 {
		switch {
		case g.done:
			return 0, io.EOF
		case g.i == 0:
			g.record(uint32(sendstream.TypeBegin), func(h []byte) {
				binary.LittleEndian.PutUint64(h[8:], sendstream.Magic)
				binary.LittleEndian.PutUint64(h[16:], 1|uint64(sendstream.FeatureLargeBlocks)<<2)
				binary.LittleEndian.PutUint32(h[32:], sendstream.ObjsetZFS)
				binary.LittleEndian.PutUint64(h[40:], 42)
				copy(h[56:], "pool/fs@big")
			}, nil)
			g.record(uint32(sendstream.TypeObject), func(h []byte) {
				binary.LittleEndian.PutUint64(h[8:], 2)
				binary.LittleEndian.PutUint32(h[16:], uint32(ondisk.TypePlainFileContents))
				binary.LittleEndian.PutUint32(h[20:], uint32(ondisk.TypeSA))
				binary.LittleEndian.PutUint32(h[24:], 1<<20)
				h[34] = 1
				binary.LittleEndian.PutUint64(h[40:], 42)
			}, nil)
			g.i++
		case g.i <= g.n:
			off := uint64(g.i-1) << 20
			binary.LittleEndian.PutUint64(g.data, off)
			g.record(uint32(sendstream.TypeWrite), func(h []byte) {
				binary.LittleEndian.PutUint64(h[8:], 2)
				binary.LittleEndian.PutUint32(h[16:], uint32(ondisk.TypePlainFileContents))
				binary.LittleEndian.PutUint64(h[24:], off)
				binary.LittleEndian.PutUint64(h[32:], 1<<20)
				binary.LittleEndian.PutUint64(h[40:], 42)
			}, g.data)
			g.i++
		default:
			before := g.sum
			g.record(uint32(sendstream.TypeEnd), func(h []byte) {
				for i, w := range before {
					binary.LittleEndian.PutUint64(h[8+8*i:], w)
				}
				binary.LittleEndian.PutUint64(h[40:], 42)
			}, nil)
			g.done = true
		}
	}
	return g.buf.Read(p)
}

// TestReadMemoryBounded reads a 256 MiB stream through a pipe: the data
// goes to the temporary file, and the heap never holds more than a few
// records' worth.
func TestReadMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 256 MiB to a temporary file")
	}
	const records = 256
	g := &genStream{n: records, data: make([]byte, 1<<20)}
	for i := range g.data {
		g.data[i] = byte(i * 7)
	}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
		}
	}()
	s, err := Read(struct{ io.Reader }{g}, Options{TempDir: t.TempDir()})
	close(stop)
	wg.Wait()
	require.NoError(t, err)
	defer s.Close()
	grew := int64(peak.Load()) - int64(base.HeapInuse)
	t.Logf("heap grew by at most %d KiB reading a %d MiB stream", grew>>10, records)
	assert.Less(t, grew, int64(64<<20), "memory must not follow the stream's size")
	// The data reads back from the temporary file.
	d, err := s.Dnode(2)
	require.NoError(t, err)
	for _, blk := range []uint64{0, 77, records - 1} {
		b, err := s.ReadBlock(2, d, blk)
		require.NoError(t, err)
		assert.Equal(t, blk<<20, binary.LittleEndian.Uint64(b))
		assert.Equal(t, byte(8*7), b[8])
	}
}
