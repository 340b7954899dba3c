package nvlist

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/gozfs/gozfs/internal/golden"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allTypes builds the list that testdata/all-types.*.hex holds, as packed by
// libnvpair (OpenZFS 2.3) on x86-64 with nvlist_pack.
func allTypes() *List {
	n1 := New().AddUint64("x", 1)
	n2 := New().AddString("y", "two").AddList("inner", n1)
	n3 := &List{}
	if err := n3.Add("z", TypeUint32, uint32(3)); err != nil {
		panic(err)
	}
	empty := New()
	l := New()
	l.AddBoolean("flag")
	l.AddBool("bv", true)
	must := func(name string, t Type, v any) {
		if err := l.Add(name, t, v); err != nil {
			panic(err)
		}
	}
	must("byte", TypeByte, uint8(0xfe))
	must("i8", TypeInt8, int8(-5))
	must("u8", TypeUint8, uint8(200))
	must("i16", TypeInt16, int16(-300))
	must("u16", TypeUint16, uint16(60000))
	must("i32", TypeInt32, int32(-70000))
	must("u32", TypeUint32, uint32(4000000000))
	l.AddInt64("i64", -5000000000)
	l.AddUint64("u64", 0x94a20a5f25877859)
	l.AddString("str", "tank/fs@snap")
	l.AddString("empty", "")
	must("hr", TypeHRTime, int64(123456789012))
	must("dbl", TypeDouble, 2.5)
	must("ba", TypeBooleanArray, []bool{true, false, true})
	must("bya", TypeByteArray, []byte{1, 2, 3, 0xff, 0x80})
	must("i8a", TypeInt8Array, []int8{-1, 2, -128})
	must("u8a", TypeUint8Array, []uint8{255, 7})
	must("i16a", TypeInt16Array, []int16{-2, 300})
	must("u16a", TypeUint16Array, []uint16{1, 65535, 3})
	must("i32a", TypeInt32Array, []int32{-9})
	must("u32a", TypeUint32Array, []uint32{9, 0xffffffff})
	must("i64a", TypeInt64Array, []int64{-1, 1})
	l.AddUint64Array("u64a", []uint64{1, 2, math.MaxUint64})
	l.AddUint64Array("u64e", []uint64{})
	l.AddStringArray("sa", []string{"a", "", "hello world"})
	l.AddStringArray("sae", []string{})
	l.AddList("nested", n2)
	l.AddList("emptylist", empty)
	must("nla", TypeNVListArray, []*List{n1, n3, empty})
	l.AddUint64("last", 42)
	return l
}

func readHex(t *testing.T, name string) []byte {
	t.Helper()
	s := golden.Read(t, name)
	b, err := hex.DecodeString(strings.TrimSpace(string(s)))
	require.NoError(t, err)
	return b
}

func TestGoldenLibnvpair(t *testing.T) {
	tests := []struct {
		file string
		enc  Encoding
	}{
		{"all-types.native-le.hex", Native},
		{"all-types.xdr.hex", XDR},
	}
	want := allTypes()
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			packed := readHex(t, tt.file)
			enc, order, err := DecodeHeader(packed)
			require.NoError(t, err)
			assert.Equal(t, tt.enc, enc, "DecodeHeader encoding")
			assert.Equal(t, binary.LittleEndian, order, "DecodeHeader byte order")
			got, err := Decode(packed)
			require.NoError(t, err, "Decode")
			assert.Equal(t, want, got, "Decode mismatch:\n got %s\nwant %s", mustJSON(t, got), mustJSON(t, want))
			again, err := want.Encode(tt.enc, binary.LittleEndian)
			require.NoError(t, err, "Encode")
			assert.Equal(t, packed, again, "Encode differs from libnvpair")
		})
	}
}

func mustJSON(t *testing.T, l *List) string {
	t.Helper()
	b, err := json.Marshal(l)
	require.NoError(t, err)
	return string(b)
}

func TestRoundTrip(t *testing.T) {
	lists := map[string]*List{
		"all types": allTypes(),
		"empty":     {},
		"special doubles": func() *List {
			l := New()
			_ = l.Add("inf", TypeDouble, math.Inf(-1))
			_ = l.Add("neg0", TypeDouble, math.Copysign(0, -1))
			return l
		}(),
	}
	for name, l := range lists {
		for _, enc := range []Encoding{Native, XDR} {
			for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
				t.Run(name+"/"+enc.String()+"/"+order.String(), func(t *testing.T) {
					packed, err := l.Encode(enc, order)
					require.NoError(t, err)
					gotEnc, gotOrder, err := DecodeHeader(packed)
					assert.NoError(t, err, "DecodeHeader")
					assert.Equal(t, enc, gotEnc, "DecodeHeader encoding")
					assert.Equal(t, order, gotOrder, "DecodeHeader byte order")
					got, err := Decode(packed)
					require.NoError(t, err, "Decode")
					assert.Equal(t, l, got, "round trip mismatch:\n got %s\nwant %s", mustJSON(t, got), mustJSON(t, l))
					// Trailing padding is ignored, as OpenZFS pads payloads.
					_, err = Decode(append(packed, 0, 0, 0, 0))
					assert.NoError(t, err, "Decode with padding")
				})
			}
		}
	}
}

// TestNativeByteOrders checks that the two native byte orders differ exactly
// where they should, on a small list.
func TestNativeByteOrders(t *testing.T) {
	l := New().AddUint64("a", 0x0102030405060708)
	le, _ := l.Encode(Native, binary.LittleEndian)
	be, _ := l.Encode(Native, binary.BigEndian)
	wantLE := "00010000" + "00000000" + "01000000" + // header, version, flags
		"20000000" + "0200" + "0000" + "01000000" + "08000000" + "6100000000000000" + // pair header and name
		"0807060504030201" + "00000000" // value, end
	wantBE := "00000000" + "00000000" + "00000001" +
		"00000020" + "0002" + "0000" + "00000001" + "00000008" + "6100000000000000" +
		"0102030405060708" + "00000000"
	assert.Equal(t, wantLE, hex.EncodeToString(le), "little endian")
	assert.Equal(t, wantBE, hex.EncodeToString(be), "big endian")
}

func TestAccessors(t *testing.T) {
	l := allTypes()
	if v, ok := l.Uint64("u64"); assert.True(t, ok, "Uint64(u64)") {
		assert.Equal(t, uint64(0x94a20a5f25877859), v, "Uint64(u64)")
	}
	_, ok := l.Uint64("i64")
	assert.False(t, ok, "Uint64(i64) succeeded on an int64 pair")
	if v, ok := l.Int64("i64"); assert.True(t, ok, "Int64(i64)") {
		assert.Equal(t, int64(-5000000000), v, "Int64(i64)")
	}
	if v, ok := l.Uint32("u32"); assert.True(t, ok, "Uint32(u32)") {
		assert.Equal(t, uint32(4000000000), v, "Uint32(u32)")
	}
	if v, ok := l.Int32("i32"); assert.True(t, ok, "Int32(i32)") {
		assert.Equal(t, int32(-70000), v, "Int32(i32)")
	}
	if v, ok := l.String("str"); assert.True(t, ok, "String(str)") {
		assert.Equal(t, "tank/fs@snap", v, "String(str)")
	}
	if v, ok := l.Bool("flag"); assert.True(t, ok, "Bool(flag)") {
		assert.True(t, v, "Bool(flag)")
	}
	if v, ok := l.Bool("bv"); assert.True(t, ok, "Bool(bv)") {
		assert.True(t, v, "Bool(bv)")
	}
	_, ok = l.Bool("u64")
	assert.False(t, ok, "Bool(u64) succeeded")
	if assert.True(t, l.Has("flag"), "Has is wrong") {
		assert.False(t, l.Has("nope"), "Has is wrong")
	}
	nested, ok := l.List("nested")
	require.True(t, ok, "List(nested) failed")
	inner, ok := nested.List("inner")
	if x, _ := inner.Uint64("x"); assert.True(t, ok, "nested/inner/x") {
		assert.Equal(t, uint64(1), x, "nested/inner/x")
	}
	if ls, ok := l.Lists("nla"); assert.True(t, ok, "Lists(nla)") {
		assert.Len(t, ls, 3, "Lists(nla)")
	}
	if a, ok := l.Uint64Array("u64a"); assert.True(t, ok, "Uint64Array(u64a)") {
		if assert.Len(t, a, 3, "Uint64Array(u64a)") {
			assert.Equal(t, uint64(math.MaxUint64), a[2], "Uint64Array(u64a)")
		}
	}
	if a, ok := l.StringArray("sa"); assert.True(t, ok, "StringArray(sa)") {
		assert.Equal(t, []string{"a", "", "hello world"}, a, "StringArray(sa)")
	}
	if b, ok := l.Bytes("bya"); assert.True(t, ok, "Bytes(bya)") {
		assert.Equal(t, []byte{1, 2, 3, 0xff, 0x80}, b, "Bytes(bya)")
	}
	if got := l.Names(); assert.Len(t, got, l.Len(), "Names()") {
		assert.Equal(t, "flag", got[0], "Names()")
		assert.Equal(t, "last", got[len(got)-1], "Names()")
	}
	var nilList *List
	_, ok = nilList.Lookup("x")
	assert.False(t, ok, "Lookup on nil list succeeded")
}

func TestMapAndJSON(t *testing.T) {
	l := New().AddString("toname", "tank/fs@b").AddUint64("toguid", 7).AddBoolean("rawok")
	l.AddList("props", New().AddUint64("compression", 15))
	_ = l.Add("arr", TypeNVListArray, []*List{New().AddBool("b", false)})
	m := l.Map()
	want := map[string]any{
		"toname": "tank/fs@b",
		"toguid": uint64(7),
		"rawok":  true,
		"props":  map[string]any{"compression": uint64(15)},
		"arr":    []map[string]any{{"b": false}},
	}
	assert.Equal(t, want, m, "Map()")
	b, err := json.Marshal(l)
	require.NoError(t, err)
	const wantJSON = `{"toname":"tank/fs@b","toguid":7,"rawok":true,"props":{"compression":15},"arr":[{"b":false}]}`
	assert.Equal(t, wantJSON, string(b), "JSON")
}

func TestAddAndEncodeErrors(t *testing.T) {
	tests := []struct {
		name string
		pair Pair
		want error
	}{
		{"wrong Go type", Pair{"a", TypeUint64, int64(1)}, ErrInvalidValue},
		{"boolean with value", Pair{"a", TypeBoolean, true}, ErrInvalidValue},
		{"nil list", Pair{"a", TypeNVList, (*List)(nil)}, ErrInvalidValue},
		{"NUL in string", Pair{"a", TypeString, "x\x00y"}, ErrInvalidValue},
		{"NUL in name", Pair{"a\x00b", TypeUint64, uint64(1)}, ErrInvalidValue},
		{"unknown type", Pair{"a", Type(99), nil}, ErrInvalidValue},
		{"nil in list array", Pair{"a", TypeNVListArray, []*List{nil}}, ErrInvalidValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &List{Pairs: []Pair{tt.pair}}
			for _, enc := range []Encoding{Native, XDR} {
				_, err := l.Encode(enc, binary.LittleEndian)
				var ee *EncodeError
				assert.ErrorIs(t, err, tt.want, "Encode(%v) error", enc)
				assert.ErrorAs(t, err, &ee, "Encode(%v) error", enc)
			}
			if tt.pair.Name == "a" {
				assert.ErrorIs(t, New().Add(tt.pair.Name, tt.pair.Type, tt.pair.Value), tt.want, "Add error")
			}
		})
	}
	_, err := New().Encode(Encoding(7), nil)
	assert.ErrorIs(t, err, ErrInvalidValue, "Encode(unknown encoding)")
}

// deepList returns a list nested depth levels below the top.
func deepList(depth int) *List {
	l := New().AddUint64("leaf", 1)
	for i := 0; i < depth; i++ {
		l = New().AddList("n", l)
	}
	return l
}

func TestDepthLimit(t *testing.T) {
	for _, enc := range []Encoding{Native, XDR} {
		ok := deepList(MaxDepth)
		packed, err := ok.Encode(enc, binary.LittleEndian)
		require.NoError(t, err, "%v: Encode at MaxDepth", enc)
		_, err = Decode(packed)
		assert.NoError(t, err, "%v: Decode at MaxDepth", enc)
		_, err = deepList(MaxDepth+1).Encode(enc, binary.LittleEndian)
		assert.ErrorIs(t, err, ErrTooDeep, "%v: Encode beyond MaxDepth", enc)
		// Build a too-deep packed list by wrapping the deepest valid one
		// in one more level by hand.
		deeper := wrapPacked(t, packed, enc)
		_, err = Decode(deeper)
		assert.ErrorIs(t, err, ErrTooDeep, "%v: Decode beyond MaxDepth", enc)
	}
}

// wrapPacked returns a packed list whose only pair is the list packed in
// inner, one level deeper, built without Encode's depth check.
func wrapPacked(t *testing.T, inner []byte, enc Encoding) []byte {
	t.Helper()
	le := binary.LittleEndian
	be := binary.BigEndian
	if enc == Native {
		out := []byte{0, 1, 0, 0}
		out = le.AppendUint32(out, 0) // version
		out = le.AppendUint32(out, 1) // flags
		out = le.AppendUint32(out, 48)
		out = le.AppendUint16(out, 2) // name size
		out = le.AppendUint16(out, 0)
		out = le.AppendUint32(out, 1) // nelem
		out = le.AppendUint32(out, uint32(TypeNVList))
		out = append(out, 'w', 0, 0, 0, 0, 0, 0, 0)
		out = le.AppendUint32(out, 0) // nested nvlist_t: version
		out = le.AppendUint32(out, 1) // flags
		out = append(out, make([]byte, 16)...)
		out = append(out, inner[12:]...) // inner's pairs and end marker
		return le.AppendUint32(out, 0)
	}
	out := []byte{1, 1, 0, 0}
	out = be.AppendUint32(out, 0)
	out = be.AppendUint32(out, 1)
	out = be.AppendUint32(out, uint32(len(inner)-4+24))
	out = be.AppendUint32(out, 48)
	out = be.AppendUint32(out, 1)
	out = append(out, 'w', 0, 0, 0)
	out = be.AppendUint32(out, uint32(TypeNVList))
	out = be.AppendUint32(out, 1)
	out = append(out, inner[4:]...)
	return append(out, make([]byte, 8)...)
}

func TestDecodeErrors(t *testing.T) {
	valid, err := New().AddUint64("a", 1).AddBool("b", true).Encode(Native, binary.LittleEndian)
	require.NoError(t, err)
	// valid layout: header 0..4, version 4..8, flags 8..12,
	// pair "a" at 12 (size 32), pair "b" at 44 (size 32), end at 76.
	patch := func(off int, b ...byte) []byte {
		c := bytes.Clone(valid)
		copy(c[off:], b)
		return c
	}
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"unknown encoding", patch(0, 7), ErrUnsupported},
		{"unknown byte order", patch(1, 9), ErrUnsupported},
		{"bad version", patch(4, 1), ErrUnsupported},
		{"no end marker", valid[:len(valid)-4], ErrTruncated},
		{"pair size beyond input", patch(12, 0xff, 0, 0, 0), ErrTruncated},
		{"negative pair size", patch(12, 0, 0, 0, 0x80), ErrMalformed},
		{"pair size too small", patch(12, 8, 0, 0, 0), ErrMalformed},
		{"pair size mismatch", patch(12, 40, 0, 0, 0), ErrMalformed},
		{"zero name size", patch(16, 0, 0), ErrMalformed},
		{"name not terminated", patch(28, 'x', 'y'), ErrMalformed},
		{"unknown type", patch(24, 99), ErrUnsupported},
		{"bad element count", patch(20, 2), ErrMalformed},
		{"negative element count", patch(20, 0xff, 0xff, 0xff, 0xff), ErrMalformed},
		{"boolean value 2", patch(44+24, 2), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.in)
			var de *DecodeError
			require.ErrorIs(t, err, tt.want, "Decode error")
			require.ErrorAs(t, err, &de, "Decode error")
		})
	}
}

func TestDecodeXDRErrors(t *testing.T) {
	l := New().AddString("s", "abc")
	_ = l.Add("u8a", TypeUint8Array, []byte{1, 2})
	valid, err := l.Encode(XDR, binary.BigEndian)
	require.NoError(t, err)
	// layout: header 0..4, version, flags; pair "s" at 12: enc 12, dec 16,
	// name 20..28, type 28, nelem 32, string len 36, "abc\0" 40..44;
	// pair "u8a" at 44: enc, dec, name 52..60, type 60, nelem 64, count 68.
	patch := func(off int, b ...byte) []byte {
		c := bytes.Clone(valid)
		copy(c[off:], b)
		return c
	}
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"decoded size wrong", patch(16, 0, 0, 0, 8), ErrMalformed},
		{"name longer than input", patch(20, 0, 0, 1, 0), ErrTruncated},
		{"NUL in name", patch(24, 0), ErrMalformed},
		{"string longer than input", patch(36, 0x7f, 0, 0, 0), ErrTruncated},
		{"array count mismatch", patch(68, 0, 0, 0, 3), ErrMalformed},
		{"huge element count", patch(64, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff), ErrTruncated},
		{"no end marker", valid[:len(valid)-8], ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.in)
			require.ErrorIs(t, err, tt.want, "Decode error")
		})
	}
}

// TestTruncationEverywhere decodes every proper prefix of the golden lists:
// each must fail cleanly.
func TestTruncationEverywhere(t *testing.T) {
	for file, slack := range map[string]int{"all-types.native-le.hex": 0, "all-types.xdr.hex": 4} {
		packed := readHex(t, file)
		for n := 0; n < len(packed)-slack; n++ {
			_, err := Decode(packed[:n])
			require.Error(t, err, "%s: Decode of %d-byte prefix succeeded", file, n)
			require.True(t, errors.Is(err, ErrTruncated) || errors.Is(err, ErrMalformed),
				"%s: Decode of %d-byte prefix: %v, want ErrTruncated or ErrMalformed", file, n, err)
		}
	}
}

// TestHostileCounts checks that element counts far beyond the input fail
// without allocating for them.
func TestHostileCounts(t *testing.T) {
	be := binary.BigEndian
	for _, typ := range []Type{TypeUint64Array, TypeStringArray, TypeNVListArray, TypeByteArray, TypeBooleanArray} {
		in := []byte{1, 0, 0, 0}
		in = be.AppendUint32(in, 0)
		in = be.AppendUint32(in, 0)
		in = be.AppendUint32(in, 100)
		in = be.AppendUint32(in, 100)
		in = be.AppendUint32(in, 1)
		in = append(in, 'a', 0, 0, 0)
		in = be.AppendUint32(in, uint32(typ))
		in = be.AppendUint32(in, 0x7fffffff)
		in = be.AppendUint32(in, 0x7fffffff)
		allocs := testing.AllocsPerRun(5, func() {
			_, err := Decode(in)
			assert.Error(t, err, "%v: hostile count accepted", typ)
		})
		assert.LessOrEqual(t, allocs, float64(20), "%v: %v allocations for a rejected hostile count", typ, allocs)
	}
}

func FuzzDecode(f *testing.F) {
	for _, file := range []string{"all-types.native-le.hex", "all-types.xdr.hex"} {
		s := golden.Read(f, file)
		b, _ := hex.DecodeString(strings.TrimSpace(string(s)))
		f.Add(b)
	}
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		b, _ := deepList(3).Encode(Native, order)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Decode(data)
		if err != nil {
			var de *DecodeError
			require.ErrorAs(t, err, &de, "error is not a *DecodeError")
			return
		}
		enc, order, _ := DecodeHeader(data)
		packed, err := l.Encode(enc, order)
		require.NoError(t, err, "re-encoding a decoded list")
		l2, err := Decode(packed)
		require.NoError(t, err, "decoding a re-encoded list")
		packed2, err := l2.Encode(enc, order)
		require.NoError(t, err, "encoding is not stable")
		// Both are non-nil here (an encoding has at least its header), so
		// Equal's nil/empty distinction does not narrow bytes.Equal.
		require.Equal(t, packed, packed2, "encoding is not stable")
		_, err = json.Marshal(l)
		require.NoError(t, err, "MarshalJSON")
	})
}
