package encrypt_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/gozfs/gozfs/stream/encrypt"
)

// detRand is a deterministic randomness source so fuzz seeds are stable.
type detRand struct{ r *rand.ChaCha8 }

func (d detRand) Read(p []byte) (int, error) { return d.r.Read(p) }

func fuzzTransform(t testing.TB, chunk int) *encrypt.Transform {
	return mustNew(t, encrypt.Options{
		Key:       testKey(0x42),
		ChunkSize: chunk,
		KeyID:     "fuzz",
		Rand:      detRand{rand.NewChaCha8([32]byte{1})},
	})
}

// FuzzReader feeds arbitrary bytes to the decrypting reader. It must never
// panic, and it may succeed only on the exact stream that was sealed.
func FuzzReader(f *testing.F) {
	tr := fuzzTransform(f, 16)
	valid := map[string]string{}
	for _, pt := range []string{"", "a", "sixteen bytes!!!", "a longer plaintext spanning several chunks"} {
		ct := seal(f, tr, []byte(pt))
		valid[string(ct)] = pt
		f.Add(ct)
	}
	f.Add([]byte(encrypt.Magic))
	f.Fuzz(func(t *testing.T, ct []byte) {
		got, err := open(tr, ct)
		if err != nil {
			return
		}
		want, ok := valid[string(ct)]
		if !ok {
			t.Fatalf("forged stream of %d bytes decrypted to %q", len(ct), got)
		}
		if string(got) != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
}

// FuzzRoundTrip checks that any plaintext with any chunk size survives a
// round trip.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte(""), uint16(1))
	f.Add([]byte("hello"), uint16(5))
	f.Add(bytes.Repeat([]byte("x"), 100), uint16(7))
	f.Fuzz(func(t *testing.T, pt []byte, chunk uint16) {
		tr := fuzzTransform(t, int(chunk%512)+1)
		got, err := open(tr, seal(t, tr, pt))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, pt) {
			t.Fatalf("round trip mismatch")
		}
	})
}

// FuzzTamper modifies one byte of a sealed stream, truncates it, or appends
// to it; decryption must fail with one of the package's errors.
func FuzzTamper(f *testing.F) {
	f.Add([]byte("some plaintext"), uint16(3), byte(1), uint8(0))
	f.Add([]byte("more plaintext than one chunk holds"), uint16(90), byte(0x80), uint8(1))
	f.Add([]byte(""), uint16(0), byte(0), uint8(2))
	f.Fuzz(func(t *testing.T, pt []byte, pos uint16, x byte, mode uint8) {
		tr := fuzzTransform(t, 8)
		ct := seal(t, tr, pt)
		p := int(pos) % len(ct)
		switch mode % 3 {
		case 0:
			if x == 0 {
				x = 1
			}
			ct[p] ^= x
		case 1:
			ct = ct[:p]
		case 2:
			ct = append(ct, x)
		}
		_, err := open(tr, ct)
		if err == nil {
			t.Fatalf("mode %d at %d undetected", mode%3, p)
		}
		for _, want := range []error{encrypt.ErrAuthentication, encrypt.ErrTruncated, encrypt.ErrTrailingData,
			encrypt.ErrWrongKey, encrypt.ErrFormat, encrypt.ErrUnsupported} {
			if errors.Is(err, want) {
				return
			}
		}
		t.Fatalf("untyped error %v", err)
	})
}
