package checksum_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/checksum"
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
		if err != nil || n != int64(len(tt.in)) || hex.EncodeToString(got) != tt.want {
			t.Errorf("%v(%q) = %x, %d, %v; want %s", tt.alg, tt.in, got, n, err, tt.want)
		}
		if len(got) != tt.alg.Size() {
			t.Errorf("%v: Size = %d, digest has %d bytes", tt.alg, tt.alg.Size(), len(got))
		}
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
		if !bytes.Equal(w.Sum(), r.Sum()) || w.N() != int64(len(data)) || r.N() != w.N() || !bytes.Equal(dst.Bytes(), data) {
			t.Errorf("%v: writer %x/%d, reader %x/%d", a, w.Sum(), w.N(), r.Sum(), r.N())
		}
	}
}

func seal(t *testing.T, tr stream.Transform, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, _ := tr.NewWriter(&buf)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
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
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{0, 1, checksum.TrailerSize(a), 40000, 100000} {
			t.Run(fmt.Sprintf("%v/%d", a, n), func(t *testing.T) {
				data := bytes.Repeat([]byte{'d'}, n)
				sealed := seal(t, tr, data)
				if len(sealed) != n+checksum.TrailerSize(a) {
					t.Errorf("sealed size %d, want %d", len(sealed), n+checksum.TrailerSize(a))
				}
				for _, one := range []bool{false, true} {
					got, err := check(tr, sealed, one)
					if err != nil || !bytes.Equal(got, data) {
						t.Fatalf("oneByte=%v: got %d bytes, %v", one, len(got), err)
					}
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
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	_, err := check(tr, flip, false)
	var me *checksum.MismatchError
	if !errors.As(err, &me) || me.Algorithm != checksum.BLAKE3 || bytes.Equal(me.Want, me.Got) {
		t.Errorf("errors.As MismatchError: %v", err)
	}
}

func TestSpecAndRegistry(t *testing.T) {
	tr, _ := checksum.Trailer(checksum.XXH64)
	var g stream.Registry
	checksum.Register(&g)
	ts, err := g.Build(tr.Spec())
	if err != nil || ts[0].Spec().String() != "checksum(algorithm=xxh64)" {
		t.Fatalf("Build = %v, %v", ts, err)
	}
	if _, err := checksum.Trailer(9); !errors.Is(err, checksum.ErrUnknownAlgorithm) {
		t.Errorf("Trailer(9) = %v", err)
	}
	if _, err := checksum.ParseAlgorithm("md5"); !errors.Is(err, checksum.ErrUnknownAlgorithm) {
		t.Errorf("ParseAlgorithm(md5) = %v", err)
	}
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
		if !bytes.HasSuffix(in, sum) || len(in) != len(got)+checksum.TrailerSize(checksum.XXH64) {
			t.Fatalf("accepted %x as %x", in, got)
		}
	})
}
