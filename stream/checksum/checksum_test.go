package checksum_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/checksum"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var algs = []checksum.Algorithm{checksum.SHA256, checksum.BLAKE3, checksum.XXH64}

func TestKnownDigests(t *testing.T) {
	tests := []struct {
		alg  checksum.Algorithm
		in   string
		want string
	}{
		{checksum.SHA256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{checksum.BLAKE3, "", "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"},
		{checksum.XXH64, "", "ef46db3751d8e999"},
	}
	for _, tt := range tests {
		got, n, err := checksum.Sum(strings.NewReader(tt.in), tt.alg)
		if assert.NoError(t, err, "%v(%q) = %x", tt.alg, tt.in, got) {
			assert.Equal(t, int64(len(tt.in)), n, "%v(%q) = %x", tt.alg, tt.in, got)
			assert.Equal(t, tt.want, hex.EncodeToString(got), "%v(%q) = %x", tt.alg, tt.in, got)
		}
		assert.Len(t, got, tt.alg.Size(), "%v: Size", tt.alg)
	}
}

func TestTapsAgree(t *testing.T) {
	data := bytes.Repeat([]byte("tap"), 10000)
	for _, a := range algs {
		var dst bytes.Buffer
		w := checksum.NewWriter(&dst, a)
		w.Write(data)
		r := checksum.NewReader(bytes.NewReader(data), a)
		io.Copy(io.Discard, iotest.OneByteReader(r))
		assert.Equal(t, r.Sum(), w.Sum(), "%v: writer", a)
		assert.Equal(t, int64(len(data)), w.N(), "%v: writer", a)
		assert.Equal(t, w.N(), r.N(), "%v: writer", a)
		assert.Equal(t, data, dst.Bytes(), "%v: writer", a)
	}
}

func seal(t *testing.T, tr stream.Transform, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, _ := tr.NewWriter(&buf)
	_, err := w.Write(data)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func check(tr stream.Transform, sealed []byte, oneByte bool) ([]byte, error) {
	var src io.Reader = bytes.NewReader(sealed)
	if oneByte {
		src = iotest.OneByteReader(src)
	}
	r, _ := tr.NewReader(src)
	defer r.Close()
	return io.ReadAll(r)
}

func TestTrailerRoundTrip(t *testing.T) {
	for _, a := range algs {
		tr, err := checksum.Trailer(a)
		require.NoError(t, err)
		for _, n := range []int{0, 1, checksum.TrailerSize(a), 40000, 100000} {
			t.Run(fmt.Sprintf("%v/%d", a, n), func(t *testing.T) {
				data := bytes.Repeat([]byte{'d'}, n)
				sealed := seal(t, tr, data)
				assert.Len(t, sealed, n+checksum.TrailerSize(a), "sealed size")
				for _, one := range []bool{false, true} {
					got, err := check(tr, sealed, one)
					require.NoError(t, err, "oneByte=%v", one)
					require.Equal(t, data, got, "oneByte=%v", one)
				}
			})
		}
	}
}

func TestTrailerDetectsDamage(t *testing.T) {
	tr, _ := checksum.Trailer(checksum.BLAKE3)
	other, _ := checksum.Trailer(checksum.SHA256)
	data := []byte("the quick brown fox jumps over the lazy dog")
	sealed := seal(t, tr, data)
	flip := bytes.Clone(sealed)
	flip[3] ^= 0x20
	tests := []struct {
		name string
		tr   stream.Transform
		in   []byte
		want error
	}{
		{"flipped data bit", tr, flip, checksum.ErrMismatch},
		{"truncated", tr, sealed[:len(sealed)-1], checksum.ErrNoTrailer},
		{"data cut, trailer kept", tr, append(bytes.Clone(sealed[:5]), sealed[len(data):]...), checksum.ErrLength},
		{"appended byte", tr, append(bytes.Clone(sealed), 'x'), checksum.ErrNoTrailer},
		{"wrong algorithm", other, sealed, checksum.ErrNoTrailer},
		{"no trailer", tr, data, checksum.ErrNoTrailer},
		{"empty", tr, nil, checksum.ErrNoTrailer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := check(tt.tr, tt.in, false)
			require.ErrorIs(t, err, tt.want)
		})
	}
	_, err := check(tr, flip, false)
	var me *checksum.MismatchError
	if assert.ErrorAs(t, err, &me, "errors.As MismatchError") {
		assert.Equal(t, checksum.BLAKE3, me.Algorithm, "errors.As MismatchError")
		assert.False(t, bytes.Equal(me.Want, me.Got), "errors.As MismatchError")
	}
}

func TestSpecAndRegistry(t *testing.T) {
	tr, _ := checksum.Trailer(checksum.XXH64)
	var g stream.Registry
	checksum.Register(&g)
	ts, err := g.Build(tr.Spec())
	require.NoError(t, err, "Build = %v", ts)
	require.Equal(t, "checksum(algorithm=xxh64)", ts[0].Spec().String(), "Build = %v", ts)
	_, err = checksum.Trailer(9)
	assert.ErrorIs(t, err, checksum.ErrUnknownAlgorithm, "Trailer(9)")
	_, err = checksum.ParseAlgorithm("md5")
	assert.ErrorIs(t, err, checksum.ErrUnknownAlgorithm, "ParseAlgorithm(md5)")
}

// FuzzTrailerReader feeds arbitrary bytes to the trailer reader: it must not
// panic, and must accept only input that ends with the correct trailer.
func FuzzTrailerReader(f *testing.F) {
	tr, _ := checksum.Trailer(checksum.XXH64)
	var buf bytes.Buffer
	w, _ := tr.NewWriter(&buf)
	w.Write([]byte("seed data"))
	w.Close()
	f.Add(buf.Bytes())
	f.Add([]byte(checksum.TrailerMagic))
	f.Fuzz(func(t *testing.T, in []byte) {
		r, _ := tr.NewReader(bytes.NewReader(in))
		got, err := io.ReadAll(r)
		if err != nil {
			return
		}
		sum, _, _ := checksum.Sum(bytes.NewReader(got), checksum.XXH64)
		require.True(t, bytes.HasSuffix(in, sum), "accepted %x as %x", in, got)
		require.Len(t, in, len(got)+checksum.TrailerSize(checksum.XXH64), "accepted %x as %x", in, got)
	})
}
