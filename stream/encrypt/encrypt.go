package encrypt

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"filippo.io/age"

	"github.com/gozfs/gozfs/stream"
)

// Format is the byte format of an encrypted stream.
type Format uint8

// The stream formats. Readers recognise both by their first bytes.
const (
	// FormatAge is age-encryption.org/v1, the format of the age command
	// and of filippo.io/age: the default for new streams.
	FormatAge Format = 1
	// FormatGozfs is this package's own chunked format (magic "GOZFSENC"),
	// specified in the package documentation. It is the only format for
	// raw 32-byte keys, offers AES-256-GCM and is self-delimiting
	// (Options.StopAtFinal).
	FormatGozfs Format = 2
)

// String returns "age" or "gozfs".
func (f Format) String() string {
	switch f {
	case FormatAge:
		return "age"
	case FormatGozfs:
		return "gozfs"
	}
	return "format(" + strconv.Itoa(int(f)) + ")"
}

// ParseFormat parses the names that Format.String returns.
func ParseFormat(s string) (Format, error) {
	switch s {
	case "age":
		return FormatAge, nil
	case "gozfs":
		return FormatGozfs, nil
	}
	return 0, fmt.Errorf("%w: format %q", ErrUnsupported, s)
}

// Options configure a Transform.
//
// A writer needs one key: a Passphrase or Recipients (age, the default),
// or a raw Key (gozfs format). A reader needs whatever the stream was
// written for: Passphrase or Identities for age streams, Passphrase, Key or
// Keys for gozfs streams. At most one of Key, Passphrase and Keys may be
// given; Recipients and Identities combine with any of them, so one
// Transform can, say, write age streams to Recipients and read old gozfs
// streams with Key.
type Options struct {
	// Format is the format writers produce. Zero means FormatAge, unless
	// the only key for writing is a raw Key, which age cannot use: then
	// FormatGozfs. Readers recognise both formats whatever Format says.
	Format Format
	// Recipients are the age recipients new age streams are encrypted
	// to, such as X25519 keys ("age1…", see [ParseRecipients] and
	// [age.GenerateX25519Identity]) or ssh-ed25519 and ssh-rsa public keys
	// ([agessh]). Any of their identities can decrypt. They cannot be
	// combined with a Passphrase for writing (age allows a passphrase only
	// as the sole recipient).
	//
	// [agessh]: https://pkg.go.dev/filippo.io/age/agessh
	Recipients []age.Recipient
	// Identities decrypt age streams: X25519 identities ("AGE-SECRET-KEY-1…"),
	// ssh private keys, or any age.Identity. See [ParseIdentities].
	Identities []age.Identity
	// Key is a raw KeySize-byte master key (gozfs format only).
	Key []byte
	// Passphrase is a passphrase. Age streams wrap their file key with
	// scrypt under a fresh salt per stream; gozfs streams derive the
	// master key with KDF once per Transform (writers) or once per salt
	// (readers). See "Costs of passphrases" in the package documentation.
	Passphrase []byte
	// Keys, for readers of gozfs streams, returns the raw master key for a
	// key ID read from the header; return an error wrapping ErrNoKey when
	// there is none.
	Keys func(keyID string) ([]byte, error)

	// Algorithm is the AEAD of gozfs writers; zero means AES256GCM. Age
	// always uses ChaCha20-Poly1305.
	Algorithm Algorithm
	// ChunkSize is the plaintext size of a full chunk of gozfs writers, 1
	// to MaxChunkSize; zero means DefaultChunkSize. Age always uses
	// 64 KiB. Readers take it from the header.
	ChunkSize int
	// KeyID names the key in a gozfs header (at most MaxKeyIDLen bytes).
	// It is not secret; readers pass it to Keys.
	KeyID string
	// KDF selects the passphrase KDF of gozfs writers; zero (KDFNone) with
	// a Passphrase means KDFArgon2id. Age uses scrypt; zero or KDFScrypt
	// are accepted for it. Readers take it from the header.
	KDF KDF
	// Argon2id are the Argon2id costs of gozfs writers; zero means RFC
	// 9106's second recommended option, t=3, m=64 MiB, p=4.
	Argon2id Argon2idParams
	// Scrypt are the scrypt costs of writers. For gozfs streams zero means
	// N=2^15, r=8, p=1 (32 MiB). For age streams only LogN may be set
	// (age fixes r=8, p=1); zero means age's default, N=2^18 (256 MiB,
	// about a second of CPU per stream on each side).
	Scrypt ScryptParams
	// Limits bound the KDF costs a reader accepts from a stream.
	Limits Limits
	// StopAtFinal makes readers of gozfs streams stop after the final
	// chunk without checking that the underlying reader is at EOF. Use it
	// when the encrypted stream is followed by other data; by default
	// trailing bytes are an error (ErrTrailingData). Age streams are not
	// self-delimiting: a reader with StopAtFinal rejects them
	// (ErrUnsupported), and a writer with StopAtFinal needs FormatGozfs.
	StopAtFinal bool
	// Rand is the source of salts, seeds and nonce prefixes of gozfs
	// writers; nil means crypto/rand. Age always uses crypto/rand.
	Rand io.Reader
}

// Limits bound the work a stream header can demand from a reader.
type Limits struct {
	// MaxKDFMemoryKiB is the most KDF memory accepted; zero means 1 GiB
	// (for age: scrypt work factors up to 2^20).
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

// maxScryptLogN is the largest age scrypt work factor within the memory
// limit: age's scrypt (r=8) needs 2^logN KiB.
func (l Limits) maxScryptLogN() int {
	return bits.Len32(l.maxKDFMemoryKiB()) - 1
}

// Transform encrypts with NewWriter and authenticates and decrypts with
// NewReader. It implements stream.Transform and is safe for concurrent use.
type Transform struct {
	opts   Options
	format Format // what writers produce; zero when there is no key to write with

	// Age writers encrypt to these; age readers try these identities.
	recipients []age.Recipient
	identities []age.Identity

	// Gozfs writers: a master key derived on the first Writer (with one
	// KDF salt) and shared by all writers; every stream still gets its own
	// key from its seed.
	wonce   sync.Once
	wmaster []byte
	wsalt   [SaltSize]byte
	werr    error

	// Gozfs readers: master keys derived from the passphrase, per KDF
	// salt and parameters.
	mu    sync.Mutex
	cache map[kdfKey]*kdfEntry

	kdfRuns atomic.Int64 // passphrase derivations run (gozfs), for tests
}

type kdfKey struct {
	kdf      KDF
	argon2id Argon2idParams
	scrypt   ScryptParams
	salt     [SaltSize]byte
}

type kdfEntry struct {
	once   sync.Once
	master []byte
	err    error
}

// maxCachedKDF bounds the reader's cache of derived master keys.
const maxCachedKDF = 16

var _ stream.Transform = (*Transform)(nil)

// New validates opts and returns a Transform. It runs no key derivation:
// that happens when a writer or reader first needs the key.
func New(opts Options) (*Transform, error) {
	n := 0
	for _, set := range []bool{opts.Key != nil, opts.Passphrase != nil, opts.Keys != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return nil, fmt.Errorf("%w: give at most one of Key, Passphrase or Keys", ErrNoKey)
	}
	if n == 0 && len(opts.Recipients) == 0 && len(opts.Identities) == 0 {
		return nil, fmt.Errorf("%w: give a Passphrase, Recipients, Identities, Key or Keys", ErrNoKey)
	}
	if opts.Key != nil && len(opts.Key) != KeySize {
		return nil, fmt.Errorf("%w: key must be %d bytes, got %d", ErrNoKey, KeySize, len(opts.Key))
	}
	for i, r := range opts.Recipients {
		if r == nil {
			return nil, fmt.Errorf("%w: recipient %d is nil", ErrNoKey, i)
		}
	}
	for i, id := range opts.Identities {
		if id == nil {
			return nil, fmt.Errorf("%w: identity %d is nil", ErrNoKey, i)
		}
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	t := &Transform{opts: opts}
	switch opts.Format {
	case 0:
		switch {
		case opts.Passphrase != nil || len(opts.Recipients) > 0:
			t.format = FormatAge
		case opts.Key != nil:
			t.format = FormatGozfs
		}
	case FormatAge, FormatGozfs:
		t.format = opts.Format
	default:
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, opts.Format)
	}
	var err error
	switch t.format {
	case FormatAge:
		err = t.setupAgeWriter()
	case FormatGozfs:
		err = t.setupGozfsWriter()
	}
	if err != nil {
		return nil, err
	}
	if t.identities, err = readerIdentities(opts); err != nil {
		return nil, err
	}
	return t, nil
}

// setupGozfsWriter validates and fills in the gozfs writer options.
func (t *Transform) setupGozfsWriter() error {
	o := &t.opts
	if len(o.Recipients) > 0 {
		return fmt.Errorf("%w: Recipients need the age format", ErrUnsupported)
	}
	if o.Algorithm == 0 {
		o.Algorithm = AES256GCM
	}
	if o.Algorithm != AES256GCM && o.Algorithm != ChaCha20Poly1305 {
		return fmt.Errorf("%w: %v", ErrUnsupported, o.Algorithm)
	}
	if o.ChunkSize == 0 {
		o.ChunkSize = DefaultChunkSize
	}
	if o.ChunkSize < 1 || o.ChunkSize > MaxChunkSize {
		return fmt.Errorf("%w: chunk size %d", ErrFormat, o.ChunkSize)
	}
	if len(o.KeyID) > MaxKeyIDLen {
		return fmt.Errorf("%w: key id longer than %d bytes", ErrFormat, MaxKeyIDLen)
	}
	switch {
	case o.Key != nil:
		o.KDF = KDFNone
	case o.Passphrase != nil:
		if o.KDF == KDFNone {
			o.KDF = KDFArgon2id
		}
		if o.KDF != KDFArgon2id && o.KDF != KDFScrypt {
			return fmt.Errorf("%w: %v", ErrUnsupported, o.KDF)
		}
		if o.Argon2id == (Argon2idParams{}) {
			o.Argon2id = defaultArgon2id()
		}
		if o.Scrypt == (ScryptParams{}) {
			o.Scrypt = defaultScrypt()
		}
	}
	return nil
}

// kdfHeader returns a header with the gozfs writer's KDF fields filled in.
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

// writerMaster returns the gozfs writers' master key, deriving it from the
// passphrase on first use.
func (t *Transform) writerMaster() ([]byte, error) {
	t.wonce.Do(func() {
		o := &t.opts
		switch {
		case o.Key != nil:
			t.wmaster = o.Key
		case o.Passphrase != nil:
			if _, err := io.ReadFull(o.Rand, t.wsalt[:]); err != nil {
				t.werr = fmt.Errorf("encrypt: random salt: %w", err)
				return
			}
			h := t.kdfHeader()
			t.kdfRuns.Add(1)
			// The writer's own parameters are trusted: no Limits.
			t.wmaster, t.werr = deriveMaster(&h, o.Passphrase, Limits{MaxKDFMemoryKiB: ^uint32(0), MaxKDFTime: ^uint32(0)})
		default:
			t.werr = fmt.Errorf("%w: a gozfs writer needs Key or Passphrase", ErrNoKey)
		}
	})
	return t.wmaster, t.werr
}

// Format returns the format of the streams t's writers produce, or zero
// when t has no key to write with.
func (t *Transform) Format() Format { return t.format }

// Spec describes t's writers; it holds no secrets. For age it is
// {Name: "encrypt", Params: format=age and recipients, the comma-separated
// types of the recipients, such as "scrypt" or "X25519,ssh-ed25519"}; for
// the gozfs format it is algorithm, chunk_size, kdf and key_id, as before
// there was a choice of format (a spec without format is a gozfs spec). A
// Transform with no key to write with has no parameters.
func (t *Transform) Spec() stream.Spec {
	switch t.format {
	case 0:
		return stream.Spec{Name: "encrypt"}
	case FormatAge:
		return stream.Spec{Name: "encrypt", Params: map[string]string{
			"format":     FormatAge.String(),
			"recipients": strings.Join(recipientTypes(t.recipients), ","),
		}}
	}
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

// Factory returns a stream.Factory for the "encrypt" spec that builds
// transforms from opts, the receiver's own keys. One Transform is built on
// the first call and returned for every spec, so derived keys are shared.
// Readers take everything from the stream itself; the spec is checked
// only so that a receiver without a suitable key fails before any data
// flows: ErrNoKey when opts cannot decrypt what the spec announces,
// ErrUnsupported for an unknown format or algorithm, ErrFormat for an
// impossible parameter. Specs without a format parameter (from older
// senders) are gozfs specs.
func Factory(opts Options) stream.Factory {
	var once sync.Once
	var t *Transform
	var err error
	return func(s stream.Spec) (stream.Transform, error) {
		once.Do(func() { t, err = New(opts) })
		if err != nil {
			return nil, err
		}
		if err := t.CheckSpec(s); err != nil {
			return nil, err
		}
		return t, nil
	}
}

// CheckSpec reports whether t's keys can decrypt streams written under
// spec s (see Factory for the errors). Unknown parameters are ignored.
func (t *Transform) CheckSpec(s stream.Spec) error {
	o := &t.opts
	format := FormatGozfs
	if f, ok := s.Params["format"]; ok {
		var err error
		if format, err = ParseFormat(f); err != nil {
			return err
		}
	}
	if format == FormatAge {
		types := strings.Split(s.Params["recipients"], ",")
		for _, typ := range types {
			if typ == "scrypt" {
				if len(types) > 1 {
					return fmt.Errorf("%w: spec %v: age allows scrypt only as the sole recipient", ErrFormat, s)
				}
				if len(o.Passphrase) == 0 {
					return fmt.Errorf("%w: spec %v: the stream is passphrase-encrypted and no Passphrase is configured", ErrNoKey, s)
				}
				return nil
			}
		}
		if len(o.Identities) == 0 {
			return fmt.Errorf("%w: spec %v: the stream is encrypted to age recipients and no Identities are configured", ErrNoKey, s)
		}
		return nil
	}
	if a, ok := s.Params["algorithm"]; ok {
		if _, err := ParseAlgorithm(a); err != nil {
			return err
		}
	}
	if c, ok := s.Params["chunk_size"]; ok {
		if n, err := strconv.Atoi(c); err != nil || n < 1 || n > MaxChunkSize {
			return fmt.Errorf("%w: spec %v: chunk size %q", ErrFormat, s, c)
		}
	}
	k, ok := s.Params["kdf"]
	if !ok {
		return nil
	}
	kdf, err := ParseKDF(k)
	if err != nil {
		return err
	}
	if kdf == KDFNone && o.Key == nil && o.Keys == nil {
		return fmt.Errorf("%w: spec %v: the stream needs a raw Key or Keys", ErrNoKey, s)
	}
	if kdf != KDFNone && o.Passphrase == nil {
		return fmt.Errorf("%w: spec %v: the stream needs a Passphrase", ErrNoKey, s)
	}
	return nil
}

// NewWriter implements stream.Transform; it returns Writer(w) as an
// io.WriteCloser.
func (t *Transform) NewWriter(w io.Writer) (io.WriteCloser, error) {
	return t.Writer(w)
}

// NewReader implements stream.Transform; it returns Reader(r) as an
// io.ReadCloser.
func (t *Transform) NewReader(r io.Reader) (io.ReadCloser, error) {
	return t.Reader(r), nil
}

// Writer returns a writer that encrypts into w in t's Format. Nothing is
// written to w until the first Write or Close (and an age passphrase
// stream runs its scrypt then); Close writes the final chunk and must be
// called. Close does not close w.
func (t *Transform) Writer(w io.Writer) (*Writer, error) {
	switch {
	case t.format == FormatAge && len(t.recipients) > 0:
		return &Writer{w: w, recipients: t.recipients}, nil
	case t.format == FormatGozfs:
		return t.gozfsWriter(w)
	}
	return nil, fmt.Errorf("%w: a writer needs a Passphrase, Recipients or Key", ErrNoKey)
}

func (t *Transform) gozfsWriter(w io.Writer) (*Writer, error) {
	master, err := t.writerMaster()
	if err != nil {
		return nil, err
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
	key, check, err := streamKeys(master, &h)
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

// Writer encrypts a stream in one of the formats. It is not safe for
// concurrent use.
type Writer struct {
	w io.Writer

	// Age: recipients until the first write, then the age writer.
	recipients []age.Recipient
	age        io.WriteCloser

	// Gozfs.
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

// startAge writes the age header (wrapping a fresh file key for every
// recipient; scrypt runs here) on the first write.
func (w *Writer) startAge() error {
	if w.age != nil {
		return nil
	}
	a, err := age.Encrypt(w.w, w.recipients...)
	if err != nil {
		w.err = fmt.Errorf("encrypt: age: %w", err)
		return w.err
	}
	w.age = a
	return nil
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
	if w.recipients != nil {
		if err := w.startAge(); err != nil {
			return 0, err
		}
		n, err := w.age.Write(p)
		if err != nil {
			w.err = err
		}
		return n, err
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
// buffers (no intermediate copy) for gozfs streams. It implements
// io.ReaderFrom; like Write it leaves the final chunk to Close.
func (w *Writer) ReadFrom(r io.Reader) (int64, error) {
	if w.closed {
		return 0, stream.ErrClosed
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.recipients != nil {
		if err := w.startAge(); err != nil {
			return 0, err
		}
		n, err := io.CopyBuffer(w.age, r, make([]byte, ageChunkSize))
		if err != nil {
			w.err = err
		}
		return n, err
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
	if w.recipients != nil {
		if err := w.startAge(); err != nil {
			return err
		}
		return w.age.Close()
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

// Reader returns a reader that authenticates and decrypts r, in whichever
// format r holds. The header is read on the first Read (or Format or
// Header call), so building a Reader never blocks. Close releases nothing
// but marks the reader closed; it does not close r.
func (t *Transform) Reader(r io.Reader) *Reader {
	return &Reader{t: t, r: r}
}

// Reader authenticates and decrypts a stream. Plaintext of a chunk is
// returned only after the chunk's tag has been verified. It is not safe for
// concurrent use.
type Reader struct {
	t       *Transform
	r       io.Reader
	format  Format
	started bool
	h       *Header // gozfs
	header  []byte  // gozfs: the raw header, the AAD of every chunk
	aead    cipher.AEAD
	buf     []byte // ciphertext of one chunk
	out     []byte // age: plaintext of one chunk
	plain   []byte // authenticated plaintext not yet returned
	i       uint64
	done    bool  // final chunk seen
	serr    error // from start: the header could not be read or unlocked
	err     error // the first error, returned from then on
	closed  bool
}

// start reads the stream's header, recognises the format and unlocks the
// stream key.
func (r *Reader) start() error {
	r.started = true
	var magic [len(Magic)]byte
	n, err := io.ReadFull(r.r, magic[:])
	if err != nil {
		if err != io.EOF && err != io.ErrUnexpectedEOF {
			return err
		}
		for _, m := range []string{Magic, ageIntro, ageArmorBegin} {
			if strings.HasPrefix(m, string(magic[:n])) {
				return fmt.Errorf("%w: stream ends inside the header", ErrTruncated)
			}
		}
		return fmt.Errorf("%w: neither an age nor a gozfs stream", ErrFormat)
	}
	src := io.MultiReader(bytes.NewReader(magic[:]), r.r)
	switch string(magic[:]) {
	case Magic:
		r.format = FormatGozfs
		return r.startGozfs(src)
	case ageIntro[:len(Magic)]:
		r.format = FormatAge
		return r.startAge(src, false)
	case ageArmorBegin[:len(Magic)]:
		r.format = FormatAge
		return r.startAge(src, true)
	}
	return fmt.Errorf("%w: neither an age nor a gozfs stream (bad magic)", ErrFormat)
}

// open starts the reader if needed and returns the start error, if any.
func (r *Reader) open() error {
	if !r.started {
		r.serr = r.start()
	}
	return r.serr
}

// Format reads the stream header if it has not been read yet, unlocks the
// stream key, and returns the stream's format.
func (r *Reader) Format() (Format, error) {
	err := r.open()
	return r.format, err
}

// Header reads the stream header if it has not been read yet, checks the
// key, and returns the header of a gozfs stream. An age stream has no such
// header: for it Header returns an error matching ErrUnsupported.
func (r *Reader) Header() (*Header, error) {
	if err := r.open(); err != nil {
		return nil, err
	}
	if r.format != FormatGozfs {
		return nil, fmt.Errorf("%w: an %v stream has no gozfs header", ErrUnsupported, r.format)
	}
	return r.h, nil
}

func (r *Reader) startGozfs(src io.Reader) error {
	h, raw, err := ReadHeader(src)
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
		wrong := ErrWrongKey
		if h.KDF != KDFNone {
			wrong = ErrWrongPassphrase
		}
		if h.KeyID != "" {
			return fmt.Errorf("%w for key id %q (or damaged header)", wrong, h.KeyID)
		}
		return fmt.Errorf("%w (or damaged header)", wrong)
	}
	aead, err := h.Algorithm.aead(key)
	if err != nil {
		return err
	}
	r.h, r.header, r.aead = h, raw, aead
	r.buf = make([]byte, h.ChunkSize+TagSize)
	return nil
}

// masterFor returns the master key for a gozfs header: the configured key,
// the looked-up key, or the passphrase run through the header's KDF
// (derived once per KDF salt and parameters, however many readers ask).
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
	case o.Passphrase == nil:
		return nil, fmt.Errorf("%w: a gozfs stream needs Key, Keys or Passphrase", ErrNoKey)
	}
	if h.KDF == KDFNone {
		return nil, fmt.Errorf("%w: stream needs a raw key, not a passphrase", ErrWrongKey)
	}
	k := kdfKey{kdf: h.KDF, argon2id: h.Argon2id, scrypt: h.Scrypt, salt: h.Salt}
	t.mu.Lock()
	e, ok := t.cache[k]
	if !ok {
		if t.cache == nil {
			t.cache = make(map[kdfKey]*kdfEntry)
		}
		if len(t.cache) >= maxCachedKDF {
			for old := range t.cache {
				delete(t.cache, old)
				break
			}
		}
		e = &kdfEntry{}
		t.cache[k] = e
	}
	t.mu.Unlock()
	// Readers of the same salt wait for one derivation; others run theirs
	// in parallel.
	e.once.Do(func() {
		kh := Header{KDF: h.KDF, Argon2id: h.Argon2id, Scrypt: h.Scrypt, Salt: h.Salt}
		t.kdfRuns.Add(1)
		e.master, e.err = deriveMaster(&kh, o.Passphrase, o.Limits)
	})
	return e.master, e.err
}

// next reads, authenticates and decrypts the next chunk into r.plain.
func (r *Reader) next() error {
	if r.format == FormatAge {
		return r.nextAge()
	}
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
			if err := r.checkEOF(); err != nil {
				return err
			}
		}
	}
	r.plain = pt
	return nil
}

// checkEOF reports ErrTrailingData unless the source is at its end.
func (r *Reader) checkEOF() error {
	var one [1]byte
	k, err := io.ReadFull(r.r, one[:])
	if k > 0 {
		return chunkErr(r.i, ErrTrailingData)
	}
	if err != io.EOF {
		return chunkErr(r.i, err)
	}
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
	if r.err = r.open(); r.err != nil {
		return r.err
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
