package resumetoken

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gozfs/gozfs/format/nvlist"
	"github.com/gozfs/gozfs/format/sendstream"
)

// Version is the only token version OpenZFS defines
// (ZFS_SEND_RESUME_TOKEN_VERSION).
const Version = 1

// MaxPackedSize limits the uncompressed payload a token may declare. Real
// tokens hold a few hundred bytes; the limit keeps a hostile token from
// making Decode allocate much.
const MaxPackedSize = 1 << 20

// Sentinel errors wrapped by *DecodeError and *MismatchError.
var (
	// ErrFormat means the string is not VERSION-CHECKSUM-LENGTH-HEX.
	ErrFormat = errors.New("resumetoken: malformed token")
	// ErrVersion means a token version other than 1.
	ErrVersion = errors.New("resumetoken: unsupported token version")
	// ErrChecksum means the payload does not match the token's checksum.
	ErrChecksum = errors.New("resumetoken: checksum mismatch")
	// ErrCorrupt means the payload does not decompress to the declared
	// length, is not a valid nvlist, or lacks a required key.
	ErrCorrupt = errors.New("resumetoken: corrupt payload")
	// ErrMismatch means a token does not belong to the given snapshot.
	ErrMismatch = errors.New("resumetoken: token does not match snapshot")
)

// DecodeError reports why a token could not be decoded. Err is one of
// ErrFormat, ErrVersion, ErrChecksum or ErrCorrupt; Cause, if set, is the
// underlying error (for example a *nvlist.DecodeError).
type DecodeError struct {
	Reason string
	Err    error
	Cause  error
}

// Error formats the error with its location and cause.
func (e *DecodeError) Error() string {
	msg := e.Err.Error() + ": " + e.Reason
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

// Unwrap returns Err and Cause.
func (e *DecodeError) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}

// MismatchError reports a token that does not match the snapshot it was
// checked against. It wraps ErrMismatch.
type MismatchError struct {
	// Field is "toguid", "toname" or "fromguid".
	Field string
	// Token is the token's value and Want the value it was checked
	// against (GUIDs in hex).
	Token, Want string
}

// Error names the field that differs and both values.
func (e *MismatchError) Error() string {
	return fmt.Sprintf("resumetoken: token has %s %s, snapshot has %s", e.Field, e.Token, e.Want)
}

// Unwrap returns ErrMismatch.
func (e *MismatchError) Unwrap() error { return ErrMismatch }

// Token is a decoded resume token.
type Token struct {
	// ToGUID is the GUID of the snapshot being sent.
	ToGUID uint64
	// FromGUID is the GUID of the incremental source, 0 for a full send.
	FromGUID uint64
	// ToName is the snapshot's name when the send started.
	ToName string
	// Object, Offset and Bytes say where to resume: the first object and
	// offset not yet received, and the bytes received so far.
	Object, Offset, Bytes uint64
	// The send flags to resume with, from zfs send -L, -e, -c, -w and -S.
	LargeBlockOK, EmbedOK, CompressOK, RawOK, SavedOK bool
	// RedactSnaps and BookRedactSnaps are the redaction snapshot GUIDs of
	// a redacted send, or nil.
	RedactSnaps     []uint64
	BookRedactSnaps []uint64
	// NVList is the decoded payload, with any keys not listed above. It
	// is set by Decode and ignored by Encode.
	NVList *nvlist.List
}

// Incremental reports whether the token resumes an incremental send.
func (t *Token) Incremental() bool { return t.FromGUID != 0 }

// Dataset returns the part of ToName before the "@".
func (t *Token) Dataset() string {
	ds, _, _ := strings.Cut(t.ToName, "@")
	return ds
}

// Snapshot returns the part of ToName after the "@".
func (t *Token) Snapshot() string {
	_, snap, _ := strings.Cut(t.ToName, "@")
	return snap
}

func decodeErr(sentinel error, reason string, cause error) error {
	return &DecodeError{Reason: reason, Err: sentinel, Cause: cause}
}

// Decode parses a receive_resume_token value, verifying its version,
// checksum, compressed payload and required keys as libzfs does.
// Surrounding white space is ignored.
//
// A token is "VERSION-CHECKSUM-LENGTH-PAYLOAD": the token version (1), the
// first word of the fletcher-4 checksum of the compressed payload in hex,
// the length of the uncompressed payload in hex, and the payload itself in
// lower-case hex. The payload is a zlib stream of a packed nvlist (native
// encoding, in the receiving host's byte order) with the keys "toguid",
// "toname", "object", "offset" and "bytes", "fromguid" for incremental
// sends, the presence flags "largeblockok", "embedok", "compressok" and
// "rawok", and the arrays "redact_snaps" and "book_redact_snaps" for
// redacted sends. It performs the same checks as libzfs's
// zfs_send_resume_token_to_nvlist, and the Token keeps the raw list.
func Decode(s string) (*Token, error) {
	parts := strings.SplitN(strings.TrimSpace(s), "-", 4)
	if len(parts) != 4 {
		return nil, decodeErr(ErrFormat, "want VERSION-CHECKSUM-LENGTH-PAYLOAD", nil)
	}
	version, err := strconv.ParseUint(parts[0], 10, 32)
	if err != nil {
		return nil, decodeErr(ErrFormat, "bad version", err)
	}
	if version != Version {
		return nil, decodeErr(ErrVersion, "version "+parts[0], nil)
	}
	sum, err := strconv.ParseUint(parts[1], 16, 64)
	if err != nil {
		return nil, decodeErr(ErrFormat, "bad checksum", err)
	}
	length, err := strconv.ParseUint(parts[2], 16, 64)
	if err != nil {
		return nil, decodeErr(ErrFormat, "bad length", err)
	}
	if length > MaxPackedSize {
		return nil, decodeErr(ErrCorrupt, "declared length "+strconv.FormatUint(length, 10)+" over the limit", nil)
	}
	compressed, err := hex.DecodeString(parts[3])
	if err != nil {
		return nil, decodeErr(ErrFormat, "payload is not hex", err)
	}
	// The checksum is computed over host-order words by the receiving
	// host; accept either byte order.
	if sum != checksumWord(compressed, binary.LittleEndian) && sum != checksumWord(compressed, binary.BigEndian) {
		return nil, decodeErr(ErrChecksum, fmt.Sprintf("token says %x, payload sums to %x", sum, checksumWord(compressed, binary.LittleEndian)), nil)
	}
	packed, err := inflate(compressed, int(length))
	if err != nil {
		return nil, err
	}
	l, err := nvlist.Decode(packed)
	if err != nil {
		return nil, decodeErr(ErrCorrupt, "payload is not an nvlist", err)
	}
	return FromNVList(l)
}

// checksumWord returns the first word of the fletcher-4 checksum of p read
// as words of the given byte order.
func checksumWord(p []byte, order binary.ByteOrder) uint64 {
	f := sendstream.NewFletcher4(order)
	f.Update(p)
	return f.Sum()[0]
}

// inflate decompresses a token payload that must expand to exactly length
// bytes.
func inflate(compressed []byte, length int) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(compressed))
	if err == nil {
		var packed []byte
		packed, err = io.ReadAll(io.LimitReader(zr, int64(length)+1))
		if err == nil {
			if len(packed) != length {
				return nil, decodeErr(ErrCorrupt, fmt.Sprintf("payload expands to %d bytes, token says %d", len(packed), length), nil)
			}
			return packed, nil
		}
	}
	// When compression does not shrink the list, the kernel stores it
	// uncompressed (and libzfs then fails to read the token). Accept that
	// form when the sizes say so.
	if len(compressed) == length {
		return compressed, nil
	}
	return nil, decodeErr(ErrCorrupt, "payload does not decompress", err)
}

// FromNVList builds a Token from a decoded payload list, requiring the keys
// that libzfs requires ("toname", "object", "offset", "bytes", "toguid").
func FromNVList(l *nvlist.List) (*Token, error) {
	t := &Token{NVList: l}
	var ok [5]bool
	t.ToName, ok[0] = l.String("toname")
	t.Object, ok[1] = l.Uint64("object")
	t.Offset, ok[2] = l.Uint64("offset")
	t.Bytes, ok[3] = l.Uint64("bytes")
	t.ToGUID, ok[4] = l.Uint64("toguid")
	for i, key := range []string{"toname", "object", "offset", "bytes", "toguid"} {
		if !ok[i] {
			return nil, decodeErr(ErrCorrupt, "missing or mistyped key "+strconv.Quote(key), nil)
		}
	}
	t.FromGUID, _ = l.Uint64("fromguid")
	t.LargeBlockOK = l.Has("largeblockok")
	t.EmbedOK = l.Has("embedok")
	t.CompressOK = l.Has("compressok")
	t.RawOK = l.Has("rawok")
	t.SavedOK = l.Has("savedok")
	t.RedactSnaps, _ = l.Uint64Array("redact_snaps")
	t.BookRedactSnaps, _ = l.Uint64Array("book_redact_snaps")
	return t, nil
}

// ToNVList returns the token's payload list as the kernel builds it, with
// keys in the kernel's order. NVList is ignored.
func (t *Token) ToNVList() *nvlist.List {
	l := nvlist.New()
	if t.FromGUID != 0 {
		l.AddUint64("fromguid", t.FromGUID)
	}
	l.AddUint64("object", t.Object).AddUint64("offset", t.Offset).AddUint64("bytes", t.Bytes)
	l.AddUint64("toguid", t.ToGUID).AddString("toname", t.ToName)
	for _, f := range []struct {
		set  bool
		name string
	}{
		{t.LargeBlockOK, "largeblockok"}, {t.EmbedOK, "embedok"}, {t.CompressOK, "compressok"},
		{t.RawOK, "rawok"}, {t.SavedOK, "savedok"},
	} {
		if f.set {
			l.AddBoolean(f.name)
		}
	}
	if t.RedactSnaps != nil {
		l.AddUint64Array("redact_snaps", t.RedactSnaps)
	}
	if t.BookRedactSnaps != nil {
		l.AddUint64Array("book_redact_snaps", t.BookRedactSnaps)
	}
	return l
}

// Encode returns the token string for t, built as a little-endian host
// builds it: the native-encoded list, zlib-compressed at level 6. The
// compressed bytes may differ from the kernel's (a different deflate
// implementation), but libzfs and Decode accept the result alike.
func (t *Token) Encode() (string, error) {
	packed, err := t.ToNVList().Encode(nvlist.Native, binary.LittleEndian)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	zw, err := zlib.NewWriterLevel(&buf, 6)
	if err != nil {
		return "", err
	}
	if _, err := zw.Write(packed); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	compressed := buf.Bytes()
	return fmt.Sprintf("%d-%x-%x-%x", Version, checksumWord(compressed, binary.LittleEndian), len(packed), compressed), nil
}

// Validate reports whether t resumes the snapshot called name with the given
// GUID. A GUID mismatch returns a *MismatchError with Field "toguid": the
// token belongs to another snapshot. A name mismatch with the right GUID
// returns one with Field "toname": the snapshot was renamed, which zfs send
// -t accepts, so callers may choose to ignore it.
func (t *Token) Validate(name string, guid uint64) error {
	if t.ToGUID != guid {
		return &MismatchError{Field: "toguid", Token: fmt.Sprintf("%#x", t.ToGUID), Want: fmt.Sprintf("%#x", guid)}
	}
	if t.ToName != name {
		return &MismatchError{Field: "toname", Token: t.ToName, Want: name}
	}
	return nil
}

// ValidateFrom reports whether t resumes an incremental send from the
// snapshot or bookmark with the given GUID (0 for a full send), returning a
// *MismatchError with Field "fromguid" if not.
func (t *Token) ValidateFrom(guid uint64) error {
	if t.FromGUID != guid {
		return &MismatchError{Field: "fromguid", Token: fmt.Sprintf("%#x", t.FromGUID), Want: fmt.Sprintf("%#x", guid)}
	}
	return nil
}
