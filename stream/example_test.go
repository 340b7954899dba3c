package stream_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/checksum"
	"github.com/gozfs/gozfs/stream/compress"
	"github.com/gozfs/gozfs/stream/encrypt"
)

// Compress, then encrypt, then append a checksum trailer on the way out;
// undo all three on the way in.
func Example_encryptAndCompress() {
	key := bytes.Repeat([]byte{1}, encrypt.KeySize) // use a random key in practice
	zst, _ := compress.New(compress.Zstd, compress.Options{Level: 3})
	enc, _ := encrypt.New(encrypt.Options{Key: key, KeyID: "k1"})
	sum, _ := checksum.Trailer(checksum.XXH64)
	ts := []stream.Transform{zst, enc, sum}

	var wire bytes.Buffer
	w, _ := stream.Encoder(&wire, ts...)
	io.WriteString(w, strings.Repeat("tank/data@snap1 ", 100))
	if err := w.Close(); err != nil { // flushes zstd, seals the final chunk, writes the trailer
		panic(err)
	}

	// The receiver learns the specs (e.g. in a hello message) and rebuilds
	// the transforms with its own key.
	var reg stream.Registry
	compress.Register(&reg, compress.Options{})
	checksum.Register(&reg)
	reg.Register("encrypt", encrypt.Factory(encrypt.Options{Key: key}))
	rx, err := reg.Build(stream.Specs(ts...)...)
	if err != nil {
		panic(err)
	}
	r, _ := stream.Decoder(&wire, rx...)
	defer r.Close()
	got, err := io.ReadAll(r)
	fmt.Println(stream.Specs(ts...))
	fmt.Printf("%q... %d bytes, err=%v\n", got[:15], len(got), err)
	// Output:
	// [zstd(level=3) encrypt(algorithm=aes-256-gcm,chunk_size=65536,kdf=none,key_id=k1) checksum(algorithm=xxh64)]
	// "tank/data@snap1"... 1600 bytes, err=<nil>
}

func ExampleChainWriter() {
	var out bytes.Buffer
	upper := func(w io.Writer) (io.WriteCloser, error) {
		return stream.NopWriteCloser(writerFunc(func(p []byte) (int, error) {
			return w.Write(bytes.ToUpper(p))
		})), nil
	}
	w, _ := stream.ChainWriter(&out, upper, stream.BufferWriter(stream.BufferOptions{Size: 1024}, nil))
	io.WriteString(w, "hello, ")
	io.WriteString(w, "chain")
	w.Close() // drains the buffer into out
	fmt.Println(out.String())
	// Output: HELLO, CHAIN
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func ExampleBuffer() {
	b := stream.NewBuffer(stream.BufferOptions{Size: 64 << 10})
	go func() {
		for i := range 3 {
			fmt.Fprintf(b, "block %d\n", i)
		}
		b.CloseWrite()
	}()
	io.Copy(writerFunc(func(p []byte) (int, error) { fmt.Print(string(p)); return len(p), nil }), b.Reader())
	fmt.Println("in:", b.Stats().BytesIn)
	// Output:
	// block 0
	// block 1
	// block 2
	// in: 24
}

func ExampleLimiter() {
	l := stream.NewLimiter(1<<20, 64<<10) // 1 MiB/s, 64 KiB bursts
	w := l.Writer(context.Background(), io.Discard)
	n, _ := w.Write(make([]byte, 32<<10)) // within the burst: no wait
	l.SetRate(0)                          // lift the limit while running
	fmt.Println(n, l.Rate())
	// Output: 32768 +Inf
}

func ExampleProgress() {
	p := stream.NewProgress(stream.ProgressOptions{
		Total:    1 << 20,
		Interval: time.Hour, // only the final update, to keep the output stable
		OnUpdate: func(s stream.ProgressSnapshot) {
			fmt.Printf("%d of %d bytes (%.0f%%) done=%v\n", s.Bytes, s.Total, 100*s.Fraction(), s.Done)
		},
	})
	io.Copy(p.Writer(io.Discard), bytes.NewReader(make([]byte, 1<<20)))
	p.Finish()
	// Output: 1048576 of 1048576 bytes (100%) done=true
}

func ExamplePipeline() {
	p := stream.NewPipeline()
	zst, _ := compress.New(compress.Zstd, compress.Options{Concurrency: 1})
	w, _ := stream.ChainWriter(p.Sink("file", io.Discard),
		p.Writer("zstd", zst.NewWriter),
		p.BufferWriter("buffer", stream.BufferOptions{Size: 1 << 20}))
	io.Copy(w, p.Source("source", strings.NewReader(strings.Repeat("data ", 1<<16))))
	w.Close()
	rep := p.Report()
	for _, s := range rep.Stages {
		fmt.Println(s.Kind, s.Name)
	}
	// rep.String() is a table with busy and blocked time per stage and the
	// bottleneck; timings vary, so this example prints only the structure.

	// Output:
	// source source
	// transform zstd
	// buffer buffer
	// sink file
}
