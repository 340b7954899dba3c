package ondisk

import (
	"encoding/binary"
	"math/bits"
)

// Skein-512 with a 256-bit output and the pool's salt as its MAC key, as
// ZFS's skein checksum uses it (Skein 1.3: Threefish-512 in the UBI
// chaining mode). No maintained Go module provides Skein, and it is short.

// Skein block types, in the tweak's second word.
const (
	skeinTypeKey = 0
	skeinTypeCfg = 4
	skeinTypeMsg = 48
	skeinTypeOut = 63

	skeinFirst = 1 << 62
	skeinFinal = 1 << 63

	skeinKeyParity = 0x1BD11BDAA9FC1A22
	skeinSchema    = 0x0000000133414853 // "SHA3", version 1
)

// threefish512 encrypts block with key and tweak: 72 rounds of four MIX
// functions each, with Threefish-512's rotation constants and word
// permutation written out eight rounds at a time, and a subkey added
// every four rounds.
func threefish512(key *[8]uint64, t0, t1 uint64, block *[8]uint64) [8]uint64 {
	var k [9]uint64
	k[8] = skeinKeyParity
	for i, w := range key {
		k[i] = w
		k[8] ^= w
	}
	t := [3]uint64{t0, t1, t0 ^ t1}
	x0, x1, x2, x3 := block[0]+k[0], block[1]+k[1], block[2]+k[2], block[3]+k[3]
	x4, x5, x6, x7 := block[4]+k[4], block[5]+k[5]+t[0], block[6]+k[6]+t[1], block[7]+k[7]
	rotl := bits.RotateLeft64
	for s := 1; s <= 17; s += 2 {
		x0 += x1
		x1 = rotl(x1, 46) ^ x0
		x2 += x3
		x3 = rotl(x3, 36) ^ x2
		x4 += x5
		x5 = rotl(x5, 19) ^ x4
		x6 += x7
		x7 = rotl(x7, 37) ^ x6

		x2 += x1
		x1 = rotl(x1, 33) ^ x2
		x4 += x7
		x7 = rotl(x7, 27) ^ x4
		x6 += x5
		x5 = rotl(x5, 14) ^ x6
		x0 += x3
		x3 = rotl(x3, 42) ^ x0

		x4 += x1
		x1 = rotl(x1, 17) ^ x4
		x6 += x3
		x3 = rotl(x3, 49) ^ x6
		x0 += x5
		x5 = rotl(x5, 36) ^ x0
		x2 += x7
		x7 = rotl(x7, 39) ^ x2

		x6 += x1
		x1 = rotl(x1, 44) ^ x6
		x0 += x7
		x7 = rotl(x7, 9) ^ x0
		x2 += x5
		x5 = rotl(x5, 54) ^ x2
		x4 += x3
		x3 = rotl(x3, 56) ^ x4

		x0 += k[s%9]
		x1 += k[(s+1)%9]
		x2 += k[(s+2)%9]
		x3 += k[(s+3)%9]
		x4 += k[(s+4)%9]
		x5 += k[(s+5)%9] + t[s%3]
		x6 += k[(s+6)%9] + t[(s+1)%3]
		x7 += k[(s+7)%9] + uint64(s)

		x0 += x1
		x1 = rotl(x1, 39) ^ x0
		x2 += x3
		x3 = rotl(x3, 30) ^ x2
		x4 += x5
		x5 = rotl(x5, 34) ^ x4
		x6 += x7
		x7 = rotl(x7, 24) ^ x6

		x2 += x1
		x1 = rotl(x1, 13) ^ x2
		x4 += x7
		x7 = rotl(x7, 50) ^ x4
		x6 += x5
		x5 = rotl(x5, 10) ^ x6
		x0 += x3
		x3 = rotl(x3, 17) ^ x0

		x4 += x1
		x1 = rotl(x1, 25) ^ x4
		x6 += x3
		x3 = rotl(x3, 29) ^ x6
		x0 += x5
		x5 = rotl(x5, 39) ^ x0
		x2 += x7
		x7 = rotl(x7, 43) ^ x2

		x6 += x1
		x1 = rotl(x1, 8) ^ x6
		x0 += x7
		x7 = rotl(x7, 35) ^ x0
		x2 += x5
		x5 = rotl(x5, 56) ^ x2
		x4 += x3
		x3 = rotl(x3, 22) ^ x4

		u := s + 1
		x0 += k[u%9]
		x1 += k[(u+1)%9]
		x2 += k[(u+2)%9]
		x3 += k[(u+3)%9]
		x4 += k[(u+4)%9]
		x5 += k[(u+5)%9] + t[u%3]
		x6 += k[(u+6)%9] + t[(u+1)%3]
		x7 += k[(u+7)%9] + uint64(u)
	}
	return [8]uint64{x0, x1, x2, x3, x4, x5, x6, x7}
}

// skeinUBI runs the chaining value h over msg as blocks of type typ.
func skeinUBI(h *[8]uint64, msg []byte, typ uint64) {
	pos := uint64(0)
	flags := uint64(skeinFirst)
	for {
		var blk [64]byte
		n := copy(blk[:], msg)
		msg = msg[n:]
		pos += uint64(n)
		if len(msg) == 0 {
			flags |= skeinFinal
		}
		var w [8]uint64
		for i := range w {
			w[i] = binary.LittleEndian.Uint64(blk[8*i:])
		}
		e := threefish512(h, pos, typ<<56|flags, &w)
		for i := range h {
			h[i] = e[i] ^ w[i]
		}
		if flags&skeinFinal != 0 {
			return
		}
		flags = 0
	}
}

// skeinMAC256 returns Skein-512-256 of data keyed with key.
func skeinMAC256(key, data []byte) [32]byte {
	var h [8]uint64
	if len(key) > 0 {
		skeinUBI(&h, key, skeinTypeKey)
	}
	var cfg [32]byte
	binary.LittleEndian.PutUint64(cfg[0:], skeinSchema)
	binary.LittleEndian.PutUint64(cfg[8:], 256) // output bits; tree info 0
	skeinUBI(&h, cfg[:], skeinTypeCfg)
	skeinUBI(&h, data, skeinTypeMsg)
	skeinUBI(&h, make([]byte, 8), skeinTypeOut) // output block 0
	var out [32]byte
	for i := range 4 {
		binary.LittleEndian.PutUint64(out[8*i:], h[i])
	}
	return out
}
