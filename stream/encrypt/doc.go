// Package encrypt is a stream.Transform for authenticated encryption of byte
// streams of any length with AES-256-GCM or ChaCha20-Poly1305.
//
// The plaintext is cut into chunks that are sealed independently, so memory
// stays bounded and a reader never releases plaintext of a chunk before that
// chunk has been authenticated. A chunk counter and a final-chunk flag are
// bound into every nonce and the whole header is bound into every chunk as
// additional data, so modification, truncation, reordering, duplication and
// splicing of chunks, and a wrong key, are all detected:
//
//	ErrAuthentication  a chunk (or its length word) was modified, chunks were
//	                   reordered, duplicated or dropped, or come from another
//	                   stream, or the header was modified
//	ErrTruncated       the stream ends before the final chunk
//	ErrTrailingData    bytes follow the final chunk (unless StopAtFinal)
//	ErrWrongKey        the key check in the header does not match the key
//	ErrFormat          not an encrypted stream (bad magic) or impossible field
//	ErrUnsupported     unknown version, algorithm or KDF
//	ErrKDFLimit        the header demands more KDF work than Limits allow
//
// Errors are wrapped with the chunk index; match them with errors.Is.
//
// # Keys
//
// The master key is either 32 raw bytes (Options.Key, or Options.Keys to look
// a key up by the key ID stored in the header) or derived from a passphrase
// with Argon2id (default; RFC 9106 parameters t=3, m=64 MiB, p=4) or scrypt
// (N=2^15, r=8, p=1), with a random 16-byte salt stored in the header.
// Every stream derives its own AEAD key from the master key and a random
// 16-byte seed with HKDF-SHA256, so nonces never repeat under one key even
// when many streams share a master key.
//
// # Format, version 1
//
// All integers are big-endian. A stream is a header followed by one or more
// chunks; the last chunk carries the final flag.
//
//	Header (81 bytes + key ID):
//	offset size field
//	     0    8 magic "GOZFSENC"
//	     8    1 version = 1
//	     9    1 algorithm: 1 = AES-256-GCM, 2 = ChaCha20-Poly1305
//	    10    1 kdf: 0 = raw key, 1 = Argon2id, 2 = scrypt
//	    11    1 L, the key ID length (0..255)
//	    12    4 chunk size C: plaintext bytes in every non-final chunk, 1..2^24
//	    16    4 kdf p1: Argon2id time, or scrypt log2(N); 0 for raw keys
//	    20    4 kdf p2: Argon2id memory in KiB, or scrypt r; 0 for raw keys
//	    24    4 kdf p3: Argon2id threads (≤255), or scrypt p; 0 for raw keys
//	    28   16 kdf salt (zero for raw keys)
//	    44   16 seed (random per stream)
//	    60    5 nonce prefix (random per stream)
//	    65   16 key check
//	    81    L key ID (opaque bytes, not secret)
//
//	Chunk i (i = 0, 1, ...):
//	size  field
//	   4  frame word: bit 31 = final flag F, bits 0..30 = plaintext length n
//	n+16  AEAD ciphertext of n plaintext bytes followed by the 16-byte tag
//
// Keys and nonces:
//
//	info      = "gozfs stream encrypt v1 " + algorithm name ("aes-256-gcm" or
//	            "chacha20-poly1305")
//	master    = raw key, or Argon2id/scrypt(passphrase, kdf salt, params), 32 bytes
//	key       = HKDF-SHA256(secret=master, salt=seed, info=info+" key", 32 bytes)
//	key check = HKDF-SHA256(secret=master, salt=seed, info=info+" check", 16 bytes)
//	nonce_i   = nonce prefix (5) || i as 48-bit big-endian (6) || F (1 byte, 0 or 1)
//	chunk_i   = AEAD-Seal(key, nonce_i, plaintext_i, additional data = the
//	            whole encoded header including the key ID)
//
// Rules: a non-final chunk has 1 ≤ n ≤ C (writers always fill it to n = C);
// the final chunk has 0 ≤ n ≤ C and is empty only when needed (an empty
// stream is a header plus one empty final chunk). A stream has at most 2^48
// chunks. After the final chunk the stream ends; a reader reports
// ErrTrailingData for more bytes unless Options.StopAtFinal is set, in which
// case the stream is self-delimiting and the reader consumes exactly its
// bytes.
//
// The frame word is not itself authenticated data, but changing it changes
// how many bytes are opened (length) or the nonce (final flag), so the
// chunk fails authentication.
package encrypt
