package nvlist

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Pair is one named, typed value of a List. Value's Go type is determined by
// Type as documented on the Type constants; for TypeBoolean it is nil.
type Pair struct {
	Name  string
	Type  Type
	Value any
}

// List is a decoded name-value list: its flags and its pairs in packed
// order. The zero value is an empty list with no flags; New returns one with
// UniqueName set, which is what OpenZFS creates. List does not enforce name
// uniqueness; lookups return the first pair with a name.
type List struct {
	// Flags holds the list's persistent flags (UniqueName, UniqueNameType).
	Flags uint32
	// Pairs holds the pairs in order.
	Pairs []Pair
}

// New returns an empty list with the UniqueName flag, like fnvlist_alloc.
func New() *List { return &List{Flags: UniqueName} }

// Len returns the number of pairs.
func (l *List) Len() int { return len(l.Pairs) }

// Names returns the pair names in order.
func (l *List) Names() []string {
	names := make([]string, len(l.Pairs))
	for i, p := range l.Pairs {
		names[i] = p.Name
	}
	return names
}

// Lookup returns the first pair called name.
func (l *List) Lookup(name string) (Pair, bool) {
	if l == nil {
		return Pair{}, false
	}
	for _, p := range l.Pairs {
		if p.Name == name {
			return p, true
		}
	}
	return Pair{}, false
}

// Has reports whether a pair called name exists, whatever its type. For
// TypeBoolean pairs (flags such as "rawok") presence is the value.
func (l *List) Has(name string) bool {
	_, ok := l.Lookup(name)
	return ok
}

func lookupAs[T any](l *List, name string, t Type) (T, bool) {
	var zero T
	p, ok := l.Lookup(name)
	if !ok || p.Type != t {
		return zero, false
	}
	v, ok := p.Value.(T)
	return v, ok
}

// Uint64 returns the value of the TypeUint64 pair called name.
func (l *List) Uint64(name string) (uint64, bool) { return lookupAs[uint64](l, name, TypeUint64) }

// Int64 returns the value of the TypeInt64 pair called name.
func (l *List) Int64(name string) (int64, bool) { return lookupAs[int64](l, name, TypeInt64) }

// Uint32 returns the value of the TypeUint32 pair called name.
func (l *List) Uint32(name string) (uint32, bool) { return lookupAs[uint32](l, name, TypeUint32) }

// Int32 returns the value of the TypeInt32 pair called name.
func (l *List) Int32(name string) (int32, bool) { return lookupAs[int32](l, name, TypeInt32) }

// String returns the value of the TypeString pair called name. (It is a
// lookup, not a fmt.Stringer.)
func (l *List) String(name string) (string, bool) { return lookupAs[string](l, name, TypeString) }

// List returns the nested list of the TypeNVList pair called name.
func (l *List) List(name string) (*List, bool) { return lookupAs[*List](l, name, TypeNVList) }

// Lists returns the lists of the TypeNVListArray pair called name.
func (l *List) Lists(name string) ([]*List, bool) {
	return lookupAs[[]*List](l, name, TypeNVListArray)
}

// Uint64Array returns the value of the TypeUint64Array pair called name.
func (l *List) Uint64Array(name string) ([]uint64, bool) {
	return lookupAs[[]uint64](l, name, TypeUint64Array)
}

// StringArray returns the value of the TypeStringArray pair called name.
func (l *List) StringArray(name string) ([]string, bool) {
	return lookupAs[[]string](l, name, TypeStringArray)
}

// Bytes returns the value of the TypeByteArray or TypeUint8Array pair called
// name.
func (l *List) Bytes(name string) ([]byte, bool) {
	p, ok := l.Lookup(name)
	if !ok || (p.Type != TypeByteArray && p.Type != TypeUint8Array) {
		return nil, false
	}
	b, ok := p.Value.([]byte)
	return b, ok
}

// Bool returns the value of the pair called name if it is a
// TypeBooleanValue, or true if it is a TypeBoolean (a presence flag).
func (l *List) Bool(name string) (bool, bool) {
	p, ok := l.Lookup(name)
	if !ok {
		return false, false
	}
	switch p.Type {
	case TypeBoolean:
		return true, true
	case TypeBooleanValue:
		b, ok := p.Value.(bool)
		return b, ok
	}
	return false, false
}

// Add appends a pair after checking that v has the Go type that t requires
// (see the Type constants). It returns an *EncodeError wrapping
// ErrInvalidValue if not.
func (l *List) Add(name string, t Type, v any) error {
	if err := checkValue(t, v); err != nil {
		return &EncodeError{Path: name, Reason: err.Error(), Err: ErrInvalidValue}
	}
	l.Pairs = append(l.Pairs, Pair{Name: name, Type: t, Value: v})
	return nil
}

// AddBoolean appends a TypeBoolean pair, a flag whose presence is its value.
func (l *List) AddBoolean(name string) *List {
	l.Pairs = append(l.Pairs, Pair{Name: name, Type: TypeBoolean})
	return l
}

// AddBool appends a TypeBooleanValue pair.
func (l *List) AddBool(name string, v bool) *List {
	l.Pairs = append(l.Pairs, Pair{Name: name, Type: TypeBooleanValue, Value: v})
	return l
}

// AddUint64 appends a TypeUint64 pair.
func (l *List) AddUint64(name string, v uint64) *List {
	l.Pairs = append(l.Pairs, Pair{Name: name, Type: TypeUint64, Value: v})
	return l
}

// AddInt64 appends a TypeInt64 pair.
func (l *List) AddInt64(name string, v int64) *List {
	l.Pairs = append(l.Pairs, Pair{Name: name, Type: TypeInt64, Value: v})
	return l
}

// AddString appends a TypeString pair.
func (l *List) AddString(name, v string) *List {
	l.Pairs = append(l.Pairs, Pair{Name: name, Type: TypeString, Value: v})
	return l
}

// AddList appends a TypeNVList pair.
func (l *List) AddList(name string, v *List) *List {
	l.Pairs = append(l.Pairs, Pair{Name: name, Type: TypeNVList, Value: v})
	return l
}

// AddUint64Array appends a TypeUint64Array pair.
func (l *List) AddUint64Array(name string, v []uint64) *List {
	l.Pairs = append(l.Pairs, Pair{Name: name, Type: TypeUint64Array, Value: v})
	return l
}

// AddStringArray appends a TypeStringArray pair.
func (l *List) AddStringArray(name string, v []string) *List {
	l.Pairs = append(l.Pairs, Pair{Name: name, Type: TypeStringArray, Value: v})
	return l
}

// Map converts l into a map for printing or JSON: nested lists become
// map[string]any, list arrays []map[string]any, TypeBoolean pairs true, and
// every other value keeps its Go type. When names repeat, the first pair
// wins, as with Lookup.
func (l *List) Map() map[string]any {
	m := make(map[string]any, len(l.Pairs))
	for _, p := range l.Pairs {
		if _, dup := m[p.Name]; dup {
			continue
		}
		m[p.Name] = mapValue(p)
	}
	return m
}

func mapValue(p Pair) any {
	switch p.Type {
	case TypeBoolean:
		return true
	case TypeNVList:
		if v, ok := p.Value.(*List); ok && v != nil {
			return v.Map()
		}
		return map[string]any{}
	case TypeNVListArray:
		v, _ := p.Value.([]*List)
		out := make([]map[string]any, len(v))
		for i, e := range v {
			if e != nil {
				out[i] = e.Map()
			}
		}
		return out
	}
	return p.Value
}

// MarshalJSON encodes l as a JSON object with its pairs in order. Values are
// encoded as by Map; byte arrays become arrays of numbers rather than
// base64 strings, and non-finite doubles become strings.
func (l *List) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	if err := l.writeJSON(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (l *List) writeJSON(buf *bytes.Buffer) error {
	buf.WriteByte('{')
	for i, p := range l.Pairs {
		if i > 0 {
			buf.WriteByte(',')
		}
		name, _ := json.Marshal(p.Name)
		buf.Write(name)
		buf.WriteByte(':')
		if err := writeJSONValue(buf, p); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

func writeJSONValue(buf *bytes.Buffer, p Pair) error {
	switch v := p.Value.(type) {
	case *List:
		if v == nil {
			buf.WriteString("{}")
			return nil
		}
		return v.writeJSON(buf)
	case []*List:
		buf.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			if e == nil {
				buf.WriteString("{}")
				continue
			}
			if err := e.writeJSON(buf); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case []byte:
		buf.WriteByte('[')
		for i, b := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(strconv.Itoa(int(b)))
		}
		buf.WriteByte(']')
		return nil
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			fmt.Fprintf(buf, "%q", strconv.FormatFloat(v, 'g', -1, 64))
			return nil
		}
	}
	b, err := json.Marshal(mapValue(p))
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}

// checkValue reports whether v has the Go type that t requires.
func checkValue(t Type, v any) error {
	ok := false
	switch t {
	case TypeBoolean:
		ok = v == nil
	case TypeBooleanValue:
		_, ok = v.(bool)
	case TypeByte, TypeUint8:
		_, ok = v.(uint8)
	case TypeInt8:
		_, ok = v.(int8)
	case TypeInt16:
		_, ok = v.(int16)
	case TypeUint16:
		_, ok = v.(uint16)
	case TypeInt32:
		_, ok = v.(int32)
	case TypeUint32:
		_, ok = v.(uint32)
	case TypeInt64, TypeHRTime:
		_, ok = v.(int64)
	case TypeUint64:
		_, ok = v.(uint64)
	case TypeDouble:
		_, ok = v.(float64)
	case TypeString:
		var s string
		s, ok = v.(string)
		if ok && strings.IndexByte(s, 0) >= 0 {
			return fmt.Errorf("string contains a NUL byte")
		}
	case TypeByteArray, TypeUint8Array:
		_, ok = v.([]byte)
	case TypeInt8Array:
		_, ok = v.([]int8)
	case TypeBooleanArray:
		_, ok = v.([]bool)
	case TypeInt16Array:
		_, ok = v.([]int16)
	case TypeUint16Array:
		_, ok = v.([]uint16)
	case TypeInt32Array:
		_, ok = v.([]int32)
	case TypeUint32Array:
		_, ok = v.([]uint32)
	case TypeInt64Array:
		_, ok = v.([]int64)
	case TypeUint64Array:
		_, ok = v.([]uint64)
	case TypeStringArray:
		var ss []string
		ss, ok = v.([]string)
		for _, s := range ss {
			if strings.IndexByte(s, 0) >= 0 {
				return fmt.Errorf("string contains a NUL byte")
			}
		}
	case TypeNVList:
		var l *List
		l, ok = v.(*List)
		ok = ok && l != nil
	case TypeNVListArray:
		var ls []*List
		ls, ok = v.([]*List)
		for _, l := range ls {
			if l == nil {
				return fmt.Errorf("nil list in array")
			}
		}
	default:
		return fmt.Errorf("invalid type %v", t)
	}
	if !ok {
		return fmt.Errorf("%v pair holds %T", t, v)
	}
	return nil
}
