package encrypt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/scrypt"
)

// Magic is the first eight bytes of every encrypted stream.
const Magic = "GOZFSENC"

// Version is the format version this package writes and reads.
const Version = 1

const (
	// KeySize is the size of a raw key in bytes.
	KeySize = 32
	// SaltSize is the size of the KDF salt and of the stream seed.
	SaltSize = 16
	// NoncePrefixSize is the size of the random nonce prefix.
	NoncePrefixSize = 5
	// KeyCheckSize is the size of the key check value.
	KeyCheckSize = 16
	// TagSize is the size of the authentication tag of every chunk.
	TagSize = 16
	// FrameSize is the size of the length word in front of every chunk.
	FrameSize = 4
	// MaxKeyIDLen is the longest key ID a header can carry.
	MaxKeyIDLen = 255
	// DefaultChunkSize is the plaintext size of a full chunk unless
	// Options.ChunkSize says otherwise.
	DefaultChunkSize = 64 << 10
	// MaxChunkSize is the largest chunk size the format allows.
	MaxChunkSize = 16 << 20

	fixedHeaderSize = 81
	finalBit        = 1 << 31
	maxChunks       = 1 << 48
)

// Algorithm is an AEAD algorithm.
type Algorithm uint8

// The supported AEAD algorithms. The values are the header's algorithm byte.
const (
	// AES256GCM is AES-256 in Galois/Counter Mode; fastest where the CPU has
	// AES instructions.
	AES256GCM Algorithm = 1
	// ChaCha20Poly1305 is ChaCha20-Poly1305 (RFC 8439); fast everywhere,
	// constant time without hardware support.
	ChaCha20Poly1305 Algorithm = 2
)

// String returns "aes-256-gcm" or "chacha20-poly1305".
func (a Algorithm) String() string {
	switch a {
	case AES256GCM:
		return "aes-256-gcm"
	case ChaCha20Poly1305:
		return "chacha20-poly1305"
	}
	return "algorithm(" + strconv.Itoa(int(a)) + ")"
}

// ParseAlgorithm parses the names that Algorithm.String returns.
func ParseAlgorithm(s string) (Algorithm, error) {
	switch s {
	case "aes-256-gcm":
		return AES256GCM, nil
	case "chacha20-poly1305":
		return ChaCha20Poly1305, nil
	}
	return 0, fmt.Errorf("%w: algorithm %q", ErrUnsupported, s)
}

func (a Algorithm) aead(key []byte) (cipher.AEAD, error) {
	switch a {
	case AES256GCM:
		b, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		return cipher.NewGCM(b)
	case ChaCha20Poly1305:
		return chacha20poly1305.New(key)
	}
	return nil, fmt.Errorf("%w: %v", ErrUnsupported, a)
}

// KDF identifies how the master key was obtained.
type KDF uint8

// The key derivation functions. The values are the header's KDF byte.
const (
	// KDFNone means the master key is a raw 32-byte key.
	KDFNone KDF = 0
	// KDFArgon2id derives the master key from a passphrase with Argon2id
	// (RFC 9106). It is the default for passphrases.
	KDFArgon2id KDF = 1
	// KDFScrypt derives the master key from a passphrase with scrypt
	// (RFC 7914).
	KDFScrypt KDF = 2
)

// String returns "none", "argon2id" or "scrypt".
func (k KDF) String() string {
	switch k {
	case KDFNone:
		return "none"
	case KDFArgon2id:
		return "argon2id"
	case KDFScrypt:
		return "scrypt"
	}
	return "kdf(" + strconv.Itoa(int(k)) + ")"
}

// ParseKDF parses the names that KDF.String returns.
func ParseKDF(s string) (KDF, error) {
	switch s {
	case "none":
		return KDFNone, nil
	case "argon2id":
		return KDFArgon2id, nil
	case "scrypt":
		return KDFScrypt, nil
	}
	return 0, fmt.Errorf("%w: kdf %q", ErrUnsupported, s)
}

// Argon2idParams are Argon2id cost parameters.
type Argon2idParams struct {
	// Time is the number of passes (t).
	Time uint32
	// MemoryKiB is the memory size in KiB (m).
	MemoryKiB uint32
	// Threads is the degree of parallelism (p).
	Threads uint8
}

// defaultArgon2id is RFC 9106's second recommended option: t=3, m=64 MiB, p=4.
func defaultArgon2id() Argon2idParams {
	return Argon2idParams{Time: 3, MemoryKiB: 64 << 10, Threads: 4}
}

// ScryptParams are scrypt cost parameters.
type ScryptParams struct {
	// LogN is log2 of the CPU/memory cost N.
	LogN uint8
	// R is the block size.
	R uint32
	// P is the parallelism.
	P uint32
}

// defaultScrypt is N=2^15, r=8, p=1 (32 MiB).
func defaultScrypt() ScryptParams { return ScryptParams{LogN: 15, R: 8, P: 1} }

// Header is the decoded header of an encrypted stream. Every field is
// public information; the header is authenticated as additional data of
// every chunk.
type Header struct {
	// Version is the format version (1).
	Version uint8
	// Algorithm is the AEAD algorithm of every chunk.
	Algorithm Algorithm
	// KDF tells how the master key was obtained.
	KDF KDF
	// ChunkSize is the plaintext size of every chunk but the last.
	ChunkSize int
	// Argon2id holds the Argon2id parameters when KDF is KDFArgon2id.
	Argon2id Argon2idParams
	// Scrypt holds the scrypt parameters when KDF is KDFScrypt.
	Scrypt ScryptParams
	// Salt is the KDF salt; all zero when KDF is KDFNone.
	Salt [SaltSize]byte
	// Seed is the per-stream random HKDF salt from which the stream key is
	// derived.
	Seed [SaltSize]byte
	// NoncePrefix is the random first part of every chunk nonce.
	NoncePrefix [NoncePrefixSize]byte
	// KeyCheck lets a reader tell a wrong key from a damaged stream.
	KeyCheck [KeyCheckSize]byte
	// KeyID names the key, e.g. for key rotation; it is not secret.
	KeyID string
}

// Size returns the encoded size of the header in bytes.
func (h *Header) Size() int { return fixedHeaderSize + len(h.KeyID) }

// MarshalBinary encodes the header.
func (h *Header) MarshalBinary() ([]byte, error) {
	if len(h.KeyID) > MaxKeyIDLen {
		return nil, fmt.Errorf("%w: key id longer than %d bytes", ErrFormat, MaxKeyIDLen)
	}
	b := make([]byte, fixedHeaderSize, h.Size())
	copy(b, Magic)
	b[8] = h.Version
	b[9] = byte(h.Algorithm)
	b[10] = byte(h.KDF)
	b[11] = byte(len(h.KeyID))
	binary.BigEndian.PutUint32(b[12:], uint32(h.ChunkSize))
	var p1, p2, p3 uint32
	switch h.KDF {
	case KDFArgon2id:
		p1, p2, p3 = h.Argon2id.Time, h.Argon2id.MemoryKiB, uint32(h.Argon2id.Threads)
	case KDFScrypt:
		p1, p2, p3 = uint32(h.Scrypt.LogN), h.Scrypt.R, h.Scrypt.P
	}
	binary.BigEndian.PutUint32(b[16:], p1)
	binary.BigEndian.PutUint32(b[20:], p2)
	binary.BigEndian.PutUint32(b[24:], p3)
	copy(b[28:44], h.Salt[:])
	copy(b[44:60], h.Seed[:])
	copy(b[60:65], h.NoncePrefix[:])
	copy(b[65:81], h.KeyCheck[:])
	return append(b, h.KeyID...), nil
}

// ReadHeader reads and decodes a header from r. It returns the header and
// its raw bytes (the additional data of every chunk). A stream that does not
// start with Magic yields ErrFormat, an unknown version, algorithm or KDF
// yields ErrUnsupported, and a stream that ends inside the header yields
// ErrTruncated.
func ReadHeader(r io.Reader) (*Header, []byte, error) {
	raw := make([]byte, fixedHeaderSize, fixedHeaderSize+MaxKeyIDLen)
	if _, err := io.ReadFull(r, raw); err != nil {
		return nil, nil, readErr("header", err)
	}
	if !bytes.Equal(raw[:8], []byte(Magic)) {
		return nil, nil, fmt.Errorf("%w: bad magic", ErrFormat)
	}
	h := &Header{
		Version:   raw[8],
		Algorithm: Algorithm(raw[9]),
		KDF:       KDF(raw[10]),
		ChunkSize: int(binary.BigEndian.Uint32(raw[12:])),
	}
	if h.Version != Version {
		return nil, nil, fmt.Errorf("%w: version %d", ErrUnsupported, h.Version)
	}
	if h.Algorithm != AES256GCM && h.Algorithm != ChaCha20Poly1305 {
		return nil, nil, fmt.Errorf("%w: %v", ErrUnsupported, h.Algorithm)
	}
	if h.ChunkSize < 1 || h.ChunkSize > MaxChunkSize {
		return nil, nil, fmt.Errorf("%w: chunk size %d", ErrFormat, h.ChunkSize)
	}
	p1 := binary.BigEndian.Uint32(raw[16:])
	p2 := binary.BigEndian.Uint32(raw[20:])
	p3 := binary.BigEndian.Uint32(raw[24:])
	switch h.KDF {
	case KDFNone:
		if p1|p2|p3 != 0 {
			return nil, nil, fmt.Errorf("%w: kdf parameters without kdf", ErrFormat)
		}
	case KDFArgon2id:
		if p3 > 255 {
			return nil, nil, fmt.Errorf("%w: argon2id threads %d", ErrFormat, p3)
		}
		h.Argon2id = Argon2idParams{Time: p1, MemoryKiB: p2, Threads: uint8(p3)}
	case KDFScrypt:
		if p1 > 255 {
			return nil, nil, fmt.Errorf("%w: scrypt log2 N %d", ErrFormat, p1)
		}
		h.Scrypt = ScryptParams{LogN: uint8(p1), R: p2, P: p3}
	default:
		return nil, nil, fmt.Errorf("%w: %v", ErrUnsupported, h.KDF)
	}
	copy(h.Salt[:], raw[28:44])
	copy(h.Seed[:], raw[44:60])
	copy(h.NoncePrefix[:], raw[60:65])
	copy(h.KeyCheck[:], raw[65:81])
	if n := int(raw[11]); n > 0 {
		raw = raw[:fixedHeaderSize+n]
		if _, err := io.ReadFull(r, raw[fixedHeaderSize:]); err != nil {
			return nil, nil, readErr("header", err)
		}
		h.KeyID = string(raw[fixedHeaderSize:])
	}
	return h, raw, nil
}

func readErr(what string, err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("%w: stream ends inside %s", ErrTruncated, what)
	}
	return err
}

// deriveMaster turns a passphrase into a master key with the header's KDF.
func deriveMaster(h *Header, pass []byte, lim Limits) ([]byte, error) {
	switch h.KDF {
	case KDFArgon2id:
		p := h.Argon2id
		if p.Time < 1 || p.Threads < 1 || p.MemoryKiB < 8*uint32(p.Threads) {
			return nil, fmt.Errorf("%w: argon2id parameters %+v", ErrFormat, p)
		}
		if p.MemoryKiB > lim.maxKDFMemoryKiB() || p.Time > lim.maxKDFTime() {
			return nil, fmt.Errorf("%w: argon2id t=%d m=%dKiB", ErrKDFLimit, p.Time, p.MemoryKiB)
		}
		return argon2.IDKey(pass, h.Salt[:], p.Time, p.MemoryKiB, p.Threads, KeySize), nil
	case KDFScrypt:
		p := h.Scrypt
		if p.LogN < 1 || p.LogN > 62 || p.R < 1 || p.P < 1 || uint64(p.R)*uint64(p.P) >= 1<<30 {
			return nil, fmt.Errorf("%w: scrypt parameters %+v", ErrFormat, p)
		}
		// scrypt needs about 128*r*N bytes, plus 128*r*p.
		memKiB := (uint64(128) * uint64(p.R) << p.LogN) >> 10
		if p.LogN > 40 || memKiB > uint64(lim.maxKDFMemoryKiB()) || uint64(p.P) > uint64(lim.maxKDFTime()) {
			return nil, fmt.Errorf("%w: scrypt N=2^%d r=%d p=%d", ErrKDFLimit, p.LogN, p.R, p.P)
		}
		return scrypt.Key(pass, h.Salt[:], 1<<p.LogN, int(p.R), int(p.P), KeySize)
	}
	return nil, fmt.Errorf("%w: passphrase given but stream uses kdf %v", ErrWrongKey, h.KDF)
}

// streamKeys derives the per-stream AEAD key and the key check value from the
// master key and the header's seed with HKDF-SHA256.
func streamKeys(master []byte, h *Header) (key []byte, check [KeyCheckSize]byte, err error) {
	info := "gozfs stream encrypt v1 " + h.Algorithm.String()
	key, err = hkdf.Key(sha256.New, master, h.Seed[:], info+" key", KeySize)
	if err != nil {
		return nil, check, err
	}
	c, err := hkdf.Key(sha256.New, master, h.Seed[:], info+" check", KeyCheckSize)
	if err != nil {
		return nil, check, err
	}
	copy(check[:], c)
	return key, check, nil
}

// Errors reported by this package. Readers wrap them with the chunk index or
// a detail; match them with errors.Is.
var (
	// ErrAuthentication means a chunk or header failed authentication:
	// the stream was modified, chunks were reordered, duplicated or
	// dropped, or chunks come from another stream. No plaintext of that
	// chunk was released.
	ErrAuthentication = errors.New("encrypt: message authentication failed")
	// ErrTruncated means the stream ended before its final chunk. In an
	// age stream, whose chunks carry no length, a short last chunk that
	// fails authentication may be cut off, extended or modified: that
	// error matches both ErrTruncated and ErrAuthentication.
	ErrTruncated = errors.New("encrypt: stream truncated")
	// ErrTrailingData means bytes follow the final chunk.
	ErrTrailingData = errors.New("encrypt: data after final chunk")
	// ErrWrongKey means the key, passphrase or identities given cannot
	// open the stream: the wrong key, a key of the wrong kind (a raw key
	// or identity for a passphrase stream, or the reverse), or a damaged
	// header.
	ErrWrongKey = errors.New("encrypt: wrong key")
	// ErrWrongPassphrase means the passphrase given does not open a
	// passphrase-encrypted stream (or its header is damaged). It also
	// matches ErrWrongKey.
	ErrWrongPassphrase error = &refinedError{"encrypt: wrong passphrase", ErrWrongKey}
	// ErrNoKey means no key was configured, or the key lookup found no key
	// for the stream's key ID.
	ErrNoKey = errors.New("encrypt: no key")
	// ErrFormat means the input is not an encrypted stream (neither age
	// nor gozfs: not an age file, say), or its header is malformed.
	ErrFormat = errors.New("encrypt: bad stream format")
	// ErrUnsupported means the header names a version, algorithm or KDF
	// this package does not know. It also matches errors.ErrUnsupported.
	ErrUnsupported = fmt.Errorf("encrypt: %w", errors.ErrUnsupported)
	// ErrKDFLimit means the header asks for more KDF work or memory than
	// the reader's Limits allow.
	ErrKDFLimit = errors.New("encrypt: kdf parameters exceed limits")
	// ErrTooLong means a writer reached the format's limit of 2^48 chunks.
	ErrTooLong = errors.New("encrypt: stream too long")
)

// refinedError is a sentinel that is a special case of another: it
// matches its parent with errors.Is.
type refinedError struct {
	msg    string
	parent error
}

func (e *refinedError) Error() string { return e.msg }
func (e *refinedError) Unwrap() error { return e.parent }

// nonce builds the 12-byte nonce of chunk i.
func nonce(dst *[12]byte, prefix [NoncePrefixSize]byte, i uint64, final bool) {
	copy(dst[:5], prefix[:])
	dst[5] = byte(i >> 40)
	dst[6] = byte(i >> 32)
	binary.BigEndian.PutUint32(dst[7:11], uint32(i))
	dst[11] = 0
	if final {
		dst[11] = 1
	}
}
