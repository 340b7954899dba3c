// Package nvlist decodes and encodes packed name-value lists, the
// serialization that OpenZFS (libnvpair) uses for send-stream BEGIN payloads,
// resume tokens, ioctl arguments and pool configurations.
//
//	l, err := nvlist.Decode(packed)
//	if err != nil {
//		return err
//	}
//	guid, ok := l.Uint64("toguid")
//	out, err := l.Encode(nvlist.XDR, binary.BigEndian)
//
// A [List] is an ordered sequence of [Pair] values. Each Pair has a name, a
// [Type] and a typed Go value (see Type for the mapping, e.g. TypeUint64
// holds a uint64 and TypeNVList holds a *List). Accessors such as
// [List.Uint64], [List.String] and [List.List] look values up by name;
// [List.Map] converts a list into plain Go maps for printing, and a List
// marshals to JSON with its pairs in order.
//
// # Encodings
//
// A packed list starts with a 4-byte header: the encoding (0 native, 1 XDR),
// the byte order of the host that packed it (1 little endian, 0 big endian)
// and two reserved bytes. [Decode] reads both encodings in either byte order
// (libnvpair itself refuses native lists of the other byte order); [List.Encode]
// writes either encoding in either byte order. The native encoding mirrors
// libnvpair's in-memory structures, 8-byte aligned; XDR is always big endian
// and is what OpenZFS uses on the wire between hosts.
//
// # Hostile input
//
// Decode never panics and never allocates more than a small constant factor
// of its input: every length and element count is checked against the bytes
// that remain before anything is allocated, and nesting is limited to
// [MaxDepth] levels. Decoding is about as strict as libnvpair's: pair sizes
// must match their values exactly, names must be NUL-terminated at their
// recorded size, boolean values must be 0 or 1, and element counts must fit
// their types. Unlike libnvpair it also reads native lists packed in the
// other byte order.
//
// # Errors
//
// Decoding errors are [*DecodeError] values carrying the byte offset and the
// path of the pair being decoded; they wrap one of [ErrTruncated],
// [ErrMalformed], [ErrUnsupported] or [ErrTooDeep], so callers can test them with
// errors.Is. Encoding errors are [*EncodeError] values wrapping
// [ErrInvalidValue].
package nvlist
