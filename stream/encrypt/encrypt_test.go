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
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, encrypt.KeySize) }

func mustNew(t testing.TB, o encrypt.Options) *encrypt.Transform {
	t.Helper()
	tr, err := encrypt.New(o)
	require.NoError(t, err)
	return tr
}

func seal(t testing.TB, tr *encrypt.Transform, pt []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := tr.Writer(&buf)
	require.NoError(t, err)
	// Write in uneven pieces to exercise chunk boundaries.
	for rest := pt; len(rest) > 0; {
		n := min(len(rest), 1+len(rest)/3)
		_, err := w.Write(rest[:n])
		require.NoError(t, err)
		rest = rest[n:]
	}
	require.NoError(t, w.Close())
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
				require.NoError(t, err, "open")
				require.True(t, bytes.Equal(got, pt), "plaintext mismatch: got %d bytes, want %d", len(got), len(pt))
				// Size is header + frames + tags exactly.
				c := o.ChunkSize
				if c == 0 {
					c = encrypt.DefaultChunkSize
				}
				chunks := max(1, (n+c-1)/c)
				want := 81 + len(o.KeyID) + n + chunks*(encrypt.FrameSize+encrypt.TagSize)
				assert.Equal(t, want, len(ct), "ciphertext size")
			})
		}
	}
}

func TestNonceAndSeedAreRandomPerStream(t *testing.T) {
	tr := mustNew(t, encrypt.Options{Key: testKey(1)})
	a := seal(t, tr, []byte("same"))
	b := seal(t, tr, []byte("same"))
	require.NotEqual(t, a, b, "two encryptions of the same plaintext are identical")
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
	require.Len(t, offs, 3, "chunks")
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
			require.ErrorIs(t, err, tt.want)
			// Whatever was released must be a prefix of the true plaintext,
			// made of whole authenticated chunks.
			assert.True(t, bytes.HasPrefix(pt, got) && (len(got)%chunk == 0 || len(got) == len(pt)),
				"released %q, not whole authenticated chunks of the plaintext", got)
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
				_, err := open(tr, c)
				require.Error(t, err, "%v: flipping bit %d of byte %d went undetected", alg, bit, i)
			}
		}
	}
}

func TestEveryTruncationFails(t *testing.T) {
	tr := mustNew(t, encrypt.Options{Key: testKey(5), ChunkSize: 8})
	for _, n := range []int{0, 8, 20} {
		ct := seal(t, tr, bytes.Repeat([]byte{'x'}, n))
		for cut := range len(ct) {
			_, err := open(tr, ct[:cut])
			require.ErrorIs(t, err, encrypt.ErrTruncated, "plaintext %d bytes cut to %d of %d", n, cut, len(ct))
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
			require.ErrorIs(t, err, tt.want)
			assert.Empty(t, got, "released with a wrong key")
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
		if assert.NoError(t, err, "key %s", id) {
			assert.Equal(t, "payload "+id, string(got), "key %s", id)
		}
		r := opener.Reader(bytes.NewReader(ct))
		h, err := r.Header()
		if assert.NoError(t, err, "Header") {
			assert.Equal(t, id, h.KeyID, "Header = %+v", h)
			assert.Equal(t, encrypt.AES256GCM, h.Algorithm, "Header = %+v", h)
			assert.Equal(t, encrypt.DefaultChunkSize, h.ChunkSize, "Header = %+v", h)
		}
	}
	_, err := opener.Writer(io.Discard)
	assert.ErrorIs(t, err, encrypt.ErrNoKey, "Writer with only Keys")
}

func TestStopAtFinalIsSelfDelimiting(t *testing.T) {
	tr := mustNew(t, encrypt.Options{Key: testKey(8), ChunkSize: 10, StopAtFinal: true})
	ct := seal(t, tr, []byte("first stream, longer than one chunk"))
	src := bytes.NewReader(append(ct, "TRAILER"...))
	got, err := io.ReadAll(tr.Reader(src))
	require.NoError(t, err)
	require.Equal(t, "first stream, longer than one chunk", string(got))
	rest, _ := io.ReadAll(src)
	assert.Equal(t, "TRAILER", string(rest), "reader consumed past the final chunk")
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
		_, err := encrypt.New(tt.o)
		assert.ErrorIs(t, err, tt.want, tt.name)
	}
	assert.ErrorIs(t, encrypt.ErrUnsupported, errors.ErrUnsupported)
	a, err := encrypt.ParseAlgorithm("chacha20-poly1305")
	if assert.NoError(t, err, "ParseAlgorithm") {
		assert.Equal(t, encrypt.ChaCha20Poly1305, a, "ParseAlgorithm")
	}
}

func TestTransformInChain(t *testing.T) {
	tr := mustNew(t, encrypt.Options{Key: testKey(9), KeyID: "k1"})
	assert.Equal(t, "encrypt(algorithm=aes-256-gcm,chunk_size=65536,kdf=none,key_id=k1)", tr.Spec().String(), "Spec")
	var g stream.Registry
	g.Register("encrypt", encrypt.Factory(encrypt.Options{Key: testKey(9)}))
	rx, err := g.Build(tr.Spec())
	require.NoError(t, err)
	var buf bytes.Buffer
	w, err := stream.Encoder(&buf, tr)
	require.NoError(t, err)
	io.WriteString(w, "through a chain")
	require.NoError(t, w.Close())
	r, err := stream.Decoder(&buf, rx...)
	require.NoError(t, err)
	got, err := io.ReadAll(r)
	if assert.NoError(t, err) {
		assert.Equal(t, "through a chain", string(got))
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
			require.NoError(t, write(w))
			require.NoError(t, w.Close())
			chunks := max(1, (n+chunk-1)/chunk)
			assert.Equal(t, 81+n+chunks*(encrypt.FrameSize+encrypt.TagSize), buf.Len(), "%s/%d: size", name, n)
			got, err := open(tr, buf.Bytes())
			if assert.NoError(t, err, "%s/%d: round trip failed", name, n) {
				assert.True(t, bytes.Equal(got, pt), "%s/%d: round trip failed", name, n)
			}
		}
	}
}
