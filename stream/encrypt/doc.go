// Package encrypt is a [stream.Transform] for authenticated encryption of
// byte streams of any length, in two formats:
//
//   - age (age-encryption.org/v1), the default: the format of the age
//     command and of filippo.io/age. A backup written here decrypts with
//     `age -d`, without gozfs; a file written by `age` reads here.
//   - gozfs: this package's own chunked format (AES-256-GCM or
//     ChaCha20-Poly1305), specified below. It is what earlier versions
//     wrote, the only format for raw 32-byte keys, and self-delimiting.
//
// Readers recognise both formats (and ASCII-armored age, `age -a`) by
// their first bytes, so streams written by earlier versions stay readable
// with the same [Options]. Either way plaintext is released only after the
// chunk holding it has been authenticated, and memory stays bounded.
//
// # Keys
//
// Writers take one kind of key; [Options.Format] left zero picks the
// format from it:
//
//	Recipients  age, to X25519 ("age1…"), ssh-ed25519 or ssh-rsa public keys
//	            (see ParseRecipients, age.GenerateX25519Identity); any of
//	            their identities decrypts
//	Passphrase  age, with age's scrypt recipient (what `age -p` writes)
//	Key         gozfs format: age has no raw symmetric keys
//
// Readers take whatever matches the stream: Identities (see
// ParseIdentities: age-keygen files and ssh private keys) or a Passphrase
// for age streams; Key, Keys (a lookup by the key ID in the header) or a
// Passphrase for gozfs streams. One Transform may hold, say, Recipients to
// write new streams and Identities and an old raw Key to read new and old
// ones.
//
// For backups, age Recipients are the best fit: the sending host holds only
// public keys, so a compromised sender cannot read the backups it made, and
// there is no key derivation per stream.
//
// # Why age is the default
//
// A backup that only gozfs can decrypt is a risk: restoring it needs this
// library, at a compatible version, on the day of the disaster. age is a
// small, specified, widely packaged format with independent implementations
// (age, rage, filippo.io/age), so an age backup restores with
//
//	age -d -i key.txt home-1.zfs.age | zstd -d | zfs receive backup/home
//
// The cost is speed and, for passphrases, key derivation per stream.
// BenchmarkAgeVsGozfs measures both formats in the same run: age's
// ChaCha20-Poly1305 encrypts at about half the throughput of the gozfs
// format's AES-256-GCM on CPUs with AES instructions (ratio 0.5 to encrypt,
// 0.5 to decrypt on the 2-core development VM; against the gozfs format
// with ChaCha20-Poly1305, BenchmarkAgeVsGozfsChaCha, the two formats run
// at the same speed). That is still hundreds of MB/s per core, more than a
// gigabit link or most pools deliver to zfs send, so interoperability wins.
// Choose FormatGozfs for the last factor of two on fast local copies, for a
// stream followed by other data ([Options.StopAtFinal]), or for raw keys.
// Receivers running a version of this package from before age cannot read
// age streams: upgrade receivers first, or write FormatGozfs until then.
//
// # Costs of passphrases
//
// age derives a key from the passphrase with scrypt under a fresh salt for
// every stream, on both sides, by design (the salt must not repeat): with
// age's default work factor N=2^18 that is 256 MiB and about a second per
// stream on a desktop CPU (several seconds on a small VM; see
// BenchmarkPassphraseCost). Many small streams pay it every time: prefer
// Recipients then, or lower [Options.Scrypt].LogN (a weaker passphrase
// hash). Readers refuse work factors above [Limits] (default 2^20, 1 GiB)
// with ErrKDFLimit before doing any work.
//
// The gozfs format derives a master key with Argon2id (t=3, 64 MiB, p=4,
// about 2 s) or scrypt once per Transform for writing, on the first
// Writer, and once per salt for reading, cached in the Transform and
// shared by concurrent readers. [New] runs no key derivation.
//
// # Errors
//
// Errors are wrapped with detail and the chunk index; match them with
// errors.Is:
//
//	ErrWrongKey         no key, identity or passphrase given opens the
//	                    stream, or the key is of the wrong kind, or the
//	                    header is damaged
//	ErrWrongPassphrase  the passphrase does not open a passphrase stream
//	                    (also matches ErrWrongKey)
//	ErrAuthentication   a chunk or the header was modified, chunks were
//	                    reordered, duplicated or dropped, or come from
//	                    another stream
//	ErrTruncated        the stream ends before its final chunk (in age,
//	                    a short last chunk that fails authentication matches
//	                    both ErrTruncated and ErrAuthentication: age chunks
//	                    carry no length, so cut and modified look alike)
//	ErrTrailingData     bytes follow the final chunk (unless StopAtFinal)
//	ErrFormat           neither an age nor a gozfs stream (not an age file),
//	                    or a malformed header or parameter
//	ErrUnsupported      unknown version, algorithm, KDF or format, or an
//	                    option the format cannot honour
//	ErrKDFLimit         the stream demands more KDF work than Limits allow
//	ErrNoKey            no usable key configured, or Keys found none
//
// # Specs
//
// [Transform.Spec] tells a receiver what was applied, without secrets:
// "encrypt(format=age,recipients=X25519,ssh-ed25519)",
// "encrypt(format=age,recipients=scrypt)" or
// "encrypt(algorithm=aes-256-gcm,chunk_size=65536,kdf=none)".
// A receiver registers [Factory] with its own keys under "encrypt" in a
// [stream.Registry]; Build then fails with ErrNoKey before any data flows
// when those keys cannot open what the sender announced.
//
// # Security notes
//
// An age stream encrypted to public-key recipients does not authenticate
// its sender: anyone who knows a recipient can produce a stream that
// decrypts. Passphrase streams (either format) and gozfs raw-key streams
// can only be produced by holders of the secret. When streams arrive over
// a network, authenticate the peer (stream/transport's mutual TLS).
//
// age streams are not self-delimiting (the last chunk is found by reaching
// the end of the input), so bytes appended after a short last chunk read
// as a modified chunk, and Options.StopAtFinal needs the gozfs format.
//
// # The age format, as read here
//
// filippo.io/age writes age streams, and parses headers, recipient stanzas
// and file keys for reading. This package reads the payload itself, to
// report truncation, tampering and trailing data as typed errors: after
// the header come a 16-byte nonce, then chunks of 64 KiB of plaintext plus
// a 16-byte ChaCha20-Poly1305 tag, keyed by HKDF-SHA256(file key, nonce,
// "payload"), with nonce = 11-byte big-endian chunk counter || last-chunk
// flag. Interoperability both ways is tested against the age command.
//
// # The gozfs format, version 1
//
// The plaintext is cut into chunks that are sealed independently. A chunk
// counter and a final-chunk flag are bound into every nonce and the whole
// header is bound into every chunk as additional data, so modification,
// truncation, reordering, duplication and splicing of chunks, and a wrong
// key, are all detected. The master key is 32 raw bytes (Options.Key, or
// Options.Keys to look a key up by the key ID stored in the header) or
// derived from a passphrase with Argon2id (default; RFC 9106 parameters
// t=3, m=64 MiB, p=4) or scrypt (N=2^15, r=8, p=1), with a random 16-byte
// salt stored in the header. Every stream derives its own AEAD key from the
// master key and a random 16-byte seed with HKDF-SHA256, so nonces never
// repeat under one key even when many streams share a master key.
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
