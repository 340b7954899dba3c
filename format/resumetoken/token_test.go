package resumetoken

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/gozfs/gozfs/format/nvlist"
	"github.com/gozfs/gozfs/internal/golden"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The testdata tokens were left by interrupted `zfs receive -s` runs on
// OpenZFS 2.3 (see format/sendstream/testdata/make-fixtures.sh);
// LABEL.zstream-token holds `zstream token` output for each.

func realTokens(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("testdata/tokens.txt")
	require.NoError(t, err)
	defer f.Close()
	toks := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		label, tok, ok := strings.Cut(sc.Text(), " ")
		if ok {
			toks[label] = tok
		}
	}
	require.NotEmpty(t, toks, "no tokens in testdata/tokens.txt")
	return toks
}

// zstreamToken parses `zstream token` output: "key: value" lines with
// decimal integers and quoted strings, and bare names for boolean flags.
func zstreamToken(t *testing.T, text string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ": ")
		if !ok {
			m[k] = "true"
			continue
		}
		if uq, err := strconv.Unquote(strings.ReplaceAll(v, "'", "\"")); err == nil {
			v = uq
		}
		m[k] = v
	}
	return m
}

func guids(t *testing.T) map[string]uint64 {
	t.Helper()
	data := golden.Read(t, "guids.txt")
	m := map[string]uint64{}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[0] == "snapshot" {
			m[f[1]], _ = strconv.ParseUint(f[2], 10, 64)
		}
	}
	return m
}

// tokenFields renders a Token like zstream token's output.
func tokenFields(tok *Token) map[string]string {
	m := map[string]string{
		"object": fmt.Sprint(tok.Object), "offset": fmt.Sprint(tok.Offset), "bytes": fmt.Sprint(tok.Bytes),
		"toguid": fmt.Sprint(tok.ToGUID), "toname": tok.ToName,
	}
	if tok.FromGUID != 0 {
		m["fromguid"] = fmt.Sprint(tok.FromGUID)
	}
	for name, set := range map[string]bool{"largeblockok": tok.LargeBlockOK, "embedok": tok.EmbedOK,
		"compressok": tok.CompressOK, "rawok": tok.RawOK, "savedok": tok.SavedOK} {
		if set {
			m[name] = "true"
		}
	}
	return m
}

func TestRealTokens(t *testing.T) {
	snaps := guids(t)
	for label, s := range realTokens(t) {
		t.Run(label, func(t *testing.T) {
			tok, err := Decode(s + "\n")
			require.NoError(t, err)
			out := golden.Read(t, label+".zstream-token")
			assert.Equal(t, zstreamToken(t, string(out)), tokenFields(tok), "decoded fields (actual) vs zstream token (expected)")
			guid, ok := snaps[tok.ToName]
			if assert.True(t, ok, "toguid %#x, snapshot %s has %#x", tok.ToGUID, tok.ToName, guid) {
				assert.Equal(t, guid, tok.ToGUID, "toguid %#x, snapshot %s has %#x", tok.ToGUID, tok.ToName, guid)
			}
			assert.NoError(t, tok.Validate(tok.ToName, guid), "Validate")
			assert.Equal(t, label == "incremental", tok.Incremental(), "Incremental()")
			// The kernel's packed list is byte-for-byte what ToNVList
			// encodes: same keys, same order, same native layout.
			parts := strings.SplitN(s, "-", 4)
			compressed, _ := hex.DecodeString(parts[3])
			zr, err := zlib.NewReader(bytes.NewReader(compressed))
			require.NoError(t, err)
			kernel, _ := io.ReadAll(zr)
			ours, err := tok.ToNVList().Encode(nvlist.Native, binary.LittleEndian)
			if assert.NoError(t, err, "ToNVList encoding") {
				assert.Equal(t, kernel, ours, "ToNVList packs differently from the kernel")
			}
			// Encode and decode again.
			again, err := tok.Encode()
			require.NoError(t, err)
			tok2, err := Decode(again)
			require.NoError(t, err, "decoding our encoding")
			assert.Equal(t, tokenFields(tok), tokenFields(tok2), "round trip")
		})
	}
}

func TestValidate(t *testing.T) {
	tok := &Token{ToGUID: 0x1234, ToName: "tank/fs@b", FromGUID: 0x99}
	var me *MismatchError
	assert.NoError(t, tok.Validate("tank/fs@b", 0x1234), "matching snapshot")
	if err := tok.Validate("tank/fs@b", 0x1235); assert.ErrorIs(t, err, ErrMismatch, "other GUID") {
		if assert.ErrorAs(t, err, &me, "other GUID") {
			assert.Equal(t, "toguid", me.Field, "other GUID")
		}
	}
	if err := tok.Validate("tank/fs@renamed", 0x1234); assert.ErrorAs(t, err, &me, "renamed snapshot") {
		assert.Equal(t, "toname", me.Field, "renamed snapshot")
		assert.Equal(t, "tank/fs@b", me.Token, "renamed snapshot")
	}
	assert.NoError(t, tok.ValidateFrom(0x99), "ValidateFrom")
	if err := tok.ValidateFrom(0); assert.ErrorAs(t, err, &me, "ValidateFrom(0)") {
		assert.Equal(t, "fromguid", me.Field, "ValidateFrom(0)")
	}
	assert.Equal(t, "tank/fs", tok.Dataset(), "Dataset/Snapshot")
	assert.Equal(t, "b", tok.Snapshot(), "Dataset/Snapshot")
}

func TestEncodeAllFields(t *testing.T) {
	tok := &Token{
		ToGUID: 0xf784e1004f460f7a, FromGUID: 0x94a20a5f25877859, ToName: "pool/a/b@snap",
		Object: 77, Offset: 1 << 40, Bytes: 123456789,
		LargeBlockOK: true, EmbedOK: true, CompressOK: true, RawOK: true, SavedOK: true,
		RedactSnaps: []uint64{1, 2}, BookRedactSnaps: []uint64{3},
	}
	s, err := tok.Encode()
	require.NoError(t, err)
	got, err := Decode(s)
	require.NoError(t, err)
	got.NVList = nil
	assert.Equal(t, tok, got, "round trip")
	// Cross-check with zstream token where it works (it needs the zfs
	// kernel module loaded, even though it only decodes).
	if zstream, err := exec.LookPath("zstream"); err == nil && zstreamTokenWorks(t, zstream) {
		out, err := exec.Command(zstream, "token", s).CombinedOutput()
		require.NoError(t, err, "zstream token rejects our token:\n%s", out)
		fields := zstreamToken(t, string(out))
		assert.Equal(t, tok.ToName, fields["toname"], "zstream token says %v", fields)
		assert.Equal(t, fmt.Sprint(tok.ToGUID), fields["toguid"], "zstream token says %v", fields)
		assert.Equal(t, "true", fields["rawok"], "zstream token says %v", fields)
	}
}

// zstreamTokenWorks reports whether zstream token decodes a real token.
func zstreamTokenWorks(t *testing.T, zstream string) bool {
	for _, tok := range realTokens(t) {
		return exec.Command(zstream, "token", tok).Run() == nil
	}
	return false
}

func TestDecodeErrors(t *testing.T) {
	valid, err := (&Token{ToGUID: 1, ToName: "p/fs@s"}).Encode()
	require.NoError(t, err)
	parts := strings.SplitN(valid, "-", 4)
	withLength := func(n uint64) string {
		return fmt.Sprintf("%s-%s-%x-%s", parts[0], parts[1], n, parts[3])
	}
	// A valid token whose list lacks "bytes".
	l := nvlist.New().AddUint64("object", 1).AddUint64("offset", 0).AddUint64("toguid", 1).AddString("toname", "p/fs@s")
	packed, _ := l.Encode(nvlist.Native, binary.LittleEndian)
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write(packed)
	zw.Close()
	missing := fmt.Sprintf("1-%x-%x-%x", checksumWord(buf.Bytes(), binary.LittleEndian), len(packed), buf.Bytes())
	// A checksummed payload that is not zlib.
	junk := []byte("this is not zlib data at all!!")
	notZlib := fmt.Sprintf("1-%x-%x-%x", checksumWord(junk, binary.LittleEndian), 100, junk)

	flipped := []byte(valid)
	flipped[len(flipped)-10] ^= 1 // still hex: '0'<->'1', 'a'<->'`'...
	if !strings.ContainsRune("0123456789abcdef", rune(flipped[len(flipped)-10])) {
		flipped[len(flipped)-10] = '0'
		if valid[len(valid)-10] == '0' {
			flipped[len(flipped)-10] = '1'
		}
	}

	tests := []struct {
		name, in string
		want     error
	}{
		{"empty", "", ErrFormat},
		{"three parts", "1-abc-10", ErrFormat},
		{"bad version", "x-1-1-00", ErrFormat},
		{"version 2", "2-" + strings.Join(parts[1:], "-"), ErrVersion},
		{"bad checksum field", "1-xyz-1-00", ErrFormat},
		{"bad length field", "1-1-zz-00", ErrFormat},
		{"odd hex", valid + "0", ErrFormat},
		{"not hex", parts[0] + "-" + parts[1] + "-" + parts[2] + "-zz", ErrFormat},
		{"checksum mismatch", string(flipped), ErrChecksum},
		{"length mismatch", withLength(0x10), ErrCorrupt},
		{"length over limit", withLength(MaxPackedSize + 1), ErrCorrupt},
		{"not zlib", notZlib, ErrCorrupt},
		{"missing key", missing, ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.in)
			var de *DecodeError
			assert.ErrorIs(t, err, tt.want, "Decode error")
			assert.ErrorAs(t, err, &de, "Decode error")
		})
	}
}

func TestUncompressedPayload(t *testing.T) {
	// The kernel stores the list uncompressed when zlib cannot shrink it.
	packed, _ := (&Token{ToGUID: 5, ToName: "p/fs@s"}).ToNVList().Encode(nvlist.Native, binary.LittleEndian)
	s := fmt.Sprintf("1-%x-%x-%x", checksumWord(packed, binary.LittleEndian), len(packed), packed)
	tok, err := Decode(s)
	if assert.NoError(t, err, "Decode = %+v", tok) {
		assert.Equal(t, uint64(5), tok.ToGUID, "Decode = %+v", tok)
	}
}

func TestBigEndianChecksum(t *testing.T) {
	// A token from a big-endian host checksums big-endian words.
	tok := &Token{ToGUID: 9, ToName: "p/fs@s"}
	packed, _ := tok.ToNVList().Encode(nvlist.Native, binary.BigEndian)
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write(packed)
	zw.Close()
	s := fmt.Sprintf("1-%x-%x-%x", checksumWord(buf.Bytes(), binary.BigEndian), len(packed), buf.Bytes())
	got, err := Decode(s)
	if assert.NoError(t, err, "Decode = %+v", got) {
		assert.Equal(t, uint64(9), got.ToGUID, "Decode = %+v", got)
	}
}

func FuzzDecode(f *testing.F) {
	data := golden.Read(f, "tokens.txt")
	for _, line := range strings.Split(string(data), "\n") {
		if _, tok, ok := strings.Cut(line, " "); ok {
			f.Add(tok)
		}
	}
	f.Add("1-0-0-")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := Decode(s)
		if err != nil {
			var de *DecodeError
			require.ErrorAs(t, err, &de, "untyped error")
			return
		}
		again, err := tok.Encode()
		require.NoError(t, err, "Encode")
		tok2, err := Decode(again)
		require.NoError(t, err, "decoding our encoding")
		require.Equal(t, tokenFields(tok2), tokenFields(tok), "round trip changed the token: %+v vs %+v", tok, tok2)
		require.Equal(t, tok2.RedactSnaps, tok.RedactSnaps, "round trip changed the token: %+v vs %+v", tok, tok2)
		require.Equal(t, tok2.BookRedactSnaps, tok.BookRedactSnaps, "round trip changed the token: %+v vs %+v", tok, tok2)
	})
}
