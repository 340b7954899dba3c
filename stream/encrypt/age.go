package encrypt

import (
	"bufio"
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"filippo.io/age/armor"
	"golang.org/x/crypto/chacha20poly1305"
)

// The parts of age-encryption.org/v1 this package reads itself. Recipient
// stanzas, file keys and the header MAC are left to filippo.io/age.
const (
	ageIntro       = "age-encryption.org/v1\n"
	ageArmorBegin  = armor.Header
	ageChunkSize   = 64 << 10 // plaintext bytes in every chunk but the last
	ageNonceSize   = 16       // the payload nonce after the header
	ageMaxHeader   = 2 << 20  // age's own limit
	ageDefaultLogN = 18       // age's default scrypt work factor
	ageMaxLogN     = 30       // the largest work factor age accepts
	maxKeyFile     = 1 << 20  // the longest recipients or identities input
)

// setupAgeWriter validates the options of age writers and builds their
// recipients.
func (t *Transform) setupAgeWriter() error {
	o := &t.opts
	var gozfsOnly []string
	if o.Algorithm != 0 {
		gozfsOnly = append(gozfsOnly, "Algorithm")
	}
	if o.ChunkSize != 0 {
		gozfsOnly = append(gozfsOnly, "ChunkSize")
	}
	if o.KeyID != "" {
		gozfsOnly = append(gozfsOnly, "KeyID")
	}
	if o.KDF != KDFNone && o.KDF != KDFScrypt {
		gozfsOnly = append(gozfsOnly, "KDF "+o.KDF.String())
	}
	if o.Argon2id != (Argon2idParams{}) {
		gozfsOnly = append(gozfsOnly, "Argon2id")
	}
	if (o.Scrypt.R != 0 && o.Scrypt.R != 8) || (o.Scrypt.P != 0 && o.Scrypt.P != 1) {
		gozfsOnly = append(gozfsOnly, "Scrypt.R, Scrypt.P")
	}
	if o.StopAtFinal {
		gozfsOnly = append(gozfsOnly, "StopAtFinal")
	}
	if len(gozfsOnly) > 0 {
		return fmt.Errorf("%w: %s: gozfs format only; set Format: FormatGozfs for them",
			ErrUnsupported, strings.Join(gozfsOnly, ", "))
	}
	switch {
	case o.Passphrase != nil && len(o.Recipients) > 0:
		return fmt.Errorf("%w: age allows a passphrase only as the sole recipient: give Passphrase or Recipients", ErrUnsupported)
	case o.Passphrase != nil:
		if len(o.Passphrase) == 0 {
			return fmt.Errorf("%w: age needs a non-empty passphrase", ErrNoKey)
		}
		logN := int(o.Scrypt.LogN)
		if logN == 0 {
			logN = ageDefaultLogN
		}
		if logN > ageMaxLogN {
			return fmt.Errorf("%w: age scrypt work factor 2^%d (at most 2^%d)", ErrUnsupported, logN, ageMaxLogN)
		}
		r, err := age.NewScryptRecipient(string(o.Passphrase))
		if err != nil {
			return fmt.Errorf("%w: %v", ErrNoKey, err)
		}
		r.SetWorkFactor(logN)
		t.recipients = []age.Recipient{r}
	default:
		t.recipients = slices.Clone(o.Recipients)
	}
	return nil
}

// readerIdentities returns the identities that open age streams: the
// configured ones, and a scrypt identity bounded by Limits for a
// passphrase.
func readerIdentities(o Options) ([]age.Identity, error) {
	ids := slices.Clone(o.Identities)
	if len(o.Passphrase) > 0 {
		s, err := age.NewScryptIdentity(string(o.Passphrase))
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNoKey, err)
		}
		maxLogN := o.Limits.maxScryptLogN()
		s.SetMaxWorkFactor(min(max(maxLogN, 1), ageMaxLogN))
		ids = append(ids, scryptLimit{s, maxLogN})
	}
	return ids, nil
}

// scryptLimit rejects scrypt stanzas beyond the reader's Limits with
// ErrKDFLimit before any scrypt work is done.
type scryptLimit struct {
	id      *age.ScryptIdentity
	maxLogN int
}

func (s scryptLimit) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	for _, st := range stanzas {
		if st.Type != "scrypt" || len(st.Args) != 2 {
			continue
		}
		if n, err := strconv.Atoi(st.Args[1]); err == nil && n > s.maxLogN {
			return nil, fmt.Errorf("%w: scrypt work factor 2^%d (limit 2^%d)", ErrKDFLimit, n, s.maxLogN)
		}
	}
	return s.id.Unwrap(stanzas)
}

// trackedIdentity notes whether any identity unwrapped a file key, which
// tells a header that was modified (bad MAC) from one no identity opens.
type trackedIdentity struct {
	id        age.Identity
	unwrapped *bool
}

func (t trackedIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	k, err := t.id.Unwrap(stanzas)
	if err == nil {
		*t.unwrapped = true
	}
	return k, err
}

// recipientTypes returns the sorted stanza types of rs, as age writes them
// into the header ("scrypt", "X25519", "ssh-ed25519", ...).
func recipientTypes(rs []age.Recipient) []string {
	var types []string
	for _, r := range rs {
		var typ string
		switch r.(type) {
		case *age.ScryptRecipient:
			typ = "scrypt"
		case *age.X25519Recipient:
			typ = "X25519"
		case *age.HybridRecipient:
			typ = "mlkem768x25519"
		case *agessh.Ed25519Recipient:
			typ = "ssh-ed25519"
		case *agessh.RSARecipient:
			typ = "ssh-rsa"
		default:
			typ = "other"
		}
		types = append(types, typ)
	}
	slices.Sort(types)
	return slices.Compact(types)
}

// startAge reads an age header from src, unlocks the file key and sets the
// reader up for the payload.
func (r *Reader) startAge(src io.Reader, armored bool) error {
	if r.t.opts.StopAtFinal {
		return fmt.Errorf("%w: age streams are not self-delimiting (StopAtFinal)", ErrUnsupported)
	}
	if armored {
		src = armorSource{armor.NewReader(src)}
	}
	br := bufio.NewReader(src)
	hdr, err := readAgeHeader(br)
	if err != nil {
		return err
	}
	fileKey, err := r.t.unlockAge(hdr)
	if err != nil {
		return err
	}
	var nonce [ageNonceSize]byte
	if _, err := io.ReadFull(br, nonce[:]); err != nil {
		return readErr("age payload nonce", err)
	}
	key, err := hkdf.Key(sha256.New, fileKey, nonce[:], "payload", chacha20poly1305.KeySize)
	if err != nil {
		return err
	}
	if r.aead, err = chacha20poly1305.New(key); err != nil {
		return err
	}
	r.r = br
	r.buf = make([]byte, ageChunkSize+TagSize)
	r.out = make([]byte, ageChunkSize)
	return nil
}

// readAgeHeader reads an age header, from the intro line to the MAC line
// included, checking only its line structure; age parses it. A header cut
// short yields ErrTruncated, anything else that is not an age header
// ErrFormat.
func readAgeHeader(br *bufio.Reader) ([]byte, error) {
	var hdr []byte
	for {
		line, err := readLine(br, ageMaxHeader-len(hdr))
		if len(hdr) == 0 && (err == nil || err == io.EOF) && !strings.HasPrefix(ageIntro, string(line)) {
			return nil, fmt.Errorf("%w: not an age file (bad intro line)", ErrFormat)
		}
		if err == io.EOF {
			return nil, fmt.Errorf("%w: stream ends inside the age header", ErrTruncated)
		}
		if err != nil {
			return nil, err
		}
		if len(hdr) > 0 && !ageHeaderLine(line[:len(line)-1]) {
			return nil, fmt.Errorf("%w: malformed age header line %q", ErrFormat, line)
		}
		hdr = append(hdr, line...)
		if bytes.HasPrefix(line, []byte("---")) {
			return hdr, nil
		}
	}
}

// readLine returns the next line including its newline, or the partial
// line and io.EOF, or ErrFormat when the line is longer than limit.
func readLine(br *bufio.Reader, limit int) ([]byte, error) {
	var line []byte
	for {
		frag, err := br.ReadSlice('\n')
		if len(frag) > limit-len(line) {
			return nil, fmt.Errorf("%w: age header longer than %d bytes", ErrFormat, ageMaxHeader)
		}
		line = append(line, frag...)
		if err != bufio.ErrBufferFull {
			return line, err
		}
	}
}

// ageHeaderLine reports whether l (without its newline) can be a line of
// an age header after the intro: a stanza line ("-> "), the MAC line
// ("---") or a body line of at most 64 unpadded base64 characters.
func ageHeaderLine(l []byte) bool {
	if bytes.HasPrefix(l, []byte("->")) || bytes.HasPrefix(l, []byte("---")) {
		return true
	}
	if len(l) > 64 {
		return false
	}
	for _, c := range l {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

// unlockAge returns the file key of an age header, or a typed error.
func (t *Transform) unlockAge(hdr []byte) ([]byte, error) {
	if len(t.identities) == 0 {
		return nil, fmt.Errorf("%w: an age stream needs Identities or a Passphrase", ErrNoKey)
	}
	var unwrapped bool
	ids := make([]age.Identity, len(t.identities))
	for i, id := range t.identities {
		ids[i] = trackedIdentity{id, &unwrapped}
	}
	key, err := age.DecryptHeader(hdr, ids...)
	if err == nil {
		return key, nil
	}
	var noMatch *age.NoIdentityMatchError
	switch {
	case errors.Is(err, ErrKDFLimit):
		return nil, err
	case errors.As(err, &noMatch):
		if slices.Equal(noMatch.StanzaTypes, []string{"scrypt"}) {
			if len(t.opts.Passphrase) > 0 {
				return nil, fmt.Errorf("%w (or damaged header)", ErrWrongPassphrase)
			}
			return nil, fmt.Errorf("%w: the age stream is passphrase-encrypted and no Passphrase is configured", ErrWrongKey)
		}
		return nil, fmt.Errorf("%w: no identity matches the age stream's recipients (%s), or the header is damaged",
			ErrWrongKey, strings.Join(noMatch.StanzaTypes, ", "))
	case unwrapped:
		// The only check after an identity unwrapped the file key.
		return nil, fmt.Errorf("%w: age header MAC mismatch (the header was modified)", ErrAuthentication)
	}
	return nil, fmt.Errorf("%w: age header: %v", ErrFormat, err)
}

// nextAge reads, authenticates and decrypts the next age payload chunk
// into r.plain. Chunks carry no length: every chunk but the last holds
// exactly 64 KiB, and the last one is marked in its nonce. A short chunk
// must be the last; a full one is the last if it opens as such.
func (r *Reader) nextAge() error {
	n, err := io.ReadFull(r.r, r.buf)
	short := false
	switch {
	case err == io.EOF:
		return chunkErr(r.i, fmt.Errorf("%w: stream ends before the final chunk", ErrTruncated))
	case err == io.ErrUnexpectedEOF:
		short = true
	case err != nil:
		return chunkErr(r.i, err)
	}
	if n < TagSize {
		return chunkErr(r.i, fmt.Errorf("%w: stream ends inside a chunk", ErrTruncated))
	}
	ct := r.buf[:n]
	var nc [chacha20poly1305.NonceSize]byte
	binary.BigEndian.PutUint64(nc[3:11], r.i)
	final := short
	var pt []byte
	if !short {
		// Open into r.out, not in place: a failed Open may overwrite its
		// output, and the chunk is tried again as the final one.
		if pt, err = r.aead.Open(r.out[:0], nc[:], ct, nil); err != nil {
			final = true
		}
	}
	if final {
		nc[len(nc)-1] = 1
		if pt, err = r.aead.Open(r.out[:0], nc[:], ct, nil); err != nil {
			if short {
				return chunkErr(r.i, fmt.Errorf("%w (or %w): the last chunk was cut short, extended or modified",
					ErrTruncated, ErrAuthentication))
			}
			return chunkErr(r.i, ErrAuthentication)
		}
		if len(pt) == 0 && r.i > 0 {
			return chunkErr(r.i, fmt.Errorf("%w: empty final chunk after data", ErrFormat))
		}
	}
	r.i++
	if final {
		r.done = true
		if err := r.checkEOF(); err != nil {
			return err
		}
	}
	r.plain = pt
	return nil
}

// armorSource turns the armor reader's errors into the package's.
type armorSource struct{ r io.Reader }

func (a armorSource) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if err != nil && err != io.EOF {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("%w: armored stream ends before its end line", ErrTruncated)
		} else {
			err = fmt.Errorf("%w: %v", ErrFormat, err)
		}
	}
	return n, err
}

// ParseRecipients parses age recipients, one per line, in the syntax of
// the age command's -R files: X25519 ("age1…"), post-quantum hybrid
// ("age1pq1…") and ssh-ed25519 or ssh-rsa public keys (authorized_keys
// lines, such as ~/.ssh/id_ed25519.pub). Blank lines and lines starting
// with "#" are ignored. Errors match ErrNoKey. Plugin recipients
// ("age1yubikey1…") are not parsed here: build them with
// filippo.io/age/plugin and pass them in Options.Recipients.
func ParseRecipients(r io.Reader) ([]age.Recipient, error) {
	sc := bufio.NewScanner(io.LimitReader(r, maxKeyFile+1))
	var rs []age.Recipient
	total, n := 0, 0
	for sc.Scan() {
		n++
		total += len(sc.Bytes()) + 1
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var rec age.Recipient
		var err error
		if strings.HasPrefix(line, "ssh-") {
			rec, err = agessh.ParseRecipient(line)
		} else {
			var one []age.Recipient
			if one, err = age.ParseRecipients(strings.NewReader(line)); err == nil {
				rec = one[0]
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%w: recipient on line %d: %v", ErrNoKey, n, err)
		}
		rs = append(rs, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: recipients: %v", ErrNoKey, err)
	}
	if total > maxKeyFile {
		return nil, fmt.Errorf("%w: recipients longer than %d bytes", ErrNoKey, maxKeyFile)
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("%w: no recipients found", ErrNoKey)
	}
	return rs, nil
}

// ParseIdentities parses age identities: an age identity file (lines of
// "AGE-SECRET-KEY-1…", as age-keygen writes them; "#" comments and blank
// lines ignored) or an unencrypted OpenSSH or PEM ssh-ed25519 or ssh-rsa
// private key (such as ~/.ssh/id_ed25519). For a passphrase-protected ssh
// key build the identity with agessh.NewEncryptedSSHIdentity instead.
// Errors match ErrNoKey and never quote key material.
func ParseIdentities(r io.Reader) ([]age.Identity, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("%w: identities: %v", ErrNoKey, err)
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("%w: identities longer than %d bytes", ErrNoKey, maxKeyFile)
	}
	if bytes.Contains(data, []byte("-----BEGIN")) {
		id, err := agessh.ParseIdentity(data)
		if err != nil {
			return nil, fmt.Errorf("%w: ssh identity: %v", ErrNoKey, err)
		}
		return []age.Identity{id}, nil
	}
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: identities: %v", ErrNoKey, err)
	}
	return ids, nil
}
