package encrypt_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/gozfs/gozfs/internal/golden"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/encrypt"
	"github.com/stretchr/testify/require"
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
		require.True(t, ok, "forged stream of %d bytes decrypted to %q", len(ct), got)
		require.Equal(t, want, string(got))
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
		require.NoError(t, err)
		require.True(t, bytes.Equal(got, pt), "round trip mismatch")
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
		require.Error(t, err, "mode %d at %d undetected", mode%3, p)
		for _, want := range []error{encrypt.ErrAuthentication, encrypt.ErrTruncated, encrypt.ErrTrailingData,
			encrypt.ErrWrongKey, encrypt.ErrFormat, encrypt.ErrUnsupported} {
			if errors.Is(err, want) {
				return
			}
		}
		require.Failf(t, "untyped error", "%v", err)
	})
}

// fuzzAgeIdentity is the X25519 identity of the golden files.
func fuzzAgeIdentity(t testing.TB) *age.X25519Identity {
	id, ok := goldenIdentities(t)[0].(*age.X25519Identity)
	require.True(t, ok, "testdata/age-key.txt holds no X25519 identity")
	return id
}

// FuzzAgeReader feeds arbitrary bytes to readers that hold the golden
// identities and raw key, or the golden passphrase, so age (binary and
// armored) and gozfs headers are all parsed. It must never panic, every
// error must be typed, and only the golden streams may decrypt (armored
// ones may vary in whitespace).
func FuzzAgeReader(f *testing.F) {
	byKey := mustNew(f, encrypt.Options{Identities: goldenIdentities(f), Key: testKey(0x42)})
	byPass := mustNew(f, encrypt.Options{
		Passphrase: []byte(goldenPass),
		Limits:     encrypt.Limits{MaxKDFMemoryKiB: 64, MaxKDFTime: 1}, // keep KDFs cheap
	})
	valid := map[string]bool{}
	for _, name := range []string{"age-x25519-empty.age", "age-x25519-armor.age", "age-ssh-ed25519.age",
		"age-scrypt-logn2.age", "gozfs-v1-key.enc", "gozfs-v1-argon2id.enc", "gozfs-v1-chacha-16.enc"} {
		b := golden.Read(f, name)
		valid[string(b)] = true
		f.Add(b)
	}
	f.Add([]byte("age-encryption.org/v1\n-> X25519 AAAA\nAAAA\n--- AAAA\n"))
	f.Add([]byte("age-encryption.org/v1\n-> scrypt AAAAAAAAAAAAAAAAAAAAAA 30\nAAAA\n--- AAAA\n"))
	f.Fuzz(func(t *testing.T, ct []byte) {
		for _, tr := range []*encrypt.Transform{byKey, byPass} {
			got, err := open(tr, ct)
			if err != nil {
				requireTyped(t, err)
				continue
			}
			if len(got) > 0 {
				require.Equal(t, goldenText, string(got), "forged stream of %d bytes decrypted", len(ct))
			}
			if !bytes.HasPrefix(ct, []byte("-----BEGIN")) {
				require.True(t, valid[string(ct)], "a stream that was never sealed decrypted to %q", got)
			}
		}
	})
}

// FuzzAgeRoundTrip checks that any plaintext survives age sealing and
// reads back with this package and with filippo.io/age.
func FuzzAgeRoundTrip(f *testing.F) {
	id := fuzzAgeIdentity(f)
	tr := mustNew(f, encrypt.Options{Recipients: []age.Recipient{id.Recipient()}, Identities: []age.Identity{id}})
	f.Add([]byte(""))
	f.Add([]byte("hello"))
	f.Add(bytes.Repeat([]byte("x"), 64<<10))
	f.Fuzz(func(t *testing.T, pt []byte) {
		ct := seal(t, tr, pt)
		got, err := open(tr, ct)
		require.NoError(t, err, "round trip")
		require.True(t, bytes.Equal(got, pt), "round trip")
		r, err := age.Decrypt(bytes.NewReader(ct), id)
		require.NoError(t, err)
		got, err = io.ReadAll(r)
		require.NoError(t, err, "age.Decrypt")
		require.True(t, bytes.Equal(got, pt), "age.Decrypt")
	})
}

// FuzzSpec checks a receiver's spec check on arbitrary parameters: no
// panic, and every error is typed.
func FuzzSpec(f *testing.F) {
	f.Add("age", "scrypt", "", "", "")
	f.Add("age", "X25519,ssh-ed25519", "", "", "")
	f.Add("gozfs", "", "aes-256-gcm", "65536", "none")
	f.Add("", "", "chacha20-poly1305", "-1", "argon2id")
	factories := []stream.Factory{
		encrypt.Factory(encrypt.Options{Passphrase: []byte("pw")}),
		encrypt.Factory(encrypt.Options{Key: testKey(1)}),
		encrypt.Factory(encrypt.Options{Identities: []age.Identity{fuzzAgeIdentity(f)}}),
	}
	f.Fuzz(func(t *testing.T, format, recipients, alg, chunk, kdf string) {
		params := map[string]string{}
		for k, v := range map[string]string{"format": format, "recipients": recipients, "algorithm": alg, "chunk_size": chunk, "kdf": kdf} {
			if v != "" {
				params[k] = v
			}
		}
		for _, fac := range factories {
			if _, err := fac(stream.Spec{Name: "encrypt", Params: params}); err != nil {
				requireTyped(t, err)
			}
		}
	})
}

// FuzzParseKeys feeds arbitrary text to ParseRecipients and
// ParseIdentities: no panic, errors match ErrNoKey, and whatever parses
// can be used.
func FuzzParseKeys(f *testing.F) {
	id := fuzzAgeIdentity(f)
	f.Add(id.Recipient().String() + "\n# comment\n")
	f.Add(id.String())
	f.Add("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN test")
	f.Add("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n")
	f.Fuzz(func(t *testing.T, text string) {
		if rs, err := encrypt.ParseRecipients(strings.NewReader(text)); err != nil {
			require.ErrorIs(t, err, encrypt.ErrNoKey, "untyped error")
		} else {
			_, err := encrypt.New(encrypt.Options{Recipients: rs})
			require.NoError(t, err, "parsed recipients rejected")
		}
		if ids, err := encrypt.ParseIdentities(strings.NewReader(text)); err != nil {
			require.ErrorIs(t, err, encrypt.ErrNoKey, "untyped error")
		} else {
			_, err := encrypt.New(encrypt.Options{Identities: ids})
			require.NoError(t, err, "parsed identities rejected")
		}
	})
}
