package encrypt

import (
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/gozfs/gozfs/stream"
)

// Options configure a Transform. Give exactly one of Key, Passphrase or
// Keys; a writer needs Key or Passphrase.
type Options struct {
	// Algorithm is the AEAD; zero means AES256GCM.
	Algorithm Algorithm
	// ChunkSize is the plaintext size of a full chunk, 1 to MaxChunkSize;
	// zero means DefaultChunkSize. Readers take it from the header.
	ChunkSize int
	// KeyID names the key in the header (at most MaxKeyIDLen bytes). It is
	// not secret; readers pass it to Keys.
	KeyID string
	// Key is a raw KeySize-byte master key.
	Key []byte
	// Passphrase is a passphrase from which the master key is derived with
	// KDF and a random salt stored in the header.
	Passphrase []byte
	// KDF selects the passphrase KDF for writers; zero (KDFNone) with a
	// Passphrase means KDFArgon2id. Readers take it from the header.
	KDF KDF
	// Argon2id are the Argon2id costs for writers; zero means RFC 9106's
	// second recommended option, t=3, m=64 MiB, p=4.
	Argon2id Argon2idParams
	// Scrypt are the scrypt costs for writers; zero means N=2^15, r=8,
	// p=1 (32 MiB).
	Scrypt ScryptParams
	// Keys, for readers, returns the raw master key for a key ID read from
	// the header; return an error wrapping ErrNoKey when there is none.
	Keys func(keyID string) ([]byte, error)
	// Limits bound the KDF costs a reader accepts from a header.
	Limits Limits
	// StopAtFinal makes readers stop after the final chunk without checking
	// that the underlying reader is at EOF. Use it when the encrypted stream
	// is followed by other data; by default trailing bytes are an error
	// (ErrTrailingData).
	StopAtFinal bool
	// Rand is the source of salts, seeds and nonce prefixes; nil means
	// crypto/rand.
	Rand io.Reader
}

// Limits bound the work a header can demand from a reader.
type Limits struct {
	// MaxKDFMemoryKiB is the most KDF memory accepted; zero means 1 GiB.
	MaxKDFMemoryKiB uint32
	// MaxKDFTime is the most Argon2id passes or scrypt parallelism
	// accepted; zero means 16.
	MaxKDFTime uint32
}

func (l Limits) maxKDFMemoryKiB() uint32 {
	if l.MaxKDFMemoryKiB == 0 {
		return 1 << 20
	}
	return l.MaxKDFMemoryKiB
}

func (l Limits) maxKDFTime() uint32 {
	if l.MaxKDFTime == 0 {
		return 16
	}
	return l.MaxKDFTime
}

// Transform encrypts with NewWriter and authenticates and decrypts with
// NewReader. It implements stream.Transform and is safe for concurrent use.
type Transform struct {
	opts Options

	// Writer side: a master key derived once (with one KDF salt) and shared
	// by all writers; every stream still gets its own key from its seed.
	wmaster []byte
	wsalt   [SaltSize]byte

	mu    sync.Mutex // guards cache
	cache kdfCache
}

type kdfCache struct {
	h      Header // KDF fields only
	master []byte
}

var _ stream.Transform = (*Transform)(nil)

// New validates opts and returns a Transform. For a passphrase it runs the
// KDF once, here, for the writer side.
func New(opts Options) (*Transform, error) {
	n := 0
	for _, set := range []bool{opts.Key != nil, opts.Passphrase != nil, opts.Keys != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, fmt.Errorf("%w: give exactly one of Key, Passphrase or Keys", ErrNoKey)
	}
	if opts.Key != nil && len(opts.Key) != KeySize {
		return nil, fmt.Errorf("%w: key must be %d bytes, got %d", ErrNoKey, KeySize, len(opts.Key))
	}
	if opts.Algorithm == 0 {
		opts.Algorithm = AES256GCM
	}
	if opts.Algorithm != AES256GCM && opts.Algorithm != ChaCha20Poly1305 {
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, opts.Algorithm)
	}
	if opts.ChunkSize == 0 {
		opts.ChunkSize = DefaultChunkSize
	}
	if opts.ChunkSize < 1 || opts.ChunkSize > MaxChunkSize {
		return nil, fmt.Errorf("%w: chunk size %d", ErrFormat, opts.ChunkSize)
	}
	if len(opts.KeyID) > MaxKeyIDLen {
		return nil, fmt.Errorf("%w: key id longer than %d bytes", ErrFormat, MaxKeyIDLen)
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	t := &Transform{opts: opts}
	switch {
	case opts.Key != nil:
		opts.KDF = KDFNone
		t.opts.KDF = KDFNone
		t.wmaster = append([]byte(nil), opts.Key...)
	case opts.Passphrase != nil:
		if opts.KDF == KDFNone {
			t.opts.KDF = KDFArgon2id
		}
		if t.opts.Argon2id == (Argon2idParams{}) {
			t.opts.Argon2id = defaultArgon2id()
		}
		if t.opts.Scrypt == (ScryptParams{}) {
			t.opts.Scrypt = defaultScrypt()
		}
		if _, err := io.ReadFull(opts.Rand, t.wsalt[:]); err != nil {
			return nil, fmt.Errorf("encrypt: random salt: %w", err)
		}
		h := t.kdfHeader()
		m, err := deriveMaster(&h, opts.Passphrase, Limits{MaxKDFMemoryKiB: ^uint32(0), MaxKDFTime: ^uint32(0)})
		if err != nil {
			return nil, err
		}
		t.wmaster = m
		t.cache = kdfCache{h: h, master: m}
	}
	return t, nil
}

// kdfHeader returns a header with the writer's KDF fields filled in.
func (t *Transform) kdfHeader() Header {
	h := Header{KDF: t.opts.KDF, Salt: t.wsalt}
	switch h.KDF {
	case KDFArgon2id:
		h.Argon2id = t.opts.Argon2id
	case KDFScrypt:
		h.Scrypt = t.opts.Scrypt
	}
	return h
}

// Spec returns {Name: "encrypt", Params: algorithm, chunk_size, kdf and
// key_id}. It holds no secrets.
func (t *Transform) Spec() stream.Spec {
	p := map[string]string{
		"algorithm":  t.opts.Algorithm.String(),
		"chunk_size": strconv.Itoa(t.opts.ChunkSize),
		"kdf":        t.opts.KDF.String(),
	}
	if t.opts.KeyID != "" {
		p["key_id"] = t.opts.KeyID
	}
	return stream.Spec{Name: "encrypt", Params: p}
}

// Factory returns a stream.Factory for the "encrypt" spec that builds a
// Transform from opts (the receiver's own key). The spec's parameters are
// informational: readers take everything from the authenticated header.
func Factory(opts Options) stream.Factory {
	return func(stream.Spec) (stream.Transform, error) { return New(opts) }
}

// NewWriter implements stream.Transform; it returns NewWriter(w) as an
// io.WriteCloser.
func (t *Transform) NewWriter(w io.Writer) (io.WriteCloser, error) {
	return t.Writer(w)
}

// NewReader implements stream.Transform; it returns Reader(r) as an
// io.ReadCloser.
func (t *Transform) NewReader(r io.Reader) (io.ReadCloser, error) {
	return t.Reader(r), nil
}

// Writer returns a writer that encrypts into w. Nothing is written to w
// until the first Write or Close; Close writes the final chunk and must be
// called. Close does not close w.
func (t *Transform) Writer(w io.Writer) (*Writer, error) {
	if t.wmaster == nil {
		return nil, fmt.Errorf("%w: writer needs Key or Passphrase", ErrNoKey)
	}
	h := t.kdfHeader()
	h.Version = Version
	h.Algorithm = t.opts.Algorithm
	h.ChunkSize = t.opts.ChunkSize
	h.KeyID = t.opts.KeyID
	if _, err := io.ReadFull(t.opts.Rand, h.Seed[:]); err != nil {
		return nil, fmt.Errorf("encrypt: random seed: %w", err)
	}
	if _, err := io.ReadFull(t.opts.Rand, h.NoncePrefix[:]); err != nil {
		return nil, fmt.Errorf("encrypt: random nonce prefix: %w", err)
	}
	key, check, err := streamKeys(t.wmaster, &h)
	if err != nil {
		return nil, err
	}
	h.KeyCheck = check
	aead, err := h.Algorithm.aead(key)
	if err != nil {
		return nil, err
	}
	raw, err := h.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return &Writer{
		w:      w,
		aead:   aead,
		header: raw,
		prefix: h.NoncePrefix,
		buf:    make([]byte, FrameSize+h.ChunkSize+TagSize),
		chunk:  h.ChunkSize,
	}, nil
}

// Writer encrypts a stream; see the package documentation for the format.
// It is not safe for concurrent use.
type Writer struct {
	w      io.Writer
	aead   cipher.AEAD
	header []byte // raw header: written first, and the AAD of every chunk
	prefix [NoncePrefixSize]byte
	buf    []byte // frame word, plaintext, room for the tag
	spare  []byte // second chunk buffer for ReadFrom's read-ahead
	chunk  int
	n      int // plaintext bytes pending in buf
	i      uint64
	wrote  bool // header written
	err    error
	closed bool
}

// Write encrypts p. A full chunk is sealed and written only once more data
// arrives, so that the last chunk can be marked final by Close.
func (w *Writer) Write(p []byte) (int, error) {
	if w.closed {
		return 0, stream.ErrClosed
	}
	if w.err != nil {
		return 0, w.err
	}
	total := 0
	for len(p) > 0 {
		if w.n == w.chunk {
			if err := w.flush(false); err != nil {
				return total, err
			}
		}
		if w.n == 0 && len(p) > w.chunk {
			// A whole chunk with more data after it: seal straight from p,
			// saving a copy.
			if err := w.seal(p[:w.chunk], false); err != nil {
				return total, err
			}
			p = p[w.chunk:]
			total += w.chunk
			continue
		}
		c := copy(w.buf[FrameSize+w.n:FrameSize+w.chunk], p)
		w.n += c
		p = p[c:]
		total += c
	}
	return total, nil
}

// ReadFrom encrypts everything r yields, reading straight into the chunk
// buffers (no intermediate copy). It implements io.ReaderFrom; like Write it
// leaves the final chunk to Close.
func (w *Writer) ReadFrom(r io.Reader) (int64, error) {
	if w.closed {
		return 0, stream.ErrClosed
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.spare == nil {
		w.spare = make([]byte, len(w.buf))
	}
	var total int64
	for {
		if w.n == w.chunk {
			// buf holds a full chunk. Read ahead into the spare buffer to
			// learn whether more data follows before sealing it non-final.
			k, err := r.Read(w.spare[FrameSize : FrameSize+w.chunk])
			total += int64(k)
			if k > 0 {
				if ferr := w.flush(false); ferr != nil {
					return total, ferr
				}
				w.buf, w.spare = w.spare, w.buf
				w.n = k
			}
			if err == io.EOF {
				return total, nil
			}
			if err != nil {
				return total, err
			}
			continue
		}
		k, err := r.Read(w.buf[FrameSize+w.n : FrameSize+w.chunk])
		w.n += k
		total += int64(k)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// Close seals and writes the final chunk (which may be empty). It does not
// close the underlying writer. Closing twice returns nil.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	return w.flush(true)
}

// flush seals the w.n pending bytes in buf.
func (w *Writer) flush(final bool) error {
	if err := w.seal(w.buf[FrameSize:FrameSize+w.n], final); err != nil {
		return err
	}
	w.n = 0
	return nil
}

// seal encrypts pt (which is either the pending bytes in buf or a whole
// chunk from the caller) into buf and writes the frame.
func (w *Writer) seal(pt []byte, final bool) error {
	if !w.wrote {
		w.wrote = true
		if _, err := w.w.Write(w.header); err != nil {
			w.err = err
			return err
		}
	}
	if w.i >= maxChunks {
		w.err = ErrTooLong
		return w.err
	}
	var nc [12]byte
	nonce(&nc, w.prefix, w.i, final)
	frame := uint32(len(pt))
	if final {
		frame |= finalBit
	}
	binary.BigEndian.PutUint32(w.buf, frame)
	w.aead.Seal(w.buf[FrameSize:FrameSize], nc[:], pt, w.header)
	if _, err := w.w.Write(w.buf[:FrameSize+len(pt)+TagSize]); err != nil {
		w.err = err
		return err
	}
	w.i++
	return nil
}

// Reader returns a reader that authenticates and decrypts r. The header is
// read on the first Read (or Header call), so building a Reader never
// blocks. Close releases nothing but marks the reader closed; it does not
// close r.
func (t *Transform) Reader(r io.Reader) *Reader {
	return &Reader{t: t, r: r}
}

// Reader authenticates and decrypts a stream. Plaintext of a chunk is
// returned only after the chunk's tag has been verified. It is not safe for
// concurrent use.
type Reader struct {
	t      *Transform
	r      io.Reader
	h      *Header
	header []byte
	aead   cipher.AEAD
	buf    []byte
	plain  []byte // authenticated plaintext not yet returned
	i      uint64
	done   bool // final chunk seen
	err    error
	closed bool
}

// Header reads the stream header if it has not been read yet, checks the
// key, and returns the header.
func (r *Reader) Header() (*Header, error) {
	if r.h == nil && r.err == nil {
		r.err = r.start()
	}
	if r.err != nil && r.h == nil {
		return nil, r.err
	}
	return r.h, nil
}

func (r *Reader) start() error {
	h, raw, err := ReadHeader(r.r)
	if err != nil {
		return err
	}
	master, err := r.t.masterFor(h)
	if err != nil {
		return err
	}
	key, check, err := streamKeys(master, h)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(check[:], h.KeyCheck[:]) != 1 {
		if h.KeyID != "" {
			return fmt.Errorf("%w for key id %q (or damaged header)", ErrWrongKey, h.KeyID)
		}
		return fmt.Errorf("%w (or damaged header)", ErrWrongKey)
	}
	aead, err := h.Algorithm.aead(key)
	if err != nil {
		return err
	}
	r.h, r.header, r.aead = h, raw, aead
	r.buf = make([]byte, h.ChunkSize+TagSize)
	return nil
}

// masterFor returns the master key for a header: the configured key, the
// looked-up key, or the passphrase run through the header's KDF (cached for
// the last salt and parameters).
func (t *Transform) masterFor(h *Header) ([]byte, error) {
	o := &t.opts
	switch {
	case o.Key != nil:
		if h.KDF != KDFNone {
			return nil, fmt.Errorf("%w: stream needs a passphrase (kdf %v)", ErrWrongKey, h.KDF)
		}
		return o.Key, nil
	case o.Keys != nil:
		if h.KDF != KDFNone {
			return nil, fmt.Errorf("%w: stream needs a passphrase (kdf %v)", ErrWrongKey, h.KDF)
		}
		k, err := o.Keys(h.KeyID)
		if err != nil {
			return nil, err
		}
		if len(k) != KeySize {
			return nil, fmt.Errorf("%w: key for id %q has %d bytes", ErrNoKey, h.KeyID, len(k))
		}
		return k, nil
	}
	if h.KDF == KDFNone {
		return nil, fmt.Errorf("%w: stream needs a raw key, not a passphrase", ErrWrongKey)
	}
	kh := Header{KDF: h.KDF, Argon2id: h.Argon2id, Scrypt: h.Scrypt, Salt: h.Salt}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cache.master != nil && t.cache.h == kh {
		return t.cache.master, nil
	}
	m, err := deriveMaster(&kh, o.Passphrase, o.Limits)
	if err != nil {
		return nil, err
	}
	t.cache = kdfCache{h: kh, master: m}
	return m, nil
}

// next reads, authenticates and decrypts the next chunk into r.plain.
func (r *Reader) next() error {
	var fw [FrameSize]byte
	if _, err := io.ReadFull(r.r, fw[:]); err != nil {
		return chunkErr(r.i, readErr("chunk frame", err))
	}
	frame := binary.BigEndian.Uint32(fw[:])
	final := frame&finalBit != 0
	n := int(frame &^ finalBit)
	if n > r.h.ChunkSize || (n == 0 && !final) {
		// Only a modified frame word can get here.
		return chunkErr(r.i, fmt.Errorf("%w: bad chunk length %d", ErrAuthentication, n))
	}
	ct := r.buf[:n+TagSize]
	if _, err := io.ReadFull(r.r, ct); err != nil {
		return chunkErr(r.i, readErr("chunk", err))
	}
	var nc [12]byte
	nonce(&nc, r.h.NoncePrefix, r.i, final)
	pt, err := r.aead.Open(ct[:0], nc[:], ct, r.header)
	if err != nil {
		return chunkErr(r.i, ErrAuthentication)
	}
	r.i++
	if final {
		r.done = true
		if !r.t.opts.StopAtFinal {
			var one [1]byte
			k, err := io.ReadFull(r.r, one[:])
			if k > 0 {
				return chunkErr(r.i, ErrTrailingData)
			}
			if err != io.EOF {
				return chunkErr(r.i, err)
			}
		}
	}
	r.plain = pt
	return nil
}

func chunkErr(i uint64, err error) error {
	return fmt.Errorf("encrypt: chunk %d: %w", i, err)
}

// fill makes plaintext available, or returns the error or io.EOF.
func (r *Reader) fill() error {
	if r.closed {
		return stream.ErrClosed
	}
	if r.err != nil {
		return r.err
	}
	if r.h == nil {
		if r.err = r.start(); r.err != nil {
			return r.err
		}
	}
	for len(r.plain) == 0 {
		if r.done {
			return io.EOF
		}
		if r.err = r.next(); r.err != nil {
			r.plain = nil
			return r.err
		}
	}
	return nil
}

// Read returns authenticated plaintext. At the end of a complete, intact
// stream it returns io.EOF; otherwise it returns an error matching one of
// the package's sentinels.
func (r *Reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if err := r.fill(); err != nil {
		return 0, err
	}
	n := copy(p, r.plain)
	r.plain = r.plain[n:]
	return n, nil
}

// WriteTo writes the remaining plaintext to w chunk by chunk without an
// extra copy. It implements io.WriterTo.
func (r *Reader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if err := r.fill(); err != nil {
			if err == io.EOF {
				return total, nil
			}
			return total, err
		}
		n, err := w.Write(r.plain)
		total += int64(n)
		r.plain = r.plain[n:]
		if err != nil {
			return total, err
		}
	}
}

// Close marks the reader closed. It does not close the underlying reader and
// does not report whether the stream was complete: read to io.EOF for that.
func (r *Reader) Close() error {
	r.closed = true
	r.plain = nil
	return nil
}
