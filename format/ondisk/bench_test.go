package ondisk

import (
	"encoding/binary"
	"testing"
)

// BenchmarkFletcher4 measures the checksum every fletcher4 block read
// pays.
func BenchmarkFletcher4(b *testing.B) {
	data := sample(1 << 20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Fletcher4(data, binary.LittleEndian)
	}
}
