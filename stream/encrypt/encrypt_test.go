package encrypt_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/encrypt"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, encrypt.KeySize) }

func mustNew(t testing.TB, o encrypt.Options) *encrypt.Transform {
	t.Helper()
	tr, err := encrypt.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func seal(t testing.TB, tr *encrypt.Transform, pt []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := tr.Writer(&buf)
	if err != nil {
		t.Fatal(err)
	}
	// Write in uneven pieces to exercise chunk boundaries.
	for rest := pt; len(rest) > 0; {
		n := min(len(rest), 1+len(rest)/3)
		if _, err := w.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func open(tr *encrypt.Transform, ct []byte) ([]byte, error) {
	return io.ReadAll(tr.Reader(bytes.NewReader(ct)))
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// fastPass keeps passphrase tests quick.
var fastArgon = encrypt.Argon2idParams{Time: 1, MemoryKiB: 64, Threads: 1}

func TestRoundTrip(t *testing.T) {
	const chunk = 64
	sizes := []int{0, 1, chunk - 1, chunk, chunk + 1, 2 * chunk, 3*chunk + 7, 1000}
	opts := map[string]encrypt.Options{
		"aes-gcm":    {Key: testKey(1), ChunkSize: chunk},
		"chacha":     {Key: testKey(1), ChunkSize: chunk, Algorithm: encrypt.ChaCha20Poly1305, KeyID: "backup-2024"},
		"argon2id":   {Format: encrypt.FormatGozfs, Passphrase: []byte("correct horse"), ChunkSize: chunk, Argon2id: fastArgon},
		"scrypt":     {Format: encrypt.FormatGozfs, Passphrase: []byte("battery staple"), ChunkSize: chunk, KDF: encrypt.KDFScrypt, Scrypt: encrypt.ScryptParams{LogN: 4, R: 8, P: 1}},
		"default-cs": {Key: testKey(2)},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for name, o := range opts {
		tr := mustNew(t, o)
		for _, n := range sizes {
			t.Run(fmt.Sprintf("%s/%d", name, n), func(t *testing.T) {
				pt := randBytes(rng, n)
				ct := seal(t, tr, pt)
				got, err := open(tr, ct)
				if err != nil {
					t.Fatalf("open: %v", err)
				}
				if !bytes.Equal(got, pt) {
					t.Fatalf("plaintext mismatch: got %d bytes, want %d", len(got), len(pt))
				}
				// Size is header + frames + tags exactly.
				c := o.ChunkSize
				if c == 0 {
					c = encrypt.DefaultChunkSize
				}
				chunks := max(1, (n+c-1)/c)
				want := 81 + len(o.KeyID) + n + chunks*(encrypt.FrameSize+encrypt.TagSize)
				if len(ct) != want {
					t.Errorf("ciphertext size = %d, want %d", len(ct), want)
				}
			})
		}
	}
}

func TestNonceAndSeedAreRandomPerStream(t *testing.T) {
	tr := mustNew(t, encrypt.Options{Key: testKey(1)})
	a := seal(t, tr, []byte("same"))
	b := seal(t, tr, []byte("same"))
	if bytes.Equal(a, b) {
		t.Fatal("two encryptions of the same plaintext are identical")
	}
}

// chunkOffsets returns the start offsets of each chunk frame in ct.
func chunkOffsets(t *testing.T, ct []byte, headerLen int) []int {
	t.Helper()
	var offs []int
	for off := headerLen; off < len(ct); {
		offs = append(offs, off)
		n := int(binary.BigEndian.Uint32(ct[off:]) &^ (1 << 31))
		off += encrypt.FrameSize + n + encrypt.TagSize
	}
	return offs
}

func TestTamperingDetected(t *testing.T) {
	const chunk = 16
	tr := mustNew(t, encrypt.Options{Key: testKey(3), ChunkSize: chunk, KeyID: "k"})
	pt := []byte("0123456789abcdef0123456789abcdef0123456789")
	ct := seal(t, tr, pt)
	hdr := 81 + 1
	offs := chunkOffsets(t, ct, hdr)
	if len(offs) != 3 {
		t.Fatalf("got %d chunks, want 3", len(offs))
	}
	chunkAt := func(i int) []byte {
		end := len(ct)
		if i+1 < len(offs) {
			end = offs[i+1]
		}
		return ct[offs[i]:end]
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	other := seal(t, tr, pt) // same key, different stream
	otherOffs := chunkOffsets(t, other, hdr)

	tests := []struct {
		name string
		ct   []byte
		want error
	}{
		{"swap chunks 0 and 1", cat(ct[:hdr], chunkAt(1), chunkAt(0), chunkAt(2)), encrypt.ErrAuthentication},
		{"duplicate chunk 0", cat(ct[:hdr], chunkAt(0), chunkAt(0), chunkAt(1), chunkAt(2)), encrypt.ErrAuthentication},
		{"drop middle chunk", cat(ct[:hdr], chunkAt(0), chunkAt(2)), encrypt.ErrAuthentication},
		{"drop final chunk", cat(ct[:hdr], chunkAt(0), chunkAt(1)), encrypt.ErrTruncated},
		{"final chunk replayed", cat(ct, chunkAt(2)), encrypt.ErrTrailingData},
		{"trailing byte", cat(ct, []byte{0}), encrypt.ErrTrailingData},
		{"chunk from another stream", cat(ct[:hdr], other[otherOffs[0]:otherOffs[1]], chunkAt(1), chunkAt(2)), encrypt.ErrAuthentication},
		{"header from another stream", cat(other[:hdr], ct[hdr:]), encrypt.ErrAuthentication},
		{"clear final flag", func() []byte {
			c := bytes.Clone(ct)
			c[offs[2]] &^= 0x80
			return c
		}(), encrypt.ErrAuthentication},
		{"set final flag early", func() []byte {
			c := bytes.Clone(ct)
			c[offs[0]] |= 0x80
			return c
		}(), encrypt.ErrAuthentication},
		{"not encrypted", []byte("plain text, no magic here at all, definitely not a header; padding padding padding!!"), encrypt.ErrFormat},
		{"empty input", nil, encrypt.ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := open(tr, tt.ct)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			// Whatever was released must be a prefix of the true plaintext,
			// made of whole authenticated chunks.
			if !bytes.HasPrefix(pt, got) || len(got)%chunk != 0 && len(got) != len(pt) {
				t.Errorf("released %q, not whole authenticated chunks of the plaintext", got)
			}
		})
	}
}

func TestEveryBitFlipFails(t *testing.T) {
	for _, alg := range []encrypt.Algorithm{encrypt.AES256GCM, encrypt.ChaCha20Poly1305} {
		tr := mustNew(t, encrypt.Options{Key: testKey(4), ChunkSize: 8, Algorithm: alg, KeyID: "id"})
		ct := seal(t, tr, []byte("twenty bytes of text"))
		for i := range ct {
			for bit := range 8 {
				c := bytes.Clone(ct)
				c[i] ^= 1 << bit
				if _, err := open(tr, c); err == nil {
					t.Fatalf("%v: flipping bit %d of byte %d went undetected", alg, bit, i)
				}
			}
		}
	}
}

func TestEveryTruncationFails(t *testing.T) {
	tr := mustNew(t, encrypt.Options{Key: testKey(5), ChunkSize: 8})
	for _, n := range []int{0, 8, 20} {
		ct := seal(t, tr, bytes.Repeat([]byte{'x'}, n))
		for cut := range len(ct) {
			if _, err := open(tr, ct[:cut]); !errors.Is(err, encrypt.ErrTruncated) {
				t.Fatalf("plaintext %d bytes cut to %d of %d: err = %v, want ErrTruncated", n, cut, len(ct), err)
			}
		}
	}
}

func TestWrongKey(t *testing.T) {
	sealer := mustNew(t, encrypt.Options{Key: testKey(6), KeyID: "a"})
	ct := seal(t, sealer, []byte("secret"))
	pass := mustNew(t, encrypt.Options{Format: encrypt.FormatGozfs, Passphrase: []byte("pw"), Argon2id: fastArgon})
	pct := seal(t, pass, []byte("secret"))
	tests := []struct {
		name   string
		opener encrypt.Options
		ct     []byte
		want   error
	}{
		{"other raw key", encrypt.Options{Key: testKey(7)}, ct, encrypt.ErrWrongKey},
		{"passphrase for raw-key stream", encrypt.Options{Passphrase: []byte("pw")}, ct, encrypt.ErrWrongKey},
		{"raw key for passphrase stream", encrypt.Options{Key: testKey(6)}, pct, encrypt.ErrWrongKey},
		{"wrong passphrase", encrypt.Options{Passphrase: []byte("PW")}, pct, encrypt.ErrWrongPassphrase},
		{"key lookup miss", encrypt.Options{Keys: func(id string) ([]byte, error) {
			return nil, fmt.Errorf("%w: %q", encrypt.ErrNoKey, id)
		}}, ct, encrypt.ErrNoKey},
		{"kdf over limit", encrypt.Options{Passphrase: []byte("pw"), Limits: encrypt.Limits{MaxKDFMemoryKiB: 32}}, pct, encrypt.ErrKDFLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := open(mustNew(t, tt.opener), tt.ct)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if len(got) != 0 {
				t.Errorf("released %q with a wrong key", got)
			}
		})
	}
}

func TestKeyLookupByID(t *testing.T) {
	keys := map[string][]byte{"old": testKey(1), "new": testKey(2)}
	opener := mustNew(t, encrypt.Options{Keys: func(id string) ([]byte, error) {
		k, ok := keys[id]
		if !ok {
			return nil, encrypt.ErrNoKey
		}
		return k, nil
	}})
	for id, k := range keys {
		ct := seal(t, mustNew(t, encrypt.Options{Key: k, KeyID: id}), []byte("payload "+id))
		got, err := open(opener, ct)
		if err != nil || string(got) != "payload "+id {
			t.Errorf("key %s: got %q, %v", id, got, err)
		}
		r := opener.Reader(bytes.NewReader(ct))
		h, err := r.Header()
		if err != nil || h.KeyID != id || h.Algorithm != encrypt.AES256GCM || h.ChunkSize != encrypt.DefaultChunkSize {
			t.Errorf("Header = %+v, %v", h, err)
		}
	}
	if _, err := opener.Writer(io.Discard); !errors.Is(err, encrypt.ErrNoKey) {
		t.Errorf("Writer with only Keys = %v, want ErrNoKey", err)
	}
}

func TestStopAtFinalIsSelfDelimiting(t *testing.T) {
	tr := mustNew(t, encrypt.Options{Key: testKey(8), ChunkSize: 10, StopAtFinal: true})
	ct := seal(t, tr, []byte("first stream, longer than one chunk"))
	src := bytes.NewReader(append(ct, "TRAILER"...))
	got, err := io.ReadAll(tr.Reader(src))
	if err != nil || string(got) != "first stream, longer than one chunk" {
		t.Fatalf("got %q, %v", got, err)
	}
	rest, _ := io.ReadAll(src)
	if string(rest) != "TRAILER" {
		t.Errorf("reader consumed past the final chunk: rest = %q", rest)
	}
}

func TestOptionsValidation(t *testing.T) {
	tests := []struct {
		name string
		o    encrypt.Options
		want error
	}{
		{"no key", encrypt.Options{}, encrypt.ErrNoKey},
		{"two keys", encrypt.Options{Key: testKey(1), Passphrase: []byte("x")}, encrypt.ErrNoKey},
		{"short key", encrypt.Options{Key: []byte("short")}, encrypt.ErrNoKey},
		{"bad algorithm", encrypt.Options{Key: testKey(1), Algorithm: 9}, encrypt.ErrUnsupported},
		{"huge chunk", encrypt.Options{Key: testKey(1), ChunkSize: encrypt.MaxChunkSize + 1}, encrypt.ErrFormat},
		{"long key id", encrypt.Options{Key: testKey(1), KeyID: string(make([]byte, 256))}, encrypt.ErrFormat},
	}
	for _, tt := range tests {
		if _, err := encrypt.New(tt.o); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	if !errors.Is(encrypt.ErrUnsupported, errors.ErrUnsupported) {
		t.Error("ErrUnsupported does not match errors.ErrUnsupported")
	}
	if a, err := encrypt.ParseAlgorithm("chacha20-poly1305"); err != nil || a != encrypt.ChaCha20Poly1305 {
		t.Errorf("ParseAlgorithm = %v, %v", a, err)
	}
}

func TestTransformInChain(t *testing.T) {
	tr := mustNew(t, encrypt.Options{Key: testKey(9), KeyID: "k1"})
	if s := tr.Spec().String(); s != "encrypt(algorithm=aes-256-gcm,chunk_size=65536,kdf=none,key_id=k1)" {
		t.Errorf("Spec = %s", s)
	}
	var g stream.Registry
	g.Register("encrypt", encrypt.Factory(encrypt.Options{Key: testKey(9)}))
	rx, err := g.Build(tr.Spec())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := stream.Encoder(&buf, tr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "through a chain")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := stream.Decoder(&buf, rx...)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil || string(got) != "through a chain" {
		t.Errorf("got %q, %v", got, err)
	}
}

// TestWritePaths checks that Write (small and large pieces) and ReadFrom
// (with short reads) produce streams that decrypt to the same plaintext and
// have the same layout.
func TestWritePaths(t *testing.T) {
	const chunk = 32
	tr := mustNew(t, encrypt.Options{Key: testKey(10), ChunkSize: chunk})
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, chunk, chunk + 1, 2 * chunk, 5*chunk - 1, 5 * chunk, 1000} {
		pt := randBytes(rng, n)
		paths := map[string]func(w *encrypt.Writer) error{
			"one Write": func(w *encrypt.Writer) error { _, err := w.Write(pt); return err },
			"ReadFrom": func(w *encrypt.Writer) error {
				_, err := w.ReadFrom(iotest.HalfReader(bytes.NewReader(pt)))
				return err
			},
			"ReadFrom one byte": func(w *encrypt.Writer) error {
				_, err := w.ReadFrom(iotest.OneByteReader(bytes.NewReader(pt)))
				return err
			},
			"Write then ReadFrom": func(w *encrypt.Writer) error {
				h := len(pt) / 3
				if _, err := w.Write(pt[:h]); err != nil {
					return err
				}
				_, err := w.ReadFrom(bytes.NewReader(pt[h:]))
				return err
			},
		}
		for name, write := range paths {
			var buf bytes.Buffer
			w, _ := tr.Writer(&buf)
			if err := write(w); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			chunks := max(1, (n+chunk-1)/chunk)
			if want := 81 + n + chunks*(encrypt.FrameSize+encrypt.TagSize); buf.Len() != want {
				t.Errorf("%s/%d: size %d, want %d", name, n, buf.Len(), want)
			}
			got, err := open(tr, buf.Bytes())
			if err != nil || !bytes.Equal(got, pt) {
				t.Errorf("%s/%d: round trip failed: %v", name, n, err)
			}
		}
	}
}
