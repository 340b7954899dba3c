package compress_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/compress"
)

func Example() {
	zst, _ := compress.New(compress.Zstd, compress.Options{Level: 3, Concurrency: 2})
	text := strings.Repeat("snapshot tank/home@daily ", 1000)

	var packed bytes.Buffer
	w, _ := stream.Encoder(&packed, zst)
	io.WriteString(w, text)
	if err := w.Close(); err != nil {
		panic(err)
	}

	r, _ := stream.Decoder(&packed, zst)
	defer r.Close()
	back, _ := io.ReadAll(r)
	fmt.Println(len(text), packed.Len() < len(text)/20, string(back) == text)
	// Output: 25000 true true
}
