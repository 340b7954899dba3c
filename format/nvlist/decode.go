package nvlist

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
	"strings"
)

// headerSize is the size of the encoding header that starts a packed list.
const headerSize = 4

// Sizes from libnvpair's native structures.
const (
	nvpairHeaderSize = 16 // nvpair_t without its name
	nvlistSize       = 24 // nvlist_t
	minPairSize      = 24 // NVP_SIZE_CALC(1, 0)
	xdrMinListSize   = 16 // version, flags and the 8-byte terminator
)

func align8(n int64) int64 { return (n + 7) &^ 7 }
func align4(n int64) int64 { return (n + 3) &^ 3 }

// DecodeHeader returns the encoding and byte order recorded in the 4-byte
// header of a packed list. For XDR lists the byte order only records the
// packing host; XDR data itself is always big endian.
func DecodeHeader(data []byte) (Encoding, binary.ByteOrder, error) {
	if len(data) < headerSize {
		return 0, nil, &DecodeError{Offset: len(data), Reason: "input shorter than the 4-byte header", Err: ErrTruncated}
	}
	enc := Encoding(data[0])
	if enc != Native && enc != XDR {
		return 0, nil, &DecodeError{Reason: "unknown encoding " + strconv.Itoa(int(data[0])), Err: ErrUnsupported}
	}
	var order binary.ByteOrder
	switch data[1] {
	case 1:
		order = binary.LittleEndian
	case 0:
		order = binary.BigEndian
	default:
		return 0, nil, &DecodeError{Offset: 1, Reason: "unknown byte order " + strconv.Itoa(int(data[1])), Err: ErrUnsupported}
	}
	return enc, order, nil
}

// Decode unpacks a packed list of either encoding and byte order. Bytes after
// the list's end marker are ignored, as libnvpair ignores them (OpenZFS pads
// some payloads). Errors are *DecodeError values.
func Decode(data []byte) (*List, error) {
	enc, order, err := DecodeHeader(data)
	if err != nil {
		return nil, err
	}
	d := &decoder{buf: data, off: headerSize, order: order}
	l := &List{}
	if enc == XDR {
		d.order = binary.BigEndian
		err = d.xdrList(l, 0)
	} else {
		err = d.nativeTop(l)
	}
	if err != nil {
		return nil, err
	}
	return l, nil
}

type decoder struct {
	buf   []byte
	off   int
	order binary.ByteOrder
	path  []string
}

func (d *decoder) remaining() int { return len(d.buf) - d.off }

func (d *decoder) fail(off int, sentinel error, reason string) error {
	return &DecodeError{Offset: off, Path: strings.Join(d.path, "/"), Reason: reason, Err: sentinel}
}

func (d *decoder) truncated(need int) error {
	return d.fail(d.off, ErrTruncated, "need "+strconv.Itoa(need)+" bytes, have "+strconv.Itoa(d.remaining()))
}

func (d *decoder) need(n int) error {
	if n < 0 || n > d.remaining() {
		return d.truncated(n)
	}
	return nil
}

func (d *decoder) u32() (uint32, error) {
	if err := d.need(4); err != nil {
		return 0, err
	}
	v := d.order.Uint32(d.buf[d.off:])
	d.off += 4
	return v, nil
}

func (d *decoder) u64() (uint64, error) {
	if err := d.need(8); err != nil {
		return 0, err
	}
	v := d.order.Uint64(d.buf[d.off:])
	d.off += 8
	return v, nil
}

// checkTypeNelem mirrors libnvpair's i_validate_type_nelem.
func checkTypeNelem(t Type, nelem int32) string {
	if nelem < 0 {
		return "negative element count"
	}
	switch {
	case !t.Valid():
		return "unknown pair type " + strconv.Itoa(int(t))
	case t == TypeBoolean:
		if nelem != 0 {
			return "boolean pair with elements"
		}
	case t.IsArray():
	default:
		if nelem != 1 {
			return t.String() + " pair with element count " + strconv.Itoa(int(nelem))
		}
	}
	return ""
}

// fixedSize returns the native size of one element of t, or 0 for types
// whose size depends on their data (strings, lists) or that have none.
func fixedSize(t Type) int64 {
	switch t {
	case TypeByte, TypeInt8, TypeUint8, TypeByteArray, TypeInt8Array, TypeUint8Array:
		return 1
	case TypeInt16, TypeUint16, TypeInt16Array, TypeUint16Array:
		return 2
	case TypeInt32, TypeUint32, TypeBooleanValue, TypeInt32Array, TypeUint32Array, TypeBooleanArray:
		return 4
	case TypeInt64, TypeUint64, TypeHRTime, TypeDouble, TypeInt64Array, TypeUint64Array:
		return 8
	}
	return 0
}

// ---- native encoding ----

func (d *decoder) nativeTop(l *List) error {
	version, err := d.u32()
	if err != nil {
		return err
	}
	if version != 0 {
		return d.fail(d.off-4, ErrUnsupported, "list version "+strconv.Itoa(int(int32(version))))
	}
	if l.Flags, err = d.u32(); err != nil {
		return err
	}
	return d.nativePairs(l, 0)
}

// nativePairs decodes pairs up to and including the 4-byte end marker.
func (d *decoder) nativePairs(l *List, depth int) error {
	for {
		start := d.off
		size32, err := d.u32()
		if err != nil {
			return err
		}
		size := int64(int32(size32))
		if size == 0 {
			return nil
		}
		d.off = start
		if size < 0 {
			return d.fail(start, ErrMalformed, "negative pair size")
		}
		if size > int64(d.remaining()) {
			return d.fail(start, ErrTruncated, "pair size "+strconv.FormatInt(size, 10)+" exceeds the "+strconv.Itoa(d.remaining())+" bytes left")
		}
		if size < minPairSize {
			return d.fail(start, ErrMalformed, "pair size "+strconv.FormatInt(size, 10)+" below minimum")
		}
		p := d.buf[start : start+int(size)]
		nameSz := int64(int16(d.order.Uint16(p[4:])))
		nelem := int32(d.order.Uint32(p[8:]))
		typ := Type(int32(d.order.Uint32(p[12:])))
		if nameSz <= 0 || align8(nvpairHeaderSize+nameSz) > size {
			return d.fail(start+4, ErrMalformed, "bad name size "+strconv.FormatInt(nameSz, 10))
		}
		nameBytes := p[nvpairHeaderSize : nvpairHeaderSize+nameSz]
		if bytes.IndexByte(nameBytes, 0) != int(nameSz-1) {
			return d.fail(start+nvpairHeaderSize, ErrMalformed, "name not NUL-terminated at its size")
		}
		name := string(nameBytes[:nameSz-1])
		d.path = append(d.path, name)
		if msg := checkTypeNelem(typ, nelem); msg != "" {
			return d.fail(start+8, unsupportedOrMalformed(typ), msg)
		}
		valOff := align8(nvpairHeaderSize + nameSz)
		val := p[valOff:]
		value, err := d.nativeValue(start+int(valOff), typ, int64(nelem), val)
		if err != nil {
			return err
		}
		d.off = start + int(size)
		switch typ {
		case TypeNVList:
			nested := value.(*List)
			if err := d.nativeNested(nested, depth+1); err != nil {
				return err
			}
		case TypeNVListArray:
			nested := value.([]*List)
			for i, n := range nested {
				d.path[len(d.path)-1] = name + "[" + strconv.Itoa(i) + "]"
				if err := d.nativeNested(n, depth+1); err != nil {
					return err
				}
			}
		}
		d.path = d.path[:len(d.path)-1]
		l.Pairs = append(l.Pairs, Pair{Name: name, Type: typ, Value: value})
	}
}

func (d *decoder) nativeNested(l *List, depth int) error {
	if depth > MaxDepth {
		return d.fail(d.off, ErrTooDeep, "more than "+strconv.Itoa(MaxDepth)+" nested lists")
	}
	return d.nativePairs(l, depth)
}

func unsupportedOrMalformed(t Type) error {
	if !t.Valid() {
		return ErrUnsupported
	}
	return ErrMalformed
}

// nativeValue decodes the value area of a native pair. val is exactly the
// bytes after the name up to the pair's end; its length must be the aligned
// value size, as libnvpair's i_validate_nvpair requires. For lists it returns
// empty lists carrying their flags; the caller decodes their pairs, which
// follow the pair in the stream.
func (d *decoder) nativeValue(off int, t Type, nelem int64, val []byte) (any, error) {
	o := d.order
	var vsz int64
	switch t {
	case TypeBoolean:
		vsz = 0
	case TypeString:
		i := bytes.IndexByte(val, 0)
		if i < 0 {
			return nil, d.fail(off, ErrMalformed, "string not NUL-terminated")
		}
		vsz = int64(i) + 1
	case TypeStringArray:
		if nelem*8 > int64(len(val)) {
			return nil, d.fail(off, ErrMalformed, "string array larger than its pair")
		}
		vsz = nelem * 8
		strs := make([]string, nelem)
		for i := range strs {
			j := bytes.IndexByte(val[vsz:], 0)
			if j < 0 {
				return nil, d.fail(off+int(vsz), ErrMalformed, "string array element not NUL-terminated")
			}
			strs[i] = string(val[vsz : vsz+int64(j)])
			vsz += int64(j) + 1
		}
		if align8(vsz) != int64(len(val)) {
			return nil, d.fail(off, ErrMalformed, "pair size does not match its value")
		}
		return strs, nil
	case TypeNVList:
		vsz = nvlistSize
	case TypeNVListArray:
		vsz = nelem * (8 + nvlistSize)
	default:
		vsz = fixedSize(t) * nelem
	}
	if align8(vsz) != int64(len(val)) {
		return nil, d.fail(off, ErrMalformed, "pair size does not match its value")
	}
	n := int(nelem)
	switch t {
	case TypeBoolean:
		return nil, nil
	case TypeString:
		return string(val[:vsz-1]), nil
	case TypeNVList:
		return d.nativeListHeader(off, val)
	case TypeNVListArray:
		ls := make([]*List, n)
		for i := range ls {
			h := val[n*8+i*nvlistSize:]
			l, err := d.nativeListHeader(off+n*8+i*nvlistSize, h)
			if err != nil {
				return nil, err
			}
			ls[i] = l
		}
		return ls, nil
	case TypeBooleanValue:
		b, err := d.boolValue(off, o.Uint32(val))
		return b, err
	case TypeByte, TypeUint8:
		return val[0], nil
	case TypeInt8:
		return int8(val[0]), nil
	case TypeInt16:
		return int16(o.Uint16(val)), nil
	case TypeUint16:
		return o.Uint16(val), nil
	case TypeInt32:
		return int32(o.Uint32(val)), nil
	case TypeUint32:
		return o.Uint32(val), nil
	case TypeInt64, TypeHRTime:
		return int64(o.Uint64(val)), nil
	case TypeUint64:
		return o.Uint64(val), nil
	case TypeDouble:
		return math.Float64frombits(o.Uint64(val)), nil
	case TypeByteArray, TypeUint8Array:
		return bytes.Clone(val[:n:n]), nil
	case TypeBooleanArray:
		a := make([]bool, n)
		for i := range a {
			b, err := d.boolValue(off+4*i, o.Uint32(val[4*i:]))
			if err != nil {
				return nil, err
			}
			a[i] = b
		}
		return a, nil
	}
	// Integer arrays: n elements of the type's size, in the list's order.
	var elem func(i int) uint64
	switch fixedSize(t) {
	case 1:
		elem = func(i int) uint64 { return uint64(val[i]) }
	case 2:
		elem = func(i int) uint64 { return uint64(o.Uint16(val[2*i:])) }
	case 4:
		elem = func(i int) uint64 { return uint64(o.Uint32(val[4*i:])) }
	case 8:
		elem = func(i int) uint64 { return o.Uint64(val[8*i:]) }
	}
	if a, ok := intArray(t, n, elem); ok {
		return a, nil
	}
	return nil, d.fail(off, ErrUnsupported, "unhandled type "+t.String())
}

// nativeListHeader reads an embedded nvlist_t: version, flags, and fields
// that are meaningless once packed.
func (d *decoder) nativeListHeader(off int, h []byte) (*List, error) {
	if v := int32(d.order.Uint32(h)); v != 0 {
		return nil, d.fail(off, ErrUnsupported, "nested list version "+strconv.Itoa(int(v)))
	}
	return &List{Flags: d.order.Uint32(h[4:])}, nil
}

func (d *decoder) boolValue(off int, v uint32) (bool, error) {
	switch v {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, d.fail(off, ErrMalformed, "boolean value "+strconv.FormatUint(uint64(v), 10))
}

// ---- XDR encoding ----

// xdrList decodes version, flags, pairs and the 8-byte end marker.
func (d *decoder) xdrList(l *List, depth int) error {
	if depth > MaxDepth {
		return d.fail(d.off, ErrTooDeep, "more than "+strconv.Itoa(MaxDepth)+" nested lists")
	}
	version, err := d.u32()
	if err != nil {
		return err
	}
	if version != 0 {
		return d.fail(d.off-4, ErrUnsupported, "list version "+strconv.Itoa(int(int32(version))))
	}
	if l.Flags, err = d.u32(); err != nil {
		return err
	}
	for {
		start := d.off
		if _, err := d.u32(); err != nil { // encoded size: informational
			return err
		}
		decSize, err := d.u32()
		if err != nil {
			return err
		}
		if decSize == 0 {
			return nil
		}
		name, err := d.xdrString()
		if err != nil {
			return err
		}
		d.path = append(d.path, name)
		t32, err := d.u32()
		if err != nil {
			return err
		}
		n32, err := d.u32()
		if err != nil {
			return err
		}
		typ, nelem := Type(int32(t32)), int32(n32)
		if msg := checkTypeNelem(typ, nelem); msg != "" {
			return d.fail(d.off-8, unsupportedOrMalformed(typ), msg)
		}
		var value any
		if nelem > 0 || typ.IsArray() {
			if value, err = d.xdrValue(typ, int(nelem), depth, name); err != nil {
				return err
			}
		}
		if want := nativePairSize(name, typ, value); int64(int32(decSize)) != want {
			return d.fail(start+4, ErrMalformed, "decoded size "+strconv.Itoa(int(int32(decSize)))+", want "+strconv.FormatInt(want, 10))
		}
		d.path = d.path[:len(d.path)-1]
		l.Pairs = append(l.Pairs, Pair{Name: name, Type: typ, Value: value})
	}
}

// xdrString reads a length-prefixed string padded to 4 bytes. Embedded NUL
// bytes are rejected: libnvpair would silently truncate at them.
func (d *decoder) xdrString() (string, error) {
	n32, err := d.u32()
	if err != nil {
		return "", err
	}
	n := int64(n32)
	if align4(n) > int64(d.remaining()) {
		return "", d.truncated(int(min(align4(n), math.MaxInt32)))
	}
	b := d.buf[d.off : d.off+int(n)]
	if bytes.IndexByte(b, 0) >= 0 {
		return "", d.fail(d.off, ErrMalformed, "string contains a NUL byte")
	}
	d.off += int(align4(n))
	return string(b), nil
}

// xdrElems checks that n elements of at least size bytes each can still be
// read, before anything is allocated for them.
func (d *decoder) xdrElems(n int, size int) error {
	if int64(n)*int64(size) > int64(d.remaining()) {
		return d.truncated(int(min(int64(n)*int64(size), math.MaxInt32)))
	}
	return nil
}

// xdrCount reads an array's element count, which must equal the pair's.
func (d *decoder) xdrCount(n int) error {
	c, err := d.u32()
	if err != nil {
		return err
	}
	if int64(c) != int64(n) {
		return d.fail(d.off-4, ErrMalformed, "array count "+strconv.FormatUint(uint64(c), 10)+" differs from element count "+strconv.Itoa(n))
	}
	return nil
}

func (d *decoder) xdrValue(t Type, n int, depth int, name string) (any, error) {
	// Arrays with no elements carry no data at all, not even a count.
	if n == 0 {
		return emptyArray(t), nil
	}
	be := binary.BigEndian
	switch t {
	case TypeNVList:
		l := &List{}
		return l, d.xdrList(l, depth+1)
	case TypeNVListArray:
		if err := d.xdrElems(n, xdrMinListSize); err != nil {
			return nil, err
		}
		ls := make([]*List, n)
		for i := range ls {
			d.path[len(d.path)-1] = name + "[" + strconv.Itoa(i) + "]"
			ls[i] = &List{}
			if err := d.xdrList(ls[i], depth+1); err != nil {
				return nil, err
			}
		}
		d.path[len(d.path)-1] = name
		return ls, nil
	case TypeString:
		return d.xdrString()
	case TypeStringArray:
		if err := d.xdrElems(n, 4); err != nil {
			return nil, err
		}
		ss := make([]string, n)
		for i := range ss {
			s, err := d.xdrString()
			if err != nil {
				return nil, err
			}
			ss[i] = s
		}
		return ss, nil
	case TypeByteArray:
		if err := d.need(int(align4(int64(n)))); err != nil {
			return nil, err
		}
		b := bytes.Clone(d.buf[d.off : d.off+n])
		d.off += int(align4(int64(n)))
		return b, nil
	case TypeBooleanValue:
		v, err := d.u32()
		if err != nil {
			return nil, err
		}
		return d.boolValue(d.off-4, v)
	case TypeByte, TypeUint8:
		v, err := d.u32()
		return uint8(v), err
	case TypeInt8:
		v, err := d.u32()
		return int8(v), err
	case TypeInt16:
		v, err := d.u32()
		return int16(v), err
	case TypeUint16:
		v, err := d.u32()
		return uint16(v), err
	case TypeInt32:
		v, err := d.u32()
		return int32(v), err
	case TypeUint32:
		return d.u32()
	case TypeInt64, TypeHRTime:
		v, err := d.u64()
		return int64(v), err
	case TypeUint64:
		return d.u64()
	case TypeDouble:
		v, err := d.u64()
		return math.Float64frombits(v), err
	}
	// Counted arrays: a count equal to n, then n elements of 4 or 8 bytes.
	if err := d.xdrCount(n); err != nil {
		return nil, err
	}
	width := 4
	if t == TypeInt64Array || t == TypeUint64Array {
		width = 8
	}
	if err := d.xdrElems(n, width); err != nil {
		return nil, err
	}
	b := d.buf[d.off : d.off+n*width]
	d.off += n * width
	if t == TypeBooleanArray {
		a := make([]bool, n)
		for i := range a {
			v, err := d.boolValue(d.off-len(b)+4*i, be.Uint32(b[4*i:]))
			if err != nil {
				return nil, err
			}
			a[i] = v
		}
		return a, nil
	}
	elem := func(i int) uint64 { return uint64(be.Uint32(b[4*i:])) }
	if width == 8 {
		elem = func(i int) uint64 { return be.Uint64(b[8*i:]) }
	}
	if a, ok := intArray(t, n, elem); ok {
		return a, nil
	}
	return nil, d.fail(d.off, ErrUnsupported, "unhandled type "+t.String())
}

// intArray returns the integer array of type t with n elements, element i
// being the low bits of elem(i); ok is false if t is not an integer array.
// Both encodings read their elements with it: native ones in their own size
// and the list's byte order, XDR ones in 4 or 8 big-endian bytes.
func intArray(t Type, n int, elem func(i int) uint64) (a any, ok bool) {
	switch t {
	case TypeInt8Array:
		return ints[int8](n, elem), true
	case TypeUint8Array:
		return ints[uint8](n, elem), true
	case TypeInt16Array:
		return ints[int16](n, elem), true
	case TypeUint16Array:
		return ints[uint16](n, elem), true
	case TypeInt32Array:
		return ints[int32](n, elem), true
	case TypeUint32Array:
		return ints[uint32](n, elem), true
	case TypeInt64Array:
		return ints[int64](n, elem), true
	case TypeUint64Array:
		return ints[uint64](n, elem), true
	}
	return nil, false
}

// ints converts n elements to a slice of T, truncating each to T's size.
func ints[T int8 | uint8 | int16 | uint16 | int32 | uint32 | int64 | uint64](n int, elem func(i int) uint64) []T {
	a := make([]T, n)
	for i := range a {
		a[i] = T(elem(i))
	}
	return a
}

// emptyArray returns a zero-length value of array type t.
func emptyArray(t Type) any {
	if a, ok := intArray(t, 0, nil); ok {
		return a
	}
	switch t {
	case TypeByteArray:
		return []byte{}
	case TypeBooleanArray:
		return []bool{}
	case TypeStringArray:
		return []string{}
	case TypeNVListArray:
		return []*List{}
	}
	return nil
}

// nativeValueSize returns the unaligned size of a value in the native
// encoding (libnvpair's i_get_value_size), excluding nested lists' pairs.
func nativeValueSize(t Type, v any) int64 {
	switch t {
	case TypeBoolean:
		return 0
	case TypeString:
		s, _ := v.(string)
		return int64(len(s)) + 1
	case TypeStringArray:
		ss, _ := v.([]string)
		n := int64(len(ss)) * 8
		for _, s := range ss {
			n += int64(len(s)) + 1
		}
		return n
	case TypeNVList:
		return nvlistSize
	case TypeNVListArray:
		ls, _ := v.([]*List)
		return int64(len(ls)) * (8 + nvlistSize)
	}
	return fixedSize(t) * int64(arrayLen(t, v))
}

// nativePairSize returns nvp_size: NVP_SIZE_CALC(name_sz, value_sz).
func nativePairSize(name string, t Type, v any) int64 {
	return align8(nvpairHeaderSize+int64(len(name))+1) + align8(nativeValueSize(t, v))
}

// arrayLen returns the element count of v, 1 for scalars and 0 for
// TypeBoolean.
func arrayLen(t Type, v any) int {
	switch a := v.(type) {
	case []byte:
		return len(a)
	case []int8:
		return len(a)
	case []bool:
		return len(a)
	case []int16:
		return len(a)
	case []uint16:
		return len(a)
	case []int32:
		return len(a)
	case []uint32:
		return len(a)
	case []int64:
		return len(a)
	case []uint64:
		return len(a)
	case []string:
		return len(a)
	case []*List:
		return len(a)
	}
	if t == TypeBoolean {
		return 0
	}
	return 1
}
