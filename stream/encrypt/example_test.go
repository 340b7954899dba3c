package encrypt_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/gozfs/gozfs/stream/encrypt"
)

func Example() {
	key := bytes.Repeat([]byte{7}, encrypt.KeySize) // use 32 random bytes in practice
	tr, err := encrypt.New(encrypt.Options{Key: key, KeyID: "backup-key-1"})
	if err != nil {
		panic(err)
	}

	var sealed bytes.Buffer
	w, _ := tr.Writer(&sealed)
	io.WriteString(w, "attack at dawn")
	if err := w.Close(); err != nil { // Close writes the final chunk
		panic(err)
	}

	plain, err := io.ReadAll(tr.Reader(&sealed))
	fmt.Printf("%s %v\n", plain, err)
	// Output: attack at dawn <nil>
}

func Example_tampering() {
	tr, _ := encrypt.New(encrypt.Options{Passphrase: []byte("hunter2"),
		Argon2id: encrypt.Argon2idParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	var sealed bytes.Buffer
	w, _ := tr.Writer(&sealed)
	io.WriteString(w, "attack at dawn")
	w.Close()

	b := sealed.Bytes()
	b[len(b)-1] ^= 1 // flip one bit of the last tag
	_, err := io.ReadAll(tr.Reader(bytes.NewReader(b)))
	fmt.Println(errors.Is(err, encrypt.ErrAuthentication))

	_, err = io.ReadAll(tr.Reader(bytes.NewReader(b[:len(b)-5]))) // cut short
	fmt.Println(errors.Is(err, encrypt.ErrTruncated))
	// Output:
	// true
	// true
}
