package ondisk

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
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

// BenchmarkSkein measures the Skein checksum (written here) of a 128 KiB
// block against SHA-512/256 from the standard library on the same block,
// alternating; "ratio" is SHA-512/256's time over Skein's (fastest rounds),
// higher is better.
func BenchmarkSkein(b *testing.B) {
	data := sample(128 << 10)
	salt := make([]byte, 32)
	var minSkein, minSHA time.Duration
	for b.Loop() {
		t0 := time.Now()
		_, err := Compute(ChecksumSkein, data, binary.LittleEndian, salt)
		require.NoError(b, err)
		if dt := time.Since(t0); minSkein == 0 || dt < minSkein {
			minSkein = dt
		}
		t0 = time.Now()
		_, err = Compute(ChecksumSHA512, data, binary.LittleEndian, salt)
		require.NoError(b, err)
		if dt := time.Since(t0); minSHA == 0 || dt < minSHA {
			minSHA = dt
		}
	}
	b.ReportMetric(float64(minSHA)/float64(minSkein), "ratio")
	b.ReportMetric(float64(len(data))/minSkein.Seconds()/1e6, "skein-MB/s")
}
