package ondisk

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"fmt"

	"github.com/zeebo/blake3"
)

// ChecksumType is a checksum algorithm (enum zio_checksum).
type ChecksumType uint8

// Checksum algorithms.
const (
	ChecksumInherit    ChecksumType = 0
	ChecksumOn         ChecksumType = 1
	ChecksumOff        ChecksumType = 2
	ChecksumLabel      ChecksumType = 3 // SHA-256, embedded, for labels and uberblocks
	ChecksumGangHeader ChecksumType = 4 // SHA-256, embedded, for gang headers
	ChecksumZILog      ChecksumType = 5
	ChecksumFletcher2  ChecksumType = 6
	ChecksumFletcher4  ChecksumType = 7
	ChecksumSHA256     ChecksumType = 8
	ChecksumZILog2     ChecksumType = 9
	ChecksumNoParity   ChecksumType = 10
	ChecksumSHA512     ChecksumType = 11 // SHA-512/256
	ChecksumSkein      ChecksumType = 12
	ChecksumEdonR      ChecksumType = 13
	ChecksumBLAKE3     ChecksumType = 14
	numChecksums       ChecksumType = 15
)

var checksumNames = [numChecksums]string{
	"inherit", "on", "off", "label", "gang_header", "zilog", "fletcher2",
	"fletcher4", "sha256", "zilog2", "noparity", "sha512", "skein", "edonr", "blake3",
}

// String returns the algorithm's name as zfs(8) spells it.
func (c ChecksumType) String() string {
	if c < numChecksums {
		return checksumNames[c]
	}
	return fmt.Sprintf("checksum(%d)", c)
}

// Supported reports whether Compute implements the algorithm. Edon-R is
// not implemented: no maintained Go library provides it.
func (c ChecksumType) Supported() bool {
	switch c {
	case ChecksumOff, ChecksumNoParity, ChecksumLabel, ChecksumGangHeader, ChecksumZILog,
		ChecksumFletcher2, ChecksumFletcher4, ChecksumSHA256, ChecksumZILog2,
		ChecksumSHA512, ChecksumSkein, ChecksumBLAKE3:
		return true
	}
	return false
}

// Checksum is a 256-bit checksum as ZFS stores it: four 64-bit words
// (zio_cksum_t).
type Checksum [4]uint64

// IsZero reports whether all words are zero.
func (c Checksum) IsZero() bool { return c == Checksum{} }

// String formats the checksum as zdb does: four hex words separated by ":".
func (c Checksum) String() string {
	return fmt.Sprintf("%x:%x:%x:%x", c[0], c[1], c[2], c[3])
}

// Compute returns the checksum of data with algorithm c. order is the byte
// order of the data (the block pointer's), which decides how fletcher sums
// read words and how the cryptographic digests become words. salt is the
// pool's checksum salt, used by the salted algorithms (Skein, BLAKE3). Algorithms
// that are not Supported return an error wrapping ErrUnsupported.
func Compute(c ChecksumType, data []byte, order binary.ByteOrder, salt []byte) (Checksum, error) {
	if order == nil {
		order = binary.LittleEndian
	}
	switch c {
	case ChecksumOff, ChecksumNoParity:
		return Checksum{}, nil
	case ChecksumFletcher2, ChecksumZILog:
		return Fletcher2(data, order), nil
	case ChecksumFletcher4, ChecksumZILog2:
		return Fletcher4(data, order), nil
	case ChecksumSHA256, ChecksumLabel, ChecksumGangHeader:
		// Always the big-endian words of the digest, whatever the
		// data's byte order (an on-disk compatibility rule of ZFS).
		return digestWords(sha256Sum(data), binary.BigEndian), nil
	case ChecksumSHA512:
		d := sha512.Sum512_256(data)
		return digestWords(d[:], order), nil
	case ChecksumSkein:
		if len(salt) != 32 {
			return Checksum{}, unsupportedf("skein checksum without the pool's 32-byte salt")
		}
		d := skeinMAC256(salt, data)
		return digestWords(d[:], order), nil
	case ChecksumBLAKE3:
		if len(salt) != 32 {
			return Checksum{}, unsupportedf("blake3 checksum without the pool's 32-byte salt")
		}
		h, err := blake3.NewKeyed(salt)
		if err != nil {
			return Checksum{}, unsupportedf("blake3: %v", err)
		}
		h.Write(data)
		var d [32]byte
		h.Sum(d[:0])
		return digestWords(d[:], order), nil
	}
	return Checksum{}, unsupportedf("checksum algorithm %s", c)
}

func sha256Sum(data []byte) []byte {
	d := sha256.Sum256(data)
	return d[:]
}

// digestWords reads a 32-byte digest as four words in the given order: ZFS
// copies digests into zio_cksum_t words in the writer's native order.
func digestWords(d []byte, order binary.ByteOrder) Checksum {
	var c Checksum
	for i := range 4 {
		c[i] = order.Uint64(d[8*i:])
	}
	return c
}

// Fletcher2 computes ZFS's fletcher-2 checksum: two interleaved pairs of
// 64-bit running sums over 64-bit words read in the given order. Bytes
// after the last whole 16-byte unit are ignored, as in ZFS.
func Fletcher2(data []byte, order binary.ByteOrder) Checksum {
	var a0, a1, b0, b1 uint64
	n := len(data) &^ 15
	if order == binary.BigEndian {
		for i := 0; i < n; i += 16 {
			a0 += binary.BigEndian.Uint64(data[i:])
			a1 += binary.BigEndian.Uint64(data[i+8:])
			b0 += a0
			b1 += a1
		}
	} else {
		for i := 0; i < n; i += 16 {
			a0 += binary.LittleEndian.Uint64(data[i:])
			a1 += binary.LittleEndian.Uint64(data[i+8:])
			b0 += a0
			b1 += a1
		}
	}
	return Checksum{a0, a1, b0, b1}
}

// Fletcher4 computes ZFS's fletcher-4 checksum: four 64-bit running sums
// over 32-bit words read in the given order. Trailing bytes after the last
// whole word are ignored, as in ZFS.
func Fletcher4(data []byte, order binary.ByteOrder) Checksum {
	var a, b, c, d uint64
	n := len(data) &^ 3
	if order == binary.BigEndian {
		for i := 0; i < n; i += 4 {
			a += uint64(binary.BigEndian.Uint32(data[i:]))
			b += a
			c += b
			d += c
		}
		return Checksum{a, b, c, d}
	}
	// Four interleaved lanes (word i goes to lane i%4) keep four
	// independent chains of additions busy; the lanes' sums then combine
	// into the sequential ones exactly (as in ZFS's superscalar4 variant).
	i := 0
	if n >= 64 {
		var a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3, d0, d1, d2, d3 uint64
		for ; i+16 <= n; i += 16 {
			q := data[i : i+16 : i+16]
			lo := binary.LittleEndian.Uint64(q)
			hi := binary.LittleEndian.Uint64(q[8:])
			a0 += lo & 0xffffffff
			a1 += lo >> 32
			a2 += hi & 0xffffffff
			a3 += hi >> 32
			b0 += a0
			b1 += a1
			b2 += a2
			b3 += a3
			c0 += b0
			c1 += b1
			c2 += b2
			c3 += b3
			d0 += c0
			d1 += c1
			d2 += c2
			d3 += c3
		}
		a = a0 + a1 + a2 + a3
		b = 4*(b0+b1+b2+b3) - (a1 + 2*a2 + 3*a3)
		c = 16*(c0+c1+c2+c3) - (6*b0 + 10*b1 + 14*b2 + 18*b3) + (a2 + 3*a3)
		d = 64*(d0+d1+d2+d3) - (48*c0 + 64*c1 + 80*c2 + 96*c3) + (4*b0 + 10*b1 + 20*b2 + 34*b3) - a3
	}
	for ; i < n; i += 4 {
		a += uint64(binary.LittleEndian.Uint32(data[i:]))
		b += a
		c += b
		d += c
	}
	return Checksum{a, b, c, d}
}

// eckMagic is ZEC_MAGIC, the magic number of an embedded checksum.
const eckMagic = 0x210da7ab10c7a11

// EmbeddedChecksumSize is the size of the zio_eck_t trailer of blocks with
// embedded checksums (labels, uberblocks, gang headers).
const EmbeddedChecksumSize = 40

// VerifyEmbedded checks a block that carries its own SHA-256 checksum in a
// trailing zio_eck_t (labels, uberblocks and gang headers). ZFS computes
// that checksum with the trailer's checksum field replaced by a verifier:
// the block's device offset for labels and uberblocks (Checksum{offset}),
// or the DVA's vdev, offset and birth txg for gang headers. It returns the
// byte order the block was written in, or an error wrapping ErrChecksum or
// ErrCorrupt. b is not modified.
func VerifyEmbedded(b []byte, verifier Checksum) (binary.ByteOrder, error) {
	if len(b) < EmbeddedChecksumSize {
		return nil, corruptf("block of %d bytes has no room for an embedded checksum", len(b))
	}
	tail := len(b) - EmbeddedChecksumSize
	var order binary.ByteOrder
	switch {
	case binary.LittleEndian.Uint64(b[tail:]) == eckMagic:
		order = binary.LittleEndian
	case binary.BigEndian.Uint64(b[tail:]) == eckMagic:
		order = binary.BigEndian
	default:
		return nil, fmt.Errorf("%w: no embedded checksum magic", ErrChecksum)
	}
	var stored Checksum
	for i := range 4 {
		stored[i] = order.Uint64(b[tail+8+8*i:])
	}
	h := sha256.New()
	h.Write(b[:tail+8])
	var v [32]byte
	for i := range 4 {
		order.PutUint64(v[8*i:], verifier[i])
	}
	h.Write(v[:])
	got := digestWords(h.Sum(nil), binary.BigEndian)
	if got != stored {
		return order, fmt.Errorf("%w: embedded checksum %s, data sums to %s", ErrChecksum, stored, got)
	}
	return order, nil
}
