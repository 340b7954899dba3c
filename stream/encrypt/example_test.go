package encrypt_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"filippo.io/age"

	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/encrypt"
)

// A raw 32-byte key writes the gozfs format (age has no raw keys).
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

// Tampering and truncation are typed errors, here for the gozfs format.
func Example_tampering() {
	tr, _ := encrypt.New(encrypt.Options{Format: encrypt.FormatGozfs, Passphrase: []byte("hunter2"),
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

// Age with X25519 keys: the sender needs only the public recipient; the
// stream decrypts here or with `age -d -i key.txt`.
func Example_age() {
	id, err := age.GenerateX25519Identity() // age-keygen does the same
	if err != nil {
		panic(err)
	}
	sender, err := encrypt.New(encrypt.Options{Recipients: []age.Recipient{id.Recipient()}})
	if err != nil {
		panic(err)
	}
	var sealed bytes.Buffer
	w, _ := sender.Writer(&sealed)
	io.WriteString(w, "attack at dawn")
	if err := w.Close(); err != nil {
		panic(err)
	}
	line, _, _ := strings.Cut(sealed.String(), "\n")
	fmt.Println(sender.Format(), sender.Spec(), line)

	receiver, _ := encrypt.New(encrypt.Options{Identities: []age.Identity{id}})
	plain, err := io.ReadAll(receiver.Reader(&sealed))
	fmt.Printf("%s %v\n", plain, err)
	// Output:
	// age encrypt(format=age,recipients=X25519) age-encryption.org/v1
	// attack at dawn <nil>
}

// Age with ssh keys: recipients and identities parsed from an ssh key pair
// (here the test key in testdata).
func Example_sshKeys() {
	pub, _ := os.Open("testdata/age-ssh-ed25519.pub") // e.g. ~/.ssh/id_ed25519.pub
	defer pub.Close()
	recipients, err := encrypt.ParseRecipients(pub)
	if err != nil {
		panic(err)
	}
	priv, _ := os.Open("testdata/age-ssh-ed25519") // e.g. ~/.ssh/id_ed25519
	defer priv.Close()
	identities, err := encrypt.ParseIdentities(priv)
	if err != nil {
		panic(err)
	}

	tr, _ := encrypt.New(encrypt.Options{Recipients: recipients, Identities: identities})
	var sealed bytes.Buffer
	w, _ := tr.Writer(&sealed)
	io.WriteString(w, "to my ssh key")
	w.Close()
	plain, err := io.ReadAll(tr.Reader(&sealed))
	fmt.Println(tr.Spec(), string(plain), err)
	// Output: encrypt(format=age,recipients=ssh-ed25519) to my ssh key <nil>
}

// A passphrase writes age (what `age -p` writes), and the same passphrase
// reads both new age streams and gozfs streams made by earlier versions.
func Example_passphrase() {
	pass := []byte("correct horse battery staple")
	// LogN 10 keeps the example fast; leave Scrypt zero in practice (2^18).
	tr, _ := encrypt.New(encrypt.Options{Passphrase: pass, Scrypt: encrypt.ScryptParams{LogN: 10}})
	var sealed bytes.Buffer
	w, _ := tr.Writer(&sealed)
	io.WriteString(w, "new backup")
	w.Close()

	old, _ := os.ReadFile("testdata/gozfs-v1-argon2id.enc") // an earlier version's backup
	reader, _ := encrypt.New(encrypt.Options{Passphrase: []byte("golden passphrase")})
	plain, err := io.ReadAll(reader.Reader(bytes.NewReader(old)))
	fmt.Printf("%q %v\n", plain, err)

	mine, _ := encrypt.New(encrypt.Options{Passphrase: pass})
	r := mine.Reader(bytes.NewReader(sealed.Bytes()))
	f, _ := r.Format()
	plain, err = io.ReadAll(r)
	fmt.Printf("%v %q %v\n", f, plain, err)

	wrong, _ := encrypt.New(encrypt.Options{Passphrase: []byte("Tr0ub4dor&3")})
	_, err = io.ReadAll(wrong.Reader(bytes.NewReader(sealed.Bytes())))
	fmt.Println(errors.Is(err, encrypt.ErrWrongPassphrase), errors.Is(err, encrypt.ErrWrongKey))
	// Output:
	// "a golden age file\n" <nil>
	// age "new backup" <nil>
	// true true
}

// A receiver builds the transforms a sender announced from their Specs,
// with its own keys; a receiver without a matching key fails before any
// data flows.
func ExampleFactory() {
	id, _ := age.GenerateX25519Identity()
	sender, _ := encrypt.New(encrypt.Options{Recipients: []age.Recipient{id.Recipient()}})
	specs := stream.Specs(sender) // sent to the receiver, e.g. as JSON

	var sealed bytes.Buffer
	w, _ := stream.Encoder(&sealed, sender)
	io.WriteString(w, "through a chain")
	w.Close()

	var g stream.Registry
	g.Register("encrypt", encrypt.Factory(encrypt.Options{Identities: []age.Identity{id}}))
	rx, err := g.Build(specs...)
	if err != nil {
		panic(err)
	}
	r, _ := stream.Decoder(&sealed, rx...)
	plain, err := io.ReadAll(r)
	fmt.Printf("%s %v\n", plain, err)

	var other stream.Registry
	other.Register("encrypt", encrypt.Factory(encrypt.Options{Passphrase: []byte("no key for this")}))
	_, err = other.Build(specs...)
	fmt.Println(errors.Is(err, encrypt.ErrNoKey))
	// Output:
	// through a chain <nil>
	// true
}
