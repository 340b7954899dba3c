package nvlist

import "strconv"

// Type is the data type of a pair, with libnvpair's numbering
// (data_type_t in sys/nvpair.h). The Go type of Pair.Value for each Type is
// given next to each constant.
type Type int32

// Pair types.
const (
	TypeUnknown      Type = 0  // not valid in a list
	TypeBoolean      Type = 1  // nil: the pair's presence is the value
	TypeByte         Type = 2  // byte
	TypeInt16        Type = 3  // int16
	TypeUint16       Type = 4  // uint16
	TypeInt32        Type = 5  // int32
	TypeUint32       Type = 6  // uint32
	TypeInt64        Type = 7  // int64
	TypeUint64       Type = 8  // uint64
	TypeString       Type = 9  // string
	TypeByteArray    Type = 10 // []byte
	TypeInt16Array   Type = 11 // []int16
	TypeUint16Array  Type = 12 // []uint16
	TypeInt32Array   Type = 13 // []int32
	TypeUint32Array  Type = 14 // []uint32
	TypeInt64Array   Type = 15 // []int64
	TypeUint64Array  Type = 16 // []uint64
	TypeStringArray  Type = 17 // []string
	TypeHRTime       Type = 18 // int64 nanoseconds (hrtime_t)
	TypeNVList       Type = 19 // *List
	TypeNVListArray  Type = 20 // []*List
	TypeBooleanValue Type = 21 // bool
	TypeInt8         Type = 22 // int8
	TypeUint8        Type = 23 // uint8
	TypeBooleanArray Type = 24 // []bool
	TypeInt8Array    Type = 25 // []int8
	TypeUint8Array   Type = 26 // []uint8
	TypeDouble       Type = 27 // float64
)

var typeNames = [...]string{
	TypeUnknown:      "unknown",
	TypeBoolean:      "boolean",
	TypeByte:         "byte",
	TypeInt16:        "int16",
	TypeUint16:       "uint16",
	TypeInt32:        "int32",
	TypeUint32:       "uint32",
	TypeInt64:        "int64",
	TypeUint64:       "uint64",
	TypeString:       "string",
	TypeByteArray:    "byte array",
	TypeInt16Array:   "int16 array",
	TypeUint16Array:  "uint16 array",
	TypeInt32Array:   "int32 array",
	TypeUint32Array:  "uint32 array",
	TypeInt64Array:   "int64 array",
	TypeUint64Array:  "uint64 array",
	TypeStringArray:  "string array",
	TypeHRTime:       "hrtime",
	TypeNVList:       "nvlist",
	TypeNVListArray:  "nvlist array",
	TypeBooleanValue: "boolean value",
	TypeInt8:         "int8",
	TypeUint8:        "uint8",
	TypeBooleanArray: "boolean array",
	TypeInt8Array:    "int8 array",
	TypeUint8Array:   "uint8 array",
	TypeDouble:       "double",
}

// String returns a short lower-case name such as "uint64" or "nvlist array".
func (t Type) String() string {
	if t >= 0 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// Valid reports whether t is a type that may appear in a list.
func (t Type) Valid() bool { return t > TypeUnknown && t <= TypeDouble }

// IsArray reports whether t is one of the array types, whose pairs carry an
// element count.
func (t Type) IsArray() bool {
	switch t {
	case TypeByteArray, TypeInt16Array, TypeUint16Array, TypeInt32Array,
		TypeUint32Array, TypeInt64Array, TypeUint64Array, TypeStringArray,
		TypeNVListArray, TypeBooleanArray, TypeInt8Array, TypeUint8Array:
		return true
	}
	return false
}

// Encoding is the packing method recorded in the first byte of a packed list.
type Encoding uint8

// Encodings (NV_ENCODE_NATIVE and NV_ENCODE_XDR).
const (
	Native Encoding = 0
	XDR    Encoding = 1
)

// String returns "native", "xdr", or "encoding(N)".
func (e Encoding) String() string {
	switch e {
	case Native:
		return "native"
	case XDR:
		return "xdr"
	}
	return "encoding(" + strconv.Itoa(int(e)) + ")"
}

// List flags (nvl_nvflag).
const (
	// UniqueName says that names are unique within the list
	// (NV_UNIQUE_NAME); fnvlist_alloc sets it, and so does New.
	UniqueName uint32 = 0x1
	// UniqueNameType says that name and type pairs are unique
	// (NV_UNIQUE_NAME_TYPE).
	UniqueNameType uint32 = 0x2
)

// MaxDepth is how deeply lists may nest inside each other, counting the
// top-level list as depth 0. It is libnvpair's user-space limit.
const MaxDepth = 100
