package encrypt_test

import (
	"bytes"
	"io"
	"slices"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/gozfs/gozfs/stream/encrypt"
	"github.com/stretchr/testify/require"
)

// The benchmarks time the two contenders in the same loop, one after the
// other in alternating order, so both see the same machine load, and
// compare the medians of their per-iteration times (robust to load spikes
// on a shared machine). `ratio` is age throughput ÷ gozfs throughput
// (above 1: age is faster).

const benchSize = 8 << 20

// onlyReader hides WriteTo, so io.Copy goes through the writer's ReadFrom
// as it does for a pipe from zfs send.
type onlyReader struct{ io.Reader }

func timeIt(f func()) time.Duration {
	t0 := time.Now()
	f()
	return time.Since(t0)
}

// pair times base and other once per iteration, alternating which runs
// first, and returns the median time of each.
func pair(b *testing.B, base, other func()) (time.Duration, time.Duration) {
	var tb, to []time.Duration
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			tb = append(tb, timeIt(base))
			to = append(to, timeIt(other))
		} else {
			to = append(to, timeIt(other))
			tb = append(tb, timeIt(base))
		}
	}
	return median(tb), median(to)
}

func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}

// report records the throughput of both sides (from their median times
// for n bytes) and their ratio, other ÷ base.
func report(b *testing.B, baseName, otherName string, n int, base, other time.Duration) {
	mbs := func(d time.Duration) float64 { return float64(n) / d.Seconds() / 1e6 }
	b.ReportMetric(mbs(base), baseName+"-MB/s")
	b.ReportMetric(mbs(other), otherName+"-MB/s")
	b.ReportMetric(float64(base)/float64(other), "ratio")
}

func benchTransforms(b *testing.B, alg encrypt.Algorithm) (gozfs, ag *encrypt.Transform) {
	id, err := age.GenerateX25519Identity()
	require.NoError(b, err)
	gozfs = mustNew(b, encrypt.Options{Key: testKey(9), Algorithm: alg})
	ag = mustNew(b, encrypt.Options{Recipients: []age.Recipient{id.Recipient()}, Identities: []age.Identity{id}})
	return gozfs, ag
}

func encryptOnce(b *testing.B, tr *encrypt.Transform, data []byte, dst io.Writer) {
	w, err := tr.Writer(dst)
	require.NoError(b, err)
	_, err = io.Copy(w, onlyReader{bytes.NewReader(data)})
	require.NoError(b, err)
	require.NoError(b, w.Close())
}

func decryptOnce(b *testing.B, tr *encrypt.Transform, ct []byte) {
	_, err := io.Copy(io.Discard, tr.Reader(bytes.NewReader(ct)))
	require.NoError(b, err)
}

// BenchmarkAgeVsGozfs compares age (ChaCha20-Poly1305, X25519 recipient)
// with the gozfs format's default, AES-256-GCM, on 32 MiB per op.
func BenchmarkAgeVsGozfs(b *testing.B) {
	benchFormats(b, encrypt.AES256GCM)
}

// BenchmarkAgeVsGozfsChaCha compares age with the gozfs format using the
// same cipher, ChaCha20-Poly1305: what remains is the formats' overhead.
func BenchmarkAgeVsGozfsChaCha(b *testing.B) {
	benchFormats(b, encrypt.ChaCha20Poly1305)
}

func benchFormats(b *testing.B, alg encrypt.Algorithm) {
	data := randBytesSeed(benchSize, 1)
	gozfs, ag := benchTransforms(b, alg)
	b.Run("encrypt", func(b *testing.B) {
		tg, ta := pair(b,
			func() { encryptOnce(b, gozfs, data, io.Discard) },
			func() { encryptOnce(b, ag, data, io.Discard) })
		report(b, "gozfs", "age", benchSize, tg, ta)
	})
	b.Run("decrypt", func(b *testing.B) {
		var cg, ca bytes.Buffer
		encryptOnce(b, gozfs, data, &cg)
		encryptOnce(b, ag, data, &ca)
		tg, ta := pair(b,
			func() { decryptOnce(b, gozfs, cg.Bytes()) },
			func() { decryptOnce(b, ag, ca.Bytes()) })
		report(b, "gozfs", "age", benchSize, tg, ta)
	})
}

// BenchmarkAgeReader compares this package's age reader with
// filippo.io/age's own Decrypt on the same file; `ratio` is ours ÷
// theirs in throughput. (The package reads the age payload itself for
// typed errors; this shows that costs nothing.)
func BenchmarkAgeReader(b *testing.B) {
	data := randBytesSeed(benchSize, 2)
	id, err := age.GenerateX25519Identity()
	require.NoError(b, err)
	ag := mustNew(b, encrypt.Options{Recipients: []age.Recipient{id.Recipient()}, Identities: []age.Identity{id}})
	var ct bytes.Buffer
	encryptOnce(b, ag, data, &ct)
	theirs, ours := pair(b,
		func() {
			r, err := age.Decrypt(bytes.NewReader(ct.Bytes()), id)
			require.NoError(b, err)
			_, err = io.Copy(io.Discard, r)
			require.NoError(b, err)
		},
		func() { decryptOnce(b, ag, ct.Bytes()) })
	report(b, "filippo.io/age", "ours", benchSize, theirs, ours)
}

// BenchmarkPassphraseCost is the key-derivation cost of one passphrase
// stream with default parameters, written and read: age runs scrypt
// (N=2^18) once per stream on each side; the gozfs format runs Argon2id
// (t=3, 64 MiB) once per Transform on each side, which a fresh Transform
// per op measures. `ratio` is gozfs time ÷ age time (below 1: age costs
// more per stream; with many streams per Transform the gozfs cost is paid
// once).
func BenchmarkPassphraseCost(b *testing.B) {
	pass := []byte("correct horse battery staple")
	tg, ta := pair(b,
		func() {
			tr := mustNew(b, encrypt.Options{Format: encrypt.FormatGozfs, Passphrase: pass})
			var ct bytes.Buffer
			encryptOnce(b, tr, nil, &ct)
			decryptOnce(b, mustNew(b, encrypt.Options{Passphrase: pass}), ct.Bytes())
		},
		func() {
			tr := mustNew(b, encrypt.Options{Passphrase: pass})
			var ct bytes.Buffer
			encryptOnce(b, tr, nil, &ct)
			decryptOnce(b, tr, ct.Bytes())
		})
	b.ReportMetric(tg.Seconds(), "gozfs-s/stream")
	b.ReportMetric(ta.Seconds(), "age-s/stream")
	b.ReportMetric(float64(tg)/float64(ta), "ratio")
}
