package encrypt

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var errNoRand = errors.New("no randomness")

type failingRand struct{}

func (failingRand) Read([]byte) (int, error) { return 0, errNoRand }

// TestPassphraseDerivedLazilyOnce checks that New runs no KDF, that a
// writer derives its master key once however many streams it writes, and
// that readers derive once per KDF salt however many streams (even
// concurrently) they read.
func TestPassphraseDerivedLazilyOnce(t *testing.T) {
	fast := Argon2idParams{Time: 1, MemoryKiB: 64, Threads: 1}
	// New reads no salt and runs no KDF: with a failing Rand it still
	// succeeds, and the first writer reports the failure.
	tr, err := New(Options{Format: FormatGozfs, Passphrase: []byte("pw"), Argon2id: fast, Rand: failingRand{}})
	require.NoError(t, err)
	require.Zero(t, tr.kdfRuns.Load())
	_, err = tr.Writer(io.Discard)
	require.ErrorIs(t, err, errNoRand)

	w, err := New(Options{Format: FormatGozfs, Passphrase: []byte("pw"), Argon2id: fast})
	require.NoError(t, err)
	require.Zero(t, w.kdfRuns.Load(), "New must not derive")
	var streams [][]byte
	for i := range 5 {
		var buf bytes.Buffer
		sw, err := w.Writer(&buf)
		require.NoError(t, err)
		_, err = sw.Write([]byte{byte(i)})
		require.NoError(t, err)
		require.NoError(t, sw.Close())
		streams = append(streams, buf.Bytes())
	}
	require.EqualValues(t, 1, w.kdfRuns.Load(), "one derivation for all writers")

	// A reader-only Transform: nothing at New, one derivation for the
	// writer's salt, even with readers running concurrently.
	r, err := New(Options{Passphrase: []byte("pw")})
	require.NoError(t, err)
	require.Zero(t, r.kdfRuns.Load())
	var wg sync.WaitGroup
	for i, s := range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := io.ReadAll(r.Reader(bytes.NewReader(s)))
			if assert.NoError(t, err, "stream %d", i) {
				assert.Equal(t, []byte{byte(i)}, got, "stream %d", i)
			}
		}()
	}
	wg.Wait()
	require.EqualValues(t, 1, r.kdfRuns.Load(), "one derivation per salt")

	// Another writer (another salt) costs the reader one more.
	w2, err := New(Options{Format: FormatGozfs, Passphrase: []byte("pw"), Argon2id: fast})
	require.NoError(t, err)
	var buf bytes.Buffer
	sw, _ := w2.Writer(&buf)
	require.NoError(t, sw.Close())
	_, err = io.ReadAll(r.Reader(&buf))
	require.NoError(t, err)
	require.EqualValues(t, 2, r.kdfRuns.Load())

	// Age passphrase streams never touch the gozfs KDF.
	a, err := New(Options{Passphrase: []byte("pw"), Scrypt: ScryptParams{LogN: 4}})
	require.NoError(t, err)
	buf.Reset()
	aw, err := a.Writer(&buf)
	require.NoError(t, err)
	require.NoError(t, aw.Close())
	_, err = io.ReadAll(a.Reader(&buf))
	require.NoError(t, err)
	require.Zero(t, a.kdfRuns.Load())
}

func TestKDFCacheIsBounded(t *testing.T) {
	r, err := New(Options{Passphrase: []byte("pw")})
	require.NoError(t, err)
	for i := range maxCachedKDF + 5 {
		h := Header{KDF: KDFScrypt, Scrypt: ScryptParams{LogN: 1, R: 1, P: 1}}
		h.Salt[0] = byte(i)
		_, err := r.masterFor(&h)
		require.NoError(t, err)
	}
	require.LessOrEqual(t, len(r.cache), maxCachedKDF)
}
