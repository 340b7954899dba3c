package nvlist

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
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
	s, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(s)))
	if err != nil {
		t.Fatal(err)
	}
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
			if err != nil {
				t.Fatal(err)
			}
			if enc != tt.enc || order != binary.LittleEndian {
				t.Errorf("DecodeHeader = %v, %v; want %v, little endian", enc, order, tt.enc)
			}
			got, err := Decode(packed)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Decode mismatch:\n got %s\nwant %s", mustJSON(t, got), mustJSON(t, want))
			}
			again, err := want.Encode(tt.enc, binary.LittleEndian)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if !bytes.Equal(again, packed) {
				t.Errorf("Encode differs from libnvpair:\n got %x\nwant %x", again, packed)
			}
		})
	}
}

func mustJSON(t *testing.T, l *List) string {
	t.Helper()
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
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
					if err != nil {
						t.Fatal(err)
					}
					gotEnc, gotOrder, err := DecodeHeader(packed)
					if err != nil || gotEnc != enc || gotOrder != order {
						t.Errorf("DecodeHeader = %v, %v, %v; want %v, %v", gotEnc, gotOrder, err, enc, order)
					}
					got, err := Decode(packed)
					if err != nil {
						t.Fatalf("Decode: %v", err)
					}
					if !reflect.DeepEqual(got, l) {
						t.Errorf("round trip mismatch:\n got %s\nwant %s", mustJSON(t, got), mustJSON(t, l))
					}
					// Trailing padding is ignored, as OpenZFS pads payloads.
					if _, err := Decode(append(packed, 0, 0, 0, 0)); err != nil {
						t.Errorf("Decode with padding: %v", err)
					}
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
	if got := hex.EncodeToString(le); got != wantLE {
		t.Errorf("little endian = %s, want %s", got, wantLE)
	}
	if got := hex.EncodeToString(be); got != wantBE {
		t.Errorf("big endian = %s, want %s", got, wantBE)
	}
}

func TestAccessors(t *testing.T) {
	l := allTypes()
	if v, ok := l.Uint64("u64"); !ok || v != 0x94a20a5f25877859 {
		t.Errorf("Uint64(u64) = %#x, %v", v, ok)
	}
	if _, ok := l.Uint64("i64"); ok {
		t.Error("Uint64(i64) succeeded on an int64 pair")
	}
	if v, ok := l.Int64("i64"); !ok || v != -5000000000 {
		t.Errorf("Int64(i64) = %d, %v", v, ok)
	}
	if v, ok := l.Uint32("u32"); !ok || v != 4000000000 {
		t.Errorf("Uint32(u32) = %d, %v", v, ok)
	}
	if v, ok := l.Int32("i32"); !ok || v != -70000 {
		t.Errorf("Int32(i32) = %d, %v", v, ok)
	}
	if v, ok := l.String("str"); !ok || v != "tank/fs@snap" {
		t.Errorf("String(str) = %q, %v", v, ok)
	}
	if v, ok := l.Bool("flag"); !ok || !v {
		t.Errorf("Bool(flag) = %v, %v", v, ok)
	}
	if v, ok := l.Bool("bv"); !ok || !v {
		t.Errorf("Bool(bv) = %v, %v", v, ok)
	}
	if _, ok := l.Bool("u64"); ok {
		t.Error("Bool(u64) succeeded")
	}
	if !l.Has("flag") || l.Has("nope") {
		t.Error("Has is wrong")
	}
	nested, ok := l.List("nested")
	if !ok {
		t.Fatal("List(nested) failed")
	}
	inner, ok := nested.List("inner")
	if x, _ := inner.Uint64("x"); !ok || x != 1 {
		t.Errorf("nested/inner/x = %d, %v", x, ok)
	}
	if ls, ok := l.Lists("nla"); !ok || len(ls) != 3 {
		t.Errorf("Lists(nla) = %d lists, %v", len(ls), ok)
	}
	if a, ok := l.Uint64Array("u64a"); !ok || len(a) != 3 || a[2] != math.MaxUint64 {
		t.Errorf("Uint64Array(u64a) = %v, %v", a, ok)
	}
	if a, ok := l.StringArray("sa"); !ok || !reflect.DeepEqual(a, []string{"a", "", "hello world"}) {
		t.Errorf("StringArray(sa) = %q, %v", a, ok)
	}
	if b, ok := l.Bytes("bya"); !ok || !bytes.Equal(b, []byte{1, 2, 3, 0xff, 0x80}) {
		t.Errorf("Bytes(bya) = %x, %v", b, ok)
	}
	if got := l.Names(); len(got) != l.Len() || got[0] != "flag" || got[len(got)-1] != "last" {
		t.Errorf("Names() = %q", got)
	}
	var nilList *List
	if _, ok := nilList.Lookup("x"); ok {
		t.Error("Lookup on nil list succeeded")
	}
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
	if !reflect.DeepEqual(m, want) {
		t.Errorf("Map() = %#v, want %#v", m, want)
	}
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	const wantJSON = `{"toname":"tank/fs@b","toguid":7,"rawok":true,"props":{"compression":15},"arr":[{"b":false}]}`
	if string(b) != wantJSON {
		t.Errorf("JSON = %s, want %s", b, wantJSON)
	}
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
				if !errors.Is(err, tt.want) || !errors.As(err, &ee) {
					t.Errorf("Encode(%v) error = %v, want %v", enc, err, tt.want)
				}
			}
			if tt.pair.Name == "a" {
				if err := New().Add(tt.pair.Name, tt.pair.Type, tt.pair.Value); !errors.Is(err, tt.want) {
					t.Errorf("Add error = %v, want %v", err, tt.want)
				}
			}
		})
	}
	if _, err := New().Encode(Encoding(7), nil); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("Encode(unknown encoding) = %v", err)
	}
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
		if err != nil {
			t.Fatalf("%v: Encode at MaxDepth: %v", enc, err)
		}
		if _, err := Decode(packed); err != nil {
			t.Errorf("%v: Decode at MaxDepth: %v", enc, err)
		}
		if _, err := deepList(MaxDepth+1).Encode(enc, binary.LittleEndian); !errors.Is(err, ErrTooDeep) {
			t.Errorf("%v: Encode beyond MaxDepth = %v, want ErrTooDeep", enc, err)
		}
		// Build a too-deep packed list by wrapping the deepest valid one
		// in one more level by hand.
		deeper := wrapPacked(t, packed, enc)
		if _, err := Decode(deeper); !errors.Is(err, ErrTooDeep) {
			t.Errorf("%v: Decode beyond MaxDepth = %v, want ErrTooDeep", enc, err)
		}
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
	if err != nil {
		t.Fatal(err)
	}
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
			if !errors.Is(err, tt.want) || !errors.As(err, &de) {
				t.Fatalf("Decode error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestDecodeXDRErrors(t *testing.T) {
	l := New().AddString("s", "abc")
	_ = l.Add("u8a", TypeUint8Array, []byte{1, 2})
	valid, err := l.Encode(XDR, binary.BigEndian)
	if err != nil {
		t.Fatal(err)
	}
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
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode error = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestTruncationEverywhere decodes every proper prefix of the golden lists:
// each must fail cleanly.
func TestTruncationEverywhere(t *testing.T) {
	for file, slack := range map[string]int{"all-types.native-le.hex": 0, "all-types.xdr.hex": 4} {
		packed := readHex(t, file)
		for n := 0; n < len(packed)-slack; n++ {
			if _, err := Decode(packed[:n]); err == nil {
				t.Fatalf("%s: Decode of %d-byte prefix succeeded", file, n)
			} else if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("%s: Decode of %d-byte prefix: %v", file, n, err)
			}
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
			if _, err := Decode(in); err == nil {
				t.Errorf("%v: hostile count accepted", typ)
			}
		})
		if allocs > 20 {
			t.Errorf("%v: %v allocations for a rejected hostile count", typ, allocs)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, file := range []string{"all-types.native-le.hex", "all-types.xdr.hex"} {
		s, err := os.ReadFile("testdata/" + file)
		if err != nil {
			f.Fatal(err)
		}
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
			if !errors.As(err, &de) {
				t.Fatalf("error is not a *DecodeError: %v", err)
			}
			return
		}
		enc, order, _ := DecodeHeader(data)
		packed, err := l.Encode(enc, order)
		if err != nil {
			t.Fatalf("re-encoding a decoded list: %v", err)
		}
		l2, err := Decode(packed)
		if err != nil {
			t.Fatalf("decoding a re-encoded list: %v", err)
		}
		packed2, err := l2.Encode(enc, order)
		if err != nil || !bytes.Equal(packed, packed2) {
			t.Fatalf("encoding is not stable: %v", err)
		}
		if _, err := json.Marshal(l); err != nil {
			t.Fatalf("MarshalJSON: %v", err)
		}
	})
}
