package encrypt_test

import (
	"bytes"
	"crypto/ed25519"
	crand "crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"filippo.io/age/armor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/encrypt"
)

// randBytesSeed returns n reproducible pseudo-random bytes.
func randBytesSeed(n int, seed uint64) []byte {
	return randBytes(rand.New(rand.NewPCG(seed, seed)), n)
}

// fastScrypt keeps age passphrase tests quick.
var fastScrypt = encrypt.ScryptParams{LogN: 4}

const ageChunk = 64 << 10

func x25519(t testing.TB) *age.X25519Identity {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	return id
}

// ageStream is an age stream of pt for id, written by this package.
func ageStream(t testing.TB, id *age.X25519Identity, pt []byte) []byte {
	t.Helper()
	return seal(t, mustNew(t, encrypt.Options{Recipients: []age.Recipient{id.Recipient()}}), pt)
}

// ageHeaderLen returns the length of the age header of ct (up to the MAC
// line included).
func ageHeaderLen(t testing.TB, ct []byte) int {
	t.Helper()
	i := bytes.Index(ct, []byte("\n---"))
	require.GreaterOrEqual(t, i, 0)
	j := bytes.IndexByte(ct[i+1:], '\n')
	require.GreaterOrEqual(t, j, 0)
	return i + 1 + j + 1
}

func TestAgeIsTheDefault(t *testing.T) {
	id := x25519(t)
	tests := []struct {
		name string
		o    encrypt.Options
		want encrypt.Format
	}{
		{"passphrase", encrypt.Options{Passphrase: []byte("pw"), Scrypt: fastScrypt}, encrypt.FormatAge},
		{"recipients", encrypt.Options{Recipients: []age.Recipient{id.Recipient()}}, encrypt.FormatAge},
		{"recipients and a raw key for reading", encrypt.Options{Recipients: []age.Recipient{id.Recipient()}, Key: testKey(1)}, encrypt.FormatAge},
		{"raw key", encrypt.Options{Key: testKey(1)}, encrypt.FormatGozfs},
		{"passphrase, gozfs asked for", encrypt.Options{Format: encrypt.FormatGozfs, Passphrase: []byte("pw"), Argon2id: fastArgon}, encrypt.FormatGozfs},
		{"identities only (no writer)", encrypt.Options{Identities: []age.Identity{id}}, 0},
		{"key lookup only (no writer)", encrypt.Options{Keys: func(string) ([]byte, error) { return nil, encrypt.ErrNoKey }}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := mustNew(t, tt.o)
			assert.Equal(t, tt.want, tr.Format())
			w, err := tr.Writer(io.Discard)
			if tt.want == 0 {
				require.ErrorIs(t, err, encrypt.ErrNoKey)
				require.Equal(t, "encrypt", tr.Spec().String())
				return
			}
			require.NoError(t, err)
			require.NoError(t, w.Close())
		})
	}
	ct := ageStream(t, id, []byte("x"))
	require.True(t, bytes.HasPrefix(ct, []byte("age-encryption.org/v1\n")), "%q", ct)
}

// TestAgeRoundTrip writes with this package and reads back with this
// package and with filippo.io/age's own reader, for every kind of
// recipient and the sizes around age's 64 KiB chunk.
func TestAgeRoundTrip(t *testing.T) {
	xid := x25519(t)
	_, edKey, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	edID, err := agessh.NewEd25519Identity(edKey)
	require.NoError(t, err)
	rsaKey, err := rsa.GenerateKey(crand.Reader, 2048)
	require.NoError(t, err)
	rsaID, err := agessh.NewRSAIdentity(rsaKey)
	require.NoError(t, err)
	scryptID, err := age.NewScryptIdentity("pw")
	require.NoError(t, err)

	cases := map[string]struct {
		w   encrypt.Options
		r   encrypt.Options
		ids []age.Identity // for age.Decrypt
	}{
		"x25519":      {encrypt.Options{Recipients: []age.Recipient{xid.Recipient()}}, encrypt.Options{Identities: []age.Identity{xid}}, []age.Identity{xid}},
		"ssh-ed25519": {encrypt.Options{Recipients: []age.Recipient{edID.Recipient()}}, encrypt.Options{Identities: []age.Identity{edID}}, []age.Identity{edID}},
		"ssh-rsa":     {encrypt.Options{Recipients: []age.Recipient{rsaID.Recipient()}}, encrypt.Options{Identities: []age.Identity{rsaID}}, []age.Identity{rsaID}},
		"passphrase":  {encrypt.Options{Passphrase: []byte("pw"), Scrypt: fastScrypt}, encrypt.Options{Passphrase: []byte("pw")}, []age.Identity{scryptID}},
		"several":     {encrypt.Options{Recipients: []age.Recipient{rsaID.Recipient(), xid.Recipient()}}, encrypt.Options{Identities: []age.Identity{xid}}, []age.Identity{edID, xid}},
	}
	sizes := []int{0, 1, ageChunk - 1, ageChunk, ageChunk + 1, 2 * ageChunk, 3*ageChunk + 7}
	for name, c := range cases {
		w, r := mustNew(t, c.w), mustNew(t, c.r)
		for _, n := range sizes {
			t.Run(fmt.Sprintf("%s/%d", name, n), func(t *testing.T) {
				pt := randBytesSeed(n, uint64(n))
				ct := seal(t, w, pt)
				got, err := open(r, ct)
				require.NoError(t, err)
				require.Equal(t, pt, nonNil(got))

				ar, err := age.Decrypt(bytes.NewReader(ct), c.ids...)
				require.NoError(t, err)
				got, err = io.ReadAll(ar)
				require.NoError(t, err)
				require.Equal(t, pt, nonNil(got))
			})
		}
	}
}

// TestAgeReadsWhatAgeWrites reads streams written by filippo.io/age
// itself, through every read path.
func TestAgeReadsWhatAgeWrites(t *testing.T) {
	id := x25519(t)
	r := mustNew(t, encrypt.Options{Identities: []age.Identity{id}})
	for _, n := range []int{0, 1, ageChunk, ageChunk + 1, 5*ageChunk - 3} {
		pt := randBytesSeed(n, 9)
		var buf bytes.Buffer
		aw, err := age.Encrypt(&buf, id.Recipient())
		require.NoError(t, err)
		_, err = aw.Write(pt)
		require.NoError(t, err)
		require.NoError(t, aw.Close())
		ct := buf.Bytes()

		paths := map[string]func() ([]byte, error){
			"ReadAll": func() ([]byte, error) { return io.ReadAll(r.Reader(bytes.NewReader(ct))) },
			"WriteTo": func() ([]byte, error) {
				var b bytes.Buffer
				_, err := r.Reader(bytes.NewReader(ct)).WriteTo(&b)
				return b.Bytes(), err
			},
			"one byte reads": func() ([]byte, error) {
				return io.ReadAll(iotest.OneByteReader(r.Reader(iotest.HalfReader(bytes.NewReader(ct)))))
			},
		}
		for name, read := range paths {
			got, err := read()
			require.NoError(t, err, "%s/%d", name, n)
			require.Equal(t, pt, nonNil(got), "%s/%d", name, n)
		}
		var armored bytes.Buffer
		a := armor.NewWriter(&armored)
		_, err = a.Write(ct)
		require.NoError(t, err)
		require.NoError(t, a.Close())
		got, err := open(r, armored.Bytes())
		require.NoError(t, err, "armored/%d", n)
		require.Equal(t, pt, nonNil(got))
	}
}

func TestAgeWritePaths(t *testing.T) {
	id := x25519(t)
	tr := mustNew(t, encrypt.Options{Recipients: []age.Recipient{id.Recipient()}})
	pt := randBytesSeed(3*ageChunk+11, 4)
	for name, write := range map[string]func(w *encrypt.Writer) error{
		"ReadFrom": func(w *encrypt.Writer) error {
			_, err := w.ReadFrom(iotest.HalfReader(bytes.NewReader(pt)))
			return err
		},
		"Write then ReadFrom": func(w *encrypt.Writer) error {
			if _, err := w.Write(pt[:100]); err != nil {
				return err
			}
			_, err := w.ReadFrom(bytes.NewReader(pt[100:]))
			return err
		},
		"io.Copy through a chain": func(w *encrypt.Writer) error {
			c, err := stream.ChainWriter(w)
			if err != nil {
				return err
			}
			_, err = io.Copy(c, bytes.NewReader(pt))
			return err
		},
	} {
		var buf bytes.Buffer
		w, err := tr.Writer(&buf)
		require.NoError(t, err)
		require.Zero(t, buf.Len(), "%s: nothing is written before the first Write", name)
		require.NoError(t, write(w), name)
		require.NoError(t, w.Close(), name)
		require.NoError(t, w.Close(), "%s: second Close", name)
		_, err = w.Write([]byte("x"))
		require.ErrorIs(t, err, stream.ErrClosed)
		got, err := open(mustNew(t, encrypt.Options{Identities: []age.Identity{id}}), buf.Bytes())
		require.NoError(t, err, name)
		require.Equal(t, pt, got, name)
	}
}

func TestAgeErrors(t *testing.T) {
	id := x25519(t)
	pt := randBytesSeed(2*ageChunk+100, 5)
	ct := ageStream(t, id, pt)
	hdr := ageHeaderLen(t, ct)
	pass := seal(t, mustNew(t, encrypt.Options{Passphrase: []byte("pw"), Scrypt: encrypt.ScryptParams{LogN: 12}}), []byte("secret"))
	withID := encrypt.Options{Identities: []age.Identity{id}}
	flip := func(b []byte, i int) []byte {
		c := bytes.Clone(b)
		c[i] ^= 1
		return c
	}
	// Chunks: [hdr+16, +64K+16), [.., +64K+16), the short final one.
	c0 := hdr + 16
	c1 := c0 + ageChunk + 16
	c2 := c1 + ageChunk + 16
	tests := []struct {
		name string
		o    encrypt.Options
		ct   []byte
		want []error
	}{
		{"other identity", encrypt.Options{Identities: []age.Identity{x25519(t)}}, ct, []error{encrypt.ErrWrongKey}},
		{"passphrase for a recipient stream", encrypt.Options{Passphrase: []byte("pw")}, ct, []error{encrypt.ErrWrongKey}},
		{"identity for a passphrase stream", withID, pass, []error{encrypt.ErrWrongKey}},
		{"wrong passphrase", encrypt.Options{Passphrase: []byte("PW")}, pass, []error{encrypt.ErrWrongPassphrase, encrypt.ErrWrongKey}},
		{"raw key for an age stream", encrypt.Options{Key: testKey(1)}, ct, []error{encrypt.ErrNoKey}},
		{"scrypt over the limit", encrypt.Options{Passphrase: []byte("pw"), Limits: encrypt.Limits{MaxKDFMemoryKiB: 1 << 11}}, pass, []error{encrypt.ErrKDFLimit}},
		{"StopAtFinal", encrypt.Options{Identities: []age.Identity{id}, Key: testKey(1), StopAtFinal: true}, ct, []error{encrypt.ErrUnsupported}},
		{"MAC modified", withID, otherBase64(ct, hdr-3), []error{encrypt.ErrAuthentication}},
		{"stanza modified", withID, otherBase64(ct, len("age-encryption.org/v1\n-> X25519 ")+2), []error{encrypt.ErrWrongKey}},
		{"header cut", withID, ct[:hdr-1], []error{encrypt.ErrTruncated}},
		{"nonce cut", withID, ct[:hdr+8], []error{encrypt.ErrTruncated}},
		{"no chunk", withID, ct[:c0], []error{encrypt.ErrTruncated}},
		{"final chunk dropped", withID, ct[:c2], []error{encrypt.ErrTruncated}},
		{"cut inside a chunk", withID, ct[:c1+100], []error{encrypt.ErrTruncated, encrypt.ErrAuthentication}},
		{"cut inside the tag of the last chunk", withID, ct[:len(ct)-1], []error{encrypt.ErrTruncated, encrypt.ErrAuthentication}},
		{"full chunk modified", withID, flip(ct, c0+10), []error{encrypt.ErrAuthentication}},
		{"chunks swapped", withID, bytes.Join([][]byte{ct[:c0], ct[c1:c2], ct[c0:c1], ct[c2:]}, nil), []error{encrypt.ErrAuthentication}},
		// A short last chunk swallows what follows it: that is a modified
		// chunk. Only after a full last chunk can trailing data be told.
		{"trailing byte", withID, append(bytes.Clone(ct), 0), []error{encrypt.ErrAuthentication}},
		{"trailing byte after a full chunk", withID, append(ageStream(t, id, pt[:ageChunk]), 0), []error{encrypt.ErrTrailingData}},
		{"trailing chunk", withID, append(bytes.Clone(ct), ct[c0:c1]...), []error{encrypt.ErrAuthentication}},
		{"not age", withID, []byte("age-encryption.org/v2\n-> X25519 abc\n"), []error{encrypt.ErrFormat}},
		{"bad header line", withID, []byte("age-encryption.org/v1\n-> X25519 abc\n!!!\n--- x\n"), []error{encrypt.ErrFormat}},
		{"malformed stanza", withID, []byte("age-encryption.org/v1\n-> X25519\n\n--- AAAA\n"), []error{encrypt.ErrFormat}},
		{"intro cut", withID, []byte("age-encryption.or"), []error{encrypt.ErrTruncated}},
		{"armor cut", withID, []byte("-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCg==\n"), []error{encrypt.ErrTruncated}},
		{"armor garbage", withID, []byte("-----BEGIN AGE ENCRYPTED FILE-----\n!!!\n"), []error{encrypt.ErrFormat}},
		{"neither format", withID, []byte("hello, world: plain text"), []error{encrypt.ErrFormat}},
		{"empty", withID, nil, []error{encrypt.ErrTruncated}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := open(mustNew(t, tt.o), tt.ct)
			require.Error(t, err)
			for _, want := range tt.want {
				require.ErrorIs(t, err, want)
			}
			// Released plaintext is whole authenticated chunks.
			require.True(t, bytes.HasPrefix(pt, got) && len(got)%ageChunk == 0, "released %d bytes", len(got))
		})
	}
}

// otherBase64 returns b with the base64 character at i replaced by another
// valid one, so the header still parses.
func otherBase64(b []byte, i int) []byte {
	c := bytes.Clone(b)
	if c[i] == 'A' {
		c[i] = 'B'
	} else {
		c[i] = 'A'
	}
	return c
}

func TestAgeEveryTruncationFails(t *testing.T) {
	id := x25519(t)
	r := mustNew(t, encrypt.Options{Identities: []age.Identity{id}})
	for _, n := range []int{0, 20, ageChunk, ageChunk + 20} {
		ct := ageStream(t, id, randBytesSeed(n, 6))
		hdr := ageHeaderLen(t, ct)
		var cuts []int
		for cut := range len(ct) {
			// Every cut in the header, nonce and around chunk boundaries;
			// a sample inside chunks.
			c := cut - hdr - 16
			if c < 64 || c%(ageChunk+16) < 32 || c%(ageChunk+16) > ageChunk-16 || cut > len(ct)-64 || cut%997 == 0 {
				cuts = append(cuts, cut)
			}
		}
		for _, cut := range cuts {
			_, err := open(r, ct[:cut])
			require.ErrorIs(t, err, encrypt.ErrTruncated, "%d bytes cut to %d of %d", n, cut, len(ct))
		}
	}
}

func TestAgeBitFlipsFail(t *testing.T) {
	id := x25519(t)
	r := mustNew(t, encrypt.Options{Identities: []age.Identity{id}})
	ct := ageStream(t, id, []byte("twenty bytes of text"))
	// One bit of every byte (a different one each byte): each try costs an
	// X25519 unwrap.
	for i := range ct {
		bit := i % 8
		c := bytes.Clone(ct)
		c[i] ^= 1 << bit
		_, err := open(r, c)
		require.Error(t, err, "flipping bit %d of byte %d went undetected", bit, i)
		requireTyped(t, err)
	}
}

// requireTyped fails unless err matches one of the package's sentinels.
func requireTyped(t testing.TB, err error) {
	t.Helper()
	for _, want := range []error{encrypt.ErrAuthentication, encrypt.ErrTruncated, encrypt.ErrTrailingData,
		encrypt.ErrWrongKey, encrypt.ErrFormat, encrypt.ErrUnsupported, encrypt.ErrKDFLimit, encrypt.ErrNoKey} {
		if errors.Is(err, want) {
			return
		}
	}
	require.Failf(t, "untyped error", "%v", err)
}

// TestOneReaderBothFormats: a restore tool with one passphrase reads old
// gozfs backups and new age ones alike.
func TestOneReaderBothFormats(t *testing.T) {
	old := seal(t, mustNew(t, encrypt.Options{Format: encrypt.FormatGozfs, Passphrase: []byte("pw"), Argon2id: fastArgon}), []byte("old backup"))
	neu := seal(t, mustNew(t, encrypt.Options{Passphrase: []byte("pw"), Scrypt: fastScrypt}), []byte("new backup"))
	r := mustNew(t, encrypt.Options{Passphrase: []byte("pw")})
	for want, ct := range map[string][]byte{"old backup": old, "new backup": neu} {
		rd := r.Reader(bytes.NewReader(ct))
		f, err := rd.Format()
		require.NoError(t, err)
		got, err := io.ReadAll(rd)
		require.NoError(t, err)
		require.Equal(t, want, string(got), f.String())
	}
	rd := r.Reader(bytes.NewReader(neu))
	_, err := rd.Header()
	require.ErrorIs(t, err, encrypt.ErrUnsupported, "an age stream has no gozfs header")
	f, err := rd.Format()
	require.NoError(t, err)
	require.Equal(t, encrypt.FormatAge, f)

	// Raw keys for old streams and identities for new ones, in one Transform.
	id := x25519(t)
	mixed := mustNew(t, encrypt.Options{Key: testKey(3), Identities: []age.Identity{id}})
	for _, ct := range [][]byte{seal(t, mustNew(t, encrypt.Options{Key: testKey(3)}), []byte("k")), ageStream(t, id, []byte("k"))} {
		got, err := open(mixed, ct)
		require.NoError(t, err)
		require.Equal(t, "k", string(got))
	}
}

func TestAgeOptionsValidation(t *testing.T) {
	id := x25519(t)
	rec := []age.Recipient{id.Recipient()}
	tests := []struct {
		name string
		o    encrypt.Options
		want error
	}{
		{"passphrase and recipients", encrypt.Options{Passphrase: []byte("pw"), Recipients: rec}, encrypt.ErrUnsupported},
		{"empty passphrase", encrypt.Options{Passphrase: []byte{}}, encrypt.ErrNoKey},
		{"chunk size for age", encrypt.Options{Recipients: rec, ChunkSize: 1024}, encrypt.ErrUnsupported},
		{"algorithm for age", encrypt.Options{Recipients: rec, Algorithm: encrypt.AES256GCM}, encrypt.ErrUnsupported},
		{"key id for age", encrypt.Options{Recipients: rec, KeyID: "k"}, encrypt.ErrUnsupported},
		{"argon2id for age", encrypt.Options{Passphrase: []byte("pw"), KDF: encrypt.KDFArgon2id}, encrypt.ErrUnsupported},
		{"scrypt r for age", encrypt.Options{Passphrase: []byte("pw"), Scrypt: encrypt.ScryptParams{LogN: 10, R: 16}}, encrypt.ErrUnsupported},
		{"scrypt beyond age", encrypt.Options{Passphrase: []byte("pw"), Scrypt: encrypt.ScryptParams{LogN: 31}}, encrypt.ErrUnsupported},
		{"StopAtFinal for age", encrypt.Options{Passphrase: []byte("pw"), StopAtFinal: true}, encrypt.ErrUnsupported},
		{"recipients for gozfs", encrypt.Options{Format: encrypt.FormatGozfs, Key: testKey(1), Recipients: rec}, encrypt.ErrUnsupported},
		{"unknown format", encrypt.Options{Format: 9, Key: testKey(1)}, encrypt.ErrUnsupported},
		{"nil recipient", encrypt.Options{Recipients: []age.Recipient{nil}}, encrypt.ErrNoKey},
		{"nil identity", encrypt.Options{Identities: []age.Identity{nil}}, encrypt.ErrNoKey},
	}
	for _, tt := range tests {
		_, err := encrypt.New(tt.o)
		assert.ErrorIs(t, err, tt.want, tt.name)
	}
	// Explicit age with only a raw key: nothing to write with.
	tr := mustNew(t, encrypt.Options{Format: encrypt.FormatAge, Key: testKey(1)})
	_, err := tr.Writer(io.Discard)
	require.ErrorIs(t, err, encrypt.ErrNoKey)
	// Gozfs StopAtFinal readers still work when asked for explicitly.
	mustNew(t, encrypt.Options{Format: encrypt.FormatGozfs, Passphrase: []byte("pw"), StopAtFinal: true})
	for _, s := range []string{"age", "gozfs"} {
		f, err := encrypt.ParseFormat(s)
		require.NoError(t, err)
		require.Equal(t, s, f.String())
	}
	_, err = encrypt.ParseFormat("pgp")
	require.ErrorIs(t, err, encrypt.ErrUnsupported)
	require.ErrorIs(t, encrypt.ErrWrongPassphrase, encrypt.ErrWrongKey)
}

func TestAgeSpecAndFactory(t *testing.T) {
	id := x25519(t)
	_, edKey, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	edID, err := agessh.NewEd25519Identity(edKey)
	require.NoError(t, err)

	pw := mustNew(t, encrypt.Options{Passphrase: []byte("pw"), Scrypt: fastScrypt})
	require.Equal(t, "encrypt(format=age,recipients=scrypt)", pw.Spec().String())
	keys := mustNew(t, encrypt.Options{Recipients: []age.Recipient{edID.Recipient(), id.Recipient(), x25519(t).Recipient()}})
	require.Equal(t, "encrypt(format=age,recipients=X25519,ssh-ed25519)", keys.Spec().String())

	// A receiver builds the reverse chain from the announced specs.
	for name, c := range map[string]struct {
		tx *encrypt.Transform
		rx encrypt.Options
	}{
		"passphrase": {pw, encrypt.Options{Passphrase: []byte("pw")}},
		"keys":       {keys, encrypt.Options{Identities: []age.Identity{id}}},
	} {
		var g stream.Registry
		g.Register("encrypt", encrypt.Factory(c.rx))
		rx, err := g.Build(stream.Specs(c.tx)...)
		require.NoError(t, err, name)
		var buf bytes.Buffer
		w, err := stream.Encoder(&buf, c.tx)
		require.NoError(t, err)
		_, err = io.WriteString(w, "through a chain: "+name)
		require.NoError(t, err)
		require.NoError(t, w.Close())
		r, err := stream.Decoder(&buf, rx...)
		require.NoError(t, err)
		got, err := io.ReadAll(r)
		require.NoError(t, err)
		require.NoError(t, r.Close())
		require.Equal(t, "through a chain: "+name, string(got))
	}

	// Receivers without a suitable key fail before any data flows.
	spec := func(s string) stream.Spec {
		name, params, _ := strings.Cut(strings.TrimSuffix(s, ")"), "(")
		sp := stream.Spec{Name: name, Params: map[string]string{}}
		for kv := range strings.SplitSeq(params, ",") {
			k, v, _ := strings.Cut(kv, "=")
			sp.Params[k] = v
		}
		return sp
	}
	tests := []struct {
		rx   encrypt.Options
		spec string
		want error
	}{
		{encrypt.Options{Identities: []age.Identity{id}}, "encrypt(format=age,recipients=scrypt)", encrypt.ErrNoKey},
		{encrypt.Options{Passphrase: []byte("pw")}, "encrypt(format=age,recipients=X25519)", encrypt.ErrNoKey},
		{encrypt.Options{Passphrase: []byte("pw")}, "encrypt(format=pgp)", encrypt.ErrUnsupported},
		{encrypt.Options{Passphrase: []byte("pw")}, "encrypt(format=gozfs,kdf=none)", encrypt.ErrNoKey},
		{encrypt.Options{Key: testKey(1)}, "encrypt(algorithm=aes-256-gcm,chunk_size=65536,kdf=argon2id)", encrypt.ErrNoKey},
		{encrypt.Options{Key: testKey(1)}, "encrypt(algorithm=rot13,kdf=none)", encrypt.ErrUnsupported},
		{encrypt.Options{Key: testKey(1)}, "encrypt(chunk_size=0,kdf=none)", encrypt.ErrFormat},
		{encrypt.Options{Key: testKey(1)}, "encrypt(kdf=bcrypt)", encrypt.ErrUnsupported},
		{encrypt.Options{Key: testKey(1)}, "encrypt(algorithm=aes-256-gcm,chunk_size=65536,kdf=none,key_id=k1)", nil},
		{encrypt.Options{Passphrase: []byte("pw")}, "encrypt(algorithm=chacha20-poly1305,chunk_size=4096,kdf=scrypt)", nil},
	}
	for _, tt := range tests {
		_, err := encrypt.Factory(tt.rx)(spec(tt.spec))
		if tt.want == nil {
			assert.NoError(t, err, tt.spec)
		} else {
			assert.ErrorIs(t, err, tt.want, tt.spec)
		}
	}
	_, err = encrypt.Factory(encrypt.Options{Passphrase: []byte("pw")})(stream.Spec{Name: "encrypt",
		Params: map[string]string{"format": "age", "recipients": "scrypt,X25519"}})
	assert.ErrorIs(t, err, encrypt.ErrFormat, "scrypt must be the sole recipient")
	// The factory builds one Transform and hands it out for every spec.
	f := encrypt.Factory(encrypt.Options{Passphrase: []byte("pw")})
	a, err := f(pw.Spec())
	require.NoError(t, err)
	b, err := f(pw.Spec())
	require.NoError(t, err)
	require.Same(t, a, b)
	_, err = encrypt.Factory(encrypt.Options{})(pw.Spec())
	require.ErrorIs(t, err, encrypt.ErrNoKey)
}

func TestParseRecipientsAndIdentities(t *testing.T) {
	id := x25519(t)
	privPEM, authorized := sshEd25519Key(t)
	recips, err := encrypt.ParseRecipients(strings.NewReader(
		"# backup keys\n\n" + id.Recipient().String() + "\n  " + authorized + "  \n"))
	require.NoError(t, err)
	require.Len(t, recips, 2)
	tr := mustNew(t, encrypt.Options{Recipients: recips})
	require.Equal(t, "encrypt(format=age,recipients=X25519,ssh-ed25519)", tr.Spec().String())

	xids, err := encrypt.ParseIdentities(strings.NewReader("# created: today\n# public key: " + id.Recipient().String() + "\n" + id.String() + "\n"))
	require.NoError(t, err)
	sids, err := encrypt.ParseIdentities(bytes.NewReader(privPEM))
	require.NoError(t, err)
	ct := seal(t, tr, []byte("to both"))
	for _, ids := range [][]age.Identity{xids, sids} {
		got, err := open(mustNew(t, encrypt.Options{Identities: ids}), ct)
		require.NoError(t, err)
		require.Equal(t, "to both", string(got))
	}

	for _, bad := range []string{"", "# only a comment\n", "age1notakey", "ssh-dss AAAA", id.String(), strings.Repeat("#", 2<<20)} {
		_, err := encrypt.ParseRecipients(strings.NewReader(bad))
		assert.ErrorIs(t, err, encrypt.ErrNoKey, "%.40q", bad)
	}
	for _, bad := range []string{"", "AGE-SECRET-KEY-1NOTAKEY", id.Recipient().String(), "-----BEGIN OPENSSH PRIVATE KEY-----\nbad\n-----END OPENSSH PRIVATE KEY-----\n"} {
		_, err := encrypt.ParseIdentities(strings.NewReader(bad))
		assert.ErrorIs(t, err, encrypt.ErrNoKey, "%.40q", bad)
		if err != nil {
			assert.NotContains(t, err.Error(), "NOTAKEY", "errors must not quote key material")
		}
	}
}
