package stream_test

import (
	"bytes"
	stdgzip "compress/gzip"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/compress"
	"github.com/gozfs/gozfs/stream/encrypt"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/chacha20poly1305"
)

// The headline benchmarks time ours and a baseline in the same iteration and
// report "ratio" = baseline time / our time (= our throughput / baseline
// throughput), so higher is better and 1.0 means parity.

// onlyReader and onlyWriter hide WriterTo/ReaderFrom so io.Copy does real
// buffered copying, as it would from a pipe or socket.
type onlyReader struct{ io.Reader }
type onlyWriter struct{ io.Writer }

func timeIt(f func()) time.Duration {
	t0 := time.Now()
	f()
	return time.Since(t0)
}

func reportRatio(b *testing.B, base, ours time.Duration) {
	b.ReportMetric(float64(base)/float64(ours), "ratio")
	b.ReportMetric(float64(ours.Nanoseconds())/float64(b.N), "ours-ns/op")
	b.ReportMetric(float64(base.Nanoseconds())/float64(b.N), "base-ns/op")
}

// compressible returns data that compresses like typical file-system
// content: runs of text, repeated records and some random bytes.
func compressible(n int) []byte {
	r := rand.New(rand.NewPCG(7, 7))
	words := []string{"tank/", "home", "@daily-", "2024", "snapshot ", "\x00\x00\x00\x00", "receive ", "data\n"}
	out := make([]byte, 0, n)
	for len(out) < n {
		if r.IntN(10) == 0 {
			for range 16 {
				out = append(out, byte(r.Uint32()))
			}
		} else {
			out = append(out, words[r.IntN(len(words))]...)
		}
	}
	return out[:n]
}

// BenchmarkPassthroughChain: three identity transforms in a ChainWriter
// versus a bare io.Copy (64 MiB per op). Shows the chain's overhead.
func BenchmarkPassthroughChain(b *testing.B) {
	data := make([]byte, 64<<20)
	b.SetBytes(int64(len(data)))
	var base, ours time.Duration
	for b.Loop() {
		base += timeIt(func() {
			io.Copy(onlyWriter{io.Discard}, onlyReader{bytes.NewReader(data)})
		})
		ours += timeIt(func() {
			w, _ := stream.Encoder(onlyWriter{io.Discard}, stream.Identity(), stream.Identity(), stream.Identity())
			io.Copy(w, onlyReader{bytes.NewReader(data)})
			w.Close()
		})
	}
	reportRatio(b, base, ours)
}

// BenchmarkEncryptAESGCM: the chunked, framed encrypt.Writer versus raw
// AES-256-GCM Seal over the same 64 KiB chunks with no framing or I/O
// layering (the ceiling), 64 MiB per op.
func BenchmarkEncryptAESGCM(b *testing.B) {
	benchEncrypt(b, encrypt.AES256GCM)
}

// BenchmarkEncryptChaCha20Poly1305 is BenchmarkEncryptAESGCM for
// ChaCha20-Poly1305, against raw ChaCha20-Poly1305 Seal.
func BenchmarkEncryptChaCha20Poly1305(b *testing.B) {
	benchEncrypt(b, encrypt.ChaCha20Poly1305)
}

func benchEncrypt(b *testing.B, alg encrypt.Algorithm) {
	data := make([]byte, 64<<20)
	key := bytes.Repeat([]byte{9}, 32)
	tr, err := encrypt.New(encrypt.Options{Key: key, Algorithm: alg})
	require.NoError(b, err)
	var gcm cipher.AEAD
	if alg == encrypt.ChaCha20Poly1305 {
		gcm, _ = chacha20poly1305.New(key)
	} else {
		block, _ := aes.NewCipher(key)
		gcm, _ = cipher.NewGCM(block)
	}
	nonce := make([]byte, 12)
	chunk := make([]byte, 0, encrypt.DefaultChunkSize+16)
	b.SetBytes(int64(len(data)))
	var base, ours time.Duration
	for b.Loop() {
		base += timeIt(func() {
			for off := 0; off < len(data); off += encrypt.DefaultChunkSize {
				nonce[11]++
				io.Discard.Write(gcm.Seal(chunk[:0], nonce, data[off:off+encrypt.DefaultChunkSize], nil))
			}
		})
		ours += timeIt(func() {
			w, _ := tr.Writer(io.Discard)
			io.Copy(w, onlyReader{bytes.NewReader(data)})
			w.Close()
		})
	}
	reportRatio(b, base, ours)
}

// BenchmarkDecryptAESGCM measures authenticated decryption throughput of
// the encrypt.Reader (64 MiB per op) against raw GCM Open of the same
// chunks.
func BenchmarkDecryptAESGCM(b *testing.B) {
	data := make([]byte, 64<<20)
	key := bytes.Repeat([]byte{9}, 32)
	tr, _ := encrypt.New(encrypt.Options{Key: key})
	var sealed bytes.Buffer
	w, _ := tr.Writer(&sealed)
	w.Write(data)
	w.Close()
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	nonce := make([]byte, 12)
	var raw [][]byte
	for off := 0; off < len(data); off += encrypt.DefaultChunkSize {
		raw = append(raw, gcm.Seal(nil, nonce, data[off:off+encrypt.DefaultChunkSize], nil))
	}
	buf := make([]byte, encrypt.DefaultChunkSize)
	b.SetBytes(int64(len(data)))
	var base, ours time.Duration
	for b.Loop() {
		base += timeIt(func() {
			for _, c := range raw {
				p, err := gcm.Open(buf[:0], nonce, c, nil)
				require.NoError(b, err)
				io.Discard.Write(p)
			}
		})
		ours += timeIt(func() {
			_, err := io.Copy(io.Discard, tr.Reader(bytes.NewReader(sealed.Bytes())))
			require.NoError(b, err)
		})
	}
	reportRatio(b, base, ours)
}

// BenchmarkZstdVsGzip: compressing 32 MiB of file-system-like data through
// a zstd (level 3, default concurrency) chain versus the standard library's
// gzip at its default level, the tool most pipelines reach for.
func BenchmarkZstdVsGzip(b *testing.B) {
	data := compressible(32 << 20)
	zst, _ := compress.New(compress.Zstd, compress.Options{Level: 3})
	b.SetBytes(int64(len(data)))
	var base, ours time.Duration
	var zsize, gsize int
	for b.Loop() {
		cw := stream.NewCountingWriter(nil)
		base += timeIt(func() {
			g := stdgzip.NewWriter(cw)
			io.Copy(g, onlyReader{bytes.NewReader(data)})
			g.Close()
		})
		gsize = int(cw.N())
		cw = stream.NewCountingWriter(nil)
		ours += timeIt(func() {
			w, _ := stream.Encoder(cw, zst)
			io.Copy(w, onlyReader{bytes.NewReader(data)})
			w.Close()
		})
		zsize = int(cw.N())
	}
	reportRatio(b, base, ours)
	b.ReportMetric(float64(len(data))/float64(zsize), "zstd-x")
	b.ReportMetric(float64(len(data))/float64(gsize), "gzip-x")
}

// BenchmarkLZ4 reports lz4 compression throughput against the same gzip
// baseline, 32 MiB per op.
func BenchmarkLZ4(b *testing.B) {
	data := compressible(32 << 20)
	lz, _ := compress.New(compress.LZ4, compress.Options{})
	b.SetBytes(int64(len(data)))
	var base, ours time.Duration
	for b.Loop() {
		base += timeIt(func() {
			g := stdgzip.NewWriter(io.Discard)
			io.Copy(g, onlyReader{bytes.NewReader(data)})
			g.Close()
		})
		ours += timeIt(func() {
			w, _ := stream.Encoder(io.Discard, lz)
			io.Copy(w, onlyReader{bytes.NewReader(data)})
			w.Close()
		})
	}
	reportRatio(b, base, ours)
}

// BenchmarkBufferVsPipe: a producer that does steady work per 32 KiB block
// (like a compressor) feeds a consumer that works in bursts (like a disk
// flushing every 32 blocks), 16 MiB per op, through a 4 MiB Buffer versus
// io.Pipe. With io.Pipe the producer stops during every burst; the buffer
// lets the two overlap.
func BenchmarkBufferVsPipe(b *testing.B) {
	const total, block, burst = 16 << 20, 32 << 10, 32
	src := make([]byte, block)
	work := func(p []byte) { sha256.Sum256(p) }
	produce := func(w io.WriteCloser) {
		for range total / block {
			work(src)
			if _, err := w.Write(src); err != nil {
				return
			}
		}
		w.Close()
	}
	consume := func(r io.Reader) {
		p := make([]byte, block)
		for i := 1; ; i++ {
			_, err := io.ReadFull(r, p)
			if err != nil {
				return
			}
			if i%burst == 0 { // a burst worth 32 blocks of work
				for range burst {
					work(p)
				}
			}
		}
	}
	run := func(w io.WriteCloser, r io.Reader) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			produce(w)
		}()
		consume(r)
		<-done
	}
	b.SetBytes(total)
	var base, ours time.Duration
	for b.Loop() {
		base += timeIt(func() {
			pr, pw := io.Pipe()
			run(pw, pr)
		})
		ours += timeIt(func() {
			buf := stream.NewBuffer(stream.BufferOptions{Size: 4 << 20})
			run(buf.Writer(), buf.Reader())
		})
	}
	reportRatio(b, base, ours)
}

// BenchmarkBufferRawCopy is the buffer's worst case: no work on either
// side, so its extra copy shows (64 MiB per op, versus io.Pipe).
func BenchmarkBufferRawCopy(b *testing.B) {
	const total, block = 64 << 20, 32 << 10
	src := make([]byte, block)
	run := func(w io.WriteCloser, r io.Reader) {
		go func() {
			for range total / block {
				w.Write(src)
			}
			w.Close()
		}()
		io.CopyBuffer(onlyWriter{io.Discard}, onlyReader{r}, make([]byte, block))
	}
	b.SetBytes(total)
	var base, ours time.Duration
	for b.Loop() {
		base += timeIt(func() {
			pr, pw := io.Pipe()
			run(pw, pr)
		})
		ours += timeIt(func() {
			buf := stream.NewBuffer(stream.BufferOptions{Size: 4 << 20})
			run(buf.Writer(), buf.Reader())
		})
	}
	reportRatio(b, base, ours)
}
