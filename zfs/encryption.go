package zfs

import (
	"context"
	"io"
	"strconv"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
)

// KeyFormat is the format of an encryption key (the keyformat property).
type KeyFormat string

// The key formats zfs accepts.
const (
	// KeyPassphrase is a passphrase of 8 to 512 bytes, read up to the first
	// newline.
	KeyPassphrase KeyFormat = "passphrase"
	// KeyHex is 64 hexadecimal digits.
	KeyHex KeyFormat = "hex"
	// KeyRaw is 32 raw bytes.
	KeyRaw KeyFormat = "raw"
)

// Encryption asks for a new encryption root. The key is passed to zfs on its
// standard input (keylocation=prompt), never on the command line.
type Encryption struct {
	// Algorithm is the encryption property: "on" (the default algorithm,
	// used when empty), "aes-256-gcm", ...
	Algorithm string
	// Format is the key format; required.
	Format KeyFormat
	// Key supplies the key. When nil, zfs reads it from the keylocation given
	// in the options' Properties (a file:// or https:// URL).
	Key io.Reader
	// PBKDF2Iters sets pbkdf2iters for a passphrase; zero keeps zfs's default.
	PBKDF2Iters uint64
}

// args returns the -o options of e and the reader for standard input.
func (e *Encryption) args(op, name string, props map[string]string) ([]string, io.Reader, error) {
	if e == nil {
		return nil, nil, nil
	}
	if e.Format == "" {
		return nil, nil, errs.InvalidArgumentf(op, name, "encryption needs a key format")
	}
	alg := e.Algorithm
	if alg == "" {
		alg = "on"
	}
	args := []string{"-o", "encryption=" + alg, "-o", "keyformat=" + string(e.Format)}
	if e.Key != nil {
		if _, ok := props["keylocation"]; ok {
			return nil, nil, errs.InvalidArgumentf(op, name, "both a key reader and a keylocation property given")
		}
		args = append(args, "-o", "keylocation=prompt")
	} else if _, ok := props["keylocation"]; !ok {
		return nil, nil, errs.InvalidArgumentf(op, name, "encryption needs a Key reader or a keylocation property")
	}
	if e.PBKDF2Iters > 0 {
		args = append(args, "-o", "pbkdf2iters="+strconv.FormatUint(e.PBKDF2Iters, 10))
	}
	return args, e.Key, nil
}

// KeyStatus is the state of a dataset's encryption key (the keystatus
// property).
type KeyStatus string

// The key states.
const (
	// KeyNone: the dataset is not encrypted.
	KeyNone KeyStatus = "none"
	// KeyUnavailable: the key is not loaded; the data cannot be read.
	KeyUnavailable KeyStatus = "unavailable"
	// KeyAvailable: the key is loaded.
	KeyAvailable KeyStatus = "available"
)

// LoadKeyOptions are the options of LoadKey.
type LoadKeyOptions struct {
	// Verify (-n) only checks that the key is correct, without loading it.
	Verify bool
	// Recursive (-r) loads the keys of all encryption roots below too, from
	// their keylocation; it cannot be combined with a key reader.
	Recursive bool
	// ExtraArgs are more arguments for `zfs load-key`, for flags this
	// package does not model; see [ExtraArgs].
	ExtraArgs ExtraArgs
}

// ChangeKeyOptions are the options of ChangeKey.
type ChangeKeyOptions struct {
	// Inherit (-i) makes the dataset inherit its key from its parent,
	// ceasing to be an encryption root. The parent's key must be loaded.
	// Format, Key, Location and PBKDF2Iters must be zero; Load and
	// CurrentKey may be set.
	Inherit bool
	// Format is the new key format; empty keeps the current one.
	Format KeyFormat
	// Key supplies the new key on standard input (keylocation=prompt).
	// When nil, zfs reads it from Location.
	Key io.Reader
	// Location is the new keylocation (a file:// or https:// URL) when Key
	// is nil.
	Location string
	// PBKDF2Iters sets pbkdf2iters for a passphrase; zero keeps the default.
	PBKDF2Iters uint64
	// Load loads the current key first if it is not loaded, so that a key
	// can be changed without being loaded beforehand. It stays loaded
	// afterwards, even when the change fails.
	//
	// Without CurrentKey this is `zfs change-key -l`, which loads the
	// current key from the dataset's keylocation. zfs reads the current
	// and the new key from the same standard input when keylocation is
	// prompt, and reads nothing for the current key when it is already
	// loaded, so a dataset whose keylocation is prompt needs CurrentKey.
	Load bool
	// CurrentKey supplies the current key, when Load is set: it is loaded
	// from this reader with `zfs load-key -L prompt` (whatever the
	// keylocation), and then the key is changed with a second command. A
	// key that is already loaded is kept and CurrentKey is not checked
	// against it.
	CurrentKey io.Reader
	// ExtraArgs are more arguments for `zfs change-key` (not for the `zfs
	// load-key` of CurrentKey), for flags this package does not model; see
	// [ExtraArgs].
	ExtraArgs ExtraArgs
}

// changeKeyArgs validates opts and returns the change-key arguments (the
// dataset name last) and the reader for its standard input.
func changeKeyArgs(name string, opts ChangeKeyOptions) ([]string, io.Reader, error) {
	const op = "change-key"
	if opts.CurrentKey != nil && !opts.Load {
		return nil, nil, errs.InvalidArgumentf(op, name, "a current key is only read to load it (Load)")
	}
	if err := checkExtra(op, name, opts.ExtraArgs); err != nil {
		return nil, nil, err
	}
	args := []string{"change-key"}
	// With CurrentKey, load-key has loaded the key: no -l, so that a key
	// unloaded in between makes change-key fail rather than read the new
	// key as the current one.
	load := opts.Load && opts.CurrentKey == nil
	if opts.Inherit {
		if opts.Format != "" || opts.Key != nil || opts.Location != "" || opts.PBKDF2Iters != 0 {
			return nil, nil, errs.InvalidArgumentf(op, name, "inherit takes no new key options")
		}
		args = append(args, "-i")
		if load {
			args = append(args, "-l")
		}
		args = append(args, opts.ExtraArgs...)
		return append(args, name), nil, nil
	}
	if load {
		args = append(args, "-l")
	}
	if opts.Format != "" {
		args = append(args, "-o", "keyformat="+string(opts.Format))
	}
	switch {
	case opts.Key != nil && opts.Location != "":
		return nil, nil, errs.InvalidArgumentf(op, name, "both a key reader and a key location given")
	case opts.Key != nil:
		args = append(args, "-o", "keylocation=prompt")
	case opts.Location != "":
		args = append(args, "-o", "keylocation="+opts.Location)
	default:
		return nil, nil, errs.InvalidArgumentf(op, name, "a new key needs a Key reader or a Location")
	}
	if opts.PBKDF2Iters > 0 {
		args = append(args, "-o", "pbkdf2iters="+strconv.FormatUint(opts.PBKDF2Iters, 10))
	}
	args = append(args, opts.ExtraArgs...)
	return append(args, name), opts.Key, nil
}

func loadKey(ctx context.Context, c *Client, name string, key io.Reader, opts LoadKeyOptions) error {
	if err := checkExtra("load-key", name, opts.ExtraArgs); err != nil {
		return err
	}
	args := []string{"load-key"}
	if opts.Verify {
		args = append(args, "-n")
	}
	if opts.Recursive {
		if key != nil {
			return errs.InvalidArgumentf("load-key", name, "a recursive load reads keys from their keylocation, not from a reader")
		}
		args = append(args, "-r")
	}
	if key != nil {
		args = append(args, "-L", "prompt")
	}
	args = append(args, opts.ExtraArgs...)
	return c.run(ctx, "load-key", name, key, append(args, name)...)
}

func unloadKey(ctx context.Context, c *Client, name string, recursive bool) error {
	args := []string{"unload-key"}
	if recursive {
		args = append(args, "-r")
	}
	return c.run(ctx, "unload-key", name, nil, append(args, name)...)
}

func changeKey(ctx context.Context, c *Client, name string, opts ChangeKeyOptions) error {
	const op = "change-key"
	args, stdin, err := changeKeyArgs(name, opts)
	if err != nil {
		return err
	}
	if opts.CurrentKey != nil {
		err := c.run(ctx, op, name, opts.CurrentKey, "load-key", "-L", "prompt", name)
		if err != nil && !errors.Is(err, errors.ErrExist) {
			return err
		}
	}
	return c.run(ctx, op, name, stdin, args...)
}

func keyStatus(ctx context.Context, c *Client, name string) (KeyStatus, error) {
	ps, err := c.getProperties(ctx, name, []string{"keystatus"})
	if err != nil {
		return "", err
	}
	v := ps.Property("keystatus").Value
	if v == "-" {
		return KeyNone, nil
	}
	return KeyStatus(v), nil
}

// LoadKey loads the encryption key of the filesystem, an encryption root.
// With a non-nil key the key is read from it (passed to zfs on standard
// input, `-L prompt`); with nil, from the dataset's keylocation. A key that
// is already loaded gives an error of Kind Exist; a wrong key an error whose
// Stderr reads "Incorrect key provided".
func (f *Filesystem) LoadKey(ctx context.Context, key io.Reader, opts LoadKeyOptions) error {
	return loadKey(ctx, f.c, f.name, key, opts)
}

// UnloadKey unloads the encryption key of the filesystem, which must be
// unmounted first (Unmount with UnloadKey does both).
func (f *Filesystem) UnloadKey(ctx context.Context, recursive bool) error {
	return unloadKey(ctx, f.c, f.name, recursive)
}

// ChangeKey changes the wrapping key of the filesystem (the data is not
// re-encrypted), or with Inherit makes it inherit its parent's key. The
// current key must be loaded, or be loaded with Load (and CurrentKey when
// the keylocation is prompt). Keys travel on standard input, never on the
// command line. A wrong current key gives an error of Kind Permission
// (zfs says "Incorrect key provided"); a current key that is not loaded, one
// of Kind KeyNotLoaded.
func (f *Filesystem) ChangeKey(ctx context.Context, opts ChangeKeyOptions) error {
	return changeKey(ctx, f.c, f.name, opts)
}

// KeyStatus reads the keystatus property.
func (f *Filesystem) KeyStatus(ctx context.Context) (KeyStatus, error) {
	return keyStatus(ctx, f.c, f.name)
}

// LoadKey loads the encryption key of the volume; see Filesystem.LoadKey.
func (v *Volume) LoadKey(ctx context.Context, key io.Reader, opts LoadKeyOptions) error {
	return loadKey(ctx, v.c, v.name, key, opts)
}

// UnloadKey unloads the encryption key of the volume.
func (v *Volume) UnloadKey(ctx context.Context, recursive bool) error {
	return unloadKey(ctx, v.c, v.name, recursive)
}

// ChangeKey changes the wrapping key of the volume; see
// Filesystem.ChangeKey.
func (v *Volume) ChangeKey(ctx context.Context, opts ChangeKeyOptions) error {
	return changeKey(ctx, v.c, v.name, opts)
}

// KeyStatus reads the keystatus property.
func (v *Volume) KeyStatus(ctx context.Context) (KeyStatus, error) {
	return keyStatus(ctx, v.c, v.name)
}
