package checksum_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gozfs/gozfs/stream/checksum"
)

func ExampleSum() {
	sum, n, _ := checksum.Sum(strings.NewReader("abc"), checksum.SHA256)
	fmt.Printf("%d bytes %x\n", n, sum)
	// Output: 3 bytes ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
}

func ExampleTrailer() {
	tr, _ := checksum.Trailer(checksum.BLAKE3)
	var wire bytes.Buffer
	w, _ := tr.NewWriter(&wire)
	io.WriteString(w, "replicated bytes")
	w.Close() // appends the trailer

	wire.Bytes()[0] ^= 1 // damage in transit
	r, _ := tr.NewReader(&wire)
	_, err := io.ReadAll(r)
	fmt.Println(errors.Is(err, checksum.ErrMismatch))
	// Output: true
}
