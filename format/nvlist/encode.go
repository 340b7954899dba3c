package nvlist

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
)

// Encode packs l with encoding enc. For Native, order is the byte order of
// all fields; for XDR the data is big endian whatever order says, and order
// is only recorded in the header (libnvpair records the packing host's).
// The output is byte-for-byte what libnvpair's nvlist_pack produces for the
// same list on a host of that byte order. Errors are *EncodeError values.
func (l *List) Encode(enc Encoding, order binary.ByteOrder) ([]byte, error) {
	if order == nil {
		order = binary.LittleEndian
	}
	endian := byte(0)
	if order.Uint16([]byte{1, 0}) == 1 {
		endian = 1
	}
	e := &encoder{buf: []byte{byte(enc), endian, 0, 0}, order: order}
	var err error
	switch enc {
	case Native:
		e.u32(0)
		e.u32(l.Flags)
		err = e.nativePairs(l, 0)
	case XDR:
		e.order = binary.BigEndian
		err = e.xdrList(l, 0)
		// libnvpair sizes its buffer from the encoded sizes, which count
		// a phantom element-count word for each empty array (see
		// xdrList); the zero-filled slack ends up after the list.
		e.zeros(4 * e.phantoms)
	default:
		return nil, &EncodeError{Reason: "unknown encoding " + strconv.Itoa(int(enc)), Err: ErrInvalidValue}
	}
	if err != nil {
		return nil, err
	}
	return e.buf, nil
}

type encoder struct {
	buf      []byte
	order    binary.ByteOrder
	path     []string
	phantoms int // empty counted arrays written in XDR
}

func (e *encoder) fail(sentinel error, reason string) error {
	return &EncodeError{Path: strings.Join(e.path, "/"), Reason: reason, Err: sentinel}
}

func (e *encoder) u16(v uint16) {
	e.buf = append(e.buf, 0, 0)
	e.order.PutUint16(e.buf[len(e.buf)-2:], v)
}

func (e *encoder) u32(v uint32) {
	e.buf = append(e.buf, 0, 0, 0, 0)
	e.order.PutUint32(e.buf[len(e.buf)-4:], v)
}

func (e *encoder) u64(v uint64) {
	e.buf = append(e.buf, 0, 0, 0, 0, 0, 0, 0, 0)
	e.order.PutUint64(e.buf[len(e.buf)-8:], v)
}

func (e *encoder) zeros(n int) {
	for ; n > 0; n-- {
		e.buf = append(e.buf, 0)
	}
}

// padTo appends zeros until the output is an 8-multiple past start.
func (e *encoder) padTo(start int) {
	e.zeros(int(align8(int64(len(e.buf)-start))) - (len(e.buf) - start))
}

func (e *encoder) checkPair(p Pair, depth int) error {
	if depth > MaxDepth {
		return e.fail(ErrTooDeep, "more than "+strconv.Itoa(MaxDepth)+" nested lists")
	}
	if err := checkValue(p.Type, p.Value); err != nil {
		return e.fail(ErrInvalidValue, err.Error())
	}
	if strings.IndexByte(p.Name, 0) >= 0 {
		return e.fail(ErrInvalidValue, "name contains a NUL byte")
	}
	if len(p.Name)+1 > math.MaxInt16 {
		return e.fail(ErrInvalidValue, "name longer than 32766 bytes")
	}
	if n := arrayLen(p.Type, p.Value); n > math.MaxInt32 {
		return e.fail(ErrInvalidValue, "more than 2^31-1 elements")
	}
	if nativePairSize(p.Name, p.Type, p.Value) > math.MaxInt32 {
		return e.fail(ErrInvalidValue, "pair larger than 2 GiB")
	}
	return nil
}

// ---- native ----

func (e *encoder) nativePairs(l *List, depth int) error {
	for _, p := range l.Pairs {
		e.path = append(e.path, p.Name)
		if err := e.checkPair(p, depth); err != nil {
			return err
		}
		start := len(e.buf)
		nelem := arrayLen(p.Type, p.Value)
		e.u32(uint32(nativePairSize(p.Name, p.Type, p.Value)))
		e.u16(uint16(len(p.Name) + 1))
		e.u16(0)
		e.u32(uint32(nelem))
		e.u32(uint32(p.Type))
		e.buf = append(e.buf, p.Name...)
		e.buf = append(e.buf, 0)
		e.padTo(start)
		valStart := len(e.buf)
		e.nativeValue(p)
		e.padTo(valStart)
		switch v := p.Value.(type) {
		case *List:
			if err := e.nativePairs(v, depth+1); err != nil {
				return err
			}
		case []*List:
			for i, n := range v {
				e.path[len(e.path)-1] = p.Name + "[" + strconv.Itoa(i) + "]"
				if err := e.nativePairs(n, depth+1); err != nil {
					return err
				}
			}
		}
		e.path = e.path[:len(e.path)-1]
	}
	e.u32(0)
	return nil
}

func (e *encoder) nativeListHeader(l *List) {
	e.u32(0) // version
	e.u32(l.Flags)
	e.u64(0) // priv pointer
	e.u32(0) // flag
	e.u32(0) // pad
}

func boolWord(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

func (e *encoder) nativeValue(p Pair) {
	switch v := p.Value.(type) {
	case nil:
	case bool:
		e.u32(boolWord(v))
	case uint8:
		e.buf = append(e.buf, v)
	case int8:
		e.buf = append(e.buf, byte(v))
	case int16:
		e.u16(uint16(v))
	case uint16:
		e.u16(v)
	case int32:
		e.u32(uint32(v))
	case uint32:
		e.u32(v)
	case int64:
		e.u64(uint64(v))
	case uint64:
		e.u64(v)
	case float64:
		e.u64(math.Float64bits(v))
	case string:
		e.buf = append(e.buf, v...)
		e.buf = append(e.buf, 0)
	case *List:
		e.nativeListHeader(v)
	case []byte:
		e.buf = append(e.buf, v...)
	case []int8:
		for _, x := range v {
			e.buf = append(e.buf, byte(x))
		}
	case []bool:
		for _, x := range v {
			e.u32(boolWord(x))
		}
	case []int16:
		for _, x := range v {
			e.u16(uint16(x))
		}
	case []uint16:
		for _, x := range v {
			e.u16(x)
		}
	case []int32:
		for _, x := range v {
			e.u32(uint32(x))
		}
	case []uint32:
		for _, x := range v {
			e.u32(x)
		}
	case []int64:
		for _, x := range v {
			e.u64(uint64(x))
		}
	case []uint64:
		for _, x := range v {
			e.u64(x)
		}
	case []string:
		e.zeros(8 * len(v)) // pointer slots
		for _, s := range v {
			e.buf = append(e.buf, s...)
			e.buf = append(e.buf, 0)
		}
	case []*List:
		e.zeros(8 * len(v)) // pointer slots
		for _, n := range v {
			e.nativeListHeader(n)
		}
	}
}

// ---- XDR ----

func (e *encoder) xdrList(l *List, depth int) error {
	e.u32(0) // version
	e.u32(l.Flags)
	for _, p := range l.Pairs {
		e.path = append(e.path, p.Name)
		if err := e.checkPair(p, depth); err != nil {
			return err
		}
		start := len(e.buf)
		e.u32(0) // encoded size, patched below
		e.u32(uint32(nativePairSize(p.Name, p.Type, p.Value)))
		e.xdrString(p.Name)
		e.u32(uint32(p.Type))
		nelem := arrayLen(p.Type, p.Value)
		e.u32(uint32(nelem))
		if nelem > 0 {
			if err := e.xdrValue(p, depth); err != nil {
				return err
			}
		}
		size := len(e.buf) - start
		if nelem == 0 && isCountedArray(p.Type) {
			// libnvpair counts the element count word of an empty
			// array in the encoded size, but does not write it.
			size += 4
			e.phantoms++
		}
		if size > math.MaxInt32 {
			return e.fail(ErrInvalidValue, "pair larger than 2 GiB")
		}
		binary.BigEndian.PutUint32(e.buf[start:], uint32(size))
		e.path = e.path[:len(e.path)-1]
	}
	e.u32(0)
	e.u32(0)
	return nil
}

// signExtend widens a byte the way libnvpair's xdr_char does on hosts where
// char is signed (x86), which is where most packed lists come from. Decoders
// keep only the low 8 bits, so either widening reads back the same.
func signExtend(b uint8) uint32 { return uint32(int32(int8(b))) }

func isCountedArray(t Type) bool {
	return t.IsArray() && t != TypeByteArray && t != TypeStringArray && t != TypeNVListArray
}

func (e *encoder) xdrString(s string) {
	e.u32(uint32(len(s)))
	e.buf = append(e.buf, s...)
	e.zeros(int(align4(int64(len(s)))) - len(s))
}

func (e *encoder) xdrValue(p Pair, depth int) error {
	switch v := p.Value.(type) {
	case bool:
		e.u32(boolWord(v))
	case uint8:
		e.u32(signExtend(v))
	case int8:
		e.u32(uint32(int32(v)))
	case int16:
		e.u32(uint32(int32(v)))
	case uint16:
		e.u32(uint32(v))
	case int32:
		e.u32(uint32(v))
	case uint32:
		e.u32(v)
	case int64:
		e.u64(uint64(v))
	case uint64:
		e.u64(v)
	case float64:
		e.u64(math.Float64bits(v))
	case string:
		e.xdrString(v)
	case *List:
		return e.xdrList(v, depth+1)
	case []*List:
		name := p.Name
		for i, n := range v {
			e.path[len(e.path)-1] = name + "[" + strconv.Itoa(i) + "]"
			if err := e.xdrList(n, depth+1); err != nil {
				return err
			}
		}
		e.path[len(e.path)-1] = name
	case []string:
		for _, s := range v {
			e.xdrString(s)
		}
	case []byte:
		if p.Type == TypeByteArray {
			e.buf = append(e.buf, v...)
			e.zeros(int(align4(int64(len(v)))) - len(v))
			break
		}
		e.u32(uint32(len(v)))
		for _, x := range v {
			e.u32(signExtend(x))
		}
	case []int8:
		e.u32(uint32(len(v)))
		for _, x := range v {
			e.u32(uint32(int32(x)))
		}
	case []bool:
		e.u32(uint32(len(v)))
		for _, x := range v {
			e.u32(boolWord(x))
		}
	case []int16:
		e.u32(uint32(len(v)))
		for _, x := range v {
			e.u32(uint32(int32(x)))
		}
	case []uint16:
		e.u32(uint32(len(v)))
		for _, x := range v {
			e.u32(uint32(x))
		}
	case []int32:
		e.u32(uint32(len(v)))
		for _, x := range v {
			e.u32(uint32(x))
		}
	case []uint32:
		e.u32(uint32(len(v)))
		for _, x := range v {
			e.u32(x)
		}
	case []int64:
		e.u32(uint32(len(v)))
		for _, x := range v {
			e.u64(uint64(x))
		}
	case []uint64:
		e.u32(uint32(len(v)))
		for _, x := range v {
			e.u64(x)
		}
	}
	return nil
}
